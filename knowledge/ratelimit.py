"""The per-user query limit, counted where every bot process sees the same numbers.

A sliding window of attempts per Telegram user: in Redis when BEATLINE_REDIS_URL is set, otherwise in
the database's rate_events table. Refused attempts count too, so someone hammering the bot stays
held back while they hammer, and an officer who pauses gets going again as old attempts age out.
Bulk look-ups are how misuse shows, so the first refusal in a run is flagged for the admins.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import delete, func, insert, select

from knowledge.db import Database
from knowledge.models import RateEvent

__all__ = ["DatabaseRateLimiter", "Decision", "RateLimiter", "RedisRateLimiter", "open_rate_limiter"]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    first_refusal: bool  # the attempt that just crossed the limit: worth one alert to the admins


def _decide(attempts: int, limit: int) -> Decision:
    return Decision(allowed=attempts <= limit, first_refusal=attempts == limit + 1)


class RateLimiter(Protocol):
    limit: int
    window_seconds: int

    async def hit(self, telegram_id: int) -> Decision: ...

    async def close(self) -> None: ...


class DatabaseRateLimiter:
    """Counts attempts in rate_events; one short transaction per attempt."""

    def __init__(self, db: Database, *, limit: int, window_seconds: int) -> None:
        self.db, self.limit, self.window_seconds = db, limit, window_seconds

    async def hit(self, telegram_id: int) -> Decision:
        now = dt.datetime.now(dt.UTC)
        since = now - dt.timedelta(seconds=self.window_seconds)
        async with self.db.sessions() as session, session.begin():
            if not self.db.is_sqlite:
                # One user's attempts take turns, or concurrent ones would each miss the others' rows.
                # (SQLite needs no lock: its single writer already makes them take turns.)
                await session.execute(select(func.pg_advisory_xact_lock(telegram_id)))
            # Pruning this user's old attempts keeps the table the size of one window of traffic.
            await session.execute(
                delete(RateEvent).where(RateEvent.telegram_id == telegram_id, RateEvent.at < since)
            )
            await session.execute(insert(RateEvent).values(telegram_id=telegram_id, at=now))
            attempts = await session.scalar(
                select(func.count(RateEvent.id)).where(
                    RateEvent.telegram_id == telegram_id, RateEvent.at >= since
                )
            )
        return _decide(int(attempts or 0), self.limit)

    async def close(self) -> None:
        """Nothing to close: the database belongs to the services that made this limiter."""


class RedisRateLimiter:
    """Counts attempts in one sorted set per user, trimmed and counted in one MULTI transaction."""

    def __init__(
        self, client: Any, *, limit: int, window_seconds: int, prefix: str = "beatline:rate:"
    ) -> None:
        self.client, self.limit, self.window_seconds, self.prefix = client, limit, window_seconds, prefix

    async def hit(self, telegram_id: int) -> Decision:
        key = f"{self.prefix}{telegram_id}"
        now = time.time()
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(key, "-inf", now - self.window_seconds)
            pipe.zadd(key, {uuid.uuid4().hex: now})  # unique members: two attempts in one instant both count
            pipe.zcard(key)
            pipe.expire(key, self.window_seconds + 1)
            _, _, attempts, _ = await pipe.execute()
        return _decide(int(attempts), self.limit)

    async def close(self) -> None:
        await self.client.aclose()


def open_rate_limiter(db: Database, redis_url: str | None, *, limit: int, window_seconds: int) -> RateLimiter:
    """Redis when configured (shared by every process on it), else the shared database."""
    if redis_url:
        from redis.asyncio import Redis

        client = Redis.from_url(redis_url)
        return RedisRateLimiter(client, limit=limit, window_seconds=window_seconds)
    return DatabaseRateLimiter(db, limit=limit, window_seconds=window_seconds)
