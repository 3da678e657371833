"""Several subjects in one message, on real databases: each answered in its own section, none dropped,
every record of every section in the one audit entry, and more than five said, not silently cut."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from knowledge.answers.dispatch import answer
from knowledge.store import audit_export
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from tests.support.keys import AUDIT_ENV, AUDIT_KEY
from tests.support.loaded import loaded_database

ROOT = Path(__file__).parents[2]
TODAY = dt.date(2026, 11, 25)
OFFICER = Caller(actor="tg:2003", role="officer", telegram_user_id=2003, chat_id=2003)


def _person(pid: str, forenames: str, surname: str, born: str, markers: str = "") -> dict:
    return {"id": pid, "forenames": forenames, "surname": surname, "date_of_birth": born, "sex": "",
            "aliases": "", "markers": markers, "address_id": ""}  # fmt: skip


def _vehicle(vrm: str, keeper: str, markers: str = "") -> dict:
    return {
        "vrm": vrm,
        "make": "Ford",
        "model": "Focus",
        "colour": "Blue",
        "keeper_id": keeper,
        "markers": markers,
    }


RECORDS = {
    "persons.csv": [
        _person("PV01", "Jacquetta", "Coatesworth", "1978-09-26"),
        _person("PV02", "Vanessandra", "Willoughby-Hale", "1945-02-04", "ESCAPER"),  # and wanted
        _person("PV03", "Barnaby", "Quickfall", "1960-01-01", "VIOLENT"),
        _person("PV04", "Barnaby", "Quickfall", "1960-01-01"),  # same name, same date
    ],
    "vehicles.csv": [_vehicle("QV12CDE", "PV02", "STOLEN"), _vehicle("QV72BYD", "PV01")],
    "warrants.csv": [
        {"ref": "WV02", "person_id": "PV02", "offence": "Failing to appear", "issued_on": "2025-06-01",
         "court": "Thames Magistrates", "status": "ACTIVE"},
    ],
}  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from loaded_database(request, tmp_path_factory, RECORDS, persons=300, seed=5)


@pytest.fixture
async def db(loaded_url: str) -> AsyncIterator[Database]:
    database = Database(loaded_url, audit_key=AUDIT_KEY)
    yield database
    await database.dispose()


async def _audited_ids(db: Database) -> list[str]:
    [entry] = await audit_export.recent(db, telegram_user_id=OFFICER.telegram_user_id, limit=1)
    return entry.record_ids.split()


async def test_two_plates_are_both_answered_in_one_reply_and_one_audit_entry(db: Database) -> None:
    result = await answer(db, OFFICER, "qv12 cde and qv72 byd", reason="INV", today=TODAY)
    assert result.outcome == "answered"
    lines = result.reply.splitlines()
    assert lines[0] == "⚠ 2 checks in one message; warnings in 1:"
    assert "— 1. QV12CDE —" in lines and "— 2. QV72BYD —" in lines
    assert lines.index("— 1. QV12CDE —") < lines.index("— 2. QV72BYD —")
    ids = [(r.kind, r.id) for r in result.records]
    assert ids[0] == ("vehicle", "QV12CDE")
    assert {("vehicle", "QV72BYD"), ("person", "PV01"), ("person", "PV02"), ("warrant", "WV02")} <= set(ids)
    assert len(ids) == len(set(ids))  # each record once
    assert await _audited_ids(db) == [f"{kind}:{rid}" for kind, rid in ids]
    assert result.more is None


async def test_two_people_with_dates_are_each_answered_the_wanted_one_with_her_warrant(db: Database) -> None:
    text = "check jacquetta coatesworth 26/9/78 and vanessandra willoughby-hale 4/2/45"
    result = await answer(db, OFFICER, text, reason="INV", today=TODAY)
    assert result.outcome == "answered"
    assert [r.id for r in result.records if r.kind == "person"] == ["PV01", "PV02"]
    second = result.reply.split("— 2. WILLOUGHBY-HALE, Vanessandra 04/02/1945 —")[1]
    assert second.lstrip().startswith("⚠ WANTED — Failing to appear")
    assert "ESCAPER" in second
    assert "person:PV02" in await _audited_ids(db)


async def test_a_section_not_found_or_to_choose_from_keeps_its_place_and_buttons_say_which(
    db: Database,
) -> None:
    result = await answer(
        db, OFFICER, "qv72 byd and barnaby quickfall 1/1/60 and zz99 zzz", reason="INV", today=TODAY
    )
    assert result.outcome == "answered"
    sections = result.reply.split("\n— ")
    assert sections[0] == "⚠ 3 checks in one message; warnings in 2:"
    assert sections[3].startswith("3. ZZ99ZZZ —\nNo vehicle found")
    assert "(PV03): VIOLENT" in sections[2]
    assert {c.id for c in result.choices} == {"PV03", "PV04"}
    assert all(c.label.startswith("2: ") for c in result.choices)


async def test_more_than_five_subjects_answers_five_and_says_how_many_are_left(db: Database) -> None:
    text = " and ".join(["qv12 cde", "qv72 byd", "zz11 zzz", "zz12 zzz", "zz13 zzz", "zz14 zzz", "zz15 zzz"])
    result = await answer(db, OFFICER, text, reason="INV", today=TODAY)
    lines = result.reply.splitlines()
    assert "You asked about 7; this answers the first 5. Send the other 2 again." in lines
    assert [line for line in lines if line.startswith("— ")][-1] == "— 5. ZZ13ZZZ —"


async def test_nothing_found_for_any_subject_is_not_found_and_discloses_nothing(db: Database) -> None:
    result = await answer(db, OFFICER, "zz11 zzz and zz12 zzz", reason="INV", today=TODAY)
    assert result.outcome == "not_found"
    assert result.records == ()
    assert await _audited_ids(db) == []


def test_ask_json_lists_every_record_of_every_section_best_first_in_the_contracts_shape(
    loaded_url: str,
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "qv12 cde and qv72 byd"], capture_output=True,
        text=True, env={**os.environ, **AUDIT_ENV, "BEATLINE_DATABASE_URL": loaded_url}, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == {"intent", "outcome", "reply", "records"}
    assert (data["intent"], data["outcome"]) == ("vehicle_check", "answered")
    assert all(set(r) == {"kind", "id", "score"} for r in data["records"])
    ids = [(r["kind"], r["id"]) for r in data["records"]]
    assert ids[0] == ("vehicle", "QV12CDE") and ("vehicle", "QV72BYD") in ids
    assert ids.index(("vehicle", "QV72BYD")) > ids.index(("person", "PV02"))  # the first section's first


async def test_the_teamwork_note_is_under_one_persons_answer_never_under_sections(db: Database) -> None:
    colleague = Caller(actor="tg:2013", role="officer", telegram_user_id=2013, chat_id=2013)
    await answer(db, colleague, "jacquetta coatesworth 26/9/78", reason="INV", today=TODAY)
    alone = await answer(db, OFFICER, "jacquetta coatesworth 26/9/78", reason="INV", today=TODAY)
    assert "Also checked today by 1 officer" in alone.reply  # the note this test is about exists
    both = await answer(db, OFFICER, "jacquetta coatesworth 26/9/78 and qv72 byd", reason="INV", today=TODAY)
    assert both.followable is False
    assert "Also checked today" not in both.reply
