"""Import checks without a database: file shape, header, values and their `file:line: reason` sentences."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.importing import csv_files
from knowledge.importing.csv_files import COLUMNS, Problems, file_sources, memory_sources, ordered_rows
from knowledge.importing.row_checks import RowChecker
from knowledge.matching.names import person_keys

VOCABULARY = {"VIOLENT": "person", "DRUGS": "person", "STOLEN": "vehicle", "DANGEROUS_DOG": "address"}
PERSON = {
    "id": "P1",
    "forenames": "John Paul",
    "surname": "Smith",
    "date_of_birth": "1985-04-03",
    "sex": "M",
    "aliases": "Johnny Smith;J. Smyth",
    "markers": "violent",
    "address_id": "",
}


NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # the import's clock, for dates in the future


def check(name: str, rows: list[dict[str, str]]) -> tuple[list, list[str]]:
    """The checked rows and the problems for one in-memory file."""
    problems = Problems()
    checker = RowChecker(VOCABULARY, problems, now=NOW)
    (source,) = memory_sources({name: rows})
    return list(checker.check(name, ordered_rows(source, problems))), problems.kept


def person(**changes: str) -> dict[str, str]:
    return {**PERSON, **changes}


def test_a_good_person_becomes_a_row_and_its_search_keys():
    [(row, keys)], problems = check("persons.csv", [person()])
    assert problems == []
    assert row == ("P1", "John Paul", "Smith", "1985-04-03", "M", "Johnny Smith;J. Smyth", "VIOLENT", None)
    # The cache keyed on the first forename must give exactly what names.person_keys gives.
    assert {key for key, _ in keys} == person_keys("John Paul", "Smith", ["Johnny Smith", "J. Smyth"])


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"date_of_birth": "03/04/1985"}, "date_of_birth '03/04/1985' is not a date (YYYY-MM-DD)"),
        ({"date_of_birth": "1985-02-30"}, "date_of_birth '1985-02-30' is not a date (YYYY-MM-DD)"),
        ({"sex": "male"}, "sex 'MALE' is not M, F, X or empty"),
        ({"surname": "  "}, "surname is empty"),
        ({"id": ""}, "id is empty"),
        ({"markers": "VIOLENT;BADGER"}, "unknown marker BADGER"),
        ({"markers": "STOLEN"}, "marker STOLEN is for vehicles, not persons"),
        ({"surname": "x" * 121}, "surname is longer than 120 characters"),
        ({"date_of_birth": "2026-11-26"}, "date_of_birth '2026-11-26' is in the future"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth '2999-01-01' is in the future"),
        ({"date_of_birth": "1899-12-31"}, "date_of_birth '1899-12-31' is before 1900"),
        (
            {"id": "P 1"},
            "id 'P 1' is not a valid id: use letters, digits and - _ . / only, "
            "starting with a letter or digit",
        ),
        (
            {"id": "P1;P2"},
            "id 'P1;P2' is not a valid id: use letters, digits and - _ . / only, "
            "starting with a letter or digit",
        ),
        (
            {"id": "-P1"},
            "id '-P1' is not a valid id: use letters, digits and - _ . / only, "
            "starting with a letter or digit",
        ),
        (
            {"id": "\u04201"},
            "id '\u04201' is not a valid id: use letters, digits and - _ . / only, "
            "starting with a letter or digit",
        ),  # a Cyrillic letter that looks like P
        ({"id": "P" * 33}, "id is longer than 32 characters"),
        (
            {"address_id": "A1,A2"},
            "address_id 'A1,A2' is not a valid id: use letters, digits and - _ . / "
            "only, starting with a letter or digit",
        ),
        ({"forenames": "Jo\x00hn"}, "forenames contains a NUL character; save the file as UTF-8 text"),
        ({"aliases": "J" * 10_000}, "aliases is longer than 1000 characters"),
        # Ten characters, but 18 letters each once cleaned: the cleaned text is what must fit.
        ({"surname": "\ufdfa" * 10}, "surname is longer than 120 characters"),
    ],
)
def test_a_bad_person_value_is_reported_on_its_line(changes, reason):
    rows, problems = check("persons.csv", [person(id="P0"), person(**changes)])
    assert len(rows) == 1
    assert problems == [f"persons.csv:3: {reason}"]


def test_a_duplicate_id_names_the_first_line():
    _, problems = check("persons.csv", [person(), person(id="P2"), person(surname="Jones")])
    assert problems == ["persons.csv:4: id P1 is already on line 2"]


def test_sex_may_be_empty_or_x_and_case_does_not_matter():
    rows, problems = check("persons.csv", [person(id="P1", sex=""), person(id="P2", sex="x")])
    assert problems == []
    assert [row[4] for row, _ in rows] == ["", "X"]


ADDRESS = {
    "id": "A1",
    "line1": "Flat 3, 12a High Rd",
    "town": "London",
    "postcode": "nw16xe",
    "latitude": "51.5",
    "longitude": "-0.1",
    "markers": "",
}


def test_an_address_gets_its_postcode_and_street_keys():
    [(row, _)], problems = check("addresses.csv", [ADDRESS])
    assert problems == []
    assert row[3] == "NW1 6XE"  # postcode as Royal Mail writes it
    assert row[7:10] == ("NW16XE", "12A", "high road")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"postcode": "NOT A PC"}, "postcode 'NOT A PC' is not a UK postcode"),
        ({"latitude": "north"}, "latitude 'north' is not a number"),
        ({"latitude": "91"}, "latitude 91 is out of range (-90 to 90)"),
        ({"longitude": "nan"}, "longitude nan is out of range (-180 to 180)"),
        ({"longitude": ""}, "latitude and longitude must be given together"),
        ({"markers": "VIOLENT"}, "marker VIOLENT is for persons, not addresses"),
    ],
)
def test_a_bad_address_value_is_reported(changes, reason):
    _, problems = check("addresses.csv", [{**ADDRESS, **changes}])
    assert problems == [f"addresses.csv:2: {reason}"]


def test_a_vrm_is_stored_upper_case_without_spaces_and_duplicates_are_found_after_that():
    vehicle = {
        "vrm": "ab12 cde",
        "make": "Ford",
        "model": "Fiesta",
        "colour": "Blue",
        "keeper_id": "",
        "markers": "",
    }
    rows, problems = check("vehicles.csv", [vehicle, {**vehicle, "vrm": "AB12CDE"}])
    assert rows[0][0][0] == "AB12CDE"
    assert problems == ["vehicles.csv:3: vrm AB12CDE is already on line 2"]


INCIDENT = {
    "ref": "inc-2024-000001",
    "occurred_at": "2024-05-01T22:15:00+01:00",
    "category": "Burglary",
    "address_id": "",
    "summary": "Rear window forced",
    "persons": "",
}


def test_an_incident_time_is_stored_as_naive_utc():
    [(row, links)], problems = check("incidents.csv", [INCIDENT])
    assert problems == []
    assert row[:2] == ("INC-2024-000001", "2024-05-01 21:15:00.000000")
    assert links == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"occurred_at": "2024-05-01"},
            "occurred_at '2024-05-01' is not an ISO 8601 date-time (2024-05-01T22:15)",
        ),
        (
            {"persons": "P1"},
            "persons entry 'P1' is not ID:role with role one of other, subject, suspect, victim, witness",
        ),
        (
            {"persons": "P1:thief"},
            "persons entry 'P1:thief' is not ID:role with role one of other, subject, "
            "suspect, victim, witness",
        ),
        ({"persons": "P1:suspect;P1:victim"}, "person P1 is named twice"),
    ],
)
def test_a_bad_incident_value_is_reported(changes, reason):
    _, problems = check("incidents.csv", [{**INCIDENT, **changes}])
    assert problems == [f"incidents.csv:2: {reason}"]


def test_a_warrant_status_must_be_one_of_three():
    warrant = {
        "ref": "W1",
        "person_id": "P1",
        "offence": "Theft",
        "issued_on": "2024-01-02",
        "court": "X",
        "status": "PENDING",
    }
    _, problems = check("warrants.csv", [warrant])
    assert problems == ["warrants.csv:2: status 'PENDING' is not one of ACTIVE, EXECUTED, WITHDRAWN"]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def rows_of(directory: Path) -> tuple[list, list[str]]:
    problems = Problems()
    sources = file_sources(directory, problems)
    return [list(ordered_rows(source, problems)) for source in sources], problems.kept


def test_header_columns_may_come_in_any_order_and_a_bom_is_tolerated(tmp_path):
    header = "\ufeffstatus,ref,person_id,offence,issued_on,court"
    write(tmp_path / "warrants.csv", f"{header}\nACTIVE,W1,P1,Theft,2024-01-02,X\n")
    [[(line, values)]], problems = rows_of(tmp_path)
    assert problems == []
    assert (line, values) == (2, ("W1", "P1", "Theft", "2024-01-02", "X", "ACTIVE"))


def test_missing_and_unknown_columns_are_reported_on_line_1(tmp_path):
    write(tmp_path / "warrants.csv", "ref,person_id,offence,issued_on,court,state\n")
    _, problems = rows_of(tmp_path)
    assert problems == [
        "warrants.csv:1: missing column(s): status",
        "warrants.csv:1: unknown column(s): state",
    ]


def test_line_numbers_are_physical_lines_even_after_a_quoted_newline(tmp_path):
    header = ",".join(COLUMNS["incidents.csv"])
    write(tmp_path / "incidents.csv", f'{header}\nI1,2024-01-01T10:00,Theft,,"two\nlines",\nI2,x\n')
    _, problems = rows_of(tmp_path)
    assert problems == ["incidents.csv:4: 2 values where the header has 6"]


def test_a_file_in_another_encoding_names_the_first_bad_line(tmp_path):
    header = ",".join(COLUMNS["persons.csv"])
    write(tmp_path / "persons.csv", f"{header}\nP1,John,Smith,,,,,\nP2,Zoë,Brontë,,,,,\n", encoding="latin-1")
    _, problems = rows_of(tmp_path)
    assert problems == ["persons.csv:3: not UTF-8 (invalid continuation byte); save it as UTF-8"]


def test_an_empty_file_is_rejected(tmp_path):
    write(tmp_path / "vehicles.csv", "")
    _, problems = rows_of(tmp_path)
    assert problems == ["vehicles.csv:1: the file is empty; it needs at least the header line"]


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_files, "MAX_FILE_BYTES", 10 * 1024 * 1024)
    with (tmp_path / "persons.csv").open("wb") as stream:
        stream.truncate(11 * 1024 * 1024)
    sources, problems = rows_of(tmp_path)
    assert sources == []
    assert problems == ["persons.csv:1: the file is 11 MB; the limit is 10 MB"]


@given(st.lists(st.text(max_size=30), min_size=8, max_size=8))
def test_checking_never_raises_on_any_text(values):
    row = dict(zip(COLUMNS["persons.csv"], values, strict=True))
    rows, problems = check("persons.csv", [row])
    assert len(rows) + len(problems) == 1


def test_a_date_of_birth_of_today_or_1900_is_accepted():
    rows, problems = check(
        "persons.csv",
        [person(id="P1", date_of_birth="2026-11-25"), person(id="P2", date_of_birth="1900-01-01")],
    )
    assert problems == [] and [row[3] for row, _ in rows] == ["2026-11-25", "1900-01-01"]


def test_free_text_is_cleaned_as_questions_are_and_search_keys_follow_the_cleaned_name():
    hostile = person(
        forenames="\u202eJo\u200bhn\u2066", surname="Smith\r\n", aliases="Johnny\u202e Smith;J.\nSmyth"
    )
    [(row, keys)], problems = check("persons.csv", [hostile])
    assert problems == []
    assert row[1:3] == ("John", "Smith") and row[5] == "Johnny Smith;J. Smyth"
    assert {key for key, _ in keys} == person_keys("John", "Smith", ["Johnny Smith", "J. Smyth"])


def test_an_incident_narrative_becomes_one_line_and_its_refs_are_checked():
    forged = "Rear window forced\n⚠ WANTED — fake warning injected by data"
    rows, problems = check(
        "incidents.csv",
        [
            {**INCIDENT, "summary": forged},
            {**INCIDENT, "ref": "INC 2"},
            {**INCIDENT, "ref": "I3", "persons": "P1 P2:suspect"},
            {**INCIDENT, "ref": "I4", "summary": "x" * 2001},
        ],
    )
    assert [row[4] for row, _ in rows] == ["Rear window forced ⚠ WANTED — fake warning injected by data"]
    rule = "is not a valid id: use letters, digits and - _ . / only, starting with a letter or digit"
    assert problems == [
        f"incidents.csv:3: ref 'INC 2' {rule}",
        f"incidents.csv:4: persons entry id 'P1 P2' {rule}",
        "incidents.csv:5: summary is longer than 2000 characters",
    ]


def test_an_incident_may_be_a_day_ahead_of_the_clock_but_no_more():
    rows, problems = check(
        "incidents.csv",
        [
            {**INCIDENT, "ref": "I1", "occurred_at": "2026-11-26T11:00:00+00:00"},
            {**INCIDENT, "ref": "I2", "occurred_at": "2026-11-26T13:00:00"},
        ],
    )
    assert len(rows) == 1
    assert problems == ["incidents.csv:3: occurred_at '2026-11-26T13:00:00' is in the future"]


def test_a_warrant_issued_in_the_future_or_for_a_bad_person_id_is_reported():
    warrant = {
        "ref": "W1",
        "person_id": "P1",
        "offence": "Theft",
        "issued_on": "2026-11-26",
        "court": "X",
        "status": "ACTIVE",
    }
    _, problems = check(
        "warrants.csv",
        [warrant, {**warrant, "ref": "W2", "issued_on": "2026-11-25", "person_id": "P\u202e1"}],
    )
    assert problems == [
        "warrants.csv:2: issued_on '2026-11-26' is in the future",
        # The reason is one printable line: the override is written out, not obeyed.
        "warrants.csv:3: person_id 'P\\u202e1' is not a valid id: use letters, digits and - _ . / only, "
        "starting with a letter or digit",
    ]


def test_a_vrm_must_be_a_uk_mark():
    vehicle = {
        "vrm": "ab12 cde",
        "make": "Ford",
        "model": "Fiesta",
        "colour": "Blue",
        "keeper_id": "",
        "markers": "",
    }
    rows, problems = check(
        "vehicles.csv", [vehicle, {**vehicle, "vrm": "AB12CDE;X"}, {**vehicle, "vrm": "ABCDEFGH"}]
    )
    assert len(rows) == 1
    assert problems == [
        "vehicles.csv:3: vrm 'AB12CDE;X' is not a UK registration mark (such as AB12CDE)",
        "vehicles.csv:4: vrm 'ABCDEFGH' is not a UK registration mark (such as AB12CDE)",
    ]


def test_a_reason_quoting_a_huge_value_stays_short():
    _, problems = check("persons.csv", [person(sex="Q" * 10_000)])
    assert len(problems[0]) <= len("persons.csv:2: ") + 200 and problems[0].endswith("…")
