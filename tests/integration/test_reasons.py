"""A reason for every check, on SQLite and PostgreSQL: the codes as data, the reason carried for a few
minutes across processes (two Database objects), and the questions held until a reason is tapped."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from knowledge.access import pending_questions, reason_choices
from knowledge.access.pending_questions import Held
from knowledge.access.reason_choices import ReasonRule
from knowledge.access.reasons import DEFAULT_REASONS, reason_codes, set_reason
from knowledge.access.roles import REASONS_HINT
from knowledge.answers.dispatch import answer, answer_record
from knowledge.answers.nearby import answer_location
from knowledge.errors import BeatlineError
from knowledge.importing.importer import import_rows
from knowledge.matching.clean import clean_text
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from knowledge.store.schema import AuditEntry
from tests.support.keys import AUDIT_KEY

OFFICER = Caller(actor="tg:3001", role="officer", telegram_user_id=3001, chat_id=3001)
OTHER = Caller(actor="tg:3002", role="officer", telegram_user_id=3002, chat_id=3002)
STRANGER = Caller(actor="tg:3666", role="", telegram_user_id=3666, chat_id=3666)
CONSOLE = Caller(actor="console:duty", role="admin", channel="cli")
START = dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.UTC)
RECORDS = {
    "persons.csv": [
        {"id": "PR01", "forenames": "Reason", "surname": "Tester", "date_of_birth": "1980-02-03", "sex": "F",
         "aliases": "", "markers": "", "address_id": ""},
    ],
    "vehicles.csv": [
        {"vrm": "RE45SON", "make": "Ford", "model": "Fiesta", "colour": "Blue", "keeper_id": "PR01",
         "markers": ""},
    ],
}  # fmt: skip


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
async def dbs(db_url: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two handles on one database: two bot processes."""
    import_rows(db_url, RECORDS)
    first, second = Database(db_url, audit_key=AUDIT_KEY), Database(db_url, audit_key=AUDIT_KEY)
    yield first, second
    await first.dispose()
    await second.dispose()


async def entries(db: Database) -> list[AuditEntry]:
    async with db.reads() as session:
        return list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


async def test_the_default_codes_are_seeded_in_order_and_a_force_extends_and_relabels_them(dbs) -> None:
    db, other = dbs
    assert await reason_codes(db) == DEFAULT_REASONS
    assert list(await reason_codes(db)) == ["STOP", "ARREST", "INV", "WELFARE", "RTC", "INTEL", "TRAINING"]
    assert await set_reason(db, "domestic", "domestic abuse call", by=CONSOLE) is True
    assert await set_reason(db, "INTEL", "intelligence development", by=CONSOLE) is False
    codes = await reason_codes(other)  # another process sees the change at once: nothing is cached
    assert list(codes)[-1] == "DOMESTIC" and codes["DOMESTIC"] == "domestic abuse call"
    assert codes["INTEL"] == "intelligence development" and len(codes) == 8
    changes = [(e.actor, e.intent, e.outcome, e.query) for e in await entries(db)]
    assert changes == [
        ("console:duty", "reasons", "created", "reason DOMESTIC: domestic abuse call"),
        ("console:duty", "reasons", "changed", "reason INTEL: intelligence development"),
    ]
    # The new code is a reason like the others.
    result = await answer(db, OFFICER, "domestic: check plate RE45SON", rule=ReasonRule(clock=Clock()))
    assert result.outcome == "answered" and (await entries(db))[-1].reason == "DOMESTIC"


@pytest.mark.parametrize(
    ("code", "label"),
    [("", "x"), ("A", "x"), ("1STOP", "x"), ("ST OP", "x"), ("S" * 17, "x"), ("STOP", ""),
     ("STOP", "L" * 121), ("DROP;--", "x"), ("ＳＴＯＰ", "x")],
)  # fmt: skip
async def test_a_code_or_label_that_cannot_be_is_refused_and_nothing_changes(dbs, code, label) -> None:
    db, _ = dbs
    with pytest.raises(BeatlineError):
        await set_reason(db, code, label, by=CONSOLE)
    assert await reason_codes(db) == DEFAULT_REASONS
    assert await entries(db) == []


async def test_a_check_without_a_reason_is_asked_for_one_audited_and_nothing_disclosed(dbs) -> None:
    db, _ = dbs
    result = await answer(db, OFFICER, "check plate RE45SON", rule=ReasonRule(clock=Clock()))
    assert (result.outcome, result.records, result.choices, result.more) == ("needs_reason", (), (), None)
    assert "RE45SON" not in result.reply and "Fiesta" not in result.reply
    assert all(code in result.reply for code in DEFAULT_REASONS)
    [entry] = await entries(db)
    assert (entry.intent, entry.outcome, entry.reason, entry.record_ids) == (
        "vehicle_check", "needs_reason", "", ""
    )  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["stop: check plate RE45SON", "STOP:check plate RE45SON", "  Stop :  check plate RE45SON",
     "\u200bstop: check plate RE45SON"],
)  # fmt: skip
async def test_a_leading_code_is_the_reason_stored_upper_case_and_not_part_of_the_question(dbs, text) -> None:
    db, _ = dbs
    result = await answer(db, OFFICER, text, rule=ReasonRule(clock=Clock()))
    assert result.outcome == "answered" and result.reply.startswith("Vehicle RE45SON")
    [entry] = await entries(db)
    # The audit keeps what was sent, cleaned as every query is; the reason apart, in upper case.
    assert (entry.reason, entry.record_ids.split()[0], entry.query) == (
        "STOP",
        "vehicle:RE45SON",
        clean_text(text),
    )


