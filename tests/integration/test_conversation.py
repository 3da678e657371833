"""Follow-ups on real databases: paged and picked across two processes, lapsing, and never shared.

Each "process" is a Database object of its own on the same database, as two `beatline run` processes
would be: nothing of the conversation lives in either, so whichever gets the follow-up understands it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import create_engine, delete

from knowledge.access import reason_choices
from knowledge.access.reason_choices import ReasonRule
from knowledge.answers.conversation import TTL
from knowledge.answers.disclosure import Answer
from knowledge.answers.dispatch import answer, answer_record
from knowledge.answers.follow_ups import NO_LIST, NOTHING_TO_FOLLOW, WHOLE_LIST
from knowledge.store import audit_export
from knowledge.store.audit import Caller
from knowledge.store.database import Database, sync_url
from knowledge.store.schema import AuditEntry, Person, PersonKey
from tests.support.keys import AUDIT_KEY
from tests.support.loaded import loaded_database

TODAY = dt.date(2026, 11, 25)
T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)

# Fourteen namesakes born in different years; the odd ones are wanted, so the list is ordered by that.
NAMESAKES = [f"PW{n:02}" for n in range(1, 15)]
KNOWN = {
    "addresses.csv": [
        {"id": "AW01", "line1": "4 Wrenfield Mews", "town": "Croydon", "postcode": "CR0 1WW",
         "latitude": "51.37", "longitude": "-0.10", "markers": "DANGEROUS_DOG"},
    ],
    "persons.csv": [
        {"id": pid, "forenames": "Ophelia", "surname": "Wrenfield", "date_of_birth": f"{1950 + n}-02-03",
         "sex": "F", "aliases": "", "markers": "", "address_id": ""}
        for n, pid in enumerate(NAMESAKES, start=1)
    ] + [
        {"id": f"PY0{n}", "forenames": "Tamsin", "surname": "Yarrowby", "date_of_birth": f"{1960 + n}-07-08",
         "sex": "F", "aliases": "", "markers": "", "address_id": ""}
        for n in range(1, 9)
    ] + [
        {"id": "PV01", "forenames": "Barnaby", "surname": "Quodling", "date_of_birth": "1985-04-03",
         "sex": "M", "aliases": "", "markers": "VIOLENT", "address_id": "AW01"},
        {"id": "PV02", "forenames": "Cressida", "surname": "Quodling", "date_of_birth": "1987-09-10",
         "sex": "F", "aliases": "", "markers": "", "address_id": "AW01"},
    ],
    "vehicles.csv": [
        {"vrm": "QV12AAA", "make": "Ford", "model": "Transit", "colour": "White", "keeper_id": "PV01",
         "markers": ""},
        {"vrm": "QV12BBB", "make": "BMW", "model": "X5", "colour": "Black", "keeper_id": "PV01",
         "markers": "STOLEN"},
        {"vrm": "QV34CCC", "make": "Fiat", "model": "500", "colour": "Red", "keeper_id": "PV02",
         "markers": ""},
    ] + [
        {"vrm": f"QT55AA{letter}", "make": "Vauxhall", "model": "Corsa", "colour": "Grey", "keeper_id": "",
         "markers": "STOLEN" if letter == "G" else ""}
        for letter in "ABCDEFGH"
    ],
    "warrants.csv": [
        {"ref": f"WW{n:02}", "person_id": pid, "offence": "Theft", "issued_on": "2025-01-01",
         "court": "Croydon Magistrates", "status": "ACTIVE"}
        for n, pid in enumerate(NAMESAKES, start=1) if n % 2
    ] + [
        {"ref": "WV02", "person_id": "PV02", "offence": "Fraud", "issued_on": "2025-02-01",
         "court": "Croydon Crown Court", "status": "ACTIVE"},
    ],
}  # fmt: skip
WANTED_FIRST = [pid for n, pid in enumerate(NAMESAKES, 1) if n % 2] + [
    pid for n, pid in enumerate(NAMESAKES, 1) if not n % 2
]
_ids = itertools.count(3001)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from loaded_database(request, tmp_path_factory, KNOWN, persons=300, seed=13)


@pytest.fixture
async def processes(loaded_url: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two "processes" on one database."""
    first, second = Database(loaded_url, audit_key=AUDIT_KEY), Database(loaded_url, audit_key=AUDIT_KEY)
    yield first, second
    await first.dispose()
    await second.dispose()


def rule_at(minutes: float, *, lasting: int = 60) -> ReasonRule:
    """The reason rule with its clock at T0 + minutes; a reason lasting an hour unless said otherwise."""
    return ReasonRule(minutes=lasting, clock=lambda: T0 + dt.timedelta(minutes=minutes))


