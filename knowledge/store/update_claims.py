"""Each Telegram update handled once, however many bot processes receive it.

Telegram may deliver an update twice (a webhook retry, a restart mid-poll, two processes behind one
URL). The first process to insert the update id into processed_updates handles it; the others skip.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.store.schema import ProcessedUpdate

__all__ = ["claim_update"]

# Telegram forgets an undelivered update after 24 hours, so older ids can never come back.
_KEEP = dt.timedelta(hours=24)
_PRUNE_EVERY = 1000  # update ids are sequential: pruning on every 1000th spreads the cost


async def claim_update(session: AsyncSession, bot_id: int, update_id: int) -> bool:
    """True if this process is the first to see this bot's update_id; it counts once the caller commits."""
    now = dt.datetime.now(dt.UTC)
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    stmt = (
        dialect.insert(ProcessedUpdate)
        .values(bot_id=bot_id, update_id=update_id, at=now)
        .on_conflict_do_nothing()
        .returning(ProcessedUpdate.update_id)  # rowcount is not reliable on every async driver
    )
    claimed = (await session.execute(stmt)).first() is not None
    if claimed and update_id % _PRUNE_EVERY == 0:
        await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.at < now - _KEEP))
    return claimed
