"""The weekly review digest: claimed once across processes, surviving restarts, audited before it is sent."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from knowledge.access import users
from knowledge.review.review import Review
from knowledge.review.schedule import DigestScheduler, ReviewAt
from knowledge.store.database import Database
from knowledge.store.schema import AuditEntry
from tests.support.keys import AUDIT_KEY

ADMIN, OTHER_ADMIN, OFFICER = 7001, 7002, 7003
MONDAY_SEVEN = ReviewAt(0, dt.time(7, 0))
BEFORE = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)  # Sunday
DUE = dt.datetime(2026, 12, 7, 7, 0, 30, tzinfo=dt.UTC)  # Monday 07:00:30 London (GMT)


@pytest.fixture
async def dbs(db_url: str) -> AsyncIterator[tuple[Database, Database]]:
    """Two processes' databases on one store."""
    first, second = Database(db_url, audit_key=AUDIT_KEY), Database(db_url, audit_key=AUDIT_KEY)
    for telegram_id, role in ((ADMIN, "admin"), (OTHER_ADMIN, "admin"), (OFFICER, "officer")):
        await users.enrol(first, telegram_id, role, name=f"user {telegram_id}", by="test")
    yield first, second
    await first.dispose()
    await second.dispose()


class Outbox:
    def __init__(self) -> None:
        self.sent: list[int] = []

    async def send(self, admin_id: int, report: Review) -> bool:
        self.sent.append(admin_id)
        return True


async def test_a_due_digest_goes_to_every_admin_once_whichever_processes_look(
    dbs: tuple[Database, Database],
) -> None:
    outbox = Outbox()
    schedulers = [DigestScheduler(db, MONDAY_SEVEN, outbox.send) for db in dbs]
    assert [await s.run_due(BEFORE) for s in schedulers] == [0, 0]
    assert await schedulers[0].next_at() == dt.datetime(2026, 12, 7, 7, tzinfo=dt.UTC)

    sent = await asyncio.gather(*(s.run_due(DUE) for s in schedulers), *(s.run_due(DUE) for s in schedulers))
    assert sorted(sent) == [0, 0, 0, 2] and sorted(outbox.sent) == [ADMIN, OTHER_ADMIN]
    assert await schedulers[1].next_at() == dt.datetime(2026, 12, 14, 7, tzinfo=dt.UTC)

    async with dbs[0].reads() as session:
        entries = list(await session.scalars(select(AuditEntry).where(AuditEntry.intent == "review")))
    assert sorted(e.telegram_user_id for e in entries) == [ADMIN, OTHER_ADMIN]
    assert {e.channel for e in entries} == {"review"}


async def test_a_run_missed_while_down_is_sent_once_on_restart_and_the_next_is_a_week_on(
    dbs: tuple[Database, Database],
) -> None:
    outbox = Outbox()
    assert await DigestScheduler(dbs[0], MONDAY_SEVEN, outbox.send).run_due(BEFORE) == 0
    # The process stopped on Sunday; another starts on Wednesday.
    restarted = DigestScheduler(dbs[1], MONDAY_SEVEN, outbox.send)
    wednesday = dt.datetime(2026, 12, 9, 9, tzinfo=dt.UTC)
    assert await restarted.run_due(wednesday) == 2
    assert await restarted.run_due(wednesday + dt.timedelta(hours=1)) == 0
    assert await restarted.next_at() == dt.datetime(2026, 12, 14, 7, tzinfo=dt.UTC)


async def test_a_new_review_time_moves_the_next_run(dbs: tuple[Database, Database]) -> None:
    outbox = Outbox()
    await DigestScheduler(dbs[0], MONDAY_SEVEN, outbox.send).run_due(BEFORE)
    friday = DigestScheduler(dbs[0], ReviewAt(4, dt.time(16, 30)), outbox.send)
    assert await friday.run_due(DUE) == 0  # Monday's run is gone with the old setting
    assert await friday.next_at() == dt.datetime(2026, 12, 11, 16, 30, tzinfo=dt.UTC)
    assert outbox.sent == []
