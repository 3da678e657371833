"""Who deletes which message: claimed when due (or when its worker's lease lapsed), then settled.

A claim is one UPDATE that re-states the condition it expects, so exactly one worker wins each message
on SQLite (one writer at a time) and on PostgreSQL (the rows are picked FOR UPDATE SKIP LOCKED, and a
row another worker changed meanwhile no longer matches). A failed deletion is tried again later, each
wait twice the last, until Telegram's 48 hours are up; then it is logged and given up.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from knowledge.store.database import Database, utc
from knowledge.store.schema import ChatMessage
from knowledge.vanishing.ledger import DELETABLE_FOR, MessageStatus, now
from knowledge.vanishing.port import Deletion

__all__ = ["Claimed", "backoff", "claim_chat", "claim_due", "due_now", "prune", "settle"]

log = logging.getLogger(__name__)

_FIRST_WAIT, _LONGEST_WAIT = 15.0, 3600.0  # seconds between attempts: 15 s, 30 s, 1 min... at most an hour
_KEEP_ROWS = DELETABLE_FOR + dt.timedelta(hours=1)  # past this, Telegram would refuse anyway


@dataclass(frozen=True)
class Claimed:
    """One message a worker holds, to delete now."""

    id: int
    chat_id: int
    message_id: int
    sent_at: dt.datetime
    attempts: int


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failure in a row."""
    return dt.timedelta(seconds=min(_FIRST_WAIT * 2 ** min(attempts, 20), _LONGEST_WAIT))


async def _claim(
    db: Database, which: ColumnElement[bool], worker: str, lease: dt.timedelta, at: dt.datetime, limit: int
) -> list[Claimed]:
    async with db.reads() as session:  # a read first: most polls find nothing, and need no write lock
        if await session.scalar(select(ChatMessage.id).where(which).limit(1)) is None:
            return []
    # On PostgreSQL another worker's rows are passed over, not waited for; SQLite has one writer anyway.
    picked = (
        select(ChatMessage.id)
        .where(which)
        .order_by(ChatMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    async with db.sessions() as session, session.begin():
        rows = await session.execute(
            update(ChatMessage)
            .where(ChatMessage.id.in_(picked), which)  # `which` again: true now, not just when picked
            .values(status=MessageStatus.DELETING, claimed_by=worker, claimed_until=at + lease)
            .returning(
                ChatMessage.id,
                ChatMessage.chat_id,
                ChatMessage.message_id,
                ChatMessage.sent_at,
                ChatMessage.attempts,
            )
        )
        return [Claimed(r.id, r.chat_id, r.message_id, utc(r.sent_at), r.attempts) for r in rows]


async def claim_due(
    db: Database, worker: str, lease: dt.timedelta, *, at: dt.datetime | None = None, limit: int = 100
) -> list[Claimed]:
    """Take up to `limit` messages whose time is up, or whose worker (another one) stopped holding them."""
    at = at or now()
    due = and_(ChatMessage.status == MessageStatus.SCHEDULED, ChatMessage.delete_at <= at)
    lapsed = and_(
        ChatMessage.status == MessageStatus.DELETING,
        ChatMessage.claimed_until < at,
        ChatMessage.claimed_by != worker,
    )
    return await _claim(db, or_(due, lapsed), worker, lease, at, limit)


def _deletable(chat_id: int, at: dt.datetime) -> ColumnElement[bool]:
    return and_(
        ChatMessage.chat_id == chat_id,
        ChatMessage.status.in_([MessageStatus.KEPT, MessageStatus.SCHEDULED]),
        ChatMessage.sent_at > at - DELETABLE_FOR,
    )


async def claim_chat(
    db: Database, chat_id: int, worker: str, lease: dt.timedelta, *, at: dt.datetime | None = None
) -> list[Claimed]:
    """Take every message of this chat that Telegram still lets the bot delete, due or not (a wipe)."""
    at = at or now()
    return await _claim(db, _deletable(chat_id, at), worker, lease, at, limit=10_000)


async def due_now(db: Database, chat_id: int, *, at: dt.datetime | None = None) -> int:
    """Make every still deletable message of this chat due now, for a running bot to delete; how many."""
    at = at or now()
    async with db.sessions() as session, session.begin():
        rows = await session.execute(
            update(ChatMessage)
            .where(_deletable(chat_id, at))
            .values(status=MessageStatus.SCHEDULED, delete_at=at)
            .returning(ChatMessage.id)  # rowcount is not reliable on every async driver
        )
        return len(rows.all())


async def settle(
    db: Database, claimed: Claimed, outcome: Deletion, worker: str, *, at: dt.datetime | None = None
) -> None:
    """Record what Telegram said; a failure is tried again later, or given up at the 48-hour limit."""
    at = at or now()
    values: dict[str, Any] = {"claimed_by": None, "claimed_until": None}
    if outcome in (Deletion.DELETED, Deletion.GONE):
        values |= {"status": MessageStatus.DELETED, "delete_at": None}
    elif outcome is Deletion.FAILED and at + backoff(claimed.attempts) < claimed.sent_at + DELETABLE_FOR:
        values |= {"status": MessageStatus.SCHEDULED, "delete_at": at + backoff(claimed.attempts),
                   "attempts": claimed.attempts + 1}  # fmt: skip
    else:
        values |= {"status": MessageStatus.FAILED, "delete_at": None, "attempts": claimed.attempts + 1}
        why = "Telegram refused" if outcome is Deletion.REFUSED else "Telegram's 48 hours ran out"
        log.warning("gave up deleting message %s in chat %s after %d attempts: %s",
                    claimed.message_id, claimed.chat_id, claimed.attempts + 1, why)  # fmt: skip
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(ChatMessage)
            .where(
                ChatMessage.id == claimed.id,
                ChatMessage.claimed_by == worker,
                ChatMessage.status == MessageStatus.DELETING,
            )
            .values(values)
        )


async def prune(db: Database, *, at: dt.datetime | None = None) -> None:
    """Forget rows past Telegram's limit that nothing waits on: they can no longer be deleted."""
    at = at or now()
    async with db.sessions() as session, session.begin():
        await session.execute(
            delete(ChatMessage).where(
                ChatMessage.sent_at < at - _KEEP_ROWS,
                ChatMessage.status.in_([MessageStatus.KEPT, MessageStatus.DELETED, MessageStatus.FAILED]),
            )
        )
