"""A database that refuses, drops or stops answering costs a question an apology, never the bot.

PostgreSQL is reached through a TCP proxy that can refuse, reset and hang connections; on both
backends a stuck writer can hold the lock every audit entry needs. Each fault must end in the polite
apology within a bound set by the timeout, leave no connection checked out, and the next question
after the fault must be answered as usual, with the same Database object (no restart).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest
from sqlalchemy.engine import make_url

from knowledge.answers.disclosure import DATABASE_DOWN, Answer
from knowledge.answers.dispatch import answer
from knowledge.importing.importer import import_rows
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from tests.support.keys import AUDIT_KEY
from tests.support.tcp_proxy import TcpProxy

TIMEOUT = 1.0  # BEATLINE_DB_TIMEOUT for these tests
SLACK = 2.0  # for a machine busy with other tests; without the bounds a question waits for ever
# A question may wait a timeout for a free connection, and then one more (half a second more for a
# pooled connection's ping) for the connection it got.
WITHIN = 2 * TIMEOUT + 0.5 + SLACK
OFFICER = Caller(actor="tg:2001", role="officer", telegram_user_id=2001, chat_id=2001)
PLATE = "check plate QX12ABC"
VEHICLE = {
    "persons.csv": [{"id": "PF01", "forenames": "Ada", "surname": "Faultline", "date_of_birth": "1980-01-01",
                     "sex": "F", "aliases": "", "markers": "", "address_id": ""}],
    "vehicles.csv": [{"vrm": "QX12ABC", "make": "Ford", "model": "Focus", "colour": "Red",
                      "keeper_id": "PF01", "markers": ""}],
}  # fmt: skip


async def ask(db: Database, text: str = PLATE) -> tuple[Answer, float]:
    started = time.monotonic()
    async with asyncio.timeout(30):  # a hang in the code under test fails here rather than never
        result = await answer(db, OFFICER, text, reason="INV")
    return result, time.monotonic() - started


@pytest.fixture
async def proxied(db_url: str) -> AsyncIterator[tuple[TcpProxy, Database]]:
    """PostgreSQL behind the proxy, with a vehicle to ask about, and a Database on the proxy's port."""
    import_rows(db_url, VEHICLE)
    async with TcpProxy.in_front_of(db_url) as proxy:
        db = Database(proxy.url_for(db_url), timeout=TIMEOUT, audit_key=AUDIT_KEY)
        try:
            yield proxy, db
        finally:
            await proxy.passing()
            await db.dispose()


async def fault(proxy: TcpProxy, kind: str) -> None:
    if kind == "refused":
        await proxy.refuse()
    elif kind == "reset":
        proxy.reset()
    else:
        proxy.hang()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_each_database_fault_costs_each_question_an_apology_and_not_the_pool(
    proxied: tuple[TcpProxy, Database],
) -> None:
    proxy, db = proxied
    for kind in ("refused", "reset", "hung"):  # one after another, with the same Database: no restart
        assert (await ask(db))[0].outcome == "answered"  # a pooled connection exists when the fault starts
        await fault(proxy, kind)
        # More questions at once than the pool has connections (10 + 10 overflow).
        during = await asyncio.gather(*(ask(db) for _ in range(25)))
        assert {(result.outcome, result.reply) for result, _ in during} == {("error", DATABASE_DOWN)}, kind
        assert max(seconds for _, seconds in during) < WITHIN, kind
        assert db.engine.pool.checkedout() == 0, kind  # nothing stuck holds a connection
        await proxy.passing()
    after, _ = await ask(db)
    assert after.outcome == "answered" and "QX12ABC" in after.reply


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_an_unanswered_ping_costs_one_timeout_not_two(db_url: str) -> None:
    # The pool pings the connection it holds; when the ping goes unanswered, opening a new connection
    # to the same silent server would cost another timeout before the officer hears anything.
    import_rows(db_url, VEHICLE)
    timeout = 3.0  # long enough to tell one timeout from two on a busy machine
    async with TcpProxy.in_front_of(db_url) as proxy:
        db = Database(proxy.url_for(db_url), timeout=timeout, audit_key=AUDIT_KEY)
        try:
            assert (await ask(db))[0].outcome == "answered"
            proxy.hang()
            during, seconds = await ask(db)
            assert during.outcome == "error" and seconds < timeout + 0.5 + SLACK
        finally:
            await proxy.passing()
            await db.dispose()


@contextlib.contextmanager
def writer_lock_held(url: str) -> Iterator[None]:
    """Another client holds the lock every audit entry takes first, and sits on it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        holder = sqlite3.connect(parsed.database or "", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # SQLite's one write lock
        try:
            yield
        finally:
            holder.rollback()
            holder.close()
        return
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as holder:
        holder.execute("SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE")  # the chain's head row
        yield
        holder.rollback()


async def test_a_stuck_writer_holding_the_audit_lock_costs_an_apology_within_the_timeout(db_url: str) -> None:
    import_rows(db_url, VEHICLE)
    db = Database(db_url, timeout=TIMEOUT, audit_key=AUDIT_KEY)
    try:
        with writer_lock_held(db_url):
            during, seconds = await ask(db)
        assert (during.outcome, during.reply) == ("error", DATABASE_DOWN)
        assert seconds < TIMEOUT + SLACK  # the lock wait alone is bounded
        after, _ = await ask(db)
        assert after.outcome == "answered" and "QX12ABC" in after.reply
    finally:
        await db.dispose()
