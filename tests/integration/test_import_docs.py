"""docs/import.md holds as written: its example rows import cleanly, its marker table is the database's."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.cli import main
from knowledge.importing.csv_files import COLUMNS
from knowledge.importing.row_checks import ROLES, SEXES, STATUSES
from knowledge.store.database import sync_url

DOC = (Path(__file__).parents[2] / "docs" / "import.md").read_text(encoding="utf-8")
CSV_BLOCK = re.compile(r"^```csv\n(.*?)^```$", re.MULTILINE | re.DOTALL)
MARKER_ROW = re.compile(r"^\| `([A-Z_]+)` \| (\w+) \| ([^|]+?) \| (\d) \|$", re.MULTILINE)


def documented_files() -> dict[str, str]:
    """Each example block of the page, under the file whose header it has."""
    files: dict[str, str] = {}
    for block in CSV_BLOCK.findall(DOC):
        header = tuple(block.splitlines()[0].split(","))
        name = next(name for name, columns in COLUMNS.items() if columns == header)
        assert name not in files, f"two examples of {name}"
        files[name] = block
    return files


def test_the_documented_example_rows_import_cleanly(tmp_path, monkeypatch, capsys) -> None:
    files = documented_files()
    assert set(files) == set(COLUMNS)
    for name, block in files.items():
        (tmp_path / name).write_text(block, encoding="utf-8")
    monkeypatch.setenv("BEATLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'beatline.db'}")
    assert main(["init-db"]) == 0
    assert main(["import", str(tmp_path)]) == 0, capsys.readouterr().err
    printed = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines() if ": " in line)
    printed = {name: rows for name, rows in printed.items() if name in COLUMNS}
    counts = {name: int(rows.split()[0]) for name, rows in printed.items()}
    assert counts == {name: len(block.splitlines()) - 1 for name, block in files.items()}


def test_the_documented_markers_are_the_default_vocabulary(sqlite_url) -> None:
    engine = create_engine(sync_url(sqlite_url))
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT code, applies_to, label, severity FROM markers"))
        vocabulary = {(code, kind, label, str(severity)) for code, kind, label, severity in rows}
    engine.dispose()
    assert set(MARKER_ROW.findall(DOC)) == vocabulary


def test_every_role_status_and_sex_the_import_accepts_is_documented() -> None:
    accepted = (ROLES | STATUSES | SEXES) - {""}
    assert sorted(value for value in accepted if f"`{value}`" not in DOC) == []
