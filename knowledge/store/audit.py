"""The one writer of the audit log, and its seal, verification, checkpoints and export.

Every entry carries the hash of the one before it and an HMAC made with the audit key, which is kept
outside the database (knowledge/audit_key.py); the head row carries one too. Whoever can write the
database but does not hold the key cannot edit, insert, remove, renumber or reorder entries, or move
the head back, without `beatline audit verify` saying where. The key alone cannot show that the log
was put back to a state it really had once (a restored backup, a saved head row written back): a
signed checkpoint of the head kept elsewhere shows that. docs/design.md, "Threat model: the audit
log", says what this does and does not protect against.

Writers take turns through the single `audit_head` row: updating it first locks it on SQLite and
PostgreSQL alike, so several processes keep one chain.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import create_engine, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from knowledge.errors import AuditUnusable, BeatlineError
from knowledge.matching.clean import clean_text
from knowledge.store.audit_key import AuditKey
from knowledge.store.database import Database, audit_key_of, sync_url, utc
from knowledge.store.schema import AuditEntry, AuditHead

__all__ = [
    "Caller", "Checkpoint", "VerifyResult", "check_key", "checkpoint", "export", "read_checkpoints",
    "recent", "record", "seal", "verify",
]  # fmt: skip

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
) -> None:
    """Append one entry inside the caller's transaction; it commits with the disclosure or not at all."""
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


@dataclass(frozen=True)
class Checkpoint:
    """The head as it stood, signed with the key: kept away from the database, it shows later that the
    log was not rolled back or cut short past it."""

    seq: int
    hash: str
    keyed_from: int
    at: str  # ISO 8601, UTC
    mac: str
    where: str = field(default="", compare=False)  # "file:line" it was read from, for messages

    KIND: ClassVar[str] = "beatline-audit-checkpoint"

    def signed_by(self, key: AuditKey) -> bool:
        return key.signed(self.mac, CHECKPOINT, self.seq, self.hash, self.keyed_from, self.at)

    def to_json(self) -> str:
        fields = {"seq": self.seq, "hash": self.hash, "keyed_from": self.keyed_from, "at": self.at}
        return json.dumps({"kind": self.KIND, **fields, "mac": self.mac})

    @classmethod
    def from_json(cls, line: str, where: str = "") -> Checkpoint:
        """The checkpoint on one line; ValueError if the line is not one."""
        data = json.loads(line)
        if not isinstance(data, dict) or data.get("kind") != cls.KIND:
            raise ValueError("not a checkpoint")
        values: dict[str, Any] = {name: data.get(name) for name in _CHECKPOINT_FIELDS}
        if any(type(values[name]) is not kind for name, kind in _CHECKPOINT_FIELDS.items()):
            raise ValueError("not a checkpoint")
        return cls(**values, where=where)


_CHECKPOINT_FIELDS = {"seq": int, "hash": str, "keyed_from": int, "at": str, "mac": str}


async def checkpoint(db: Database) -> Checkpoint:
    """The head, signed with the time; refused if the head does not match its MAC."""
    key, head = await _head(db)
    if head.keyed_from is None or not _head_signed(key, head):  # an unkeyed head is not signed
        raise AuditUnusable(f"{HEAD_FORGED} No checkpoint was made; run 'beatline audit verify'.")
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    mac = key.mac(CHECKPOINT, head.seq, head.last_hash, head.keyed_from, at)
    return Checkpoint(head.seq, head.last_hash, head.keyed_from, at, mac)


