"""Briefings end to end: the real Application, its webhook and delivery engine, the fake Bot API.

Team "north" is the conftest's ADMIN, SERGEANT, OFFICER and OFFICER_2; SOUTH is on another team and
REVOKED was on north. A sergeant's briefing therefore reaches ADMIN, OFFICER and OFFICER_2.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from handlers.errors import SORRY
from knowledge.access import users
from knowledge.store.database import Database
from knowledge.store.schema import AuditEntry, Briefing
from tests.support.bot import ADMIN, OFFICER, OFFICER_2, SERGEANT, BotUnderTest, running_bot
from tests.support.keys import AUDIT_KEY

SOUTH, REVOKED = 9101, 9005
NORTH = (ADMIN, OFFICER, OFFICER_2)


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """Button label -> callback data."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def shown(bot: BotUnderTest, chat_id: int, message_id: int) -> dict[str, Any]:
    """A message as the user sees it now, after edits."""
    return next(m for m in bot.fake.bot_messages(chat_id) if m["message_id"] == message_id)


async def arrange(bot: BotUnderTest) -> None:
    await users.enrol(bot.db, SOUTH, "officer", team="south", name="South Officer", by="test")
    await users.enrol(bot.db, REVOKED, "officer", team="north", name="Gone Officer", by="test")
    await users.revoke(bot.db, REVOKED, by="test")


async def briefed(bot: BotUnderTest, text: str = "Red Focus AB12CDE seen on Mill Lane") -> dict[str, Any]:
    """The sergeant sends a briefing and waits for the outcome; the progress message."""
    preview = await bot.say(SERGEANT, f"/brief {text}")
    assert "Preview of a briefing to team north (3 officers)" in preview["text"]
    answer = await bot.press(SERGEANT, preview, buttons(preview)["Send"])
    assert "text" not in answer  # a silent answer: the preview itself turns into the progress
    await bot.fake.wait_for(lambda f: "delivered to" in shown(bot, SERGEANT, preview["message_id"])["text"])
    return shown(bot, SERGEANT, preview["message_id"])


async def test_a_team_briefing_reaches_the_team_only_and_counts_each_acknowledgement_once(
    bot: BotUnderTest,
) -> None:
    await arrange(bot)
    progress = await briefed(bot)
    assert progress["text"].startswith("Briefing #1 delivered to 3 of 3 officers.")
    assert "reply_markup" not in progress
    for officer in NORTH:
        [copy] = bot.sent(officer)[-1:]
        assert "Red Focus AB12CDE" in copy["text"] and copy["protect_content"] is True
    assert bot.sent(SOUTH) == [] and bot.sent(REVOKED) == []
    copy = bot.sent(OFFICER)[-1]
    ack = buttons(copy)["Acknowledge"]
    assert (await bot.press(OFFICER_2, copy, ack))["text"].startswith("That button is not yours")
    first = await bot.press(OFFICER, copy, ack)
    assert first["text"].startswith("✅ Acknowledged ")
    again = await bot.press(OFFICER, copy, ack)
    assert again["text"].startswith("Already acknowledged at ")
    now = await bot.fake.wait_for(
        lambda f: (
            shown(bot, OFFICER, copy["message_id"]).get("edit_date")
            and shown(bot, OFFICER, copy["message_id"])
        )
    )
    assert now["text"].endswith(first["text"]) and "reply_markup" not in now
    listing = await bot.say(SERGEANT, "/briefings")
    assert "#1 " in listing["text"] and "1/3 acknowledged" in listing["text"]
    copies = [(e.chat_id, e.outcome) for e in await bot.audit(SERGEANT) if e.intent == "briefing"]
    assert sorted(copies) == [(o, "sending") for o in sorted(NORTH)]  # each logged before it went


async def test_a_reminder_reaches_only_those_who_have_not_acknowledged(bot: BotUnderTest) -> None:
    await briefed(bot)
    copy = bot.sent(OFFICER)[-1]
    await bot.press(OFFICER, copy, buttons(copy)["Acknowledge"])
    listing = await bot.say(SERGEANT, "/briefings")
    before = len(bot.sent(SERGEANT))
    await bot.press(SERGEANT, listing, buttons(listing)["#1: who has not acknowledged?"])
    outstanding = await bot.next_message(SERGEANT, before)
    assert "2 of 3 not acknowledged yet" in outstanding["text"]
    assert f"({OFFICER})" not in outstanding["text"] and f"({OFFICER_2})" in outstanding["text"]
    before = len(bot.sent(SERGEANT))
    await bot.press(SERGEANT, outstanding, buttons(outstanding)["Remind 2"])
    progress = await bot.next_message(SERGEANT, before)
    await bot.fake.wait_for(lambda f: "delivered to" in shown(bot, SERGEANT, progress["message_id"])["text"])
    assert [len(bot.sent(o)) for o in NORTH] == [2, 1, 2]  # ADMIN, OFFICER, OFFICER_2
    assert bot.sent(OFFICER_2)[-1]["text"].startswith("Reminder: please read and acknowledge")


