"""Value checks for import rows, turning each good row into the database rows and search keys it becomes.

A bad value becomes a `file:line: reason` problem; a good line becomes its database row and the
rows it owns (a person's search keys, an incident's links), in the column order of `writer.TABLES`
and with dates already in the form both databases store. Free text is cleaned as officers'
questions are (`knowledge.matching.clean.clean_text`: one line, visible characters only), then held to the
column's length; ids follow `knowledge.matching.record_ids`. References
to rows in earlier files are checked at once; references to rows already in the database are
looked up in batches before each write (`resolve`).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import repeat
from typing import Any

from sqlalchemy import Connection, select

from knowledge.importing.csv_files import COLUMNS, Problems
from knowledge.importing.value_checks import (
    _NO_LIMIT,
    Bad,
    _coordinate,
    _date,
    _length,
    _limit,
    _moment,
    _required,
)
from knowledge.matching.clean import clean_text
from knowledge.matching.names import normalise_name, person_keys
from knowledge.matching.postcodes import normalise_postcode
from knowledge.matching.record_ids import id_matcher, id_problem, vrm_problem
from knowledge.matching.streets import split_address_line, street_code
from knowledge.matching.vrm import compact_vrm
from knowledge.store.database import utc
from knowledge.store.schema import Address, Base, Incident, Person, Vehicle, Warrant

__all__ = ["ROLES", "SEXES", "STATUSES", "RowChecker"]

ROLES = frozenset({"suspect", "victim", "witness", "subject", "other"})
STATUSES = frozenset({"ACTIVE", "EXECUTED", "WITHDRAWN"})
# M and F as recorded; X for a person recorded as neither; empty when the source did not record it.
SEXES = frozenset({"", "M", "F", "X"})

Rows = Iterable[tuple[int, tuple[str, ...]]]
# A good line's database row, and the rows it owns in a second table (a person's search keys,
# an incident's links to persons).
Checked = tuple[tuple[Any, ...], list[tuple[Any, ...]]]
_KIND = {"person": "persons", "vehicle": "vehicles", "address": "addresses"}
_TABLE_OF: dict[str, type[Address] | type[Person]] = {"address": Address, "person": Person}
# Files whose ids later files refer to, and the kind of record each id names.
_REGISTERS = {"addresses.csv": "address", "persons.csv": "person"}
# How a row's identifier is written in the database: VRMs and references upper case, VRMs unspaced.
_KEY_FORMS: dict[str, Callable[[str], str]] = {
    "addresses.csv": str.strip,
    "persons.csv": str.strip,
    "vehicles.csv": compact_vrm,
    "incidents.csv": lambda ref: ref.strip().upper(),
    "warrants.csv": lambda ref: ref.strip().upper(),
}
# Text an officer reads, cleaned like a question: a line break or a direction override in a record
# would otherwise reach the reply (a newline once forged a line of its own reading "⚠ WANTED").
_FREE_TEXT = {
    "addresses.csv": ("line1", "town"),
    "persons.csv": ("forenames", "surname", "aliases"),
    "vehicles.csv": ("make", "model", "colour"),
    "incidents.csv": ("category", "summary"),
    "warrants.csv": ("offence", "court"),
}
# Bounds for the TEXT columns, which the schema does not limit: an incident's narrative fits a
# reply with room to spare, and aliases (joined by ';') a few dozen names.
_EARLIEST_BIRTH = dt.date(1900, 1, 1)
# Incident times without a zone are stored as written, in whatever zone the force keeps them: a
# day ahead of this machine's UTC clock covers every zone and any clock skew.
_CLOCK_SKEW = dt.timedelta(days=1)


def _cleaned(values: tuple[str, ...], free: tuple[int, ...], pick: Callable[..., Any]) -> tuple[str, ...]:
    """The row with its free-text values (`pick` picks them) cleaned, unbounded: their length is
    checked next. Most rows are plain ASCII with single spaces, which cleaning would leave as they
    are: one look at them all together says so, at C speed."""
    text = "|".join(pick(values))
    if (
        text.isascii()
        and text.isprintable()
        and "  " not in text
        and " |" not in text
        and "| " not in text
        and text[:1] != " "
        and text[-1:] != " "
    ):
        return values
    cleaned = list(values)
    for index in free:
        cleaned[index] = clean_text(cleaned[index], _NO_LIMIT)
    return tuple(cleaned)


# A reference holds to the grammar and length of the id it refers to.
_ID_LIMITS = {kind: _length(model, "id") for kind, model in _TABLE_OF.items()}


def _key_check(name: str, model: type[Base]) -> Callable[[str], str | None]:
    column = COLUMNS[name][0]
    if name == "vehicles.csv":
        return lambda key: vrm_problem(key, column)
    limit = _length(model, column)
    good = id_matcher(limit)
    return lambda key: None if good(key) else id_problem(key, column, limit)


# Real records repeat names (and one person appears in several systems): caching the name work
# turns a million persons into a few hundred thousand computations.
_normal = lru_cache(maxsize=1 << 17)(normalise_name)
_street_code = lru_cache(maxsize=1 << 16)(street_code)
_postcode = lru_cache(maxsize=1 << 17)(normalise_postcode)


@lru_cache(maxsize=1 << 18)
def _search_keys(first_forename: str, surname: str, aliases: tuple[str, ...]) -> tuple[int, ...]:
    return tuple(person_keys(first_forename, surname, aliases))


def _person_keys(forenames: str, surname: str, aliases: tuple[str, ...]) -> tuple[int, ...]:
    """The person's blocking keys.

    They depend on the first forename only, so the cache is keyed on that (a test holds this to
    `person_keys` with the full forenames); normalising is word by word, so the first word of the
    normalised forenames is the normalised first forename.
    """
    return _search_keys(_normal(forenames).partition(" ")[0], surname, aliases)


class RowChecker:
    """Checks one import's rows file by file, remembering ids for the references of later files."""

    def __init__(
        self, vocabulary: dict[str, str], problems: Problems, *, now: dt.datetime | None = None
    ) -> None:
        """`now`, an aware time, is the import's clock for dates that may not lie in the future."""
        self.vocabulary = vocabulary  # marker code -> the kind of record it applies to
        self.problems = problems
        now = now or dt.datetime.now().astimezone()
        self._today = now.date()
        self._latest = utc(now).replace(tzinfo=None) + _CLOCK_SKEW
        self.ids: dict[str, dict[str, int]] = {"address": {}, "person": {}}
        # kind -> id -> [file, line, count] of its first unresolved reference
        self._unresolved: dict[str, dict[str, list[Any]]] = {"address": {}, "person": {}}
        self._unknowable: set[str] = set()
        self._markers: dict[tuple[str, str], str | Bad] = {}
        self._checks: dict[str, Callable[[str, int, tuple[str, ...]], Checked]] = {
            "addresses.csv": self._address,
            "persons.csv": self._person,
            "vehicles.csv": self._vehicle,
            "incidents.csv": self._incident,
            "warrants.csv": self._warrant,
        }
        models = {
            "addresses.csv": Address,
            "persons.csv": Person,
            "vehicles.csv": Vehicle,
            "incidents.csv": Incident,
            "warrants.csv": Warrant,
        }
        # The id (column 0) is held to its grammar, which includes its length.
        self._limits = {
            name: (_NO_LIMIT, *(_limit(model, c) for c in COLUMNS[name][1:]))
            for name, model in models.items()
        }
        self._key_checks = {name: _key_check(name, model) for name, model in models.items()}
        self._free = {name: tuple(map(COLUMNS[name].index, free)) for name, free in _FREE_TEXT.items()}
        # Every file has at least two free-text columns, so the picker always returns a tuple.
        self._pick_free = {name: operator.itemgetter(*free) for name, free in self._free.items()}

    def check(self, name: str, rows: Rows) -> Iterator[Checked]:
        """The database rows of every good line of one file; problems for the others."""
        check, limits, columns = self._checks[name], self._limits[name], COLUMNS[name]
        tidy_key, key_problem = _KEY_FORMS[name], self._key_checks[name]
        free, pick_free = self._free[name], self._pick_free[name]
        seen: dict[str, int] = self.ids[_REGISTERS[name]] if name in _REGISTERS else {}
        before, own = self.problems.total, 0
        for line, values in rows:
            try:
                values = _cleaned(values, free, pick_free)
                if any(map(operator.gt, map(len, values), limits)):
                    column, limit = next(
                        (c, n) for c, v, n in zip(columns, values, limits, strict=True) if len(v) > n
                    )
                    raise Bad(f"{column} is longer than {limit} characters")
                key = tidy_key(values[0])
                if problem := key_problem(key):
                    raise Bad(problem)
                if key in seen:
                    raise Bad(f"{columns[0]} {key} is already on line {seen[key]}")
                seen[key] = line
                yield check(key, line, values)
            except Bad as bad:
                own += 1
                self.problems.add(name, line, str(bad))
        if name in _REGISTERS and self.problems.total - before > own:
            # The file could not be read to the end: which ids it holds is unknown, so references
            # to it are not reported (they would only bury the real problem).
            self._unknowable.add(_REGISTERS[name])

    def _reference(self, kind: str, value: str, column: str, file: str, line: int) -> str | None:
        """A checked id of a record in an earlier file or the database; None when the value is empty."""
        key = value.strip()
        if not key or key in self.ids[kind]:  # a known id has passed the grammar already
            return key or None
        if problem := id_problem(key, column, _ID_LIMITS[kind]):
            raise Bad(problem)
        first = self._unresolved[kind].setdefault(key, [file, line, 0])
        first[2] += 1
        return key

    def unresolved(self) -> bool:
        """True while some references wait to be looked up in the database."""
        return any(self._unresolved.values())

    def resolve(self, connection: Connection) -> None:
        """Look up in the database the references the import itself does not satisfy; report the missing."""
        for kind, wanted in self._unresolved.items():
            if kind in self._unknowable:
                wanted.clear()
            table, keys = _TABLE_OF[kind], list(wanted)
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                found = set(connection.scalars(select(table.id).where(table.id.in_(chunk))))
                for key in chunk:
                    file, line, count = wanted.pop(key)
                    if key in found:
                        self.ids[kind][key] = 0  # known from now on; 0: not a line of this import
                        continue
                    more = f" (nor for {count - 1} later rows)" if count > 1 else ""
                    reason = f"{kind} {key} is in neither {_KIND[kind]}.csv nor the database{more}"
                    self.problems.add(file, line, reason, rows=count)

    def _marker_codes(self, value: str, kind: str) -> str:
        if not value:
            return ""
        known = self._markers.get((kind, value))
        if known is None:
            known = self._markers[(kind, value)] = self._parse_markers(value, kind)
        if isinstance(known, Bad):
            raise known
        return known

    def _parse_markers(self, value: str, kind: str) -> str | Bad:
        codes = [code.strip().upper() for code in value.split(";") if code.strip()]
        for code in codes:
            applies = self.vocabulary.get(code)
            if applies is None:
                return Bad(f"unknown marker {code if code.isprintable() else repr(code)}")
            if applies != kind:
                return Bad(f"marker {code} is for {_KIND.get(applies, applies)}, not {_KIND[kind]}")
        return ";".join(dict.fromkeys(codes))

    def _address(self, key: str, line: int, values: tuple[str, ...]) -> Checked:
        _, line1, town, postcode, latitude, longitude, markers = values
        line1 = _required(line1, "line1")
        tidy = _postcode(postcode)
        if tidy is None:
            raise Bad(f"postcode {postcode!r} is not a UK postcode")
        lat = _coordinate(latitude.strip(), "latitude", 90)
        lon = _coordinate(longitude.strip(), "longitude", 180)
        if (lat is None) != (lon is None):
            raise Bad("latitude and longitude must be given together")
        house, street = split_address_line(line1)
        return (
            key,
            line1,
            town,
            tidy,
            lat,
            lon,
            self._marker_codes(markers, "address"),
            tidy.replace(" ", ""),
            house[:16],
            street[:120],
            _street_code(street),
        ), []

    def _person(self, key: str, line: int, values: tuple[str, ...]) -> Checked:
        _, forenames, surname, date_of_birth, sex, aliases, markers, address_id = values
        forenames, surname = _required(forenames, "forenames"), _required(surname, "surname")
        born = _date(date_of_birth.strip(), "date_of_birth", self._today, _EARLIEST_BIRTH)
        sex = sex.strip().upper()
        if sex not in SEXES:
            raise Bad(f"sex {sex!r} is not M, F, X or empty")
        names = tuple(alias.strip() for alias in aliases.split(";") if alias.strip()) if aliases else ()
        codes = self._marker_codes(markers, "person")
        home = self._reference("address", address_id, "address_id", "persons.csv", line)
        person = (key, forenames, surname, born, sex, ";".join(names), codes, home)
        return person, list(zip(_person_keys(forenames, surname, names), repeat(key)))

    def _vehicle(self, key: str, line: int, values: tuple[str, ...]) -> Checked:
        _, make, model, colour, keeper_id, markers = values
        keeper = self._reference("person", keeper_id, "keeper_id", "vehicles.csv", line)
        return (key, make, model, colour, keeper, self._marker_codes(markers, "vehicle")), []

    def _incident(self, key: str, line: int, values: tuple[str, ...]) -> Checked:
        _, occurred_at, category, address_id, summary, persons = values
        moment = _moment(occurred_at.strip(), self._latest)
        category = _required(category, "category")
        links: dict[str, str] = {}
        for link in persons.split(";") if persons else ():
            person_id, _, role = (part.strip() for part in link.partition(":"))
            if not person_id and not role:
                continue
            if not person_id or role.lower() not in ROLES:
                roles = ", ".join(sorted(ROLES))
                raise Bad(f"persons entry {link.strip()!r} is not ID:role with role one of {roles}")
            if problem := id_problem(person_id, "persons entry id", _ID_LIMITS["person"]):
                raise Bad(problem)
            if person_id in links:
                raise Bad(f"person {person_id} is named twice")
            links[person_id] = role.lower()
        # Looked up only once the whole row is good: a rejected row's references are not reported.
        place = self._reference("address", address_id, "address_id", "incidents.csv", line)
        for person_id in links:
            self._reference("person", person_id, "persons entry id", "incidents.csv", line)
        incident = (key, moment, category, place, summary)
        return incident, [(key, person_id, role) for person_id, role in links.items()]

    def _warrant(self, key: str, line: int, values: tuple[str, ...]) -> Checked:
        _, person_id, offence, issued_on, court, status = values
        person_id = _required(person_id, "person_id")
        offence = _required(offence, "offence")
        issued = _date(_required(issued_on, "issued_on"), "issued_on", self._today)
        status = status.strip().upper()
        if status not in STATUSES:
            raise Bad(f"status {status!r} is not one of {', '.join(sorted(STATUSES))}")
        self._reference("person", person_id, "person_id", "warrants.csv", line)
        return (key, person_id, offence, issued, court, status), []