def read_checkpoints(path: Path) -> list[Checkpoint]:
    """Every checkpoint in a file of them, one JSON line each. OSError if the file cannot be read;
    BeatlineError naming file:line for a line that is not a checkpoint."""
    found: list[Checkpoint] = []
    number = 0
    try:
        with path.open(encoding="utf-8") as file:
            for number, line in enumerate(file, 1):
                if line.strip():
                    found.append(Checkpoint.from_json(line, where=f"{path}:{number}"))
    except ValueError:
        raise BeatlineError(f"{path}:{number}: this line is not a Beatline audit checkpoint.") from None
    return found


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    problems: tuple[str, ...]
    unkeyed: int = 0  # entries written before the key was introduced: hash-chained only
    checkpoints: int = 0  # checkpoints the log still agrees with

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Walk:
    """One walk along the chain, entry by entry, from the genesis value."""

    key: AuditKey
    keyed_from: int | None
    wanted: set[int]  # the entries checkpoints name
    problems: list[str] = field(default_factory=list)
    last_hash: str = GENESIS
    last_id: int = 0
    checked: int = 0
    unkeyed: int = 0
    signed: int = 0
    forged: list[str] = field(default_factory=list)  # what is wrong with keyed entries' MACs
    signed_end: tuple[int, str] = (0, GENESIS)  # the last entry a key holder left the head at
    seen: dict[int, str] = field(default_factory=lambda: {0: GENESIS})  # hashes of wanted entries

    def step(self, entry: AuditEntry) -> None:
        self.checked += 1
        if entry.id != self.last_id + 1:
            self.problems.append(f"entry {entry.id}: entries {self.last_id + 1}..{entry.id - 1} are missing")
        if entry.prev_hash != self.last_hash:
            self.problems.append(f"entry {entry.id}: does not follow the entry before it")
        if _digest(entry) != entry.hash:
            self.problems.append(f"entry {entry.id}: its contents were changed after it was written")
        if self.keyed_from is None or entry.id < self.keyed_from:
            self.unkeyed += 1
            self.signed_end = (entry.id, entry.hash)  # where the seal signed the head, at the last of them
        elif self._signed(entry, self.keyed_from):
            self.signed += 1
            self.signed_end = (entry.id, entry.hash)
        elif entry.mac is None:
            self.forged.append(
                f"entry {entry.id}: carries no MAC though written after the key was introduced: it was "
                "written without the key (by a process of the version before it, still running during the "
                "upgrade, or by hand)"
            )
        else:
            self.forged.append(
                f"entry {entry.id}: its MAC does not match: it was written or rewritten without the key"
            )
        if entry.id in self.wanted:
            self.seen[entry.id] = entry.hash
        self.last_hash, self.last_id = entry.hash, entry.id

    def _signed(self, entry: AuditEntry, keyed_from: int) -> bool:
        """Whether a key holder wrote this entry onto the head an honest writer leaves before it, or
        onto the head as the last key holder left it, with entries written without the key between
        (reported on their own)."""
        for seq, last_hash in ((entry.id - 1, entry.prev_hash), self.signed_end):
            head_mac = _head_mac(self.key, seq, last_hash, keyed_from)
            if self.key.signed(entry.mac, ENTRY, entry.hash, head_mac):
                return True
        return False

    def end(self, head: AuditHead | None) -> list[str]:
        """What is wrong with the head, and with the MACs, once every entry has been read."""
        if head is None:
            return [HEAD_MISSING]
        problems = []
        if (head.seq, head.last_hash) != (self.last_id, self.last_hash):
            problems.append(f"the log ends at entry {self.last_id} but {head.seq} were written")
        if head.keyed_from is None:
            return [*problems, NOT_SEALED]
        head_signed = _head_signed(self.key, head)
        if not self.key.signed(head.key_check, KEY_CHECK):
            if not head_signed and not self.signed:
                return [*problems, KEY_MISMATCH]  # nothing matches it: another key, so nothing can be said
            problems.append("The audit log's key check was changed, though this key signed the log.")
        problems += self.forged
        return problems if head_signed else [*problems, HEAD_FORGED]

    def against(self, checkpoint: Checkpoint, head: AuditHead | None) -> str | None:
        """Why the log no longer agrees with this checkpoint, or None if it does."""
        where = f"{checkpoint.where}: " if checkpoint.where else ""
        seen = f"{where}the checkpoint of {checkpoint.at} saw entry {checkpoint.seq}"
        if not checkpoint.signed_by(self.key):
            return f"{where}this checkpoint was not made with this audit key: it is forged, or from another"
        if checkpoint.seq > self.last_id:
            return f"{seen}, but the log now ends at entry {self.last_id}: it was rolled back or cut short"
        if self.seen.get(checkpoint.seq) != checkpoint.hash:
            return f"{seen}, and the log no longer holds that entry as it was: the log was rewritten"
        if head is not None and head.keyed_from != checkpoint.keyed_from:
            return (
                f"{where}the checkpoint of {checkpoint.at} has the key signing from entry "
                f"{checkpoint.keyed_from}, the log from entry {head.keyed_from}: the log was sealed again"
            )
        return None


async def verify(db: Database, checkpoints: Sequence[Checkpoint] = ()) -> VerifyResult:
    """Walk the chain and report every break, with the entry id; then hold the log to each checkpoint."""
    key = _key(db)
    async with db.reads() as session:
        if not db.is_sqlite:  # one snapshot for the head and every entry, though the bot writes on
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        head = await session.get(AuditHead, 1)
        walk = _Walk(key, head.keyed_from if head else None, {c.seq for c in checkpoints})
        async for entry in await session.stream_scalars(select(AuditEntry).order_by(AuditEntry.id)):
            walk.step(entry)
    disagreements = [problem for c in checkpoints if (problem := walk.against(c, head))]
    problems = [*walk.problems, *walk.end(head), *disagreements]
    return VerifyResult(walk.checked, tuple(problems), walk.unkeyed, len(checkpoints) - len(disagreements))


# What a spreadsheet may take for the start of a formula (OWASP, "CSV Injection"), after any spaces.
_FORMULA_START = frozenset("=+-@\t\r\n\0")
# Kept out of JSON lines as escapes: controls, invisible format characters (bidi overrides among them),
# lone surrogates, and the line and paragraph separators that some readers split lines on.
_NOT_RAW = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_NON_ASCII = re.compile(r"[^\x20-\x7e]")


def _row(entry: AuditEntry) -> dict[str, object]:
    row = {name: getattr(entry, name) for name in EXPORT_FIELDS}
    row["at"] = utc(entry.at).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    return row


def _inert(value: object) -> object:
    """A cell a spreadsheet shows and never runs: text that could start a formula gets a leading '."""
    if isinstance(value, str) and value.lstrip(" ")[:1] in _FORMULA_START:
        return "'" + value
    return value


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return json.dumps(char)[1:-1] if unicodedata.category(char) in _NOT_RAW else char


def _json_line(row: dict[str, object]) -> str:
    """One JSON object on one line, readable text left as it is and everything invisible escaped."""
    return _NON_ASCII.sub(_escape, json.dumps(row, ensure_ascii=False)) + "\n"


async def export(db: Database, *, since: dt.datetime | None, fmt: str) -> AsyncIterator[str]:
    """Yield the log as CSV (with a header) or JSON lines, oldest first."""
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    buffer = io.StringIO()
    # RFC 4180's CRLF: with it the csv module quotes a field holding a lone CR as well as one holding LF,
    # so a CR in a cell cannot end the row and start a new one with what follows it.
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\r\n")
    if fmt == "csv":
        writer.writeheader()
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    async with db.reads() as session:
        async for entry in await session.stream_scalars(stmt):
            if fmt == "csv":
                writer.writerow({name: _inert(value) for name, value in _row(entry).items()})
            else:
                buffer.write(_json_line(_row(entry)))
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
