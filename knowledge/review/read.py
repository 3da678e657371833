"""Statistics and the review read from a Database, for the callers that hold no session of their own."""

from __future__ import annotations

import datetime as dt

from knowledge.review.review import Review, review
from knowledge.review.statistics import Statistics, statistics
from knowledge.store.database import Database

__all__ = ["read_review", "read_statistics"]


async def read_statistics(db: Database, days: int, now: dt.datetime | None = None) -> Statistics:
    async with db.reads() as session, session.begin():
        return await statistics(session, days, now or dt.datetime.now(dt.UTC))


async def read_review(
    db: Database,
    since: dt.datetime | None = None,
    now: dt.datetime | None = None,
    *,
    unlock_hours: float = 12.0,
    step_up: bool = True,
) -> Review:
    """The review from `since` (default: a week before `now`) to `now` (default: now)."""
    now = now or dt.datetime.now(dt.UTC)
    async with db.reads() as session, session.begin():
        return await review(
            session, since or now - dt.timedelta(days=7), now, unlock_hours=unlock_hours, step_up=step_up
        )
