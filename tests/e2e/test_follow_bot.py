"""Following a record end to end: the real Application, the fake Bot API, the alert outbox's sender."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys

import pytest
from sqlalchemy import select

from knowledge.follows.following import follow
from knowledge.store.audit import Caller
from knowledge.store.schema import ChatMessage
from tests.e2e.test_unlock_bot import authenticator_of, fresh, send_code
from tests.support.bot import ADMIN, OFFICER, OFFICER_2, REASON, BotUnderTest
from tests.support.keys import AUDIT_ENV

ALERT_POLL = 1.0  # the outbox sender looks once a second


def buttons(message: dict) -> list[dict]:
    return [row[0] for row in message.get("reply_markup", {}).get("inline_keyboard", [])]


async def next_alert(bot: BotUnderTest, chat_id: int, before: int) -> dict:
    """The first message to chat_id after `before`, allowing for the sender's poll on a loaded machine."""
    return (await bot.fake.wait_for(lambda f: bot.sent(chat_id)[before:], timeout=20))[0]


async def ledger_row(bot: BotUnderTest, chat_id: int, message_id: int) -> ChatMessage | None:
    """The ledger's row for a sent message, once written (just after Telegram took the message)."""
    for _ in range(200):
        async with bot.db.reads() as session:
            row = await session.scalar(
                select(ChatMessage).where(
                    ChatMessage.chat_id == chat_id, ChatMessage.message_id == message_id
                )
            )
        if row is not None:
            return row
        await asyncio.sleep(0.01)
    return None


async def quiet(bot: BotUnderTest, chat_id: int, count: int) -> None:
    """Wait past two of the sender's polls, then check chat_id still has just `count` messages."""
    await asyncio.sleep(2.5 * ALERT_POLL)
    assert len(bot.sent(chat_id)) == count, bot.sent(chat_id)[count:]


async def test_a_colleagues_check_alerts_the_follower_once_and_the_searcher_is_not_told(
    bot_on: BotUnderTest,
) -> None:
    bot = bot_on
    followed = await bot.say(OFFICER, "/follow PT01")
    assert followed["text"].startswith("Following person PT01 until ")
    assert "QUIXTABLE" not in followed["text"]  # a follow shows no record: it is not a check
    assert "lapses after 90 days" in followed["text"] and followed["protect_content"] is True
    listed = await bot.say(OFFICER, "/following")
    assert "person PT01, until " in listed["text"] and "QUIXTABLE" not in listed["text"]

    reply = await bot.say(OFFICER_2, "check plate qx12 abc")  # PT01 keeps this car
    assert "QUIXTABLE, Jonathan" in reply["text"] and "follow" not in reply["text"].lower()
    alert = await next_alert(bot, OFFICER, 2)  # after the /follow and /following replies
    text = alert["text"]
    assert text.startswith("Followed record checked: person PT01 (QUIXTABLE, Jonathan, born 03/04/1985)")
    assert f"By: user {OFFICER_2} (Telegram id {OFFICER_2}, team north)" in text
    assert re.search(r"At: \d\d:\d\d \(London\)", text) and f"Reason: {REASON}" in text
    assert alert["protect_content"] is True
    kept = await ledger_row(bot, OFFICER, alert["message_id"])  # in the ledger of replies that vanish
    assert kept is not None and kept.shows_records is True and kept.status == "scheduled"

    # More checks by the same colleague within the minute are the same alert; the searcher hears nothing.
    await bot.say(OFFICER_2, "jonathan quixtable 3/4/85")
    await quiet(bot, OFFICER, 3)
    assert len(bot.sent(OFFICER_2)) == 2

    entries = await bot.audit()
    follows = [e for e in entries if e.intent in ("follow", "follow_alert")]
    assert [(e.intent, e.telegram_user_id, e.record_ids) for e in follows] == [
        ("follow", OFFICER, "person:PT01"),
        ("follow_alert", OFFICER, "person:PT01"),
    ]

    gone = await bot.say(OFFICER, "/unfollow PT01")
    assert gone["text"].startswith("No longer following person PT01")
    await bot.say(ADMIN, "jonathan quixtable 3/4/85")
    await quiet(bot, OFFICER, 4)


