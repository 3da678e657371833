"""`beatline run --webhook` as OS processes: two sharing one PostgreSQL answer each update once, and a
broadcast outlives a process killed part-way."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from knowledge.access import users
from knowledge.store.database import Database
from knowledge.store.schema import AuditEntry, BriefingDelivery
from tests.support.bot import OFFICER, SECRET, SERGEANT, free_port
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.keys import AUDIT_ENV, AUDIT_KEY
from tests.support.known_records import fill


async def start_bot(
    fake: FakeBotAPI, db_url: str, port: int, log: Path, **settings: str
) -> asyncio.subprocess.Process:
    """`beatline run --webhook` on port; settings are further environment variables."""
    env = {
        **os.environ,
        **AUDIT_ENV,
        "BEATLINE_STEP_UP": "off",  # these test processes, not the shift unlock
        "BEATLINE_DATABASE_URL": db_url,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "BEATLINE_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "BEATLINE_WEBHOOK_SECRET": SECRET,
        **settings,
    }
    env.pop("BEATLINE_REDIS_URL", None)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--webhook", "--port", str(port),
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=log.open("wb"),
    )  # fmt: skip


@contextlib.asynccontextmanager
async def two_bots(fake: FakeBotAPI, db_url: str, tmp_path: Path) -> AsyncIterator[list[str]]:
    """Two `beatline run --webhook` processes on one database; yields their webhook URLs."""
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"bot{n}.log" for n in (1, 2)]
    bots = [await start_bot(fake, db_url, port, log) for port, log in zip(ports, logs, strict=True)]
    try:
        await fake.wait_for(lambda f: len(f.calls("setWebhook")) == 2, timeout=30)
        yield [f"http://127.0.0.1:{port}/telegram" for port in ports]
    finally:
        for process in bots:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)  # finishes what it accepted, then exits
        codes = [await asyncio.wait_for(process.wait(), 30) for process in bots]
    assert codes == [0, 0], "\n".join(log.read_text() for log in logs)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_two_processes_answer_a_twice_delivered_update_once(db_url: str, tmp_path: Path) -> None:
    fill(db_url)
    db = Database(db_url, audit_key=AUDIT_KEY)
    await users.enrol(db, OFFICER, "officer", by="test")
    await db.dispose()
    async with FakeBotAPI() as fake:
        async with two_bots(fake, db_url, tmp_path) as urls:
            update = fake.text_message(OFFICER, "training: check plate QX12ABC")
            posts = (fake.post_to_webhook(update, url=url, secret=SECRET) for url in urls)
            statuses = await asyncio.gather(*posts)
            assert statuses == [200, 200]
            await fake.wait_for(lambda f: f.messages_to(OFFICER), timeout=10)
        [answer] = fake.messages_to(OFFICER)
    assert "QX12ABC" in answer["text"]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_briefings_text_may_reach_the_other_process(db_url: str, tmp_path: Path) -> None:
    # A bare /brief to one process, the text to the other: it is the briefing, not a records query.
    fill(db_url)
    db = Database(db_url, audit_key=AUDIT_KEY)
    await users.enrol(db, SERGEANT, "sergeant", team="east", by="test")
    await users.enrol(db, OFFICER, "officer", team="east", by="test")
    await db.dispose()
    async with FakeBotAPI() as fake:
        async with two_bots(fake, db_url, tmp_path) as (first, second):
            await fake.post_to_webhook(fake.text_message(SERGEANT, "/brief"), url=first, secret=SECRET)
            await fake.wait_for(lambda f: f.messages_to(SERGEANT), timeout=10)
            text = "check plate QX12ABC and stop it if seen"
            await fake.post_to_webhook(fake.text_message(SERGEANT, text), url=second, secret=SECRET)
            await fake.wait_for(lambda f: len(f.messages_to(SERGEANT)) == 2, timeout=10)
        asked, preview = fake.messages_to(SERGEANT)
    assert asked["text"].startswith("What should the briefing say?")
    assert preview["text"].startswith("Preview of a briefing to team east (1 officer)")
    assert text in preview["text"]


async def test_a_broadcast_killed_mid_way_resumes_within_seconds_and_every_copy_held_is_audited(
    sqlite_url: str, tmp_path: Path
) -> None:
    db = Database(sqlite_url, audit_key=AUDIT_KEY)
    await users.enrol(db, SERGEANT, "sergeant", team="north", by="test")
    crowd = list(range(9400, 9430))
    for officer in crowd:
        await users.enrol(db, officer, "officer", team="north", by="test")
    async with FakeBotAPI() as fake:
        fake.delay("sendMessage", 0.1)  # slow enough that the kill lands mid-broadcast
        first = await start_bot(fake, sqlite_url, port := free_port(), tmp_path / "killed.log")
        url = f"http://127.0.0.1:{port}/telegram"
        await fake.wait_for(lambda f: f.calls("setWebhook"), timeout=30)
        await fake.post_to_webhook(fake.text_message(SERGEANT, "/brief Kill drill"), url=url, secret=SECRET)
        [preview] = await fake.wait_for(lambda f: f.bot_messages(SERGEANT), timeout=10)
        send = preview["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        await fake.post_to_webhook(fake.callback_query(SERGEANT, preview, send), url=url, secret=SECRET)
        await fake.wait_for(lambda f: sum(f.delivered[o] for o in crowd) >= 8, timeout=10)
        first.kill()  # SIGKILL: no clean stop, no lease handed back
        killed_at = asyncio.get_running_loop().time()
        await first.wait()
        second = await start_bot(fake, sqlite_url, free_port(), tmp_path / "resumed.log")
        try:
            done = await fake.wait_for(
                lambda f: "delivered to" in f.bot_messages(SERGEANT)[0]["text"] and f.bot_messages(SERGEANT),
                timeout=30,
            )
        finally:
            second.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(second.wait(), 30) == 0
        resumed_at = min(
            r.time for r in fake.requests if r.method == "sendMessage" and r.time > killed_at
            and r.params["chat_id"] in crowd
        )  # fmt: skip
        held = {o for o in crowd if fake.delivered[o]}
    assert resumed_at - killed_at < 12  # the lease lapses in seconds; start-up takes the rest
    assert all(fake.delivered[o] == 1 for o in held)  # at most once
    async with db.reads() as session:
        audited = set(
            await session.scalars(select(AuditEntry.chat_id).where(AuditEntry.channel == "briefing"))
        )
        rows = await session.execute(select(BriefingDelivery.telegram_id, BriefingDelivery.status))
        sent = {tid for tid, status in rows if status == "sent"}
    await db.dispose()
    assert held <= audited  # every copy an officer holds is in the log, even those the kill cut off
    assert sent <= held and f"delivered to {len(sent)} of {len(crowd)}" in done[0]["text"]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_follow_up_may_reach_the_other_process(db_url: str, tmp_path: Path) -> None:
    # The question to one process, "the first one" to the other, "his car" to the first again: the
    # conversation, and the reason given with the question, are in the database, so each understands.
    fill(db_url)
    db = Database(db_url, audit_key=AUDIT_KEY)
    await users.enrol(db, OFFICER, "officer", by="test")
    await db.dispose()
    async with FakeBotAPI() as fake:
        async with two_bots(fake, db_url, tmp_path) as (first, second):
            for n, (text, url) in enumerate(
                [("training: jonathan quixtable", first), ("the first one", second), ("his car", first)],
                start=1,
            ):
                await fake.post_to_webhook(fake.text_message(OFFICER, text), url=url, secret=SECRET)
                await fake.wait_for(lambda f, n=n: len(f.messages_to(OFFICER)) == n, timeout=10)
        shortlist, person, car = fake.messages_to(OFFICER)
    assert shortlist["text"].splitlines()[2].startswith("1. ⚠ QUIXTABLE, Jonathan — born 03/04/1985")
    assert "(PT01)" in person["text"] and "Keeper of: QX12ABC" in person["text"]
    assert car["text"].startswith("Vehicle QX12ABC: Red Ford Focus")
