"""A view of the audit log narrowed by user, dates, outcome and record: what the console shows and exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, and_, literal, select, true

from knowledge.store.database import Database
from knowledge.store.schema import AuditEntry

__all__ = ["AuditFilter", "find"]

_LIKE_ESCAPE = "\\"


def _literal_like(text: str) -> str:
    """Text matched as itself inside a LIKE pattern: its wildcards and the escape character escaped."""
    for char in (_LIKE_ESCAPE, "%", "_"):
        text = text.replace(char, _LIKE_ESCAPE + char)
    return text


@dataclass(frozen=True)
class AuditFilter:
    """Every field optional; `since` inclusive and `until` exclusive, both UTC.

    `record_id` is either `kind:id` (`person:P000123`, `audit:17`) or a bare id of any kind.
    """

    telegram_user_id: int | None = None
    actor: str = ""  # as the log names them: "tg:<id>", "console:<os user>"
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    outcome: str = ""
    intent: str = ""  # person_check, user_enrol, lockout, …
    record_id: str = ""

    def condition(self) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = []
        if self.telegram_user_id is not None:
            parts.append(AuditEntry.telegram_user_id == self.telegram_user_id)
        if self.actor:
            parts.append(AuditEntry.actor == self.actor)
        if self.since is not None:
            parts.append(AuditEntry.at >= self.since)
        if self.until is not None:
            parts.append(AuditEntry.at < self.until)
        if self.outcome:
            parts.append(AuditEntry.outcome == self.outcome)
        if self.intent:
            parts.append(AuditEntry.intent == self.intent)
        if self.record_id:
            # record_ids is "kind:id" joined by single spaces: padded, each id is a whole " word ".
            word = _literal_like(self.record_id)
            pattern = f"% {word} %" if ":" in self.record_id else f"%:{word} %"
            padded = literal(" ") + AuditEntry.record_ids + literal(" ")
            parts.append(padded.like(pattern, escape=_LIKE_ESCAPE))
        return and_(true(), *parts)

    def select(self) -> Select[AuditEntry]:
        """The matching entries, oldest first."""
        return select(AuditEntry).where(self.condition()).order_by(AuditEntry.id)


async def find(db: Database, view: AuditFilter, *, limit: int = 100) -> list[AuditEntry]:
    """The newest `limit` matching entries, newest first."""
    stmt = select(AuditEntry).where(view.condition()).order_by(AuditEntry.id.desc()).limit(limit)
    async with db.reads() as session:
        return list((await session.scalars(stmt)).all())