async def test_the_follow_button_under_a_vehicle_follows_it_and_a_cli_check_alerts(bot: BotUnderTest) -> None:
    reply = await bot.say(OFFICER, "check plate qx12 abc")
    assert [b["text"] for b in buttons(reply)] == ["More", "Follow"]
    await bot.press(OFFICER, reply, buttons(reply)[1]["callback_data"])
    followed = await bot.next_message(OFFICER, 1)
    assert followed["text"].startswith("Following vehicle QX12ABC until ")

    # `beatline ask --as`, another process, answers through the same audited path: its check alerts too.
    env = {**os.environ, **AUDIT_ENV, "BEATLINE_DATABASE_URL": bot.settings.database_url}
    ask = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "ask", "--as", str(OFFICER_2), "--reason", "RTC", "--json",
        "check plate QX12ABC", env=env, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await ask.communicate()
    assert ask.returncode == 0 and json.loads(out)["outcome"] == "answered"
    assert "follow" not in json.loads(out)["reply"].lower()
    alert = await next_alert(bot, OFFICER, 2)
    assert alert["text"].startswith("Followed record checked: vehicle QX12ABC (QX12ABC, Red Ford Focus)")
    assert "Reason: RTC" in alert["text"]

    listed = await bot.say(OFFICER, "/following")
    assert "vehicle QX12ABC, until " in listed["text"] and "Ford" not in listed["text"]


async def test_someone_elses_follow_button_is_refused(bot: BotUnderTest) -> None:
    reply = await bot.say(OFFICER, "check plate qx12 abc")
    answered = await bot.press(OFFICER_2, reply, buttons(reply)[1]["callback_data"])
    assert answered["text"].startswith("That button is not yours")
    assert (await bot.say(OFFICER_2, "/following"))["text"].startswith("You follow no records")


async def test_ones_own_check_raises_no_alert_and_revoking_ends_follows(bot: BotUnderTest) -> None:
    await bot.say(OFFICER, "/follow qx12 abc")
    await bot.say(OFFICER, "check plate qx12 abc")
    await quiet(bot, OFFICER, 2)
    revoked = await bot.say(ADMIN, f"/revoke {OFFICER}")
    assert "revoked" in revoked["text"]
    await bot.enrol(OFFICER, "officer", "north")
    assert (await bot.say(OFFICER, "/following"))["text"].startswith("You follow no records")


@pytest.mark.parametrize(
    "text", ["/follow", "/follow NOPE999", "/follow " + "<b>x</b>" * 2000, "/unfollow ⁦PT01⁩"]
)
async def test_bad_follow_input_gets_a_polite_sentence(bot: BotUnderTest, text: str) -> None:
    reply = await bot.say(OFFICER, text)
    assert reply["text"].startswith(("Usage: /follow", "There is no person or vehicle", "You do not follow"))
    assert "Traceback" not in reply["text"] and len(reply["text"]) < 200


async def test_teamwork_says_how_many_others_checked_the_person_today(bot: BotUnderTest) -> None:
    first = await bot.say(OFFICER, "jonathan quixtable 3/4/85")
    assert "Also checked today" not in first["text"]
    await bot.say(ADMIN, "jonathan quixtable 3/4/85")
    second = await bot.say(OFFICER_2, "jonathan quixtable 3/4/85")
    assert second["text"].endswith("Also checked today by 2 officers (team north).")
    assert "9003" not in second["text"] and "user 9001" not in second["text"]


@pytest.mark.settings(teamwork=False)
async def test_teamwork_can_be_turned_off(bot: BotUnderTest) -> None:
    await bot.say(OFFICER, "jonathan quixtable 3/4/85")
    second = await bot.say(OFFICER_2, "jonathan quixtable 3/4/85")
    assert "Also checked today" not in second["text"]


@pytest.mark.settings(step_up="totp")
async def test_an_alert_waits_while_its_follower_is_locked_and_arrives_when_they_unlock(
    bot: BotUnderTest,
) -> None:
    otp, colleague = await authenticator_of(bot, OFFICER), await authenticator_of(bot, OFFICER_2)
    # Followed during an earlier shift (as /follow does; the follower is locked now).
    await follow(bot.db, Caller(f"tg:{OFFICER}", "officer", telegram_user_id=OFFICER), "PT01")
    await send_code(bot, OFFICER_2, f"/unlock {await fresh(colleague)}")
    assert "QUIXTABLE" in (await bot.say(OFFICER_2, "check plate qx12 abc"))["text"]
    await quiet(bot, OFFICER, 0)  # locked: held back
    await send_code(bot, OFFICER, f"/unlock {await fresh(otp)}")
    alert = await next_alert(bot, OFFICER, 1)
    assert alert["text"].startswith("Followed record checked: person PT01")
