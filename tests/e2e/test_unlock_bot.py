"""The shift unlock through the real Application and the fake Bot API: locked, /unlock, answered.

The clock is the real one here: codes come from pyotp's `now()`, as the officer's app shows them. The
boundaries are set with a fixed clock in tests/integration/test_step_up.py.
"""

from __future__ import annotations

import asyncio
import time

import pyotp
import pytest

from handlers.unlock import GROUP_NOT_DELETED, GROUP_REFUSED, LOCKED_NOW, NO_SECRET, STEP_UP_OFF
from knowledge.access import authenticator, invites
from knowledge.access.step_up import LOCKED_REPLY
from knowledge.store.audit import Caller
from tests.support.bot import ADMIN, OFFICER, OFFICER_2, BotUnderTest

ON = pytest.mark.settings(step_up="totp")
CONSOLE = Caller(actor="console:admin", role="admin", channel="cli")
GROUP = -100777
NEWCOMER = 7777


async def authenticator_of(bot: BotUnderTest, telegram_id: int = OFFICER) -> pyotp.TOTP:
    otp = pyotp.parse_uri((await authenticator.issue(bot.db, telegram_id, by=CONSOLE)).uri)
    assert isinstance(otp, pyotp.TOTP)
    return otp


async def fresh(otp: pyotp.TOTP) -> str:
    """The code the app shows now, with at least two seconds of its window left to reach the bot."""
    left = otp.interval - time.time() % otp.interval
    if left < 2:
        await asyncio.sleep(left + 0.05)
    return otp.now()


def wrong_code(otp: pyotp.TOTP) -> str:
    """A code that is neither right nor recently right, so it counts as a wrong one."""
    recent = {otp.at(time.time() + 30 * k) for k in range(-11, 12)}
    return next(code for code in (f"{n:06d}" for n in range(1000)) if code not in recent)


async def send_code(
    bot: BotUnderTest, user: int, text: str, *, chat_id: int | None = None
) -> tuple[str, int]:
    """Send an /unlock message; the reply's text and the id of the message that carried the code."""
    update = bot.fake.text_message(
        user, text, chat_id=chat_id, chat_type="private" if chat_id is None else "group"
    )
    reply = await bot.reply_to(user, update, chat_id=chat_id)
    return reply["text"], update["message"]["message_id"]


def deleted(bot: BotUnderTest) -> list[tuple[int, int]]:
    return [(c["chat_id"], c["message_id"]) for c in bot.fake.calls("deleteMessage")]


@ON
async def test_locked_then_unlocked_with_the_code_deleted_then_answered(bot_on: BotUnderTest) -> None:
    otp = await authenticator_of(bot_on)
    assert (await bot_on.say(OFFICER, "check plate qx12 abc"))["text"] == LOCKED_REPLY
    code = await fresh(otp)
    said, message_id = await send_code(bot_on, OFFICER, f"/unlock {code}")
    assert said.startswith("Unlocked until ") and "after 30 minutes without a message" in said
    assert deleted(bot_on) == [(OFFICER, message_id)]
    methods = [r.method.lower() for r in bot_on.fake.requests]
    assert methods.index("deletemessage") < len(methods) - 1 - methods[::-1].index("sendmessage")
    assert (await bot_on.say(OFFICER, "check plate qx12 abc"))["text"].startswith("Vehicle QX12ABC")
    assert (await bot_on.say(OFFICER, "/lock"))["text"] == LOCKED_NOW
    assert (await bot_on.say(OFFICER, "check plate qx12 abc"))["text"] == LOCKED_REPLY
    entries = [(e.intent, e.outcome, bool(e.record_ids)) for e in await bot_on.audit(OFFICER)]
    assert entries == [
        ("", "locked", False),
        ("unlock", "answered", False),
        ("vehicle_check", "answered", True),
        ("lock", "locked", False),
        ("", "locked", False),
    ]
    assert all(code not in e.query for e in await bot_on.audit())


