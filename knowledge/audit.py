"""The one writer of the audit log, and its verification and export.

Every entry carries the hash of the one before it, so an edited, inserted or deleted row breaks the
chain and `beatline audit verify` says where. Writers take turns through the single `audit_head` row:
updating it first locks it on SQLite and PostgreSQL alike, so several processes keep one chain.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.db import Database
from knowledge.models import AuditEntry, AuditHead
from knowledge.text import clean_text

__all__ = ["Caller", "VerifyResult", "export", "recent", "record", "verify"]

GENESIS = "0" * 64
EXPORT_FIELDS = (
    "id", "at", "actor", "channel", "telegram_user_id", "chat_id", "update_id",
    "query", "intent", "outcome", "reason", "record_ids", "prev_hash", "hash",
)  # fmt: skip


@dataclass(frozen=True)
class Caller:
    """Who is asking, through which channel; the audit log's "who"."""

    actor: str  # "tg:<telegram id>" or "console:<os user>"
    role: str  # officer | sergeant | admin | "" for strangers
    channel: str = "telegram"  # telegram | cli | briefing
    telegram_user_id: int | None = None
    chat_id: int | None = None
    update_id: int | None = None


def _utc_naive(at: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; hash the same UTC wall time on every backend.
    return at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at


def _digest(entry: AuditEntry) -> str:
    body = [
        entry.id, _utc_naive(entry.at).isoformat(timespec="microseconds"), entry.actor, entry.channel,
        entry.telegram_user_id, entry.chat_id, entry.update_id, entry.query, entry.intent,
        entry.outcome, entry.reason, entry.record_ids, entry.prev_hash,
    ]  # fmt: skip
    return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()


async def record(
    session: AsyncSession,
    caller: Caller,
    *,
    query: str,
    intent: str,
    outcome: str,
    record_ids: Sequence[str] = (),
    reason: str = "",
) -> None:
    """Append one entry inside the caller's transaction; it commits with the disclosure or not at all."""
    # Updating the head first takes its lock; RETURNING saves a round trip on every disclosure.
    claim = (
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.last_hash)
    )
    head = (await session.execute(claim)).one()
    entry = AuditEntry(
        id=head.seq,
        at=dt.datetime.now(dt.UTC),
        actor=caller.actor,
        channel=caller.channel,
        telegram_user_id=caller.telegram_user_id,
        chat_id=caller.chat_id,
        update_id=caller.update_id,
        query=clean_text(query, max_chars=1000),  # no NULs or control characters in the log
        intent=intent,
        outcome=outcome,
        reason=reason,
        record_ids=" ".join(record_ids),
        prev_hash=head.last_hash,
    )
    entry.hash = _digest(entry)
    row = {column.key: getattr(entry, column.key) for column in AuditEntry.__table__.columns}
    await session.execute(insert(AuditEntry), [row])
    await session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=entry.hash))


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


async def verify(db: Database) -> VerifyResult:
    """Walk the chain from the genesis value and report every break, with the entry id."""
    problems: list[str] = []
    expected_prev, expected_id, checked = GENESIS, 1, 0
    async with db.reads() as session:
        head = (await session.execute(select(AuditHead).where(AuditHead.id == 1))).scalar_one()
        stream = await session.stream_scalars(select(AuditEntry).order_by(AuditEntry.id))
        async for entry in stream:
            checked += 1
            if entry.id != expected_id:
                problems.append(f"entry {entry.id}: entries {expected_id}..{entry.id - 1} are missing")
            if entry.prev_hash != expected_prev:
                problems.append(f"entry {entry.id}: does not follow the entry before it")
            if _digest(entry) != entry.hash:
                problems.append(f"entry {entry.id}: its contents were changed after it was written")
            expected_prev, expected_id = entry.hash, entry.id + 1
        if head.seq != expected_id - 1 or head.last_hash != expected_prev:
            problems.append(f"the log ends at entry {expected_id - 1} but {head.seq} were written")
    return VerifyResult(checked, tuple(problems))


def _row(entry: AuditEntry) -> dict[str, object]:
    row = {name: getattr(entry, name) for name in EXPORT_FIELDS}
    row["at"] = _utc_naive(entry.at).isoformat(timespec="seconds") + "Z"
    return row


async def export(db: Database, *, since: dt.datetime | None, fmt: str) -> AsyncIterator[str]:
    """Yield the log as CSV (with a header) or JSON lines, oldest first."""
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    if fmt == "csv":
        writer.writeheader()
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    async with db.reads() as session:
        async for entry in await session.stream_scalars(stmt):
            if fmt == "csv":
                writer.writerow(_row(entry))
            else:
                buffer.write(json.dumps(_row(entry), ensure_ascii=False) + "\n")
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()


async def recent(db: Database, *, telegram_user_id: int | None = None, limit: int = 15) -> list[AuditEntry]:
    """The newest entries, optionally for one Telegram user, newest first."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if telegram_user_id is not None:
        stmt = stmt.where(AuditEntry.telegram_user_id == telegram_user_id)
    async with db.reads() as session:
        return list((await session.scalars(stmt)).all())
