"""A reason for every check, in chat: asked for with one-tap buttons, the tap answers the question, and
the reason covers the follow-ups for BEATLINE_REASON_MINUTES, in whichever process they arrive."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from handlers.gate import stranger_refusal
from handlers.query import BUTTON_REFUSED
from knowledge.access import users
from knowledge.access.buttons import ButtonSigner, derive_key
from knowledge.access.reasons import DEFAULT_REASONS
from knowledge.access.roles import REASONS_HINT
from knowledge.store.database import Database
from knowledge.store.schema import ReasonChoice
from tests.e2e.test_bot_processes import two_bots
from tests.support.bot import OFFICER, OFFICER_2, SECRET, BotUnderTest
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.keys import AUDIT_KEY
from tests.support.known_records import fill


def keys(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [key for row in message.get("reply_markup", {}).get("inline_keyboard", []) for key in row]


def tap(message: dict[str, Any], code: str) -> str:
    return next(key["callback_data"] for key in keys(message) if key["text"] == code)


async def age_reason(bot: BotUnderTest, telegram_id: int, minutes: float) -> None:
    """As if the user's reason had been given `minutes` earlier than it was."""
    async with bot.db.sessions() as session, session.begin():
        choice = await session.get_one(ReasonChoice, telegram_id)
        at = choice.chosen_at.replace(tzinfo=choice.chosen_at.tzinfo or dt.UTC)  # SQLite's are naive UTC
        await session.execute(
            update(ReasonChoice)
            .where(ReasonChoice.telegram_id == telegram_id)
            .values(chosen_at=at - dt.timedelta(minutes=minutes))
        )


async def test_a_check_without_a_reason_offers_the_codes_and_the_tap_answers_it(bot_on: BotUnderTest) -> None:
    await bot_on.forget_reason(OFFICER)
    asked = await bot_on.say(OFFICER, "check plate qx12 abc")
    assert asked["text"].startswith("Why is this check needed?")
    assert "QX12ABC" not in asked["text"] and "QUIXTABLE" not in asked["text"]
    assert [key["text"] for key in keys(asked)] == list(DEFAULT_REASONS)
    await bot_on.press(OFFICER, asked, tap(asked, "STOP"))
    answered = await bot_on.next_message(OFFICER, 1)
    assert answered["text"].startswith("Vehicle QX12ABC: Red Ford Focus")
    assert answered["protect_content"] is True
    # The choice is made: the codes' buttons are taken off the question's reply.
    [edit] = await bot_on.fake.wait_for(lambda f: f.calls("editMessageReplyMarkup"))
    assert edit["message_id"] == asked["message_id"] and "reply_markup" not in edit
    [ask, tapped] = await bot_on.audited(2, OFFICER)
    assert (ask.outcome, ask.reason, ask.record_ids) == ("needs_reason", "", "")
    assert (tapped.outcome, tapped.reason, tapped.query) == ("answered", "STOP", "check plate qx12 abc")
    assert tapped.record_ids.split()[0] == "vehicle:QX12ABC"


async def test_the_reason_covers_more_and_later_questions_until_its_minutes_are_up(bot: BotUnderTest) -> None:
    await bot.forget_reason(OFFICER)
    asked = await bot.say(OFFICER, "check plate QX12ABC")
    await bot.press(OFFICER, asked, tap(asked, "RTC"))
    answered = await bot.next_message(OFFICER, 1)
    await bot.press(OFFICER, answered, tap(answered, "More"))
    assert "(PT01)" in (await bot.next_message(OFFICER, 2))["text"]
    assert (await bot.say(OFFICER, "jonathan quixtable 03/04/1985"))["text"].count("PT01") >= 1
    await age_reason(bot, OFFICER, 10)  # ten minutes on: the reason no longer covers a check
    again = await bot.say(OFFICER, "check plate QX12ABC")
    assert again["text"].startswith("Why is this check needed?") and keys(again)
    reasons = [(e.outcome, e.reason) for e in await bot.audit(OFFICER)]
    assert reasons == [("needs_reason", ""), ("answered", "RTC"), ("answered", "RTC"), ("answered", "RTC"),
                       ("needs_reason", "")]  # fmt: skip


async def test_a_leading_code_is_the_reason_and_covers_what_follows(bot: BotUnderTest) -> None:
    await bot.forget_reason(OFFICER)
    reply = await bot.say(OFFICER, "stop: check plate ab12cde")
    assert "Why is this check needed?" not in reply["text"]
    assert (await bot.say(OFFICER, "check plate QX12ABC"))["text"].startswith("Vehicle QX12ABC")
    assert [e.reason for e in await bot.audit(OFFICER)] == ["STOP", "STOP"]


async def test_a_shortlist_pick_after_the_reason_lapsed_asks_again_then_opens_that_record(
    bot: BotUnderTest,
) -> None:
    shortlist = await bot.say(OFFICER, "jonathan quixtable")
    pick = next(k for k in keys(shortlist) if "03/04/1985" in k["text"])
    await bot.forget_reason(OFFICER)
    await bot.press(OFFICER, shortlist, pick["callback_data"])
    asked = await bot.next_message(OFFICER, 1)
    assert asked["text"].startswith("Why is this check needed?") and "PT01" not in asked["text"]
    await bot.press(OFFICER, asked, tap(asked, "WELFARE"))
    opened = await bot.next_message(OFFICER, 2)
    assert "(PT01)" in opened["text"] and opened["protect_content"] is True
    assert [(e.outcome, e.reason) for e in await bot.audit(OFFICER)][-2:] == [
        ("needs_reason", ""), ("answered", "WELFARE")
    ]  # fmt: skip


