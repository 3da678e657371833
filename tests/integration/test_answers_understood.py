"""Questions put the ways officers put them, answered on real databases: the records decide the reading.

A surname first in lower case, a plate read back with confusions or only half caught, a flat, an
estimated age, small talk: each is answered with the record meant, or with nothing disclosed.
"""

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
OFFICER = Caller(actor="tg:2002", role="officer", telegram_user_id=2002, chat_id=2002)


def _person(pid: str, forenames: str, surname: str, born: str, markers: str = "", address: str = "") -> dict:
    return {"id": pid, "forenames": forenames, "surname": surname, "date_of_birth": born, "sex": "",
            "aliases": "", "markers": markers, "address_id": address}  # fmt: skip


def _vehicle(vrm: str, colour: str, make: str, model: str, markers: str = "") -> dict:
    return {"vrm": vrm, "make": make, "model": model, "colour": colour, "keeper_id": "", "markers": markers}


def _address(aid: str, line1: str) -> dict:
    return {"id": aid, "line1": line1, "town": "Romford", "postcode": "RM1 3AB", "latitude": "51.57",
            "longitude": "0.18", "markers": ""}  # fmt: skip


RECORDS = {
    "addresses.csv": [_address("AU01", "Flat 1, 40 Quarry Lane"), _address("AU02", "Flat 2, 40 Quarry Lane"),
                      _address("AU03", "41 Quarry Lane")],
    "persons.csv": [
        _person("PU01", "Kelly", "Graham", "1968-12-14", "VIOLENT"),
        _person("PU02", "Ruairi", "O'Shaughnessy", "1978-03-25", "FIREARMS"),
        _person("PU03", "Anthony", "McCarthy", "1961-08-23"),
        _person("PU04", "Persephone", "Wetherspoon-Ngata", "1983-06-01"),
        _person("PU06", "Persephone", "Wetherspoon-Ngata", "1958-02-03"),  # her namesake, 68
        _person("PU05", "Ottoline", "Fairweather-Quist", "1990-01-02", address="AU02"),
    ],
    "vehicles.csv": [
        _vehicle("BD51SMR", "Blue", "Ford", "Focus", "STOLEN"),
        _vehicle("KT61ODA", "Red", "Kia", "Picanto"), _vehicle("KT61QDA", "Grey", "Audi", "A3", "CLONED"),
        _vehicle("PH71ABC", "Silver", "Ford", "Fiesta", "NO_INSURANCE"),
        _vehicle("PH71XYZ", "Silver", "Ford", "Focus"),
    ],
    "incidents.csv": [
        {"ref": "INC-2025-090001", "occurred_at": "2025-02-01T22:10", "category": "Domestic",
         "address_id": "AU03", "summary": "Neighbour reports shouting.", "persons": ""},
    ],
}  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """This module's records among generated look-alikes, once per backend for the whole module."""
    yield from loaded_database(request, tmp_path_factory, RECORDS, persons=400, seed=3)


@pytest.fixture
async def db(loaded_url: str) -> AsyncIterator[Database]:
    database = Database(loaded_url, audit_key=AUDIT_KEY)
    yield database
    await database.dispose()


async def ask(db: Database, text: str):  # type: ignore[no-untyped-def]
    return await answer(db, OFFICER, text, reason="INV", today=TODAY)


async def test_a_name_the_lists_read_the_wrong_way_round_is_found_the_other_way(db: Database) -> None:
    result = await ask(db, "graham kelly 14/12/68")  # either could be the forename: the records decide
    assert result.outcome == "answered" and result.records[0].id == "PU01"
    assert result.reply.startswith("Read as GRAHAM, Kelly.\n⚠ Warnings: VIOLENT")


@pytest.mark.parametrize("text", ["o shaughnessy ruairi 25/03/78", "o'shaughnessy, ruairi 25.3.78"])
async def test_a_surname_first_with_its_particle_finds_the_person(db: Database, text: str) -> None:
    result = await ask(db, text)
    assert result.outcome == "answered" and result.records[0].id == "PU02"


async def test_a_nickname_and_a_split_particle_find_the_person(db: Database) -> None:
    result = await ask(db, "tony mc carthy 23/8/61")
    assert result.outcome == "answered" and result.records[0].id == "PU03"


async def test_an_estimated_age_finds_someone_a_few_years_off(db: Database) -> None:
    result = await ask(db, "persephone wetherspoon-ngata aged about 40")  # 43 on the day; her namesake 68
    assert result.outcome == "answered" and result.records[0].id == "PU04"


async def test_a_mark_read_back_with_a_confusion_is_shown_and_says_so(db: Database) -> None:
    result = await ask(db, "8D51 5MR")  # 8 for B and 5 for S
    assert result.outcome == "answered" and result.records[0].id == "BD51SMR"
    assert result.reply.startswith("No exact match for 8D515MR; showing BD51SMR.\n⚠ REPORTED STOLEN")


async def test_two_vehicles_equally_near_a_misread_mark_are_both_offered_with_their_warnings(
    db: Database,
) -> None:
    result = await ask(db, "check plate kt61 dda")
    assert result.outcome == "ambiguous"
    assert [c.id for c in result.choices] == ["KT61ODA", "KT61QDA"]
    assert "⚠ CLONED PLATES — KT61QDA: Grey Audi A3" in result.reply
    assert {r.id for r in result.records} == {"KT61ODA", "KT61QDA"}


async def test_the_start_of_a_mark_lists_the_vehicles_it_may_be(db: Database) -> None:
    result = await ask(db, "silver ford ph71")
    assert result.outcome == "ambiguous"
    assert {"PH71ABC", "PH71XYZ"} <= {c.id for c in result.choices}
    assert "⚠ NO INSURANCE — PH71ABC: Silver Ford Fiesta" in result.reply


@pytest.mark.parametrize(
    "text", ["flat 2, 40 quarry lane", "2/40 quarry ln", "history at flat 2 40 quarry lane"]
)
async def test_a_flat_is_that_flat_not_the_whole_building(db: Database, text: str) -> None:
    result = await ask(db, text)
    assert result.outcome == "answered" and result.records[0].id == "AU02"
    assert "FAIRWEATHER-QUIST" in result.reply


async def test_incidents_at_an_address_are_its_history(db: Database) -> None:
    result = await ask(db, "incidents at 41 quarry lane")
    assert result.intent == "address_check" and result.outcome == "answered"
    assert result.records[0].id == "AU03" and "Domestic" in result.reply


@pytest.mark.parametrize(
    ("text", "reply"),
    [("good morning", "Hello."), ("thanks", "You're welcome."), ("what's the weather", "I can only help")],
)
async def test_small_talk_gets_a_short_friendly_reply_and_no_record(
    db: Database, text: str, reply: str
) -> None:
    result = await ask(db, text)
    assert (result.intent, result.outcome, result.records) == ("unknown", "answered", ())
    assert result.reply.startswith(reply)


async def test_a_date_without_a_year_is_asked_for(db: Database) -> None:
    result = await ask(db, "ruairi o'shaughnessy 25/3")
    assert result.outcome == "needs_more" and result.records == ()
    assert "25/3 has no year" in result.reply
