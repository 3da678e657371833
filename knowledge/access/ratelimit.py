"""The per-user query limit, counted where every bot process sees the same numbers.

A sliding window of attempts per Telegram user: in Redis when BEATLINE_REDIS_URL is set, otherwise in
the database's rate_events table. Refused attempts count too, so someone hammering the bot stays
held back while they hammer, and an officer who pauses gets going again as old attempts age out.
Bulk look-ups are how misuse shows, so the first refusal in a run is flagged for the admins.

Strangers are counted too, apart from queries: each refusal a stranger would be sent is an attempt,
and past STRANGER_REFUSALS in a window they are sent nothing more, so that a flood can neither make
the bot send a reply per message nor write an audit entry per message.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import delete, func, insert, select

from knowledge.store.database import Database
from knowledge.store.schema import RateEvent

__all__ = [
    "STRANGER_REFUSALS",
    "DatabaseRateLimiter",
    "Decision",
    "RateLimiter",
    "RedisRateLimiter",
    "open_rate_limiter",
]

STRANGER_REFUSALS = 3  # per window: enough for a newcomer to read their id, too few to flood with


@dataclass(frozen=True)
class Decision:
    allowed: bool
    first_refusal: bool  # the attempt that just crossed the limit: worth one alert to the admins


def _decide(attempts: int, limit: int) -> Decision:
    return Decision(allowed=attempts <= limit, first_refusal=attempts == limit + 1)


class RateLimiter(Protocol):
    limit: int
    window_seconds: int

    async def hit(self, telegram_id: int) -> Decision:
        """Count an enrolled user's query."""

    async def hit_stranger(self, telegram_id: int) -> Decision:
        """Count a refusal that a stranger (or a chat with nobody enrolled) would be sent."""

    async def close(self) -> None: ...


class DatabaseRateLimiter:
    """Counts attempts in rate_events; one short transaction per attempt."""

    def __init__(self, db: Database, *, limit: int, window_seconds: int) -> None:
        self.db, self.limit, self.window_seconds = db, limit, window_seconds

    async def hit(self, telegram_id: int) -> Decision:
        return _decide(await self._count(telegram_id, "query"), self.limit)

    async def hit_stranger(self, telegram_id: int) -> Decision:
        return _decide(await self._count(telegram_id, "stranger"), STRANGER_REFUSALS)

    async def _count(self, telegram_id: int, scope: str) -> int:
        """Record one attempt in `scope`; the attempts in the window, this one included."""
        now = dt.datetime.now(dt.UTC)
        since = now - dt.timedelta(seconds=self.window_seconds)
        mine = (RateEvent.telegram_id == telegram_id, RateEvent.scope == scope)
        async with self.db.sessions() as session, session.begin():
            if not self.db.is_sqlite:
                # One user's attempts take turns, or concurrent ones would each miss the others' rows.
                # (SQLite needs no lock: its single writer already makes them take turns.)
                await session.execute(select(func.pg_advisory_xact_lock(telegram_id)))
            # Pruning this user's old attempts keeps the table the size of one window of traffic.
            await session.execute(delete(RateEvent).where(*mine, RateEvent.at < since))
            await session.execute(insert(RateEvent).values(telegram_id=telegram_id, scope=scope, at=now))
            counted = select(func.count(RateEvent.id)).where(*mine, RateEvent.at >= since)
            attempts = await session.scalar(counted)
        return int(attempts or 0)

    async def close(self) -> None:
        """Nothing to close: the database belongs to the services that made this limiter."""


class RedisRateLimiter:
    """Counts attempts in one sorted set per user, trimmed and counted in one MULTI transaction."""

    def __init__(
        self, client: Any, *, limit: int, window_seconds: int, prefix: str = "beatline:rate:"
    ) -> None:
        self.client, self.limit, self.window_seconds, self.prefix = client, limit, window_seconds, prefix

    async def hit(self, telegram_id: int) -> Decision:
        return _decide(await self._count(f"{self.prefix}{telegram_id}"), self.limit)

    async def hit_stranger(self, telegram_id: int) -> Decision:
        return _decide(await self._count(f"{self.prefix}stranger:{telegram_id}"), STRANGER_REFUSALS)

    async def _count(self, key: str) -> int:
        """Record one attempt under `key`; the attempts in the window, this one included."""
        now = time.time()
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(key, "-inf", now - self.window_seconds)
            pipe.zadd(key, {uuid.uuid4().hex: now})  # unique members: two attempts in one instant both count
            pipe.zcard(key)
            pipe.expire(key, self.window_seconds + 1)
            _, _, attempts, _ = await pipe.execute()
        return int(attempts)

    async def close(self) -> None:
        await self.client.aclose()


def open_rate_limiter(db: Database, redis_url: str | None, *, limit: int, window_seconds: int) -> RateLimiter:
    """Redis when configured (shared by every process on it), else the shared database."""
    if redis_url:
        from redis.asyncio import Redis

        client = Redis.from_url(redis_url)
        return RedisRateLimiter(client, limit=limit, window_seconds=window_seconds)
    return DatabaseRateLimiter(db, limit=limit, window_seconds=window_seconds)