async def test_a_leading_word_that_is_no_code_stays_part_of_the_question(dbs) -> None:
    db, _ = dbs
    result = await answer(db, OFFICER, "tester: check plate RE45SON", rule=ReasonRule(clock=Clock()))
    assert result.outcome == "needs_reason"


async def test_a_reason_covers_follow_ups_for_its_minutes_in_any_process_and_then_is_asked_again(dbs) -> None:
    first, second = dbs
    clock = Clock()
    rule = ReasonRule(minutes=10, clock=clock)
    assert (
        await answer(first, OFFICER, "check plate RE45SON", reason="rtc", rule=rule)
    ).outcome == "answered"
    clock.advance(minutes=9, seconds=59)
    # The next message reaches the other process: More, a shortlist pick and a new question.
    more = await answer_record(second, OFFICER, "vehicle", "RE45SON", detail=True, rule=rule)
    pick = await answer_record(second, OFFICER, "person", "PR01", detail=False, rule=rule)
    later = await answer(second, OFFICER, "reason tester 03/02/1980", rule=rule)
    assert [r.outcome for r in (more, pick, later)] == ["answered"] * 3
    # Another officer is not covered by it.
    assert (await answer(second, OTHER, "check plate RE45SON", rule=rule)).outcome == "needs_reason"
    clock.advance(seconds=1)  # ten minutes after it was given: it no longer covers anything
    assert (await answer(second, OFFICER, "check plate RE45SON", rule=rule)).outcome == "needs_reason"
    again = await answer_record(first, OFFICER, "vehicle", "RE45SON", detail=True, rule=rule)
    assert again.outcome == "needs_reason" and again.records == ()
    assert [(e.telegram_user_id, e.outcome, e.reason) for e in await entries(first)] == [
        (3001, "answered", "RTC"),
        (3001, "answered", "RTC"),
        (3001, "answered", "RTC"),
        (3001, "answered", "RTC"),
        (3002, "needs_reason", ""),
        (3001, "needs_reason", ""),
        (3001, "needs_reason", ""),
    ]


async def test_the_window_runs_from_when_the_reason_was_given_not_from_its_last_use(dbs) -> None:
    db, _ = dbs
    clock = Clock()
    rule = ReasonRule(minutes=10, clock=clock)
    await answer(db, OFFICER, "inv: check plate RE45SON", rule=rule)
    for _ in range(3):
        clock.advance(minutes=3)
        assert (await answer(db, OFFICER, "check plate RE45SON", rule=rule)).outcome == "answered"
    clock.advance(minutes=1)
    assert (await answer(db, OFFICER, "check plate RE45SON", rule=rule)).outcome == "needs_reason"
    # A new reason starts a new window.
    assert (await answer(db, OFFICER, "welfare: check plate RE45SON", rule=rule)).outcome == "answered"
    clock.advance(minutes=9)
    await answer(db, OFFICER, "check plate RE45SON", rule=rule)
    assert (await entries(db))[-1].reason == "WELFARE"


async def test_a_code_sent_alone_is_noted_for_the_checks_that_follow(dbs) -> None:
    db, _ = dbs
    rule = ReasonRule(clock=Clock())
    noted = await answer(db, OFFICER, "arrest:", rule=rule)
    assert (noted.outcome, noted.records) == ("answered", ())
    assert noted.reply == "Reason ARREST noted: it covers your checks for the next 10 minutes."
    assert (await answer(db, OFFICER, "check plate RE45SON", rule=rule)).outcome == "answered"
    assert [e.reason for e in await entries(db)] == ["ARREST", "ARREST"]


@pytest.mark.parametrize("text", ["help", "hello", "thanks", "what's the weather like", "", "x" * 10_000])
async def test_help_small_talk_and_the_unknown_never_need_a_reason(dbs, text) -> None:
    db, _ = dbs
    result = await answer(db, OFFICER, text, rule=ReasonRule(clock=Clock()))
    assert result.outcome in ("answered", "not_found") and result.records == ()


async def test_the_console_operator_needs_no_reason_and_a_stranger_is_refused_not_asked(dbs) -> None:
    db, _ = dbs
    rule = ReasonRule(clock=Clock())
    assert (await answer(db, CONSOLE, "check plate RE45SON", rule=rule)).outcome == "answered"
    refused = await answer(db, STRANGER, "stop: check plate RE45SON", rule=rule)
    assert (refused.outcome, refused.records) == ("denied", ())
    # The stranger's code was not kept: enrolled later, they are asked like anyone.
    assert await reason_choices.current(db, 3666, rule) == ""