async def test_send_pressed_twice_delivers_one_copy_each(bot: BotUnderTest) -> None:
    preview = await bot.say(SERGEANT, "/brief Two presses, one briefing")
    send = buttons(preview)["Send"]
    updates = [bot.fake.callback_query(SERGEANT, preview, send) for _ in range(2)]
    assert await asyncio.gather(*(bot.post(u) for u in updates)) == [200, 200]
    answers = await bot.fake.wait_for(
        lambda f: len(f.calls("answerCallbackQuery")) == 2 and f.calls("answerCallbackQuery")
    )
    assert [a.get("text") for a in answers].count("That briefing has already been sent or cancelled.") == 1
    await bot.fake.wait_for(lambda f: "delivered to 3" in shown(bot, SERGEANT, preview["message_id"])["text"])
    assert [len(bot.sent(o)) for o in NORTH] == [1, 1, 1]


async def test_composing_gives_clear_answers_to_bad_input(bot: BotUnderTest) -> None:
    assert "within 5 minutes" in (await bot.say(SERGEANT, "/brief"))["text"]
    preview = await bot.say(SERGEANT, "Suspect wearing a red jacket")
    assert preview["text"].endswith("Suspect wearing a red jacket") and "Cancel" in buttons(preview)
    await bot.press(SERGEANT, preview, buttons(preview)["Cancel"])
    cancelled = "Briefing cancelled; nothing was sent."
    await bot.fake.wait_for(lambda f: shown(bot, SERGEANT, preview["message_id"])["text"] == cancelled)
    assert "within 5 minutes" in (await bot.say(SERGEANT, "/brief"))["text"]
    assert (await bot.say(SERGEANT, "/cancel"))["text"] == "No briefing started."
    # A query again:
    assert (await bot.say(SERGEANT, "check plate QX12ABC"))["text"].startswith("Vehicle QX12ABC")
    too_long = await bot.say(SERGEANT, "/brief " + "x" * 5000)
    assert "at most 3,700 characters and this one is 5,000" in too_long["text"]
    assert "own team" in (await bot.say(SERGEANT, "/brief team=south hello"))["text"]
    scheduled = await bot.say(SERGEANT, "/brief at 23:59 Night turn-out")
    assert "23:59:" in scheduled["text"] and "Send" in buttons(scheduled)
    await users.enrol(bot.db, 9300, "sergeant", name="No Team", by="test")
    assert "not in a team" in (await bot.say(9300, "/brief hello"))["text"]
    assert bot.sent(OFFICER) == []


async def test_of_two_texts_sent_together_after_a_bare_brief_one_is_the_briefing(bot: BotUnderTest) -> None:
    # A long briefing pasted into Telegram can arrive as two messages, handled concurrently.
    await bot.say(SERGEANT, "/brief")
    texts = ["Suspect wearing a red jacket", "check plate QX12ABC"]
    await asyncio.gather(*(bot.post(bot.fake.text_message(SERGEANT, t)) for t in texts))
    await bot.fake.wait_for(lambda f: len(bot.sent(SERGEANT)) == 3)
    replies = [m["text"] for m in bot.sent(SERGEANT)[1:]]
    assert sum(r.startswith("Preview of a briefing") for r in replies) == 1
    assert sum(r.startswith("Vehicle QX12ABC") or "Red Focus" in r for r in replies) <= 1
    assert len(replies) == 2 and SORRY not in replies


async def test_a_wait_for_briefing_text_ends_when_the_role_changes(bot: BotUnderTest) -> None:
    assert "within 5 minutes" in (await bot.say(SERGEANT, "/brief"))["text"]
    await users.enrol(bot.db, SERGEANT, "officer", by="test")
    assert (await bot.say(SERGEANT, "check plate QX12ABC"))["text"].startswith("Vehicle QX12ABC")


