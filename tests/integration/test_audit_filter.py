"""The console's view of the audit log on both backends: each filter narrows exactly, and the export
of a view holds that view's entries and no others."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import update

from knowledge.store import audit, audit_export
from knowledge.store.audit import Caller
from knowledge.store.audit_filter import AuditFilter, find
from knowledge.store.database import Database
from knowledge.store.schema import AuditEntry
from tests.support.keys import AUDIT_KEY

ONE = Caller(actor="tg:1", role="officer", telegram_user_id=1)
TWO = Caller(actor="tg:2", role="officer", telegram_user_id=2)


async def _fill(db: Database) -> None:
    rows = [
        (ONE, "answered", ["person:P000123", "vehicle:AB12CDE"]),
        (ONE, "denied", []),
        (TWO, "answered", ["person:P0001234"]),  # a longer id that contains the first
        (TWO, "not_found", ["person:P_00%123"]),  # LIKE's wildcards, as data
    ]
    async with db.sessions() as session, session.begin():
        for caller, outcome, ids in rows:
            await audit.record(
                session, caller, query="q", intent="person_check", outcome=outcome, record_ids=ids
            )
        # The first entry is from last year: the dates filter must leave it out.
        await session.execute(
            update(AuditEntry).where(AuditEntry.id == 1).values(at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        )


async def _ids(db: Database, view: AuditFilter) -> list[int]:
    return sorted(e.id for e in await find(db, view))


async def test_each_filter_narrows_to_exactly_its_entries(db_url: str) -> None:
    db = Database(db_url, audit_key=AUDIT_KEY)
    await _fill(db)
    assert await _ids(db, AuditFilter()) == [1, 2, 3, 4]
    assert await _ids(db, AuditFilter(telegram_user_id=2)) == [3, 4]
    assert await _ids(db, AuditFilter(actor="tg:1")) == [1, 2]
    assert await _ids(db, AuditFilter(outcome="answered")) == [1, 3]
    assert await _ids(db, AuditFilter(intent="person_check")) == [1, 2, 3, 4]
    assert await _ids(db, AuditFilter(intent="lockout")) == []
    assert await _ids(db, AuditFilter(record_id="P000123")) == [1]  # a bare id: a whole id, any kind
    assert await _ids(db, AuditFilter(record_id="person:P000123")) == [1]
    assert await _ids(db, AuditFilter(record_id="vehicle:P000123")) == []
    assert await _ids(db, AuditFilter(record_id="P_00%123")) == [4]  # wildcards match only themselves
    assert await _ids(db, AuditFilter(record_id="%")) == []
    since = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert await _ids(db, AuditFilter(since=since)) == [2, 3, 4]
    assert await _ids(db, AuditFilter(until=since)) == [1]
    assert await _ids(db, AuditFilter(telegram_user_id=1, outcome="answered", since=since)) == []
    await db.dispose()


async def test_the_export_of_a_view_holds_only_that_view(db_url: str) -> None:
    db = Database(db_url, audit_key=AUDIT_KEY)
    await _fill(db)
    view = AuditFilter(telegram_user_id=2)
    lines = [chunk async for chunk in audit_export.export(db, since=None, fmt="jsonl", view=view)]
    assert [json.loads(line)["id"] for line in lines] == [3, 4]
    rows = "".join([chunk async for chunk in audit_export.export(db, since=None, fmt="csv", view=view)])
    assert rows.count("\r\n") == 3  # the header and two entries
    await db.dispose()