@ON
async def test_while_locked_every_kind_of_update_gets_the_one_sentence(bot: BotUnderTest) -> None:
    otp = await authenticator_of(bot)
    await send_code(bot, OFFICER, f"/unlock {await fresh(otp)}")
    answer = await bot.say(OFFICER, "check plate qx12 abc")
    [[more], [_follow]] = answer["reply_markup"]["inline_keyboard"]
    await bot.say(OFFICER, "/lock")
    pressed = await bot.press(OFFICER, answer, more["callback_data"])
    assert pressed["text"] == LOCKED_REPLY and pressed["show_alert"] is True
    location = bot.fake.location_message(OFFICER, 51.5001, -0.1201)
    assert (await bot.reply_to(OFFICER, location))["text"] == LOCKED_REPLY
    assert (await bot.reply_to(OFFICER, bot.fake.sticker_message(OFFICER)))["text"] == LOCKED_REPLY
    assert (await bot.say(OFFICER, "/brief hello"))["text"] == LOCKED_REPLY  # not even "not your command"
    assert (await bot.say(ADMIN, "/users"))["text"] == LOCKED_REPLY  # admins unlock the same way
    assert (await bot.say(OFFICER, "654321"))["text"] == LOCKED_REPLY
    assert (await bot.say(OFFICER, "/help"))["text"].startswith("Ask me in plain words")
    assert (await bot.say(OFFICER, "/whoami"))["text"].startswith(f"Telegram id: {OFFICER}")
    locked = [e for e in await bot.audit() if e.outcome == "locked" and e.intent == ""]
    assert len(locked) == 6 and all(e.record_ids == "" for e in locked)
    assert "654321" not in locked[-1].query and "######" in locked[-1].query


@ON
async def test_five_wrong_codes_lock_out_tell_the_admins_once_until_released(bot: BotUnderTest) -> None:
    otp, admin_otp = await authenticator_of(bot), await authenticator_of(bot, ADMIN)
    wrong = wrong_code(otp)
    for left in (4, 3, 2, 1):
        said, _ = await send_code(bot, OFFICER, f"/unlock {wrong}")
        assert said.startswith(f"That code is not right. {left} more wrong code")
    said, _ = await send_code(bot, OFFICER, f"/unlock {wrong}")
    assert said.startswith("Too many wrong codes: you are locked out.")
    [alert] = await bot.fake.wait_for(lambda f: bot.sent(ADMIN))
    assert f"user {OFFICER} ({OFFICER}) is locked out of Beatline after 5 wrong codes" in alert["text"]
    said, _ = await send_code(bot, OFFICER, f"/unlock {await fresh(otp)}")  # even the right code
    assert said.startswith("You are locked out after too many wrong codes")
    assert (await bot.say(OFFICER, "check plate qx12 abc"))["text"] == LOCKED_REPLY
    assert len(bot.sent(ADMIN)) == 1  # told once
    assert len(deleted(bot)) == 6
    await send_code(bot, ADMIN, f"/unlock {await fresh(admin_otp)}")
    before = len(bot.sent(OFFICER))
    assert (await bot.say(ADMIN, f"/release {OFFICER}"))[
        "text"
    ] == f"{OFFICER} is released: they can unlock with their code again."
    told = await bot.next_message(OFFICER, before)
    assert told["text"] == f"An admin released you. {LOCKED_REPLY}"
    assert (await bot.say(ADMIN, f"/release {OFFICER}"))["text"] == f"{OFFICER} is not locked out."
    said, _ = await send_code(
        bot, OFFICER, f"/unlock {await fresh(otp)}"
    )  # the refused right code was not spent
    assert said.startswith("Unlocked until ")
    intents = [(e.intent, e.outcome) for e in await bot.audit() if e.intent in ("lockout", "release")]
    assert intents == [("lockout", "locked"), ("release", "changed")]


@ON
async def test_unlock_in_a_group_is_deleted_refused_and_the_code_spent(bot: BotUnderTest) -> None:
    otp = await authenticator_of(bot)
    code = await fresh(otp)
    said, message_id = await send_code(bot, OFFICER, f"/unlock {code}", chat_id=GROUP)
    assert said == GROUP_REFUSED
    assert deleted(bot) == [(GROUP, message_id)]
    said, _ = await send_code(bot, OFFICER, f"/unlock {code}")
    assert said == "That code has been used already. Wait for your app to show the next one, then send it."
    assert (await bot.say(OFFICER, "check plate qx12 abc"))["text"] == LOCKED_REPLY


@ON
async def test_in_a_group_where_the_bot_may_not_delete_the_officer_is_asked_to(bot: BotUnderTest) -> None:
    otp = await authenticator_of(bot)
    code = await fresh(otp)
    bot.fake.fail_next("deleteMessage", status=400, description="Bad Request: message can't be deleted")
    said, _ = await send_code(bot, OFFICER, f"/unlock {code}", chat_id=GROUP)
    assert said == GROUP_NOT_DELETED
    said, _ = await send_code(bot, OFFICER, f"/unlock {code}")
    assert said.startswith("That code has been used already.")  # spent all the same