async def test_a_restart_mid_broadcast_resumes_with_no_officer_missed_or_messaged_twice(
    template_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "beatline.db"
    shutil.copy(template_db, path)
    url = f"sqlite:///{path}"
    db = Database(url, audit_key=AUDIT_KEY)
    crowd = list(range(9400, 9424))
    for officer in crowd:
        await users.enrol(db, officer, "officer", team="north", name=f"Officer {officer}", by="test")
    await db.dispose()
    recipients = [*NORTH, *crowd]
    first_run = contextlib.aclosing(running_bot(url))
    async with first_run as started:
        bot = await anext(started)
        bot.fake.delay("sendMessage", 0.2)  # slow enough that the stop lands mid-broadcast
        preview = await bot.say(SERGEANT, "/brief Restart drill")
        await bot.post(bot.fake.callback_query(SERGEANT, preview, buttons(preview)["Send"]))
        await bot.fake.wait_for(lambda f: sum(f.delivered[r] for r in recipients) >= 5)
        first = bot.fake
    assert sum(first.delivered[r] for r in recipients) < len(recipients)
    async with contextlib.aclosing(running_bot(url)) as restarted:
        bot = await anext(restarted)
        await bot.fake.wait_for(
            lambda f: sum(first.delivered[r] + f.delivered[r] for r in recipients) == len(recipients)
        )
        await asyncio.sleep(0.2)  # a duplicate, if there were one, would arrive now
        second = bot.fake
    assert {r: first.delivered[r] + second.delivered[r] for r in recipients} == dict.fromkeys(recipients, 1)


async def test_a_demoted_sergeants_old_buttons_send_show_and_remind_nothing(bot: BotUnderTest) -> None:
    await briefed(bot)
    listing = await bot.say(SERGEANT, "/briefings")
    before = len(bot.sent(SERGEANT))
    await bot.press(SERGEANT, listing, buttons(listing)["#1: who has not acknowledged?"])
    outstanding = await bot.next_message(SERGEANT, before)
    preview = await bot.say(SERGEANT, "/brief Second briefing, pressed too late")
    assert preview["protect_content"] is True  # the preview shows the text, which can name suspects
    await users.enrol(bot.db, SERGEANT, "officer", by="test")
    copies, before = [len(bot.sent(o)) for o in NORTH], len(bot.sent(SERGEANT))
    for message, label in ((preview, "Send"), (listing, "#1: who has not acknowledged?"),
                           (outstanding, "Remind 3")):  # fmt: skip
        answer = await bot.press(SERGEANT, message, buttons(message)[label])
        assert answer["text"].startswith("That button is for sergeants and admins") and answer["show_alert"]
    await asyncio.sleep(0.3)  # a copy or a list, if one were sent, would arrive now
    assert [len(bot.sent(o)) for o in NORTH] == copies and len(bot.sent(SERGEANT)) == before
    async with bot.db.reads() as session:
        assert await session.scalar(select(Briefing.status).where(Briefing.id == 2)) == "draft"
    refusals = [e for e in await bot.audit(SERGEANT) if e.outcome == "denied"]
    assert [e.query.split()[2][:2] for e in refusals] == ["bs", "bo", "br"]


async def test_a_scheduled_briefing_of_a_demoted_sergeant_is_not_sent_and_they_are_told(
    bot: BotUnderTest,
) -> None:
    preview = await bot.say(SERGEANT, "/brief at 23:59 Night turn-out at the depot")
    await bot.press(SERGEANT, preview, buttons(preview)["Send"])
    await users.enrol(bot.db, SERGEANT, "officer", by="test")
    before = len(bot.sent(SERGEANT))
    async with bot.db.sessions() as session, session.begin():  # the time comes
        await session.execute(update(Briefing).values(send_at=dt.datetime.now(dt.UTC)))
    note = await bot.next_message(SERGEANT, before)
    assert note["text"] == (
        "Briefing #1 to team north was due but has not been sent: "
        "Only sergeants and admins can send briefings."
    )
    assert [bot.sent(o) for o in NORTH] == [[], [], []]
    async with bot.db.reads() as session:
        assert await session.scalar(select(Briefing.status)) == "cancelled"
    [entry] = [e for e in await bot.audit(SERGEANT) if e.outcome == "cancelled"]
    assert entry.query.startswith("briefing 1 not sent: ")


async def test_a_nul_or_an_over_long_team_in_a_briefing_gets_a_sentence_on_each_backend(
    bot_on: BotUnderTest,
) -> None:
    bot = bot_on
    nul = await bot.say(SERGEANT, "/brief Red Focus\x00 on Mill Lane")
    assert nul["text"].startswith("A briefing cannot contain control characters")
    long_team = await bot.say(ADMIN, "/brief team=" + "n" * 61 + " hello")
    assert long_team["text"] == "A team name is at most 60 characters, with no control characters."
    assert (await bot.say(ADMIN, "/brief team=nor\x00th hello"))["text"] == long_team["text"]
    assert SORRY not in {m["text"] for m in bot.sent(SERGEANT) + bot.sent(ADMIN)}


async def sent_to(
    bot: BotUnderTest, recipients: list[int], text: str, *, fault: Callable[[], None] = lambda: None
) -> dict[str, Any]:
    """The progress message of a briefing to `recipients` (team north) once it is over; `fault` is
    armed after the preview, so that it strikes the copies."""
    preview = await bot.say(SERGEANT, f"/brief {text}")
    assert f"({len(recipients)} officers)" in preview["text"]
    fault()
    await bot.press(SERGEANT, preview, buttons(preview)["Send"])
    await bot.fake.wait_for(
        lambda f: "delivered to" in shown(bot, SERGEANT, preview["message_id"])["text"], timeout=30
    )
    return shown(bot, SERGEANT, preview["message_id"])


def copy_entries(entries: list[AuditEntry], officer: int) -> list[str]:
    """The outcomes the audit log holds for one officer's copy, in order."""
    return [e.outcome for e in entries if e.channel == "briefing" and e.chat_id == officer]


@pytest.mark.settings(bot_api_timeout=0.5)
async def test_a_copy_whose_send_stalls_past_the_timeout_and_then_arrives_is_audited(
    bot_on: BotUnderTest,
) -> None:
    bot = bot_on
    # The first copy: the bot gives up on it, Telegram delivers it all the same.
    stall = functools.partial(bot.fake.delay_next, "sendMessage", 1.2)
    progress = await sent_to(bot, list(NORTH), "Stalled copy drill", fault=stall)
    assert progress["text"].startswith("Briefing #1 delivered to 2 of 3 officers.")
    await bot.fake.wait_for(lambda f: all(f.delivered[o] == 1 for o in NORTH))  # the stalled one lands
    entries = await bot.audit(SERGEANT)
    stalled = ["sending", "unconfirmed"]  # logged before it went, and as not confirmed once given up on
    assert sorted(copy_entries(entries, o) for o in NORTH) == [["sending"], ["sending"], stalled]


async def test_a_server_error_on_a_copy_is_retried_within_the_broadcast(bot: BotUnderTest) -> None:
    error = functools.partial(bot.fake.fail_next, "sendMessage", status=500)
    progress = await sent_to(bot, list(NORTH), "Retried after a 500", fault=error)
    assert progress["text"].startswith("Briefing #1 delivered to 3 of 3 officers.")
    assert [bot.fake.delivered[o] for o in NORTH] == [1, 1, 1]
    entries = await bot.audit(SERGEANT)
    assert ["sending", "requeued", "sending"] in [copy_entries(entries, o) for o in NORTH]


@pytest.mark.settings(send_rate=10)
async def test_replies_and_briefings_share_one_send_budget(bot: BotUnderTest) -> None:
    crowd = list(range(9400, 9410))
    for officer in crowd:
        await users.enrol(bot.db, officer, "officer", team="north", name=f"Officer {officer}", by="test")
    preview = await bot.say(SERGEANT, "/brief Budget drill")
    start = len(bot.fake.requests)
    await asyncio.gather(
        bot.post(bot.fake.callback_query(SERGEANT, preview, buttons(preview)["Send"])),
        *(bot.post(bot.fake.text_message(officer, "/whoami")) for officer in crowd),
    )
    await bot.fake.wait_for(lambda f: all(f.delivered[o] == 2 for o in crowd), timeout=20)
    await bot.fake.wait_for(lambda f: "delivered to" in shown(bot, SERGEANT, preview["message_id"])["text"])
    # Every call aimed at a chat counts against Telegram's limit; none may start within a second of the
    # call `rate` places before it, as Telegram counts them (a little slack for the clocks).
    times = sorted(r.time for r in bot.fake.requests[start:] if r.params.get("chat_id") is not None)
    assert len(times) >= 2 * len(crowd) + len(NORTH)
    assert min(later - earlier for earlier, later in zip(times, times[10:], strict=False)) > 0.95
