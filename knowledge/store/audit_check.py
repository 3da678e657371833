"""Checking the audit log: verify the keyed chain, and signed checkpoints of its head kept elsewhere.

Read-only: one snapshot of the log, never the write lock. What a passing check proves, and what it
cannot, is in docs/design.md, "Threat model: the audit log".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import select

from knowledge.errors import AuditUnusable, BeatlineError
from knowledge.store.audit import (
    CHECKPOINT,
    ENTRY,
    GENESIS,
    HEAD_FORGED,
    HEAD_MISSING,
    KEY_CHECK,
    KEY_MISMATCH,
    NOT_SEALED,
    _digest,
    _head,
    _head_mac,
    _head_signed,
    _key,
)
from knowledge.store.audit_key import AuditKey
from knowledge.store.database import Database
from knowledge.store.schema import AuditEntry, AuditHead

__all__ = ["Checkpoint", "VerifyResult", "checkpoint", "read_checkpoints", "verify"]


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