@ON
@pytest.mark.parametrize(
    ("sent", "said"),
    [
        ("/unlock", "Send /unlock and the 6-digit code your authenticator app shows, e.g. /unlock 123456."),
        ("/unlock 123 456", "Send the 6 digits together, without spaces, e.g. /unlock 123456."),
        ("/unlock 12345", "A code is exactly 6 digits; that was 5."),
        ("/unlock 1234567", "A code is exactly 6 digits; that was 7."),
        ("/unlock <b>12ab56</b>", "A code is 6 digits (0 to 9) only, as your authenticator app shows it."),
        (f"/unlock {'9' * 4000}", "A code is exactly 6 digits; that was 99."),
    ],
)
async def test_a_bad_code_gets_a_clear_sentence_is_deleted_and_counts_nothing(
    bot: BotUnderTest, sent: str, said: str
) -> None:
    otp = await authenticator_of(bot)
    for _ in range(5):
        reply, message_id = await send_code(bot, OFFICER, sent)
        assert reply == said
        assert (OFFICER, message_id) in deleted(bot)
    reply, _ = await send_code(bot, OFFICER, f"/unlock {await fresh(otp)}")
    assert reply.startswith("Unlocked until ")


@ON
async def test_a_user_with_no_secret_is_told_to_ask_an_admin(bot: BotUnderTest) -> None:
    reply, message_id = await send_code(bot, OFFICER_2, "/unlock 123456")
    assert reply == NO_SECRET and deleted(bot) == [(OFFICER_2, message_id)]
    [entry] = await bot.audit(OFFICER_2)
    assert (entry.intent, entry.outcome) == ("unlock", "denied") and "123456" not in entry.query


@ON
async def test_an_invite_enrols_while_locked_but_records_stay_locked(bot: BotUnderTest) -> None:
    code = await invites.create_invite(bot.db, "officer", team="east", by=CONSOLE)
    assert (await bot.say(NEWCOMER, f"/start {code}"))["text"].startswith(
        "Hello Test. You are enrolled as officer"
    )
    assert (await bot.say(NEWCOMER, "check plate qx12 abc"))["text"] == LOCKED_REPLY
    assert (await send_code(bot, NEWCOMER, "/unlock 123456"))[0] == NO_SECRET


async def test_with_step_up_off_questions_go_through_and_a_code_is_still_deleted(bot: BotUnderTest) -> None:
    assert (await bot.say(OFFICER, "check plate qx12 abc"))["text"].startswith("Vehicle QX12ABC")
    reply, message_id = await send_code(bot, OFFICER, "/unlock 123456")
    assert reply == STEP_UP_OFF and deleted(bot) == [(OFFICER, message_id)]
    assert (await bot.say(OFFICER, "/lock"))["text"] == STEP_UP_OFF


@pytest.mark.settings(step_up=None)
async def test_the_bot_locks_by_default_when_step_up_is_not_set(bot: BotUnderTest) -> None:
    assert (await bot.say(OFFICER, "check plate qx12 abc"))["text"] == LOCKED_REPLY


@pytest.mark.settings(step_up="totp", idle_lock_seconds=1)
async def test_silence_for_the_idle_time_locks_again_and_is_audited(bot: BotUnderTest) -> None:
    otp = await authenticator_of(bot)
    said, _ = await send_code(bot, OFFICER, f"/unlock {await fresh(otp)}")
    assert said.startswith("Unlocked until ") and "locks again after 1 second without a message" in said
    await asyncio.sleep(1.2)
    assert (await bot.say(OFFICER, "check plate qx12 abc"))["text"] == LOCKED_REPLY
    [ended] = [e for e in await bot.audit(OFFICER) if e.intent == "lock"]
    assert ended.outcome == "locked" and ended.query.startswith("idle 1 s")


@ON
async def test_revoking_ends_the_unlock_and_a_new_enrolment_needs_a_new_secret(bot: BotUnderTest) -> None:
    otp, admin_otp = await authenticator_of(bot), await authenticator_of(bot, ADMIN)
    await send_code(bot, ADMIN, f"/unlock {await fresh(admin_otp)}")
    await send_code(bot, OFFICER, f"/unlock {await fresh(otp)}")
    assert (await bot.say(OFFICER, "check plate qx12 abc"))["text"].startswith("Vehicle QX12ABC")
    assert (await bot.say(ADMIN, f"/revoke {OFFICER}"))["text"].startswith(f"{OFFICER} is revoked")
    assert (await bot.say(ADMIN, f"/allow {OFFICER} officer north"))["text"].startswith(
        f"{OFFICER} is enrolled"
    )
    assert (await bot.say(OFFICER, "check plate qx12 abc"))["text"] == LOCKED_REPLY
    assert (await send_code(bot, OFFICER, f"/unlock {await fresh(otp)}"))[0] == NO_SECRET
