"""The real bot, and `beatline run`, through a database that stops answering and a Bot API that stalls.

PostgreSQL sits behind a TCP proxy that can hang (accept, then forward nothing): the officer must get
the polite apology within a bound set by BEATLINE_DB_TIMEOUT, the bot must answer the next question once
the database answers again, without a restart, and SIGTERM must end the process within a bound while
the database hangs.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import ClientSession

from bot import run
from bot.app import build_application
from bot.run import StoppedLate, serve
from handlers.errors import DATABASE_DOWN
from knowledge.access import users
from knowledge.importing.importer import import_rows
from knowledge.store.database import Database
from tests.e2e.test_bot_processes import start_bot
from tests.support.bot import OFFICER, SECRET, BotUnderTest, free_port, running_bot, settings_for
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.keys import AUDIT_KEY
from tests.support.known_records import KNOWN
from tests.support.tcp_proxy import TcpProxy

TIMEOUT = 1.0  # BEATLINE_DB_TIMEOUT
# A question may wait a timeout for a free connection, and then one more (half a second more for a
# pooled connection's ping) for the connection it got; the rest is for a machine busy with other
# tests. Without the bounds: for ever.
WITHIN = 2 * TIMEOUT + 0.5 + 3
PLATE = "check plate QX12ABC"


@pytest.fixture
async def proxied_bot(db_url: str) -> AsyncIterator[tuple[TcpProxy, BotUnderTest]]:
    """The bot on PostgreSQL behind the proxy, with the known records only (quicker than the demo's)."""
    import_rows(db_url, KNOWN)
    async with TcpProxy.in_front_of(db_url) as proxy:
        async for bot in running_bot(proxy.url_for(db_url), db_timeout=TIMEOUT):
            try:
                yield proxy, bot
            finally:
                await proxy.passing()  # so that the bot can stop as it normally does


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_a_hung_database_gets_every_question_an_apology_in_time_then_answers_again(
    proxied_bot: tuple[TcpProxy, BotUnderTest],
) -> None:
    proxy, bot = proxied_bot
    assert "QX12ABC" in (await bot.say(OFFICER, PLATE))["text"]  # connections are pooled when it hangs
    proxy.hang()
    started = time.monotonic()
    for _ in range(25):  # more at once than the pool's 20 connections
        assert await bot.post(bot.fake.text_message(OFFICER, PLATE)) == 200
    replies = await bot.fake.wait_for(lambda f: len(bot.sent(OFFICER)) == 26 and bot.sent(OFFICER), WITHIN)
    assert time.monotonic() - started < WITHIN
    assert {reply["text"] for reply in replies[1:]} == {DATABASE_DOWN}
    assert await readiness(bot) == 503  # a load balancer is told, in time, to send the work elsewhere
    await proxy.passing()
    assert "QX12ABC" in (await bot.say(OFFICER, PLATE))["text"]
    assert await readiness(bot) == 200


async def readiness(bot: BotUnderTest) -> int:
    """The status of /readyz, which must come within the bound."""
    url = bot.settings.webhook_url.rsplit("/", 1)[0] + "/readyz"
    async with asyncio.timeout(WITHIN), ClientSession() as http, http.get(url) as response:
        return response.status


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_sigterm_ends_beatline_run_within_a_bound_while_the_database_hangs(
    db_url: str, tmp_path: Path
) -> None:
    import_rows(db_url, KNOWN)
    db = Database(db_url, audit_key=AUDIT_KEY)
    await users.enrol(db, OFFICER, "officer", by="test")
    await db.dispose()
    log = tmp_path / "bot.log"
    async with FakeBotAPI() as fake, TcpProxy.in_front_of(db_url) as proxy:
        port = free_port()
        webhook = f"http://127.0.0.1:{port}/telegram"
        bot = await start_bot(fake, proxy.url_for(db_url), port, log, BEATLINE_DB_TIMEOUT=str(TIMEOUT))
        try:
            await fake.wait_for(lambda f: f.calls("setWebhook"), timeout=30)
            await fake.post_to_webhook(fake.text_message(OFFICER, PLATE), url=webhook, secret=SECRET)
            await fake.wait_for(lambda f: f.messages_to(OFFICER), timeout=10)
            proxy.hang()
            for _ in range(5):
                await fake.post_to_webhook(fake.text_message(OFFICER, PLATE), url=webhook, secret=SECRET)
            await asyncio.sleep(0.3)  # the questions are now waiting on the database
            started = time.monotonic()
            bot.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(bot.wait(), 30)
            stopped_in = time.monotonic() - started
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
        replies = [message["text"] for message in fake.messages_to(OFFICER)]
    assert stopped_in < run.STOP_WITHIN, log.read_text()
    assert code == 0, log.read_text()  # it finished what it had accepted: with apologies
    assert replies[1:] == [DATABASE_DOWN] * 5


async def test_a_stop_that_overruns_abandons_what_is_in_flight(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A Bot API that never answers holds a reply past any database bound: the stop still ends.
    monkeypatch.setattr(run, "STOP_WITHIN", 1.0)
    db = Database(sqlite_url, audit_key=AUDIT_KEY)
    await users.enrol(db, OFFICER, "officer", by="test")
    await db.dispose()
    async with FakeBotAPI() as fake:
        port = free_port()
        settings = settings_for(fake, sqlite_url, port, bot_api_timeout=60)
        stop = asyncio.Event()
        application = build_application(settings, webhook=True)
        served = asyncio.create_task(
            serve(application, settings, webhook=True, port=port, host="127.0.0.1", stop=stop)
        )
        await fake.wait_for(lambda f: f.webhook["url"], timeout=10)
        fake.delay("sendMessage", 120)
        assert await fake.post_to_webhook(fake.text_message(OFFICER, "/whoami")) == 200
        await fake.wait_for(lambda f: f.calls("sendMessage"))  # the reply is stalled in flight
        started = time.monotonic()
        stop.set()
        with pytest.raises(StoppedLate):
            await asyncio.wait_for(served, 30)
        assert time.monotonic() - started < 1.0 + 3