async def on_duty(db: Database, telegram_id: int) -> Caller:
    """An officer who gave a reason at T0 (checks need one; these tests are about what follows them)."""
    await reason_choices.choose(db, telegram_id, "INV", rule_at(0))
    return Caller(
        actor=f"tg:{telegram_id}", role="officer", telegram_user_id=telegram_id, chat_id=telegram_id
    )


@pytest.fixture
async def officer(processes: tuple[Database, Database]) -> Caller:
    """An officer of their own for each test: the module's database is shared."""
    return await on_duty(processes[0], next(_ids))


async def say(db: Database, caller: Caller, text: str, minutes: float = 0, *, lasting: int = 60) -> Answer:
    now = T0 + dt.timedelta(minutes=minutes)
    return await answer(db, caller, text, today=TODAY, now=now, rule=rule_at(minutes, lasting=lasting))


def ids(result: Answer) -> list[str]:
    return [c.id for c in result.choices]


async def last_audit(db: Database, caller: Caller) -> AuditEntry:
    [entry] = await audit_export.recent(db, telegram_user_id=caller.telegram_user_id, limit=1)
    return entry


async def test_more_pages_a_shortlist_across_two_processes(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    first = await say(one, officer, "ophelia wrenfield")
    assert first.outcome == "ambiguous" and ids(first) == WANTED_FIRST[:6]
    second = await say(two, officer, "more")
    assert (second.intent, second.outcome) == ("person_check", "ambiguous")
    assert ids(second) == WANTED_FIRST[6:12]
    assert second.reply.splitlines()[1].startswith("Matches 7–12 of 14")
    assert "\n7. ⚠ WRENFIELD, Ophelia" in second.reply  # numbering goes on; the wanted still marked
    third = await say(one, officer, "next")
    assert ids(third) == WANTED_FIRST[12:]
    assert "\n14. WRENFIELD, Ophelia" in third.reply
    done = await say(two, officer, "next")
    assert (done.outcome, done.reply, done.records) == ("needs_more", WHOLE_LIST, ())


async def test_each_page_is_audited_with_exactly_the_people_it_shows(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    await say(one, officer, "ophelia wrenfield")
    page = await say(two, officer, "more")
    entry = await last_audit(one, officer)
    assert (entry.query, entry.intent, entry.outcome, entry.reason) == (
        "more",
        "person_check",
        "ambiguous",
        "INV",
    )
    shown = [
        token.removeprefix("person:") for token in entry.record_ids.split() if token.startswith("person:")
    ]
    assert shown == ids(page) == [r.id for r in page.records]


async def test_show_all_shows_the_rest_at_once(processes: tuple[Database, Database], officer: Caller) -> None:
    one, two = processes
    await say(one, officer, "ophelia wrenfield")
    rest = await say(two, officer, "show all")
    assert ids(rest) == WANTED_FIRST[6:]
    assert rest.reply.splitlines()[1] == "Matches 7–14 of 14:"


async def test_a_number_or_an_ordinal_picks_from_the_lines_shown(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    await say(one, officer, "ophelia wrenfield")
    await say(two, officer, "more")
    ninth = await say(one, officer, "9")
    assert (ninth.outcome, ninth.records[0].id) == ("answered", WANTED_FIRST[8])
    second = await say(two, officer, "the second one")
    assert (second.intent, second.records[0].id) == ("person_check", WANTED_FIRST[1])
    last = await say(one, officer, "the last one")
    assert last.records[0].id == WANTED_FIRST[11]
    unseen = await say(two, officer, "14")
    assert unseen.outcome == "needs_more" and unseen.records == ()
    assert unseen.reply == "Only 12 of the list have been shown. Say 'more' to see the next."
    beyond = await say(one, officer, "99")
    assert beyond.reply == "The list has 14. Send a number from 1 to 12." and beyond.records == ()


async def test_the_one_born_in_a_year_is_picked_by_date_of_birth(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    await say(one, officer, "ophelia wrenfield")  # shown: born 1951, 1953, 1955, 1957, 1959, 1961
    picked = await say(two, officer, "the one born in 57")
    assert (picked.outcome, picked.records[0].id) == ("answered", "PW07")
    nobody = await say(one, officer, "the one born in 1952")  # PW02 is not among the six shown
    assert nobody.outcome == "needs_more" and nobody.records == ()
    assert nobody.reply == "None of the 6 shown was born in 1952."


async def test_his_car_his_address_and_whether_he_is_wanted_follow_the_person(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    person = await say(one, officer, "barnaby quodling 3/4/85")
    assert "Keeper of: QV12BBB Black BMW X5 ⚠ REPORTED STOLEN; QV12AAA White Ford Transit" in person.reply
    cars = await say(two, officer, "what about his car")
    assert (cars.intent, cars.outcome) == ("vehicle_check", "ambiguous")
    assert ids(cars) == ["QV12BBB", "QV12AAA"] and "⚠ REPORTED STOLEN — QV12BBB" in cars.reply
    picked = await say(one, officer, "the second one")
    assert picked.reply.startswith("Vehicle QV12AAA: White Ford Transit")
    wanted = await say(two, officer, "is he wanted")  # after his vehicle, "he" is its keeper
    assert wanted.intent == "warrant_check" and "Not wanted: no active warrant." in wanted.reply
    assert wanted.records[0].id == "PV01"
    home = await say(one, officer, "his address")
    assert (home.intent, home.records[0].id) == ("address_check", "AW01")
    assert "⚠ DANGEROUS DOG" in home.reply
    household = await say(two, officer, "who lives there")
    assert "QUODLING, Cressida" in household.reply and "WANTED" in household.reply


async def test_her_car_when_she_keeps_one_opens_it(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    await say(one, officer, "cressida quodling 10/9/87")
    car = await say(two, officer, "her car")
    assert car.outcome == "answered" and car.reply.startswith("Vehicle QV34CCC: Red Fiat 500")
    warrants = await say(one, officer, "any warrants for her")
    assert warrants.reply.startswith("⚠ WANTED — Fraud")


async def test_the_conversation_lapses_ten_minutes_after_it_was_last_used(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    await say(one, officer, "ophelia wrenfield")
    still = await say(two, officer, "more", minutes=9)
    assert still.outcome == "ambiguous"
    minutes = 9 + TTL.total_seconds() / 60
    lapsed = await say(one, officer, "next", minutes=minutes)  # exactly ten minutes after the last use
    assert (lapsed.outcome, lapsed.reply, lapsed.records) == ("needs_more", NOTHING_TO_FOLLOW, ())
    assert "surname" not in lapsed.reply.lower() and "WRENFIELD" not in lapsed.reply


async def test_a_conversation_is_never_shared_between_users_or_channels(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    colleague = await on_duty(one, 4999)
    at_a_terminal = Caller(
        actor=officer.actor, role="officer", channel="cli", telegram_user_id=officer.chat_id
    )
    await say(one, officer, "barnaby quodling 3/4/85")
    for caller in (colleague, at_a_terminal):
        for text in ("his car", "more", "2", "who lives there"):
            result = await say(two, caller, text)
            assert (result.outcome, result.records) == ("needs_more", ()), (caller.actor, text)
            assert "QUODLING" not in result.reply
    mine = await say(two, officer, "his car")  # and the officer's own is untouched by theirs
    assert ids(mine) == ["QV12BBB", "QV12AAA"]


async def test_a_follow_up_with_nothing_to_follow_is_a_polite_audited_sentence(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, _ = processes
    for text in ("more", "the second one", "his car", "is he wanted"):
        result = await say(one, officer, text)
        assert (result.outcome, result.reply, result.records) == ("needs_more", NOTHING_TO_FOLLOW, ())
        entry = await last_audit(one, officer)
        assert (entry.query, entry.outcome, entry.record_ids) == (text, "needs_more", "")


async def test_a_stranger_following_up_is_refused_and_leaves_no_conversation(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    stranger = Caller(actor="tg:6660", role="", telegram_user_id=6660, chat_id=6660)
    assert (await say(one, stranger, "ophelia wrenfield")).outcome == "denied"
    refused = await say(two, stranger, "more")
    assert (refused.outcome, refused.records) == ("denied", ())
    enrolled = await on_duty(one, 6660)  # enrolled since, with a reason: nothing of before to follow
    assert (await say(one, enrolled, "more")).reply == NOTHING_TO_FOLLOW


async def test_a_tap_on_a_button_is_followed_like_words(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    await say(one, officer, "quodling")
    tapped = await answer_record(two, officer, "person", "PV01", detail=False, now=T0, rule=rule_at(0))
    assert tapped.records[0].id == "PV01"
    cars = await say(one, officer, "his car")
    assert ids(cars) == ["QV12BBB", "QV12AAA"]


async def test_a_new_question_starts_a_new_conversation(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    await say(one, officer, "ophelia wrenfield")
    await say(two, officer, "cressida quodling 10/9/87")
    assert (await say(one, officer, "next")).reply == NO_LIST  # the list went with the new question
    detail = await say(two, officer, "more")  # after one person, "more" is more on her
    assert detail.records[0].id == "PV02" and detail.more is None
    assert (await say(one, officer, "thanks")).outcome == "answered"
    assert (await say(two, officer, "her car")).reply.startswith("Vehicle QV34CCC")  # small talk kept it


async def test_more_pages_a_list_of_marks_and_keeps_their_warnings(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    first = await say(one, officer, "partial plate qt55")
    assert ids(first) == [f"QT55AA{letter}" for letter in "ABCDEF"]
    page = await say(two, officer, "more")
    assert (page.intent, ids(page)) == ("vehicle_check", ["QT55AAG", "QT55AAH"])
    assert "\n7. ⚠ REPORTED STOLEN — QT55AAG: Grey Vauxhall Corsa" in page.reply
    picked = await say(one, officer, "7")
    assert picked.reply.startswith("⚠ REPORTED STOLEN\nVehicle QT55AAG")


async def test_more_after_a_list_is_more_of_it_and_after_a_record_more_on_it(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    await say(one, officer, "barnaby quodling 3/4/85")
    await say(two, officer, "his car")  # both his vehicles shown: nothing more of the list
    on_him = await say(one, officer, "more")
    assert (on_him.outcome, on_him.records[0].id, on_him.more) == ("answered", "PV01", None)
    await say(two, officer, "ophelia wrenfield")
    await say(one, officer, "the second one")
    on_her = await say(two, officer, "more")  # after a pick, more on her; "next" still pages
    assert on_her.records[0].id == WANTED_FIRST[1] and on_her.outcome == "answered"
    assert ids(await say(one, officer, "next")) == WANTED_FIRST[6:12]


async def test_a_record_gone_since_the_list_leaves_the_others_their_numbers(
    processes: tuple[Database, Database], officer: Caller, loaded_url: str
) -> None:
    one, two = processes
    first = await say(one, officer, "tamsin yarrowby")
    assert ids(first) == [f"PY0{n}" for n in range(1, 7)]
    engine = create_engine(sync_url(loaded_url))
    with engine.begin() as conn:  # PY07 is deleted by another system between the list and "more"
        conn.execute(delete(PersonKey).where(PersonKey.person_id == "PY07"))
        conn.execute(delete(Person).where(Person.id == "PY07"))
    engine.dispose()
    page = await say(two, officer, "more")
    assert ids(page) == ["PY08"] and "\n8. YARROWBY, Tamsin — born 08/07/1968" in page.reply
    assert "\n7. " not in page.reply
    assert (await say(one, officer, "8")).records[0].id == "PY08"
    gone = await say(two, officer, "7")
    assert (gone.outcome, gone.records) == ("not_found", ())


async def test_a_follow_up_after_the_reason_lapsed_is_asked_for_one_and_shows_nothing(
    processes: tuple[Database, Database],
) -> None:
    one, two = processes
    officer = await on_duty(one, next(_ids))  # a reason at T0 that lasts five minutes
    assert (await say(one, officer, "ophelia wrenfield", lasting=5)).outcome == "ambiguous"
    for text in ("more", "2", "the one born in 51"):  # six minutes on: the list is there, the reason not
        asked = await say(two, officer, text, minutes=6, lasting=5)
        assert (asked.outcome, asked.records) == ("needs_reason", ()), text
    given = await say(one, officer, "welfare: 2", minutes=6, lasting=5)  # a reason with the follow-up
    assert (given.outcome, given.records[0].id) == ("answered", WANTED_FIRST[1])
    assert (await last_audit(one, officer)).reason == "WELFARE"


async def test_she_stays_the_subject_while_more_is_about_what_was_shown_last(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    await say(one, officer, "cressida quodling 10/9/87")
    await say(two, officer, "her car")
    detail = await say(one, officer, "more")  # more on the car just shown: its keeper in full
    assert detail.records[0].id == "QV34CCC" and "Keeper:" in detail.reply and detail.more is None
    home = await say(two, officer, "who lives there")  # still her: her address, not the car's
    assert home.records[0].id == "AW01"
    wanted = await say(one, officer, "is she wanted")  # after the address, "she" is still Cressida
    assert wanted.records[0].id == "PV02" and wanted.reply.startswith("⚠ WANTED — Fraud")


async def test_after_a_vehicle_he_is_its_keeper_whatever_was_shown_since(
    processes: tuple[Database, Database], officer: Caller
) -> None:
    one, two = processes
    await say(one, officer, "check plate qv12bbb")
    assert (await say(two, officer, "who lives there")).records[0].id == "AW01"
    wanted = await say(one, officer, "is he wanted")
    assert (wanted.records[0].id, wanted.intent) == ("PV01", "warrant_check")
