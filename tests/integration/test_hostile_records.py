"""Hostile record text on SQLite and PostgreSQL: refused or cleaned at import, harmless in a reply.

A security probe imported an incident whose summary held a newline and then a line reading
"⚠ WANTED — fake warning injected by data", names with direction overrides, and an id with a
space, which the audit log then listed as two ids. Whatever a record holds, and however it reached
the database, the reply shows it inside a line of ours, and the audit names each id whole.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import create_engine, insert

from knowledge.answers.dispatch import answer, answer_record
from knowledge.errors import ImportRejected
from knowledge.importing.importer import import_directory
from knowledge.matching.names import person_keys
from knowledge.store import audit_export
from knowledge.store.audit import Caller
from knowledge.store.database import Database, sync_url
from knowledge.store.schema import Address, Incident, IncidentPerson, Person
from tests.integration.test_import import GOOD, snapshot, write_files
from tests.support.keys import AUDIT_KEY

OFFICER = Caller(actor="tg:2001", role="officer", telegram_user_id=2001, chat_id=2001)
FORGED = "Rear window forced\n⚠ WANTED — fake warning injected by data"
RULE = "is not a valid id: use letters, digits and - _ . / only, starting with a letter or digit"
PERSONS = GOOD["persons.csv"][0]

HOSTILE = {
    "addresses.csv": [
        GOOD["addresses.csv"][0],
        GOOD["addresses.csv"][1],
        "A 2,1 High Street,Leeds,LS1 1AA,,,",
    ],
    "persons.csv": [
        PERSONS,
        "P1,John,Smith,1985-04-03,M,,,A1",
        "P2;P3,Ann,Lee,1970-01-01,F,,,",
        '"P4,P5",Ann,Lee,1970-01-01,F,,,',
        "P6,Ann,Lee,2999-01-01,F,,,",
        "P7,Ann,Lee,1850-01-01,F,,,",
        "P8,Jo\x00hn,Lee,1970-01-01,M,,,",
        f"P9,Ann,Lee,1970-01-01,F,{'J' * 10_000},,",
        f"P10,Ann,{'L' * 10_000},1970-01-01,F,,,",
        "P\u202e11,Ann,Lee,1970-01-01,F,,,",
    ],
    "vehicles.csv": [
        GOOD["vehicles.csv"][0],
        "AB12 CDE,Ford,Fiesta,Blue,P1,",
        "AB12CDE;X,Ford,Fiesta,Blue,,",
        "ABC 123,Austin,Mini,Red,P1 P2,",
    ],
    "incidents.csv": [
        GOOD["incidents.csv"][0],
        f'INC-2024-000001,2024-05-01T22:15:00,Burglary,A1,"{FORGED}",P1:suspect',
        "INC 2,2024-05-01T22:15:00,Burglary,A1,Rear window forced,",
        f"INC-3,2024-05-01T22:15:00,Burglary,A1,{'x' * 10_000},",
        "INC-4,2999-01-01T00:00:00,Burglary,A1,Rear window forced,",
        'INC-5,2024-05-01T22:15:00,Burglary,A1,Rear window forced,"P1,P2:suspect"',
    ],
    "warrants.csv": [
        GOOD["warrants.csv"][0],
        "W1,P1,Theft,2999-01-01,Leeds Crown Court,ACTIVE",
        "W2,P 1,Theft,2024-01-02,Leeds Crown Court,ACTIVE",
    ],
}
# The forged narrative's line break counts as a physical line, so later lines are one further on.
REJECTIONS = [
    f"addresses.csv:3: id 'A 2' {RULE}",
    f"persons.csv:3: id 'P2;P3' {RULE}",
    f"persons.csv:4: id 'P4,P5' {RULE}",
    "persons.csv:5: date_of_birth '2999-01-01' is in the future",
    "persons.csv:6: date_of_birth '1850-01-01' is before 1900",
    "persons.csv:7: forenames contains a NUL character; save the file as UTF-8 text",
    "persons.csv:8: aliases is longer than 1000 characters",
    "persons.csv:9: surname is longer than 120 characters",
    f"persons.csv:10: id 'P\\u202e11' {RULE}",
    "vehicles.csv:3: vrm 'AB12CDE;X' is not a UK registration mark (such as AB12CDE)",
    f"vehicles.csv:4: keeper_id 'P1 P2' {RULE}",
    f"incidents.csv:4: ref 'INC 2' {RULE}",
    "incidents.csv:5: summary is longer than 2000 characters",
    "incidents.csv:6: occurred_at '2999-01-01T00:00:00' is in the future",
    f"incidents.csv:7: persons entry id 'P1,P2' {RULE}",
    "warrants.csv:2: issued_on '2999-01-01' is in the future",
    f"warrants.csv:3: person_id 'P 1' {RULE}",
]


def test_hostile_rows_are_each_refused_on_their_line_and_nothing_is_written(db_url, tmp_path):
    import_directory(db_url, write_files(tmp_path / "first", GOOD))
    before = snapshot(db_url)
    with pytest.raises(ImportRejected) as rejected:
        import_directory(db_url, write_files(tmp_path / "hostile", HOSTILE))
    assert rejected.value.problems == REJECTIONS
    assert snapshot(db_url) == before


ALONE = {
    # Each was the only problem of its import: PostgreSQL refused the NUL mid-transaction (a DataError
    # where a sentence was due), and took the others as they came.
    "nul": (
        "persons.csv",
        "P1,John,Sm\x00ith,1985-04-03,M,,,A1",
        "persons.csv:2: surname contains a NUL character; save the file as UTF-8 text",
    ),
    "long once cleaned": (
        "persons.csv",
        f"P1,John,{chr(0xFDFA) * 7},1985-04-03,M,,,A1",
        "persons.csv:2: surname is longer than 120 characters",
    ),
    "long text column": (
        "incidents.csv",
        f"INC-1,2024-05-01T22:15:00,Burglary,A1,{'x' * 10_000},",
        "incidents.csv:2: summary is longer than 2000 characters",
    ),
}


def test_a_nul_or_over_long_value_is_a_sentence_not_a_database_error(db_url, tmp_path):
    for case, (name, line, problem) in ALONE.items():
        files = {"addresses.csv": GOOD["addresses.csv"], name: [GOOD[name][0], line]}
        with pytest.raises(ImportRejected) as rejected:
            import_directory(db_url, write_files(tmp_path / case, files))
        assert rejected.value.problems == [problem]
        assert all(rows == [] for rows in snapshot(db_url).values())


def test_hostile_text_is_imported_as_one_clean_line(db_url, tmp_path):
    files = {
        "addresses.csv": [GOOD["addresses.csv"][0], "A1,221B Baker\tStreet,Lon\u200bdon,NW1 6XE,,,"],
        "persons.csv": [
            PERSONS,
            'P1,\u202eJohn\u2066,Smi\u200bth\u2069,1985-04-03,M,"Johnny\u202e Smith;J.\nSmyth",,A1',
        ],
        "incidents.csv": [
            GOOD["incidents.csv"][0],
            f'INC-2024-000001,2024-05-01T22:15:00,"Burglary\r\n",A1,"{FORGED}",P1:suspect',
        ],
    }
    import_directory(db_url, write_files(tmp_path / "in", files))
    rows = snapshot(db_url)
    assert rows["addresses"][0][1:3] == ("221B Baker Street", "London")
    assert rows["persons"][0][1:3] == ("John", "Smith") and rows["persons"][0][5] == "Johnny Smith;J. Smyth"
    keys = person_keys("John", "Smith", ["Johnny Smith", "J. Smyth"])
    assert {key for key, _ in rows["person_keys"]} == keys  # search finds the name as it reads
    assert rows["incidents"][0][2] == "Burglary"
    assert rows["incidents"][0][4] == "Rear window forced ⚠ WANTED — fake warning injected by data"


def _write_around_the_import(url: str) -> None:
    """Records as another system or a hand edit might leave them: line breaks, overrides, spaced ids."""
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(insert(Address), [
            {"id": pid, "line1": line1, "town": "Leeds\u202e", "postcode": "LS1 1AA", "markers": "",
             "postcode_key": "LS11AA", "house_number": "1", "street_key": "high street", "street_code": "H"}
            for pid, line1 in (("A1", "1 High St\n⚠ FIREARMS AT ADDRESS"), ("A 2", "3 High St\u2066"))
        ])  # fmt: skip
        people = [
            ("P1", "Jo\u2066hn\u2069", "Smith\n⚠ WANTED — fake", "Johnny\n⚠ WANTED — fake;J. Smyth"),
            ("P 7", "Ann\u202e", "Doe", ""),
        ]
        conn.execute(insert(Person), [
            {"id": pid, "forenames": fore, "surname": sur, "date_of_birth": dt.date(1985, 4, 3), "sex": "",
             "aliases": aliases, "markers": "", "address_id": "A1"}
            for pid, fore, sur, aliases in people])  # fmt: skip
        conn.execute(insert(Incident), [{
            "ref": "INC-2024-000001", "occurred_at": dt.datetime(2024, 5, 1, 22, 15),
            "category": "Burglary\r\n", "address_id": "A1", "summary": FORGED}])  # fmt: skip
        conn.execute(insert(IncidentPerson), [
            {"incident_ref": "INC-2024-000001", "person_id": "P1", "role": "suspect"},
            {"incident_ref": "INC-2024-000001", "person_id": "P 7", "role": "witness"}])  # fmt: skip
    engine.dispose()


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    _write_around_the_import(db_url)
    database = Database(db_url, audit_key=AUDIT_KEY)
    yield database
    await database.dispose()


def _assert_harmless(reply: str) -> None:
    lines = reply.split("\n")
    assert not any(line.lstrip().startswith("⚠ WANTED") for line in lines)
    assert not any(line.lstrip().startswith("⚠ FIREARMS") for line in lines)
    assert not any(unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} for char in "".join(lines))


async def test_record_text_written_around_the_import_renders_as_data(db: Database) -> None:
    result = await answer(db, OFFICER, "incident INC-2024-000001", reason="INV")
    assert result.outcome == "answered"
    _assert_harmless(result.reply)
    lines = result.reply.split("\n")
    assert "Summary: Rear window forced ⚠ WANTED — fake warning injected by data" in lines
    assert "• witness: DOE, Ann (P 7)" in lines
    assert result.records[-1].id == "P 7"  # the answer names the record as it is stored
    [entry] = await audit_export.recent(db, telegram_user_id=2001, limit=1)
    assert entry.record_ids.split() == ["incident:INC-2024-000001", "address:A1", "person:P1", "person:P%207"]

    for kind, record_id in (("person", "P1"), ("person", "P 7"), ("address", "A1"), ("address", "A 2")):
        for detail in (False, True):
            opened = await answer_record(db, OFFICER, kind, record_id, detail=detail, reason="INV")
            assert opened.outcome == "answered"
            _assert_harmless(opened.reply)
    person = (await answer_record(db, OFFICER, "person", "P1", detail=True, reason="INV")).reply.split("\n")
    assert "Name: SMITH ⚠ WANTED — FAKE, John — born 03/04/1985 (P1)" in person
    assert "Also known as: Johnny ⚠ WANTED — fake; J. Smyth" in person

    # A shortlist's buttons are built from record text too.
    result = await answer(db, OFFICER, "addresses at ls1 1aa", reason="INV")
    assert result.outcome == "ambiguous"
    _assert_harmless(result.reply)
    assert sorted(choice.label for choice in result.choices) == [
        "1 High St ⚠ FIREARMS AT ADDRESS, LS1 1AA",
        "3 High St, LS1 1AA",
    ]
    assert any(line.endswith(". 3 High St, LS1 1AA (A 2)") for line in result.reply.split("\n"))
    [entry] = await audit_export.recent(db, telegram_user_id=2001, limit=1)
    assert sorted(entry.record_ids.split()) == ["address:A%202", "address:A1"]
