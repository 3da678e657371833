"""The answer function end to end on real databases: understanding, search, summary and audit together.

Known synthetic records are imported on top of generated background data, so every search has
look-alikes to beat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator

import pytest

from knowledge.answers.dispatch import answer, answer_record
from knowledge.answers.render import CONFIRM_WARRANT
from knowledge.store import audit_check, audit_export
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from tests.support.keys import AUDIT_KEY
from tests.support.loaded import loaded_database

TODAY = dt.date(2026, 11, 25)
OFFICER = Caller(actor="tg:2001", role="officer", telegram_user_id=2001, chat_id=2001)
STRANGER = Caller(actor="tg:666", role="", telegram_user_id=666, chat_id=666)

KNOWN = {
    "addresses.csv": [
        {"id": "AX01", "line1": "17A Acre Lane", "town": "London", "postcode": "sw25ss",
         "latitude": "51.5238", "longitude": "-0.1586", "markers": "DANGEROUS_DOG"},
        {"id": "AX02", "line1": "Flat 3, 12 Acacia Avenue", "town": "Croydon", "postcode": "CR2 6XH",
         "latitude": "51.3700", "longitude": "-0.0900", "markers": ""},
        {"id": "AX03", "line1": "19 Acre Lane", "town": "London", "postcode": "SW2 5SS",
         "latitude": "51.5239", "longitude": "-0.1587", "markers": ""},
    ],
    "persons.csv": [
        {"id": "PX01", "forenames": "Jonathan", "surname": "Smythe-Okafor", "date_of_birth": "1986-05-09",
         "sex": "M", "aliases": "Johnny Smith;J. Smyth", "markers": "VIOLENT;FIREARMS", "address_id": "AX01"},
        {"id": "PX02", "forenames": "Kathryn", "surname": "O'Brien", "date_of_birth": "1979-11-12",
         "sex": "F", "aliases": "", "markers": "MISSING", "address_id": "AX02"},
        {"id": "PX03", "forenames": "Muhammad", "surname": "Quraishi", "date_of_birth": "1990-07-21",
         "sex": "M", "aliases": "", "markers": "", "address_id": ""},
        {"id": "PX04", "forenames": "Mohammed", "surname": "Quraishi", "date_of_birth": "1992-01-05",
         "sex": "M", "aliases": "", "markers": "", "address_id": ""},
    ],
    "vehicles.csv": [
        {"vrm": "AB12CDE", "make": "Ford", "model": "Focus", "colour": "Blue", "keeper_id": "PX01",
         "markers": "NO_INSURANCE;STOLEN"},
        {"vrm": "ABZ1234", "make": "Vauxhall", "model": "Astra", "colour": "Silver", "keeper_id": "",
         "markers": ""},
    ],
    "incidents.csv": [
        {"ref": "INC-2024-004512", "occurred_at": "2024-03-02T23:15:00", "category": "Assault",
         "address_id": "AX01", "summary": "Disturbance reported by neighbour; one arrested.",
         "persons": "PX01:suspect;PX02:witness"},
    ],
    "warrants.csv": [
        {"ref": "WX01", "person_id": "PX01", "offence": "Failing to appear", "issued_on": "2025-06-01",
         "court": "Highbury Corner Magistrates", "status": "ACTIVE"},
        {"ref": "WX02", "person_id": "PX02", "offence": "Theft", "issued_on": "2020-01-01",
         "court": "Croydon Crown Court", "status": "EXECUTED"},
    ],
}  # fmt: skip
# Nine namesakes, all scoring alike: PZ02-PZ09 are wanted (even ids) or violent (odd), PZ01 is neither.
KNOWN["persons.csv"] += [
    {"id": f"PZ0{n}", "forenames": "Zebedee", "surname": "Quillfeather", "date_of_birth": f"19{60 + n}-01-01",
     "sex": "M", "aliases": "", "markers": "VIOLENT" if n % 2 and n > 1 else "", "address_id": ""}
    for n in range(1, 10)
]  # fmt: skip
KNOWN["warrants.csv"] += [
    {"ref": f"WZ0{n}", "person_id": f"PZ0{n}", "offence": "Burglary", "issued_on": "2025-01-01",
     "court": "Snaresbrook Crown Court", "status": "ACTIVE"}
    for n in range(2, 10, 2)
]  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One loaded database per backend for the whole module: loading is the slow part."""
    yield from loaded_database(request, tmp_path_factory, KNOWN, persons=1500, seed=7)


@pytest.fixture
async def db(loaded_url: str) -> AsyncIterator[Database]:
    database = Database(loaded_url, audit_key=AUDIT_KEY)
    yield database
    await database.dispose()


async def ask(db: Database, text: str, caller: Caller = OFFICER):  # type: ignore[no-untyped-def]
    return await answer(db, caller, text, reason="INV", today=TODAY)