async def test_a_force_can_turn_the_requirement_off_and_a_reason_given_is_still_recorded(dbs) -> None:
    db, _ = dbs
    rule = ReasonRule(required=False, clock=Clock())
    assert (await answer(db, OFFICER, "check plate RE45SON", rule=rule)).outcome == "answered"
    assert (await answer(db, OFFICER, "intel: check plate RE45SON", rule=rule)).outcome == "answered"
    assert (await answer(db, OFFICER, "check plate RE45SON", rule=rule)).outcome == "answered"
    assert [e.reason for e in await entries(db)] == ["", "INTEL", "INTEL"]


async def test_an_unknown_reason_given_is_refused_with_the_codes_and_nothing_disclosed(dbs) -> None:
    db, _ = dbs
    result = await answer(
        db, CONSOLE, "check plate RE45SON", reason="<b>FOO</b>", rule=ReasonRule(clock=Clock())
    )
    assert result.outcome == "needs_reason" and result.records == ()
    assert result.reply.startswith("'<b>FOO</b>' is not a reason code. Use one of: STOP (")


async def test_a_record_opened_under_an_unknown_code_is_refused_and_the_code_not_kept(dbs) -> None:
    db, _ = dbs
    rule = ReasonRule(clock=Clock())
    refused = await answer_record(db, OFFICER, "vehicle", "RE45SON", detail=True, reason="NOPE", rule=rule)
    assert (refused.outcome, refused.records) == ("needs_reason", ())
    assert await reason_choices.current(db, 3001, rule) == ""
    opened = await answer_record(db, OFFICER, "vehicle", "RE45SON", detail=True, reason="intel", rule=rule)
    assert opened.outcome == "answered" and (await entries(db))[-1].reason == "INTEL"


async def test_a_shared_location_is_a_check_like_any_other(dbs) -> None:
    db, _ = dbs
    rule = ReasonRule(clock=Clock())
    assert (await answer_location(db, OFFICER, 51.5, -0.12, rule=rule)).outcome == "needs_reason"
    await answer(db, OFFICER, "stop:", rule=rule)
    assert (await answer_location(db, OFFICER, 51.5, -0.12, rule=rule)).outcome != "needs_reason"
    assert [(e.intent, e.reason) for e in await entries(db)][-1] == ("address_check", "STOP")


async def test_a_held_question_is_taken_once_by_its_asker_from_any_process(dbs) -> None:
    first, second = dbs
    asked = await pending_questions.hold(first, 3001, Held(question="check plate RE45SON"))
    record = await pending_questions.hold(first, 3001, Held(record="rmv:RE45SON"))
    assert asked != record
    assert await pending_questions.take(second, 3002, asked) is None  # not theirs
    assert await pending_questions.take(second, 3001, asked) == Held(question="check plate RE45SON")
    assert await pending_questions.take(first, 3001, asked) is None  # taken already
    assert await pending_questions.take(second, 3001, record) == Held(record="rmv:RE45SON")
    assert await pending_questions.take(second, 3001, 10**9) is None


async def test_help_says_how_to_give_a_reason_where_one_is_needed(dbs) -> None:
    db, _ = dbs
    clock = Clock()
    assert REASONS_HINT in (await answer(db, OFFICER, "help", rule=ReasonRule(clock=clock))).reply
    assert REASONS_HINT not in (await answer(db, CONSOLE, "help", rule=ReasonRule(clock=clock))).reply
    off = ReasonRule(required=False, clock=clock)
    assert REASONS_HINT not in (await answer(db, OFFICER, "help", rule=off)).reply


async def test_a_label_is_kept_as_clean_text_and_shown_as_text(dbs) -> None:
    db, _ = dbs
    await set_reason(db, "dog", "dog <b>bite</b>\u202e\x00 call\n", by=CONSOLE)
    assert (await reason_codes(db))["DOG"] == "dog <b>bite</b> call"  # no controls, no direction marks
    asked = await answer(db, OFFICER, "check plate RE45SON", rule=ReasonRule(clock=Clock()))
    assert "DOG (dog <b>bite</b> call)" in asked.reply  # plain text: Telegram's reply escapes it once


@pytest.mark.parametrize(
    "text",
    [
        "stop: " + "check plate RE45SON " * 500,
        "<b>stop</b>: check plate RE45SON",
        "stop\u0000: check plate RE45SON",
    ],
)
async def test_hostile_text_around_a_code_is_answered_politely_and_discloses_only_under_a_reason(
    dbs, text
) -> None:
    db, _ = dbs
    result = await answer(db, OFFICER, text, rule=ReasonRule(clock=Clock()))
    [entry] = await entries(db)
    if text.startswith("stop: "):
        assert (result.outcome, entry.reason) == ("answered", "STOP")
    else:  # not a code as written: nothing is looked up without one
        assert (result.outcome, result.records, entry.reason) == ("needs_reason", (), "")
