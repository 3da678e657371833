"""`beatline import DIR` on SQLite and PostgreSQL: all or nothing, upserts, and exact rejections."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from knowledge.errors import DatabaseUnavailable, ImportRejected
from knowledge.importing import bulk_writer
from knowledge.importing.importer import import_directory
from knowledge.matching.names import person_keys
from knowledge.store.database import sync_url

TABLES = ["addresses", "persons", "person_keys", "vehicles", "incidents", "incident_persons", "warrants"]

GOOD = {
    "addresses.csv": [
        "id,line1,town,postcode,latitude,longitude,markers",
        "A1,221B Baker Street,London,nw16xe,51.5238,-0.1586,DANGEROUS_DOG",
        'A2,"Flat 3, 12 High Road",London,E1 6AN,,,',
    ],
    "persons.csv": [
        "id,forenames,surname,date_of_birth,sex,aliases,markers,address_id",
        "P1,John,Smith,1985-04-03,M,Johnny Smith;J. Smyth,VIOLENT,A1",
        "P2,Zoë,O'Brien,1990-12-01,F,,,A2",
        "P3,Siân,Smith-Jones,,,,,",
    ],
    "vehicles.csv": [
        "vrm,make,model,colour,keeper_id,markers",
        "AB12 CDE,Ford,Fiesta,Blue,P1,STOLEN",
        "ABC 123,Austin,Mini,Red,,",
    ],
    "incidents.csv": [
        "ref,occurred_at,category,address_id,summary,persons",
        "INC-2024-000001,2024-05-01T22:15:00,Burglary,A1,Rear window forced,P1:suspect;P2:victim",
    ],
    "warrants.csv": [
        "ref,person_id,offence,issued_on,court,status",
        "W1,P1,Failure to appear,2024-01-02,Highbury Corner Magistrates' Court,ACTIVE",
    ],
}


def write_files(directory: Path, files: dict[str, list[str]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every record row, to prove a rejected import changed nothing."""
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        rows = {table: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {table}")))) for table in TABLES}
    engine.dispose()
    return rows


def test_a_valid_import_writes_every_file_and_counts_rows(db_url, tmp_path):
    report = import_directory(db_url, write_files(tmp_path / "in", GOOD))
    assert report.counts == {
        "addresses.csv": 2,
        "persons.csv": 3,
        "vehicles.csv": 2,
        "incidents.csv": 1,
        "warrants.csv": 1,
    }
    assert report.lines()[:2] == ["addresses.csv: 2 rows", "persons.csv: 3 rows"]
    assert report.lines()[-1].startswith("done in ")
    rows = snapshot(db_url)
    assert [row[0] for row in rows["vehicles"]] == ["AB12CDE", "ABC123"]
    assert rows["addresses"][0][3] == "NW1 6XE"
    assert rows["incident_persons"] == [
        ("INC-2024-000001", "P1", "suspect"),
        ("INC-2024-000001", "P2", "victim"),
    ]
    assert {key for key, pid in rows["person_keys"] if pid == "P1"} == person_keys(
        "John", "Smith", ["Johnny Smith", "J. Smyth"]
    )


def test_reimporting_updates_rows_and_replaces_keys_and_links(db_url, tmp_path):
    import_directory(db_url, write_files(tmp_path / "first", GOOD))
    changed = {
        "persons.csv": [GOOD["persons.csv"][0], "P1,Jon,Smyth,1985-04-03,M,,DRUGS,A2"],
        "incidents.csv": [
            GOOD["incidents.csv"][0],
            "INC-2024-000001,2024-05-01T22:15:00,Burglary,A1,Rear window forced,P3:witness",
        ],
    }
    report = import_directory(db_url, write_files(tmp_path / "second", changed))
    assert report.counts == {"persons.csv": 1, "incidents.csv": 1}
    rows = snapshot(db_url)
    p1 = next(row for row in rows["persons"] if row[0] == "P1")
    assert p1[1:3] == ("Jon", "Smyth") and p1[6:] == ("DRUGS", "A2")
    assert {key for key, pid in rows["person_keys"] if pid == "P1"} == person_keys("Jon", "Smyth")
    assert rows["incident_persons"] == [("INC-2024-000001", "P3", "witness")]
    assert len(rows["persons"]) == 3  # the others are untouched


def test_a_reference_to_a_row_already_in_the_database_is_accepted(db_url, tmp_path):
    import_directory(db_url, write_files(tmp_path / "first", GOOD))
    warrant = "W2,P2,Theft,2025-02-03,Thames Magistrates' Court,ACTIVE"
    later = {"warrants.csv": [GOOD["warrants.csv"][0], warrant]}
    assert import_directory(db_url, write_files(tmp_path / "second", later)).counts == {"warrants.csv": 1}


def replace_line(name: str, number: int, line: str) -> dict[str, list[str]]:
    files = {key: list(lines) for key, lines in GOOD.items()}
    files[name][number - 1] = line
    return files


def deep_bad_persons() -> dict[str, list[str]]:
    header = GOOD["persons.csv"][0]
    persons = [header] + [f"Q{n},Ann,Lee,1970-01-01,F,,,A1" for n in range(2, 3001)]
    persons[2499] = "Q2500,Ann,Lee,1970-01-01,Q,,,A1"
    return {**GOOD, "persons.csv": persons}


BAD = {
    "missing column": (
        replace_line("persons.csv", 1, "id,forenames,surname,date_of_birth,aliases,markers,address_id"),
        "persons.csv:1: missing column(s): sex",
    ),
    "unknown column": (
        replace_line("warrants.csv", 1, "ref,person_id,offence,issued_on,court,status,notes"),
        "warrants.csv:1: unknown column(s): notes",
    ),
    "bad date": (
        replace_line("warrants.csv", 2, "W1,P1,Failure to appear,2024-13-02,Westminster,ACTIVE"),
        "warrants.csv:2: issued_on '2024-13-02' is not a date (YYYY-MM-DD)",
    ),
    "unknown marker": (
        replace_line("persons.csv", 3, "P2,Zoë,O'Brien,1990-12-01,F,,BITES,A2"),
        "persons.csv:3: unknown marker BITES",
    ),
    "marker for the wrong kind": (
        replace_line("addresses.csv", 2, "A1,221B Baker Street,London,NW1 6XE,51.5,-0.15,STOLEN"),
        "addresses.csv:2: marker STOLEN is for vehicles, not addresses",
    ),
    "dangling reference": (
        replace_line("vehicles.csv", 3, "ABC 123,Austin,Mini,Red,P404,"),
        "vehicles.csv:3: person P404 is in neither persons.csv nor the database",
    ),
    "duplicate id": (
        replace_line("persons.csv", 4, "P1,Siân,Smith-Jones,,,,,"),
        "persons.csv:4: id P1 is already on line 2",
    ),
    "empty file": (
        {**GOOD, "incidents.csv": []},
        "incidents.csv:1: the file is empty; it needs at least the header line",
    ),
    "bad row deep in the second file": (
        deep_bad_persons(),
        "persons.csv:2500: sex 'Q' is not M, F, X or empty",
    ),
}


def index_names(url: str) -> set[str]:
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        names = {index["name"] for table in TABLES for index in inspect(conn).get_indexes(table)}
    engine.dispose()
    return names


def test_a_large_import_rebuilds_its_indexes_and_a_rejected_one_keeps_them(db_url, tmp_path, monkeypatch):
    # Two rows make a large import: indexes are dropped, then built.
    monkeypatch.setattr(bulk_writer, "_BATCH", 2)
    indexes = index_names(db_url)
    assert "ix_person_keys_person_id" in indexes
    bad = {**GOOD, "warrants.csv": [GOOD["warrants.csv"][0], "W1,P1,Theft,2024-01-02,Westminster,LOST"]}
    with pytest.raises(ImportRejected):  # the last file fails, after batches of the others were written
        import_directory(db_url, write_files(tmp_path / "bad", bad))
    assert index_names(db_url) == indexes
    assert all(rows == [] for rows in snapshot(db_url).values())
    partial = {name: GOOD[name] for name in ("addresses.csv", "persons.csv")}
    import_directory(db_url, write_files(tmp_path / "partial", partial))  # vehicles etc. stay empty
    assert index_names(db_url) == indexes
    import_directory(db_url, write_files(tmp_path / "good", GOOD))
    assert index_names(db_url) == indexes
    rows = snapshot(db_url)
    assert len(rows["persons"]) == 3
    assert {key for key, pid in rows["person_keys"] if pid == "P1"} == person_keys(
        "John", "Smith", ["Johnny Smith", "J. Smyth"]
    )


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_rejects_the_whole_import_and_changes_nothing(db_url, tmp_path, case):
    import_directory(db_url, write_files(tmp_path / "first", GOOD))
    before = snapshot(db_url)
    files, problem = BAD[case]
    # Every other row differs from what is stored, so any half-written import would show.
    files = {
        name: [lines[0], *(line.replace("London", "Leeds") for line in lines[1:])] if lines else []
        for name, lines in files.items()
    }
    directory = write_files(tmp_path / "bad", files)
    if case == "empty file":
        (directory / "incidents.csv").write_text("")
    with pytest.raises(ImportRejected) as rejected:
        import_directory(db_url, directory)
    assert rejected.value.problems == [problem]
    assert snapshot(db_url) == before


def test_a_file_in_another_encoding_is_rejected_with_its_line(sqlite_url, tmp_path):
    directory = write_files(tmp_path / "in", GOOD)
    (directory / "persons.csv").write_bytes("\n".join(GOOD["persons.csv"]).encode("latin-1"))
    with pytest.raises(ImportRejected) as rejected:
        import_directory(sqlite_url, directory)
    assert rejected.value.problems == [
        "persons.csv:3: not UTF-8 (invalid continuation byte); save it as UTF-8"
    ]
    assert all(not rows for rows in snapshot(sqlite_url).values())


def test_many_problems_are_counted_beyond_those_kept(sqlite_url, tmp_path):
    header = GOOD["persons.csv"][0]
    files = {"persons.csv": [header] + [f"P{n},Ann,Lee,not-a-date,F,,," for n in range(500)]}
    with pytest.raises(ImportRejected) as rejected:
        import_directory(sqlite_url, write_files(tmp_path / "in", files))
    assert rejected.value.total == 500 and len(rejected.value.problems) == 100
    assert str(rejected.value).endswith("... and 480 more problems")


def test_a_directory_without_csv_files_is_rejected(sqlite_url, tmp_path):
    with pytest.raises(ImportRejected, match="no CSV files to import in"):
        import_directory(sqlite_url, tmp_path)


def test_an_unreachable_database_is_reported_as_unavailable(tmp_path):
    write_files(tmp_path, GOOD)
    with pytest.raises(DatabaseUnavailable):
        import_directory("postgresql://nobody@127.0.0.1:1/none", tmp_path)
