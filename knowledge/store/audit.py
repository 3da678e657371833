"""The one writer of the audit log, and its seal (checking: audit_check.py; export: audit_export.py).

Every entry carries the hash of the one before it and an HMAC made with the audit key, which is kept
outside the database (store/audit_key.py); the head row carries one too. Whoever can write the
database but does not hold the key cannot edit, insert, remove, renumber or reorder entries, or move
the head back, without `beatline audit verify` saying where. The key alone cannot show that the log
was put back to a state it really had once (a restored backup, a saved head row written back): a
signed checkpoint of the head kept elsewhere shows that. docs/design.md, "Threat model: the audit
log", says what this does and does not protect against.

Writers take turns through the single `audit_head` row: updating it first locks it on SQLite and
PostgreSQL alike, so several processes keep one chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import create_engine, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from knowledge.errors import AuditUnusable
from knowledge.matching.clean import clean_text
from knowledge.store.audit_key import AuditKey
from knowledge.store.database import Database, audit_key_of, sync_url, utc
from knowledge.store.schema import AuditEntry, AuditHead

__all__ = ["Caller", "check_key", "record", "seal"]

GENESIS = "0" * 64
EXPORT_FIELDS = (
    "id", "at", "actor", "channel", "telegram_user_id", "chat_id", "update_id",
    "query", "intent", "outcome", "reason", "record_ids", "prev_hash", "hash",
)  # fmt: skip
# What each MAC is over; the purpose keeps a MAC of one kind from passing for another.
ENTRY, HEAD, CHECKPOINT, KEY_CHECK = "audit entry", "audit head", "audit checkpoint", "audit key check"

NO_KEY = "This process was given no audit key, so it cannot sign or check the audit log."
HEAD_MISSING = (
    "The audit log's head row is missing (it was deleted): the end of the log cannot be checked, and "
    "nothing can be audited until it is restored."
)
NOT_SEALED = (
    "The audit log is not sealed with the audit key: if it never was (a log from before the key), "
    "'beatline audit seal' seals it; if it was, its seal has been removed: verify it against your "
    "checkpoints first."
)
UNSEALED_ENTRIES = (
    "The audit log holds {n} entries but no seal. If it has never had an audit key (an upgrade), "
    "seal it with 'beatline audit seal': those {n} entries stay hash-chained only. If it was sealed "
    "before, someone removed the seal: check it with 'beatline audit verify --checkpoint FILE' first."
)
KEY_MISMATCH = "This audit key is not the one the audit log was sealed with."
HEAD_FORGED = "The audit log's head does not match its MAC: it was changed without the audit key."
SEAL_REMOVED = (
    "The audit log's seal was removed after entries had been signed, so it is not sealed again; "
    "run 'beatline audit verify'."
)


@dataclass(frozen=True)
class Caller:
    """Who is asking, through which channel; the audit log's "who"."""

    actor: str  # "tg:<telegram id>" or "console:<os user>"
    role: str  # officer | sergeant | admin | "" for strangers
    channel: str = "telegram"  # telegram | cli | briefing
    telegram_user_id: int | None = None
    chat_id: int | None = None
    update_id: int | None = None


def _digest(entry: AuditEntry) -> str:
    at = utc(entry.at).replace(tzinfo=None)  # the same UTC wall time on every backend
    body = [
        entry.id, at.isoformat(timespec="microseconds"), entry.actor, entry.channel,
        entry.telegram_user_id, entry.chat_id, entry.update_id, entry.query, entry.intent,
        entry.outcome, entry.reason, entry.record_ids, entry.prev_hash,
    ]  # fmt: skip
    return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()


def _head_mac(key: AuditKey, seq: int, last_hash: str, keyed_from: int) -> str:
    return key.mac(HEAD, seq, last_hash, keyed_from)


def _key(db: Database) -> AuditKey:
    if db.audit_key is None:
        raise AuditUnusable(NO_KEY)
    return db.audit_key


