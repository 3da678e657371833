"""The audit log read out: exports a spreadsheet cannot execute, and recent entries for /audit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import AsyncIterator

from sqlalchemy import select

from knowledge.store.audit import (
    EXPORT_FIELDS,
)
from knowledge.store.audit_filter import AuditFilter
from knowledge.store.database import Database, utc
from knowledge.store.schema import AuditEntry

__all__ = ["export", "recent"]


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


async def export(
    db: Database, *, since: dt.datetime | None, fmt: str, view: AuditFilter | None = None
) -> AsyncIterator[str]:
    """Yield the log as CSV (with a header) or JSON lines, oldest first; only `view`'s entries if given."""
    stmt = (view or AuditFilter()).select()
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
