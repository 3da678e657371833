"""Replies that vanish and remote wipe, end to end: the real Application against the fake Bot API.

Record replies and their questions are deleted once their time is up (a one- or two-second TTL here),
by whichever process is running then, exactly once; /revoke, `beatline users revoke` and /wipe delete
what is still deletable and say how many; everything else stays.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pyotp
import pytest
from sqlalchemy import create_engine, text
from telegram import Bot

from bot.app import build_application
from bot.cli import main
from bot.run import serve
from handlers.vanish import deleter
from knowledge.access import authenticator, users
from knowledge.access.step_up import LOCKED_REPLY
from knowledge.store.audit import Caller
from knowledge.store.database import Database, sync_url
from knowledge.vanishing.port import Deletion
from tests.support.bot import ADMIN, OFFICER, OFFICER_2, SERGEANT, BotUnderTest, free_port, settings_for
from tests.support.console import CSRF_FIELD, running_console
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.keys import AUDIT_KEY
from tests.support.known_records import fill

CONSOLE = Caller(actor="console:admin", role="admin", channel="cli")
RECORD_QUESTION = "stop: check plate qx12 abc"  # with its reason, so it is answered at once


def deleted(fake: FakeBotAPI, chat_id: int) -> Counter[int]:
    """How many times each message of chat_id was deleted (successful deleteMessage calls)."""
    return Counter(
        r.params["message_id"]
        for r in fake.requests
        if r.method == "deleteMessage" and r.http_status == 200 and r.params["chat_id"] == chat_id
    )


async def ask(bot: BotUnderTest, user_id: int, text: str) -> tuple[int, dict[str, Any]]:
    """Ask as user_id; the question's message id and the bot's reply."""
    update = bot.fake.text_message(user_id, text)
    return update["message"]["message_id"], await bot.reply_to(user_id, update)


@pytest.mark.settings(reply_ttl_seconds=1)
async def test_a_record_reply_and_its_question_vanish_on_time_and_the_rest_stays(bot: BotUnderTest) -> None:
    question, reply = await ask(bot, OFFICER, RECORD_QUESTION)
    sent_at = time.monotonic()
    assert reply["protect_content"] is True
    whoami, kept = await ask(bot, OFFICER, "/whoami")
    assert kept["protect_content"] is False
    assert deleted(bot.fake, OFFICER) == Counter()  # not before its time
    await bot.fake.wait_for(lambda f: len(deleted(f, OFFICER)) == 2, timeout=10)
    first = next(r.time for r in bot.fake.requests if r.method == "deleteMessage")
    assert first - sent_at >= 0.9  # the TTL, give or take the clock's grain
    await asyncio.sleep(1.5)  # the poll after next: nothing more is deleted, nothing twice
    assert deleted(bot.fake, OFFICER) == Counter({question: 1, reply["message_id"]: 1})
    assert whoami not in deleted(bot.fake, OFFICER) and kept["message_id"] not in deleted(bot.fake, OFFICER)


@pytest.mark.settings(reply_ttl_seconds=1)
async def test_a_shortlist_its_pick_and_the_question_all_vanish(bot: BotUnderTest) -> None:
    question, shortlist = await ask(bot, OFFICER, "jonathan quixtable")
    pick = shortlist["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await bot.press(OFFICER, shortlist, pick)
    opened = await bot.next_message(OFFICER, 1)
    assert shortlist["protect_content"] is True and opened["protect_content"] is True
    wanted = {question, shortlist["message_id"], opened["message_id"]}
    await bot.fake.wait_for(lambda f: set(deleted(f, OFFICER)) == wanted, timeout=10)


@pytest.mark.settings(reply_ttl_seconds=1)
async def test_a_question_held_for_a_reason_its_prompt_and_the_answer_all_vanish(bot: BotUnderTest) -> None:
    await bot.forget_reason(OFFICER)
    question, prompt = await ask(bot, OFFICER, "check plate qx12 abc")
    assert prompt["text"].startswith("Why is this check needed?") and prompt["protect_content"] is False
    stop = next(
        b["callback_data"]
        for row in prompt["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "STOP"
    )
    await bot.press(OFFICER, prompt, stop)
    answered = await bot.next_message(OFFICER, 1)
    assert answered["text"].startswith("Vehicle QX12ABC") and answered["protect_content"] is True
    wanted = {question, prompt["message_id"], answered["message_id"]}  # the tap schedules what it answered
    await bot.fake.wait_for(lambda f: set(deleted(f, OFFICER)) == wanted, timeout=10)


@pytest.mark.settings(reply_ttl_seconds=1)
async def test_a_followers_alert_vanishes_in_their_chat_and_takes_nothing_else(bot: BotUnderTest) -> None:
    follow, following = await ask(bot, OFFICER, "/follow PT01")  # protected: it names the record
    question, reply = await ask(bot, OFFICER_2, RECORD_QUESTION)  # PT01 keeps this car
    alert = await bot.next_message(OFFICER, 1)
    assert alert["text"].startswith("Followed record checked") and alert["protect_content"] is True
    mine = {follow, following["message_id"], alert["message_id"]}
    await bot.fake.wait_for(lambda f: set(deleted(f, OFFICER)) == mine, timeout=10)
    await bot.fake.wait_for(
        lambda f: set(deleted(f, OFFICER_2)) == {question, reply["message_id"]}, timeout=10
    )
    await asyncio.sleep(1.5)  # the searcher's question went from the searcher's chat only, once
    assert set(deleted(bot.fake, OFFICER).values()) == set(deleted(bot.fake, OFFICER_2).values()) == {1}
    assert set(deleted(bot.fake, OFFICER)) == mine


@pytest.mark.settings(reply_ttl_seconds=1)
async def test_a_revoked_users_scheduled_deletions_still_run(bot: BotUnderTest) -> None:
    question, reply = await ask(bot, OFFICER, RECORD_QUESTION)
    assert await users.revoke(bot.db, OFFICER, by="test")  # revoked without a wipe, as a console might
    await bot.fake.wait_for(lambda f: len(deleted(f, OFFICER)) == 2, timeout=10)
    assert deleted(bot.fake, OFFICER) == Counter({question: 1, reply["message_id"]: 1})


@pytest.mark.settings(reply_ttl_seconds=1)
async def test_the_preview_vanishes_and_a_copy_waits_to_be_acknowledged_until_a_wipe(
    bot: BotUnderTest,
) -> None:
    question, preview = await ask(bot, SERGEANT, "/brief Red Focus AB12CDE seen on Mill Lane")
    send = next(
        b["callback_data"]
        for row in preview["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "Send"
    )
    await bot.press(SERGEANT, preview, send)
    await bot.fake.wait_for(lambda f: bot.sent(OFFICER))
    [copy] = bot.sent(OFFICER)
    assert copy["protect_content"] is True
    await bot.fake.wait_for(
        lambda f: {question, preview["message_id"]} <= set(deleted(f, SERGEANT)), timeout=10
    )
    await asyncio.sleep(1.5)  # past the copy's TTL too: it is kept for its Acknowledge button
    assert deleted(bot.fake, OFFICER) == Counter()
    # Sent by the briefings' own Bot, and written down all the same: a wipe takes it.
    assert (await bot.say(OFFICER, "/wipe"))["text"] == "1 message deleted from your Beatline chat."
    assert deleted(bot.fake, OFFICER) == Counter({copy["message_id"]: 1})


@pytest.mark.settings(reply_ttl_seconds=0)
async def test_a_ttl_of_0_keeps_replies(bot: BotUnderTest) -> None:
    await ask(bot, OFFICER, RECORD_QUESTION)
    await asyncio.sleep(2.5)
    assert deleted(bot.fake, OFFICER) == Counter()


@contextlib.asynccontextmanager
async def serving(fake: FakeBotAPI, url: str, **overrides: Any) -> AsyncIterator[BotUnderTest]:
    """One bot process on this fake and database, from start to a clean stop."""
    port = free_port()
    settings = settings_for(fake, url, port, **overrides)
    stop, db = asyncio.Event(), Database(url, audit_key=AUDIT_KEY)
    application = build_application(settings, webhook=True)
    served = asyncio.create_task(
        serve(application, settings, webhook=True, port=port, host="127.0.0.1", stop=stop)
    )
    await fake.wait_for(lambda f: f.webhook["url"] == settings.webhook_url or served.done())
    if served.done():
        served.result()
    try:
        yield BotUnderTest(fake, db, settings)
    finally:
        stop.set()
        await served
        await db.dispose()


async def test_a_restart_between_answer_and_deletion_still_deletes_once(db_url: str) -> None:
    fill(db_url)
    async with FakeBotAPI() as fake:
        async with serving(fake, db_url, reply_ttl_seconds=2) as first:
            await first.enrol(OFFICER, "officer", team="north")
            question, reply = await ask(first, OFFICER, RECORD_QUESTION)
        assert deleted(fake, OFFICER) == Counter()  # stopped before the reply's time was up
        async with serving(fake, db_url, reply_ttl_seconds=2) as second:
            await fake.wait_for(lambda f: len(deleted(f, OFFICER)) == 2, timeout=10)
            await asyncio.sleep(1.5)
            assert second.fake is fake
        assert deleted(fake, OFFICER) == Counter({question: 1, reply["message_id"]: 1})
        assert not [r for r in fake.requests if r.method == "deleteMessage" and r.http_status != 200]


async def test_two_bot_processes_delete_each_message_once(db_url: str) -> None:
    fill(db_url)
    async with FakeBotAPI() as fake:
        async with (
            serving(fake, db_url, reply_ttl_seconds=1) as one,
            serving(fake, db_url, reply_ttl_seconds=1),
        ):
            await one.enrol(OFFICER, "officer", team="north")
            # Asked through the first process's webhook; both processes' engines poll the schedule.
            asked = [await ask(one, OFFICER, RECORD_QUESTION) for _ in range(3)]
            wanted = {m for question, reply in asked for m in (question, reply["message_id"])}
            await fake.wait_for(lambda f: set(deleted(f, OFFICER)) == wanted, timeout=15)
            await asyncio.sleep(1.5)
        assert deleted(fake, OFFICER) == Counter(dict.fromkeys(wanted, 1))
        assert not [r for r in fake.requests if r.method == "deleteMessage" and r.http_status != 200]


@pytest.mark.settings(reply_ttl_seconds=1)
async def test_a_reply_is_delivered_even_when_the_ledger_cannot_be_written(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(sync_url(bot.settings.database_url))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE chat_messages"))
    engine.dispose()
    _, reply = await ask(bot, OFFICER, RECORD_QUESTION)
    assert reply["text"].startswith("Vehicle QX12ABC") and reply["protect_content"] is True
    missing = f"message {reply['message_id']} in chat {OFFICER} is not in the ledger"
    for _ in range(100):  # written down once Telegram has answered: just after the officer has it
        if missing in caplog.text:
            break
        await asyncio.sleep(0.05)
    assert missing in caplog.text
    assert "QX12ABC" not in caplog.text  # the log says which message, never what it showed


async def test_revoke_wipes_the_users_chat_and_says_how_many(bot_on: BotUnderTest) -> None:
    asked = [await ask(bot_on, OFFICER, text) for text in (RECORD_QUESTION, "/whoami")]
    mine = {m for question, reply in asked for m in (question, reply["message_id"])}
    await ask(bot_on, ADMIN, RECORD_QUESTION)
    answer = (await bot_on.say(ADMIN, f"/revoke {OFFICER}"))["text"]
    revoked = f"{OFFICER} is revoked; their next message will be refused."
    assert answer == f"{revoked} 4 messages deleted from their Beatline chat."
    assert deleted(bot_on.fake, OFFICER) == Counter(dict.fromkeys(mine, 1))
    assert deleted(bot_on.fake, ADMIN) == Counter()  # the admin's own chat is not touched


async def test_revoking_from_the_web_console_wipes_the_chat_through_the_running_bot(
    bot: BotUnderTest,
) -> None:
    question, reply = await ask(bot, OFFICER, RECORD_QUESTION)
    async with (
        running_console(bot.settings.database_url) as console,
        aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client,  # cookies of 127.0.0.1
    ):
        async with client.get(await console.link()) as page:
            token = re.search(r'name="token" value="([^"]+)"', await page.text())
        assert token is not None
        async with client.post(console.url("/login"), data={"token": token.group(1)}) as landed:
            csrf = CSRF_FIELD.search(await landed.text())
        assert csrf is not None
        form = {"telegram_id": str(OFFICER), "csrf": csrf.group(1)}
        async with client.post(console.url("/users/revoke"), data=form) as done:
            page_text = await done.text()
    revoked = f"{OFFICER} is revoked; their next message will be refused."
    assert f"{revoked} 2 messages will be deleted by the running bot." in page_text
    await bot.fake.wait_for(lambda f: len(deleted(f, OFFICER)) == 2, timeout=10)
    assert deleted(bot.fake, OFFICER) == Counter({question: 1, reply["message_id"]: 1})


async def test_wipe_deletes_the_officers_own_chat_and_says_so_unprotected(bot: BotUnderTest) -> None:
    question, reply = await ask(bot, OFFICER, RECORD_QUESTION)
    confirmation = await bot.say(OFFICER, "/wipe")
    assert confirmation["text"] == "2 messages deleted from your Beatline chat."
    assert confirmation["protect_content"] is False
    assert deleted(bot.fake, OFFICER) == Counter({question: 1, reply["message_id"]: 1})
    # The next wipe takes the last one and its confirmation, and nothing twice.
    assert (await bot.say(OFFICER, "/wipe"))["text"] == "2 messages deleted from your Beatline chat."
    assert set(deleted(bot.fake, OFFICER).values()) == {1} and len(deleted(bot.fake, OFFICER)) == 4
    assert confirmation["message_id"] in deleted(bot.fake, OFFICER)
    wipes = [e.query for e in await bot.audit(OFFICER) if e.intent == "wipe"]
    assert wipes == ["/wipe: 2 messages deleted from own Beatline chat."] * 2


@pytest.mark.settings(step_up="totp")
async def test_a_locked_officer_can_still_wipe_and_sees_nothing(bot: BotUnderTest) -> None:
    otp = pyotp.parse_uri((await authenticator.issue(bot.db, OFFICER, by=CONSOLE)).uri)
    if (left := otp.interval - time.time() % otp.interval) < 2:  # a code with time left to reach the bot
        await asyncio.sleep(left + 0.05)
    assert (await bot.say(OFFICER, f"/unlock {otp.now()}"))["text"].startswith("Unlocked until ")
    question, reply = await ask(bot, OFFICER, RECORD_QUESTION)
    await bot.say(OFFICER, "/lock")
    assert (await bot.say(OFFICER, RECORD_QUESTION))["text"] == LOCKED_REPLY
    wiped = (await bot.say(OFFICER, "/wipe"))["text"]
    assert re.fullmatch(r"\d+ messages deleted from your Beatline chat\.", wiped)
    assert {question, reply["message_id"]} <= set(deleted(bot.fake, OFFICER))


async def test_a_stranger_cannot_wipe(bot: BotUnderTest) -> None:
    reply = await bot.say(9999, "/wipe")
    assert "only for enrolled officers" in reply["text"]
    assert not bot.fake.calls("deleteMessage")


async def test_the_command_line_revoke_deletes_through_the_bot_api_with_a_token(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    question, reply = await ask(bot, OFFICER, RECORD_QUESTION)
    monkeypatch.setenv("BEATLINE_DATABASE_URL", bot.settings.database_url)
    monkeypatch.setenv("BEATLINE_AUDIT_KEY", AUDIT_KEY.reveal())
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", bot.fake.token)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", bot.fake.base_url)
    assert await asyncio.to_thread(main, ["users", "revoke", str(OFFICER)]) == 0
    assert capsys.readouterr().out == f"{OFFICER} revoked. 2 messages deleted from their Beatline chat.\n"
    assert deleted(bot.fake, OFFICER) == Counter({question: 1, reply["message_id"]: 1})


async def test_the_command_line_revoke_without_a_token_leaves_it_to_the_running_bot(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    question, reply = await ask(bot, OFFICER, RECORD_QUESTION)
    monkeypatch.setenv("BEATLINE_DATABASE_URL", bot.settings.database_url)
    monkeypatch.setenv("BEATLINE_AUDIT_KEY", AUDIT_KEY.reveal())
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert await asyncio.to_thread(main, ["users", "revoke", str(OFFICER)]) == 0
    assert capsys.readouterr().out == f"{OFFICER} revoked. 2 messages will be deleted by the running bot.\n"
    await bot.fake.wait_for(lambda f: len(deleted(f, OFFICER)) == 2, timeout=10)
    assert deleted(bot.fake, OFFICER) == Counter({question: 1, reply["message_id"]: 1})


async def test_the_command_line_revoke_falls_back_to_the_running_bot_when_the_bot_api_is_down(
    bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await ask(bot, OFFICER, RECORD_QUESTION)
    monkeypatch.setenv("BEATLINE_DATABASE_URL", bot.settings.database_url)
    monkeypatch.setenv("BEATLINE_AUDIT_KEY", AUDIT_KEY.reveal())
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", bot.fake.token)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", f"http://127.0.0.1:{free_port()}/bot")  # nobody listens
    assert await asyncio.to_thread(main, ["users", "revoke", str(OFFICER)]) == 0
    assert capsys.readouterr().out == f"{OFFICER} revoked. 2 messages will be deleted by the running bot.\n"
    await bot.fake.wait_for(lambda f: len(deleted(f, OFFICER)) == 2, timeout=10)


async def test_telegrams_answers_to_a_deletion_become_the_schedules_outcomes() -> None:
    async with FakeBotAPI() as fake, Bot(fake.token, base_url=fake.base_url) as telegram:
        delete = deleter(telegram)
        fresh, old = (fake.text_message(OFFICER, text)["message"]["message_id"] for text in ("a", "b"))
        fake._messages[(OFFICER, old)]["date"] -= 49 * 3600
        assert await delete(OFFICER, fresh) is Deletion.DELETED
        assert await delete(OFFICER, fresh) is Deletion.GONE  # "message to delete not found": done
        assert await delete(OFFICER, old) is Deletion.REFUSED  # past Telegram's 48 hours
        fake.fail_next("deleteMessage", status=500, description="Internal Server Error")
        assert await delete(OFFICER, old) is Deletion.FAILED  # worth another try