async def test_misspelt_name_with_date_of_birth_finds_the_person_warnings_first(db: Database) -> None:
    result = await ask(db, "any warnings on jon smyth-okafor dob 9/5/86")
    assert result.outcome == "answered"
    assert result.records[0].id == "PX01"
    lines = result.reply.splitlines()
    assert lines[0].startswith("⚠ WANTED — Failing to appear")
    assert lines[1] == CONFIRM_WARRANT
    assert "FIREARMS" in lines[2] and "VIOLENT" in lines[2]
    assert "17A Acre Lane" in result.reply and "DANGEROUS DOG" in result.reply
    assert "Keeper of: AB12CDE Blue Ford Focus ⚠ REPORTED STOLEN" in result.reply  # his vehicle, its danger
    assert {r.id for r in result.records} == {"PX01", "WX01", "AX01", "AB12CDE", "INC-2024-004512"}
    assert len(result.reply) <= 600


async def test_a_cut_shortlist_shows_the_wanted_and_dangerous_first_and_counts_the_rest(db: Database) -> None:
    result = await ask(db, "is zebedee quillfeather wanted")
    assert result.outcome == "ambiguous"
    assert [c.id for c in result.choices] == ["PZ02", "PZ03", "PZ04", "PZ05", "PZ06", "PZ07"]
    assert all(c.label.startswith("⚠ QUILLFEATHER") for c in result.choices)
    lines = result.reply.splitlines()
    assert lines[0].startswith("⚠ marks people who are wanted")
    assert lines[1] == (
        "9 possible matches (showing 6; 2 not shown are wanted or carry warnings; say 'more' for the next):"
    )
    [entry] = await audit_export.recent(db, telegram_user_id=2001, limit=1)
    assert entry.record_ids.split()[-2:] == ["counted:person:PZ08", "counted:person:PZ09"]


async def test_every_shortlisted_person_is_named_with_their_warrant_or_markers(db: Database) -> None:
    result = await ask(db, "zebedee quillfeather")
    entries = [line for line in result.reply.splitlines() if line[:3] in {f"{n}. " for n in range(1, 10)}]
    assert len(entries) == 6
    for n, line in zip(range(2, 8), entries, strict=True):
        assert line.endswith(f"(PZ0{n}): WANTED" if n % 2 == 0 else f"(PZ0{n}): VIOLENT")
    assert CONFIRM_WARRANT in result.reply.splitlines()


async def test_an_alias_finds_the_person(db: Database) -> None:
    result = await ask(db, "johnny smith 09/05/1986")
    assert result.records and result.records[0].id == "PX01"


async def test_swapped_day_and_month_is_offered_not_answered(db: Database) -> None:
    result = await ask(db, "jonathan smythe-okafor dob 5/9/86")
    assert result.outcome == "ambiguous"
    assert result.records[0].id == "PX01"
    assert result.choices[0].id == "PX01"


async def test_spelling_variants_are_never_collapsed_into_one(db: Database) -> None:
    result = await ask(db, "mohamed quraishi")
    assert result.outcome == "ambiguous"
    assert {"PX03", "PX04"} <= {r.id for r in result.records}


async def test_a_date_of_birth_picks_one_of_the_variants(db: Database) -> None:
    result = await ask(db, "muhammed quraishi born 21 july 1990")
    assert result.outcome == "answered" and result.records[0].id == "PX03"


async def test_missing_person_and_nickname(db: Database) -> None:
    result = await ask(db, "kate o'brien 12.11.1979")
    assert result.outcome == "answered" and result.records[0].id == "PX02"
    assert "MISSING PERSON" in result.reply.splitlines()[0]


async def test_warrant_check_says_not_wanted_when_the_warrant_was_executed(db: Database) -> None:
    result = await ask(db, "is kathryn obrien wanted dob 12/11/79")
    assert result.intent == "warrant_check" and result.outcome == "answered"
    assert "Not wanted" in result.reply


@pytest.mark.parametrize("text", ["check quraishi", "quraishi born 1990", "check quraishi aged 36"])
async def test_surname_without_forename_or_full_date_asks_for_more(db: Database, text: str) -> None:
    result = await ask(db, text)
    assert result.outcome == "needs_more" and result.records == ()


async def test_surname_with_full_date_of_birth_is_answered(db: Database) -> None:
    result = await ask(db, "quraishi 21/07/1990")
    assert result.outcome == "answered" and result.records[0].id == "PX03"


async def test_vehicle_puts_stolen_first_and_chains_the_keeper(db: Database) -> None:
    result = await ask(db, "check plate ab12 cde")
    assert result.outcome == "answered"
    assert result.reply.splitlines()[0].startswith("⚠ REPORTED STOLEN")
    assert "SMYTHE-OKAFOR, Jonathan" in result.reply and "WANTED" in result.reply
    assert [r.kind for r in result.records][:2] == ["vehicle", "person"]