async def test_a_reason_button_works_once_for_its_own_asker_only(bot: BotUnderTest) -> None:
    await bot.forget_reason(OFFICER)
    asked = await bot.say(OFFICER, "check plate QX12ABC")
    data = tap(asked, "INV")
    assert (await bot.press(OFFICER_2, asked, data))["text"] == BUTTON_REFUSED["invalid"]
    assert bot.sent(OFFICER_2) == []
    await bot.press(OFFICER, asked, data)
    await bot.next_message(OFFICER, 1)
    assert (await bot.press(OFFICER, asked, data))["text"] == BUTTON_REFUSED["expired"]  # answered already
    assert (await bot.press(OFFICER, asked, data[:-1] + ("A" if data[-1] != "A" else "B")))["text"] == (
        BUTTON_REFUSED["invalid"]
    )
    signer = ButtonSigner(derive_key(bot.fake.token))
    forged_code = signer.sign("q1:NOPE", OFFICER)  # signed right, but for no question of theirs
    assert (await bot.press(OFFICER, asked, forged_code))["text"] == BUTTON_REFUSED["expired"]
    assert len(bot.sent(OFFICER)) == 2  # the question and its one answer
    assert [e.outcome for e in await bot.audit(OFFICER_2)] == ["denied"]


async def test_a_revoked_officer_tapping_a_reason_is_refused_by_the_gate(bot: BotUnderTest) -> None:
    await bot.forget_reason(OFFICER)
    asked = await bot.say(OFFICER, "check plate QX12ABC")
    await users.revoke(bot.db, OFFICER, by="test")
    refused = await bot.press(OFFICER, asked, tap(asked, "STOP"))
    assert refused["text"] == stranger_refusal(OFFICER)
    assert len(bot.sent(OFFICER)) == 1
    assert [(e.outcome, e.record_ids) for e in await bot.audit(OFFICER)] == [
        ("needs_reason", ""),
        ("denied", ""),
    ]


@pytest.mark.settings(reasons_required=False)
async def test_a_force_that_turns_reasons_off_is_answered_at_once(bot: BotUnderTest) -> None:
    await bot.forget_reason(OFFICER)
    assert (await bot.say(OFFICER, "check plate QX12ABC"))["text"].startswith("Vehicle QX12ABC")
    assert REASONS_HINT not in (await bot.say(OFFICER, "/help"))["text"]


async def test_help_tells_an_officer_how_to_give_a_reason(bot: BotUnderTest) -> None:
    assert REASONS_HINT in (await bot.say(OFFICER, "/help"))["text"]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_the_tap_may_reach_another_process_than_the_question(db_url: str, tmp_path: Path) -> None:
    fill(db_url)
    db = Database(db_url, audit_key=AUDIT_KEY)
    await users.enrol(db, OFFICER, "officer", by="test")
    await db.dispose()
    async with FakeBotAPI() as fake:
        async with two_bots(fake, db_url, tmp_path) as (first, second):
            question = fake.text_message(OFFICER, "check plate QX12ABC")
            await fake.post_to_webhook(question, url=first, secret=SECRET)
            [asked] = await fake.wait_for(lambda f: f.bot_messages(OFFICER), timeout=10)
            press = fake.callback_query(OFFICER, asked, tap(asked, "ARREST"))
            await fake.post_to_webhook(press, url=second, secret=SECRET)
            await fake.wait_for(lambda f: len(f.bot_messages(OFFICER)) == 2, timeout=10)
            follow_up = fake.text_message(OFFICER, "check plate QX12ABC")
            await fake.post_to_webhook(follow_up, url=first, secret=SECRET)
            await fake.wait_for(lambda f: len(f.bot_messages(OFFICER)) == 3, timeout=10)
        _, answered, carried = fake.bot_messages(OFFICER)
    assert asked["text"].startswith("Why is this check needed?")
    assert answered["text"].startswith("Vehicle QX12ABC") and carried["text"].startswith("Vehicle QX12ABC")


async def test_a_shared_location_needs_a_reason_too_and_its_tap_sets_it(bot: BotUnderTest) -> None:
    await bot.forget_reason(OFFICER)
    asked = await bot.reply_to(OFFICER, bot.fake.location_message(OFFICER, 51.5001, -0.1201))
    assert asked["text"].startswith("Why is this check needed?") and "Quixtable" not in asked["text"]
    await bot.press(OFFICER, asked, tap(asked, "STOP"))
    noted = await bot.next_message(OFFICER, 1)
    assert noted["text"] == "Reason STOP noted: it covers your checks for the next 10 minutes."
    nearby = await bot.reply_to(OFFICER, bot.fake.location_message(OFFICER, 51.5001, -0.1201))
    assert "12 Quixtable Lane" in nearby["text"]
    assert [(e.intent, e.outcome, e.reason) for e in await bot.audit(OFFICER)] == [
        ("address_check", "needs_reason", ""),
        ("unknown", "answered", "STOP"),
        ("address_check", "answered", "STOP"),
    ]


@pytest.mark.settings(reply_ttl_seconds=1)
async def test_the_question_the_reason_prompt_and_the_answer_all_vanish_on_time(bot: BotUnderTest) -> None:
    await bot.forget_reason(OFFICER)
    update = bot.fake.text_message(OFFICER, "check plate QX12ABC")
    asked = await bot.reply_to(OFFICER, update)
    await bot.press(OFFICER, asked, tap(asked, "STOP"))
    answered = await bot.next_message(OFFICER, 1)
    wanted = {update["message"]["message_id"], asked["message_id"], answered["message_id"]}

    def deleted(fake: FakeBotAPI) -> set[int]:
        return {
            r.params["message_id"]
            for r in fake.requests
            if r.method == "deleteMessage" and r.http_status == 200
        }

    await bot.fake.wait_for(lambda f: deleted(f) == wanted, timeout=10)
