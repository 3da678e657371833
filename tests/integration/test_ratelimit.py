"""The per-user limit, shared by every process: in the database, and in Redis when configured."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import func, select

from knowledge.access.ratelimit import (
    STRANGER_REFUSALS,
    DatabaseRateLimiter,
    Decision,
    RateLimiter,
    RedisRateLimiter,
)
from knowledge.store.database import Database, upgrade_schema
from knowledge.store.schema import RateEvent
from tests.support.postgres import fresh_postgres

REDIS_URL = os.environ.get("BEATLINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"


async def _redis_limiters(limit: int, window: int) -> tuple[RedisRateLimiter, RedisRateLimiter]:
    from redis.asyncio import Redis

    prefix = f"beatline:test:{uuid.uuid4().hex}:"
    clients = [Redis.from_url(REDIS_URL) for _ in range(2)]
    try:
        await clients[0].ping()
    except Exception as exc:
        for client in clients:
            await client.aclose()
        reason = f"Redis not reachable at {REDIS_URL}: {exc}"
        pytest.fail(reason) if IN_CI else pytest.skip(reason)
    a, b = (RedisRateLimiter(c, limit=limit, window_seconds=window, prefix=prefix) for c in clients)
    return a, b


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
async def two_processes(request: pytest.FixtureRequest) -> AsyncIterator[tuple[RateLimiter, RateLimiter]]:
    """Two limiters as two bot processes would hold them, sharing one store; limit 3 per minute."""
    if request.param == "redis":
        a, b = await _redis_limiters(3, 60)
        yield a, b
        await a.close()
        await b.close()
        return
    if request.param == "sqlite":
        urls: Iterator[str] = iter([request.getfixturevalue("sqlite_url")])
    else:
        urls = fresh_postgres(request.getfixturevalue("postgres_admin_url"))
    for url in urls:
        if request.param == "postgresql":
            upgrade_schema(url)
        dbs = [Database(url), Database(url)]
        yield (
            DatabaseRateLimiter(dbs[0], limit=3, window_seconds=60),
            DatabaseRateLimiter(dbs[1], limit=3, window_seconds=60),
        )
        for db in dbs:
            await db.dispose()


async def test_the_limit_is_shared_across_processes_and_the_first_refusal_flagged(two_processes) -> None:
    a, b = two_processes
    decisions = [await a.hit(1), await b.hit(1), await a.hit(1), await b.hit(1), await a.hit(1)]
    assert decisions == [Decision(True, False)] * 3 + [Decision(False, True), Decision(False, False)]


async def test_each_user_has_their_own_count(two_processes) -> None:
    a, b = two_processes
    for _ in range(3):
        await a.hit(1)
    assert (await b.hit(2)).allowed
    assert not (await b.hit(1)).allowed


async def test_concurrent_attempts_never_let_more_than_the_limit_through(two_processes) -> None:
    a, b = two_processes
    decisions = await asyncio.gather(*(limiter.hit(7) for limiter in (a, b) * 5))
    assert sum(d.allowed for d in decisions) <= 3


async def test_attempts_older_than_the_window_no_longer_count_and_are_pruned(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    limiter = DatabaseRateLimiter(db, limit=1, window_seconds=60)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=61)
    try:
        async with db.sessions() as session, session.begin():
            session.add_all([RateEvent(telegram_id=5, at=long_ago) for _ in range(3)])
        assert (await limiter.hit(5)).allowed
        async with db.sessions() as session:
            assert await session.scalar(select(func.count(RateEvent.id))) == 1
    finally:
        await db.dispose()


async def test_refusals_to_a_stranger_are_counted_apart_from_queries_and_shared(two_processes) -> None:
    a, b = two_processes
    await a.hit(1)  # a query before they were revoked does not shorten their refusals
    refusals = [await limiter.hit_stranger(1) for limiter in (a, b, a, b, a)]
    allowed = [Decision(True, False)] * STRANGER_REFUSALS
    assert refusals == [*allowed, Decision(False, True), Decision(False, False)]
    assert (await b.hit(1)).allowed  # nor do refusals count against their queries once enrolled