async def test_a_confused_plate_is_found_through_its_variant(db: Database) -> None:
    result = await ask(db, "vrm AB12 CDE".replace("1", "I"))
    assert result.outcome == "answered" and result.records[0].id == "AB12CDE"


async def test_address_history(db: Database) -> None:
    result = await ask(db, "history at 17a acre ln")
    assert result.outcome == "answered"
    assert result.reply.startswith("⚠ DANGEROUS DOG")
    assert "Assault" in result.reply and "SMYTHE-OKAFOR" in result.reply
    assert result.records[0].id == "AX01"


async def test_a_list_of_addresses_marks_the_dangerous_one(db: Database) -> None:
    result = await ask(db, "anything at SW2 5SS")
    assert result.outcome == "ambiguous"
    lines = result.reply.splitlines()
    assert "⚠ 17A Acre Lane, SW2 5SS (AX01): DANGEROUS DOG" in lines[1] + lines[2]
    assert any(line.endswith("19 Acre Lane, SW2 5SS (AX03)") for line in lines)


async def test_address_by_postcode(db: Database) -> None:
    result = await ask(db, "anything at CR2 6XH")
    assert result.outcome == "answered" and result.records[0].id == "AX02"


async def test_incident_by_reference(db: Database) -> None:
    result = await ask(db, "incident inc 2024 4512")
    assert result.outcome == "answered"
    assert "suspect: SMYTHE-OKAFOR, Jonathan" in result.reply
    assert {"INC-2024-004512", "AX01", "PX01", "PX02"} <= {r.id for r in result.records}


async def test_more_gives_the_detail_and_is_audited(db: Database) -> None:
    first = await ask(db, "any warnings on jon smyth-okafor dob 9/5/86")
    assert first.more is not None
    detail = await answer_record(db, OFFICER, first.more.kind, first.more.id, detail=True)
    assert "Also known as: Johnny Smith; J. Smyth" in detail.reply
    entries = await audit_export.recent(db, telegram_user_id=2001)
    assert [e.outcome for e in entries[:2]] == ["answered", "answered"]
    assert "person:PX01" in entries[0].record_ids


async def test_more_on_a_plate_is_the_keeper_in_full(db: Database) -> None:
    first = await ask(db, "check plate ab12 cde")
    assert first.more is not None and first.more.kind == "vehicle"
    detail = await answer_record(db, OFFICER, "vehicle", "AB12CDE", detail=True, reason="INV")
    assert "Also known as: Johnny Smith; J. Smyth" in detail.reply and detail.more is None
    assert {"AB12CDE", "PX01", "WX01", "AX01", "INC-2024-004512"} <= {r.id for r in detail.records}


async def test_no_more_button_when_there_is_nothing_more(db: Database) -> None:
    # PX03 has no aliases, incidents, past warrants or address: the summary is everything.
    result = await ask(db, "muhammad quraishi 21/07/1990")
    assert result.records[0].id == "PX03" and result.more is None
    assert (await ask(db, "check plate abz 1234")).more is None  # no keeper, nothing more
    assert (await ask(db, "is muhammad quraishi wanted 21/07/1990")).more is None  # "Not wanted" is no more


@pytest.mark.parametrize(
    "text",
    ["%", "_", "%%%", "' OR 1=1 --", "<b>smith</b>%", "\u202ejohn smith\u202c", "🙂🙂", "", "x" * 10_000,
     "john\x00smith\x1b[31m", "SELECT * FROM persons"],
)  # fmt: skip
async def test_hostile_text_discloses_nothing_it_did_not_ask_for(db: Database, text: str) -> None:
    result = await ask(db, text)
    assert result.outcome in ("not_found", "needs_more", "ambiguous", "answered")
    assert len(result.records) <= 6
    if result.outcome != "ambiguous":
        assert not [r for r in result.records if r.kind != "person"] or result.outcome == "answered"
    assert "%" not in text or result.records == ()


async def test_a_stranger_is_denied_and_audited(db: Database) -> None:
    result = await ask(db, "check plate ab12 cde", caller=STRANGER)
    assert result.outcome == "denied" and result.records == ()
    assert "AB12" not in result.reply
    entries = await audit_export.recent(db, telegram_user_id=666)
    assert entries[0].outcome == "denied" and entries[0].record_ids == ""


async def test_every_answer_is_audited_and_the_chain_holds(db: Database) -> None:
    before = (await audit_check.verify(db)).checked
    for text in ("check plate ab12 cde", "john smith", "nonsense words", "help"):
        await ask(db, text)
    result = await audit_check.verify(db)
    assert result.ok and result.checked == before + 4


async def test_a_database_that_went_away_gets_a_polite_answer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    gone = Database(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}", audit_key=AUDIT_KEY)
    result = await answer(gone, OFFICER, "check plate ab12 cde", reason="INV", today=TODAY)
    await gone.dispose()
    assert result.outcome == "error" and result.records == ()
    assert "not answering" in result.reply
