"""Addresses as officers give them, on real databases: the records decide what a bare number or a
town means, and the reply says what it assumed."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator

import pytest

from knowledge.answers.dispatch import answer
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from tests.support.keys import AUDIT_KEY
from tests.support.loaded import loaded_database

TODAY = dt.date(2026, 11, 25)
OFFICER = Caller(actor="tg:2005", role="officer", telegram_user_id=2005, chat_id=2005)


def _address(aid: str, line1: str, town: str, postcode: str, markers: str = "") -> dict:
    return {"id": aid, "line1": line1, "town": town, "postcode": postcode, "latitude": "51.5",
            "longitude": "-0.1", "markers": markers}  # fmt: skip


RECORDS = {
    "addresses.csv": [
        _address("AT01", "317B Quillon Street", "London", "NW1 6XE", "DANGEROUS_DOG"),
        _address("AT02", "48A Vexley Road", "Ealing", "W5 2AA"),
        _address("AT03", "48C Vexley Road", "Ealing", "W5 2AA"),
        _address("AT04", "5 Wexcombe Parade", "Croydon", "CR0 1AA", "OFFICER_SAFETY"),
        _address("AT05", "5 Wexcombe Parade", "Romford", "RM1 1AA"),
        _address("AT06", "2 Yarrow Mews", "Quillbury", "NW1 4AA", "VULNERABLE_OCCUPANT"),
        _address("AT07", "9 Yarrow Mews", "Quillbury", "NW1 4AB", "FIREARMS_AT_ADDRESS;DANGEROUS_DOG"),
        _address("AT08", "11 Yarrow Mews", "Quillbury", "NW1 4AB"),
        _address("AT09", "4 Zander Close", "Harlesden", "NW10 1AA", "OFFICER_SAFETY"),
        _address("AT10", "3 Quentin Crescent", "Ealing", "W5 3AA"),
    ],
    "persons.csv": [
        {"id": "PT10", "forenames": "Quentin", "surname": "Crescent", "date_of_birth": "1970-01-01",
         "sex": "",
         "aliases": "", "markers": "", "address_id": ""},
    ],
    "incidents.csv": [
        {"ref": "INC-2025-080001", "occurred_at": "2025-03-01T21:00", "category": "Disorder",
         "address_id": "AT04", "summary": "Group fighting outside.", "persons": ""},
    ],
}  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from loaded_database(request, tmp_path_factory, RECORDS, persons=200, seed=4)


@pytest.fixture
async def db(loaded_url: str) -> AsyncIterator[Database]:
    database = Database(loaded_url, audit_key=AUDIT_KEY)
    yield database
    await database.dispose()


async def ask(db: Database, text: str):  # type: ignore[no-untyped-def]
    return await answer(db, OFFICER, text, reason="INV", today=TODAY)


async def test_a_bare_number_finds_the_one_lettered_house_and_says_so(db: Database) -> None:
    result = await ask(db, "317 quillon street")
    assert result.outcome == "answered"
    assert result.records[0].id == "AT01"
    lines = result.reply.splitlines()
    assert lines[0] == "No number 317 on record there; showing 317B."
    assert lines[1] == "⚠ DANGEROUS DOG"


async def test_a_bare_number_with_several_lettered_houses_offers_them(db: Database) -> None:
    result = await ask(db, "48 vexley road")
    assert result.outcome == "ambiguous"
    assert [c.id for c in result.choices] == ["AT02", "AT03"]
    assert result.reply.startswith("No number 48 on record there; found 48A, 48C.\nWhich address?")


async def test_a_number_on_record_as_typed_is_not_read_as_another(db: Database) -> None:
    result = await ask(db, "48a vexley road")
    assert result.outcome == "answered" and result.records[0].id == "AT02"
    assert "on record there" not in result.reply


async def test_the_town_picks_that_towns_street_and_without_it_both_are_offered(db: Database) -> None:
    croydon = await ask(db, "5 wexcombe parade croydon")
    assert croydon.outcome == "answered" and croydon.records[0].id == "AT04"
    assert croydon.reply.startswith("⚠ OFFICER SAFETY")
    assert (await ask(db, "history at 5 wexcombe pde, romford")).records[0].id == "AT05"
    both = await ask(db, "5 wexcombe parade")
    assert both.outcome == "ambiguous" and {c.id for c in both.choices} == {"AT04", "AT05"}
    assert "⚠ 5 Wexcombe Parade, CR0 1AA (AT04): OFFICER SAFETY" in both.reply


async def test_a_town_with_no_such_street_leaves_the_choice_to_the_officer(db: Database) -> None:
    result = await ask(db, "5 wexcombe parade harrow")
    assert result.outcome == "ambiguous" and {c.id for c in result.choices} == {"AT04", "AT05"}


async def test_calls_to_an_address_is_an_address_check_with_its_incidents(db: Database) -> None:
    result = await ask(db, "calls to 5 wexcombe parade croydon")
    assert result.intent == "address_check"
    assert "• 01/03/2025 Disorder: Group fighting outside." in result.reply.splitlines()
    assert [r.id for r in result.records[:2]] == ["AT04", "INC-2025-080001"]


def _listed(reply: str) -> list[str]:
    return [line.rsplit("(", 1)[1].split(")")[0] for line in reply.splitlines() if line[:1].isdigit()]


async def test_flagged_addresses_in_a_town_are_listed_most_severe_first_with_their_markers(
    db: Database,
) -> None:
    result = await ask(db, "any flagged addresses in quillbury?")
    assert result.outcome == "answered"
    lines = result.reply.splitlines()
    assert lines[0] == "⚠ Flagged addresses in Quillbury:"
    assert lines[1] == "1. ⚠ 9 Yarrow Mews, NW1 4AB (AT07): DANGEROUS DOG · FIREARMS AT ADDRESS"
    assert lines[2] == "2. ⚠ 2 Yarrow Mews, NW1 4AA (AT06): VULNERABLE OCCUPANT"
    assert [r.id for r in result.records] == ["AT07", "AT06"] == [c.id for c in result.choices]


async def test_flagged_addresses_in_a_district_are_that_districts_only(db: Database) -> None:
    result = await ask(db, "flagged addresses in nw1")
    listed = _listed(result.reply)
    assert {"AT01", "AT06", "AT07"} <= set(listed)
    assert "AT09" not in listed and "AT08" not in listed  # NW10 is not NW1; AT08 carries nothing
    assert all(
        line.split(", ")[1].startswith("NW1 ") for line in result.reply.splitlines() if line[:1].isdigit()
    )
    assert [r.id for r in result.records] == listed


async def test_an_area_with_nothing_flagged_discloses_nothing(db: Database) -> None:
    result = await ask(db, "flagged addresses in nowhereshire")
    assert result.outcome == "not_found" and result.records == ()


async def test_a_street_named_alone_is_read_as_the_street_when_no_one_has_that_name(db: Database) -> None:
    result = await ask(db, "wexcombe parade")
    assert result.intent == "person_check" and result.outcome == "ambiguous"
    assert result.reply.startswith("Read as a street: WEXCOMBE PARADE.\nWhich address?")
    assert {c.id for c in result.choices} == {"AT04", "AT05"}
    croydon = await ask(db, "wexcombe parade croydon")
    assert croydon.reply.startswith("Read as a street: WEXCOMBE PARADE, CROYDON.\n⚠ OFFICER SAFETY")
    assert croydon.records[0].id == "AT04"


async def test_a_person_of_that_exact_name_is_answered_as_the_person(db: Database) -> None:
    result = await ask(db, "quentin crescent")
    assert result.records[0].kind == "person" and result.records[0].id == "PT10"
    assert "Read as a street" not in result.reply
