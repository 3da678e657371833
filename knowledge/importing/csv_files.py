"""Import rows from CSV files or from memory, line-numbered and in the contract's column order.

Only the shape is checked here (size, encoding, NUL characters, header, number of values): whatever
passes comes out as `(line, values)` so that the value checks never care where the rows came from.
Line numbers are physical lines of the CSV (the header is line 1), so a problem can be found in an
editor.
"""

from __future__ import annotations

import csv
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "Problems",
    "RowSource",
    "file_sources",
    "memory_sources",
    "ordered_rows",
]

# In dependency order: a file only refers to files before it, so one pass resolves every reference.
COLUMNS: dict[str, tuple[str, ...]] = {
    "addresses.csv": ("id", "line1", "town", "postcode", "latitude", "longitude", "markers"),
    "persons.csv": ("id", "forenames", "surname", "date_of_birth", "sex", "aliases", "markers", "address_id"),
    "vehicles.csv": ("vrm", "make", "model", "colour", "keeper_id", "markers"),
    "incidents.csv": ("ref", "occurred_at", "category", "address_id", "summary", "persons"),
    "warrants.csv": ("ref", "person_id", "offence", "issued_on", "court", "status"),
}

# Far above a force's nightly export (a million persons is about 80 MB), low enough to refuse a
# wrong file before spending minutes on it.
MAX_FILE_BYTES = 512 * 1024 * 1024
_KEEP = 100  # problems kept verbatim; the rest are only counted
_REASON_CHARS = 200  # a reason quotes the value it is about, and values can be long


def _one_line(reason: str) -> str:
    """The reason as one printable line: a quoted value's controls and direction marks as escapes."""
    if not reason.isprintable():
        reason = "".join(char if char.isprintable() else repr(char)[1:-1] for char in reason)
    return reason if len(reason) <= _REASON_CHARS else reason[: _REASON_CHARS - 1] + "…"


class Problems:
    """`file:line: reason` sentences: the first hundred kept, all of them counted."""

    def __init__(self) -> None:
        self.kept: list[str] = []
        self.total = 0

    def add(self, file: str, line: int, reason: str, rows: int = 1) -> None:
        """Record a problem; `rows` counts the rows one sentence stands for."""
        self.total += rows
        if len(self.kept) < _KEEP:
            self.kept.append(f"{file}:{line}: {_one_line(reason)}")

    def __bool__(self) -> bool:
        return self.total > 0


Lines = Iterator[tuple[int, list[str]]]


@dataclass(frozen=True)
class RowSource:
    """One import file: its name and a way to read its lines (the header first, as line 1)."""

    name: str
    read: Callable[[Problems], Lines]


def file_sources(directory: Path, problems: Problems) -> list[RowSource]:
    """The contract's files present in a directory; oversized files become problems, unread."""
    sources = []
    for name in COLUMNS:
        path = directory / name
        if not path.is_file():
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            problems.add(name, 1, f"the file is {size / 1024**2:,.0f} MB; the limit is {limit} MB")
            continue
        sources.append(RowSource(name, partial(_read_file, path)))
    return sources


def memory_sources(tables: Mapping[str, Sequence[Mapping[str, str]]]) -> list[RowSource]:
    """Rows already in memory as CSV-shaped dicts (the demo data), read exactly like a file."""
    return [
        RowSource(name, partial(_read_dicts, COLUMNS[name], tables[name]))
        for name in COLUMNS
        if name in tables
    ]


def _read_dicts(columns: tuple[str, ...], rows: Sequence[Mapping[str, str]], _problems: Problems) -> Lines:
    # The first dict's keys play the header, so rows from memory meet the same header checks.
    header = list(rows[0]) if rows else list(columns)
    yield 1, header
    for line, row in enumerate(rows, start=2):
        yield line, [row.get(column, "") for column in header]


def _read_file(path: Path, problems: Problems) -> Lines:
    line = 0
    try:
        # utf-8-sig: spreadsheet programs put a byte-order mark at the start of "CSV UTF-8".
        with path.open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream)
            for values in reader:
                start, line = line + 1, reader.line_num
                if values:  # a blank line, typically at the end of the file
                    yield start, values
    except UnicodeDecodeError as exc:
        problems.add(path.name, _first_undecodable_line(path), f"not UTF-8 ({exc.reason}); save it as UTF-8")
    except csv.Error as exc:
        problems.add(path.name, line + 1, f"not a readable CSV line ({exc})")


def _first_undecodable_line(path: Path) -> int:
    # The text layer decodes ahead of the CSV reader, so its position does not say which line broke.
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


def ordered_rows(source: RowSource, problems: Problems) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Each data line's values in the contract's column order, after checking the header."""
    expected = COLUMNS[source.name]
    before = problems.total
    lines = source.read(problems)
    first = next(lines, None)
    if first is None:
        if problems.total == before:  # not already reported as unreadable
            problems.add(source.name, 1, "the file is empty; it needs at least the header line")
        return
    header = [cell.strip().lower() for cell in first[1]]
    missing = [column for column in expected if column not in header]
    unknown = [column for column in header if column not in expected]
    if missing:
        problems.add(source.name, 1, f"missing column(s): {', '.join(missing)}")
    if unknown:
        problems.add(source.name, 1, f"unknown column(s): {', '.join(unknown)}")
    if len(set(header)) != len(header):
        problems.add(source.name, 1, "a column is named twice")
    if missing or unknown or len(set(header)) != len(header):
        return
    pick = operator.itemgetter(*(header.index(column) for column in expected))
    width = len(header)
    for line, values in lines:
        if len(values) != width:
            problems.add(source.name, line, f"{len(values)} values where the header has {width}")
            continue
        ordered = pick(values)
        if "\x00" in "".join(ordered):
            # PostgreSQL cannot store NUL; in a CSV it means a binary or UTF-16 file, not a value.
            column = next(c for c, value in zip(expected, ordered, strict=True) if "\x00" in value)
            problems.add(source.name, line, f"{column} contains a NUL character; save the file as UTF-8 text")
            continue
        yield line, ordered
