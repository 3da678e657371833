"""Safety first wherever a person appears, on real databases: what a reply names it shows the dangers of,
and whoever the first screen has no room for is counted, not disclosed unmarked."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator

import pytest

from knowledge.answers.dispatch import answer
from knowledge.answers.render import CONFIRM_WARRANT
from knowledge.store import audit_export
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from tests.support.keys import AUDIT_KEY
from tests.support.loaded import loaded_database

TODAY = dt.date(2026, 11, 25)
OFFICER = Caller(actor="tg:2004", role="officer", telegram_user_id=2004, chat_id=2004)
LONG = "Caller reports a group shouting and throwing bottles at the windows, again, for the third night"
# Five flagged people with long names at one busy address: more than one phone screen holds. A sixth,
# unflagged, is past the five a first answer loads: said to be there, never disclosed.
RESIDENTS = [(f"PW0{n}", "Maximilian Bartholomew", f"Featherstonehaugh-Wolstenholme{n}") for n in range(1, 7)]
FLAGS = {
    "PW01": "VIOLENT;ESCAPER",
    "PW02": "MENTAL_HEALTH",
    "PW03": "SUICIDAL",
    "PW04": "",
    "PW05": "ALLEGES",
    "PW06": "",
}

RECORDS = {
    "addresses.csv": [
        {"id": "AW01", "line1": "7 Quagmire Row", "town": "Romford", "postcode": "RM1 3AB",
         "latitude": "51.57", "longitude": "0.18", "markers": "DANGEROUS_DOG"},
    ],
    "persons.csv": [
        {"id": pid, "forenames": fore, "surname": sur, "date_of_birth": "1980-01-01", "sex": "",
         "aliases": "", "markers": FLAGS[pid], "address_id": "AW01"}
        for pid, fore, sur in RESIDENTS
    ],
    "incidents.csv": [
        {"ref": f"INC-2025-07000{n}", "occurred_at": f"2025-0{n}-01T22:10", "category": "Disorder",
         "address_id": "AW01", "summary": LONG, "persons": "PW04:suspect;PW01:witness" if n == 1 else ""}
        for n in range(1, 6)
    ],
    "warrants.csv": [
        {"ref": "WW04", "person_id": "PW04", "offence": "Burglary", "issued_on": "2025-06-01",
         "court": "Romford Magistrates", "status": "ACTIVE"},
    ],
}  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from loaded_database(request, tmp_path_factory, RECORDS, persons=200, seed=9)


@pytest.fixture
async def db(loaded_url: str) -> AsyncIterator[Database]:
    database = Database(loaded_url, audit_key=AUDIT_KEY)
    yield database
    await database.dispose()


def _line_of(reply: str, record_id: str) -> str:
    [line] = [line for line in reply.splitlines() if f"({record_id})" in line]
    return line


async def test_a_busy_address_shows_every_person_it_discloses_with_their_dangers(db: Database) -> None:
    result = await answer(db, OFFICER, "history at 7 quagmire row romford", reason="INV", today=TODAY)
    assert result.outcome == "answered"
    lines = result.reply.splitlines()
    # All five loaded are flagged and there are more: those not loaded may be flagged too.
    assert lines[:2] == ["⚠ DANGEROUS DOG", f"⚠ Linked people with warnings: 5 or more — {CONFIRM_WARRANT}"]
    shown = [r.id for r in result.records if r.kind == "person"]
    assert shown and shown[0] == "PW04"  # the wanted first
    for pid in shown:
        line = _line_of(result.reply, pid)
        assert line.startswith("  ⚠ ")
        assert all(code.replace("_", " ") in line for code in FLAGS[pid].split(";") if code != "ALLEGES")
    assert "WANTED" in _line_of(result.reply, "PW04")
    last_person = max(lines.index(_line_of(result.reply, pid)) for pid in shown)
    bullets = [n for n, line in enumerate(lines) if line.startswith("• ")]
    assert all(n > last_person for n in bullets)
    assert [r.id for r in result.records if r.kind == "incident"] == [
        f"INC-2025-07000{n}" for n in range(5, 5 - len(bullets), -1)
    ]  # the newest first, and only those on the screen
    [entry] = await audit_export.recent(db, telegram_user_id=OFFICER.telegram_user_id, limit=1)
    audited = entry.record_ids.split()
    assert {f"person:{pid}" for pid in shown} <= set(audited)
    not_shown = {pid for pid, _, _ in RESIDENTS} - set(shown) - {"PW06"}
    assert {f"counted:person:{pid}" for pid in not_shown} <= set(audited)
    assert not any("PW06" in rid for rid in audited)
    assert not any(f"person:{pid}" in audited for pid in not_shown)


async def test_an_incident_names_the_wanted_party_first_with_the_warrant_to_confirm(db: Database) -> None:
    result = await answer(db, OFFICER, "INC-2025-070001", reason="INV", today=TODAY)
    lines = result.reply.splitlines()
    suspect = _line_of(result.reply, "PW04")
    assert suspect.startswith("⚠ suspect: ") and suspect.endswith(": WANTED")
    assert lines.index(suspect) < lines.index(_line_of(result.reply, "PW01")) < lines.index(CONFIRM_WARRANT)
    assert lines[-1].startswith("Summary: ") or lines[-1].startswith("(More detail")