async def record(
    session: AsyncSession,
    caller: Caller,
    *,
    query: str,
    intent: str,
    outcome: str,
    record_ids: Sequence[str] = (),
    reason: str = "",
    at: dt.datetime | None = None,
) -> int:
    """Append one entry inside the caller's transaction; it commits with the disclosure or not at all.

    Returns the entry's id. `at` is the clock, for tests that replay a week of checks; it defaults to now.
    """
    key = audit_key_of(session)
    if key is None:
        raise AuditUnusable(NO_KEY)
    # Updating the head first takes its lock; RETURNING saves a round trip on every disclosure.
    claim = (
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.last_hash, AuditHead.keyed_from, AuditHead.mac)
    )
    head = (await session.execute(claim)).one_or_none()
    if head is None:
        raise AuditUnusable(HEAD_MISSING)
    if head.keyed_from is None:
        raise AuditUnusable(NOT_SEALED)
    entry = AuditEntry(
        id=head.seq,
        at=at or dt.datetime.now(dt.UTC),
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
    # The entry's MAC covers the head's MAC as this writer found it, unchecked: if someone without the
    # key moved the head back, the entry appended to it carries the proof rather than hiding it.
    entry.mac = key.mac(ENTRY, entry.hash, head.mac)
    row = {column.key: getattr(entry, column.key) for column in AuditEntry.__table__.columns}
    await session.execute(insert(AuditEntry), [row])
    await session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(last_hash=entry.hash, mac=_head_mac(key, entry.id, entry.hash, head.keyed_from))
    )
    return entry.id


def _key_problem(key: AuditKey, head: AuditHead | None) -> str | None:
    """Why this key cannot sign this log, or None: the head's key check says, whatever else it holds."""
    if head is None:
        return HEAD_MISSING
    if head.keyed_from is None:
        return NOT_SEALED
    if not key.signed(head.key_check, KEY_CHECK):
        return KEY_MISMATCH
    return None


def _head_signed(key: AuditKey, head: AuditHead) -> bool:
    keyed_from = head.keyed_from
    return keyed_from is not None and key.signed(head.mac, HEAD, head.seq, head.last_hash, keyed_from)


def seal(url: str, key: AuditKey, *, entries_before_the_key: bool = False) -> int | None:
    """Seal a log that was never sealed: sign its head and mark where the keyed entries begin.

    Returns how many entries were written before the key (they stay hash-chained only), or None if
    the log was sealed already with this key. Raises AuditUnusable if it was sealed with another key,
    or if its seal was removed after entries had been signed: sealing it again would launder that.
    An unsealed log that already holds entries is sealed only when `entries_before_the_key` says a
    person has decided so (`beatline audit seal`): an insider who strips every MAC and the seal
    makes a log look like one from before the key, and an automatic seal would then vouch for it.
    """
    engine = create_engine(sync_url(url))
    try:
        with Session(engine) as session, session.begin():
            head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).one_or_none()
            if head is None or head.keyed_from is not None:
                if problem := _key_problem(key, head):
                    raise AuditUnusable(problem)
                return None
            signed = select(AuditEntry.id).where(AuditEntry.mac.is_not(None)).limit(1)
            if session.scalar(signed) is not None:
                raise AuditUnusable(SEAL_REMOVED)
            if head.seq and not entries_before_the_key:
                raise AuditUnusable(UNSEALED_ENTRIES.format(n=head.seq))
            head.keyed_from = head.seq + 1
            head.mac = _head_mac(key, head.seq, head.last_hash, head.keyed_from)
            head.key_check = key.mac(KEY_CHECK)
            return head.seq
    finally:
        engine.dispose()


async def _head(db: Database) -> tuple[AuditKey, AuditHead]:
    """The key and the head, if this key can sign this log; AuditUnusable saying why not otherwise."""
    key = _key(db)
    async with db.reads() as session:
        head = await session.get(AuditHead, 1)
    problem = _key_problem(key, head)
    if problem is not None or head is None:  # a missing head is one of the problems
        raise AuditUnusable(problem or HEAD_MISSING)
    return key, head


async def check_key(db: Database) -> None:
    """Raise AuditUnusable unless the log is sealed with this process's key.

    Run before a process starts writing, so that a process given another key refuses to start rather
    than fill the log with entries that will not verify. A head changed without the key does not stop
    it: the entries it appends carry the proof, and verify reports it.
    """
    await _head(db)
