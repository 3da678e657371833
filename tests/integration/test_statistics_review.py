"""Statistics and the review report over a clock-injected audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence

import pytest

from knowledge.access import users
from knowledge.follows.alerts import followers_of, raise_alerts
from knowledge.review.review import review
from knowledge.review.statistics import statistics
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from knowledge.store.schema import AnswerTime, Follow
from tests.support.keys import AUDIT_KEY

ALICE, BOB, CAROL, ADMIN_2 = 5001, 5002, 5003, 5004
# A summer day, so that London is an hour ahead of UTC: 23:30 UTC is already tomorrow in London.
NOW = dt.datetime(2026, 7, 10, 12, 0, tzinfo=dt.UTC)


def who(telegram_id: int) -> Caller:
    return Caller(actor=f"tg:{telegram_id}", role="officer", telegram_user_id=telegram_id)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url, audit_key=AUDIT_KEY)
    await users.enrol(database, ALICE, "officer", team="A", name="Alice Able", by="test")
    await users.enrol(database, BOB, "officer", team="B", name="Bob Baker", by="test")
    await users.enrol(database, CAROL, "sergeant", team="B", name="Carol Cole", by="test")
    yield database
    await database.dispose()


async def entry(
    db: Database,
    telegram_id: int,
    at: dt.datetime,
    *,
    intent: str = "person_check",
    outcome: str = "answered",
    records: Sequence[str] = ("person:P1",),
    reason: str = "STOP",
    ms: int | None = None,
) -> int:
    async with db.sessions() as session, session.begin():
        entry_id = await audit.record(
            session, who(telegram_id), query="q", intent=intent, outcome=outcome, record_ids=records,
            reason=reason, at=at,
        )  # fmt: skip
        if ms is not None:
            session.add(AnswerTime(audit_id=entry_id, ms=ms))
        followers = await followers_of(session, who(telegram_id), outcome, records, at)
        await raise_alerts(session, who(telegram_id), followers, audit_id=entry_id, reason=reason, at=at)
    return entry_id


async def test_statistics_count_checks_by_london_day_team_intent_outcome_and_reason(db: Database) -> None:
    day = dt.timedelta(days=1)
    await entry(db, BOB, NOW - 30 * day, ms=5)  # before the window
    await entry(db, ALICE, NOW - 2 * day, ms=100)
    await entry(db, ALICE, dt.datetime(2026, 7, 8, 23, 30, tzinfo=dt.UTC), intent="vehicle_check",
                records=("vehicle:AB12CDE",), reason="RTC", ms=300)  # 00:30 on the 9th in London  # fmt: skip
    await entry(db, BOB, NOW - dt.timedelta(hours=1), outcome="not_found", records=(), reason="", ms=200)
    await entry(db, ALICE, NOW - dt.timedelta(minutes=5), ms=1000)
    await entry(db, CAROL, NOW - dt.timedelta(minutes=1), intent="admin", records=())  # not a check

    stats = await _stats(db, 3)

    assert stats.checks == 4
    assert stats.per_day == ((dt.date(2026, 7, 8), 1), (dt.date(2026, 7, 9), 1), (dt.date(2026, 7, 10), 2))
    assert stats.per_team == (("A", 3), ("B", 1))
    assert dict(stats.by_intent) == {"person_check": 3, "vehicle_check": 1}
    assert dict(stats.by_outcome) == {"answered": 3, "not_found": 1}
    assert dict(stats.by_reason) == {"STOP": 2, "RTC": 1, "": 1}
    assert [(u.telegram_id, u.name, u.team, u.checks) for u in stats.busiest] == [
        (ALICE, "Alice Able", "A", 3),
        (BOB, "Bob Baker", "B", 1),
    ]
    assert (stats.timed, stats.p50_ms, stats.p95_ms) == (4, 200, 1000)
    assert stats.to_json()["answer_ms"] == {"timed": 4, "p50": 200, "p95": 1000}


async def _stats(db: Database, days: int):  # type: ignore[no-untyped-def]
    async with db.reads() as session:
        return await statistics(session, days, NOW)


async def _review(db: Database, *, step_up: bool = True):  # type: ignore[no-untyped-def]
    async with db.reads() as session:
        return await review(session, NOW - dt.timedelta(days=7), NOW, step_up=step_up)


async def test_twenty_checks_in_ten_minutes_are_a_burst_and_nineteen_are_not(db: Database) -> None:
    start = NOW - dt.timedelta(days=1)
    for n in range(20):
        await entry(db, ALICE, start + dt.timedelta(seconds=29 * n), records=(f"person:B{n}",))
    for n in range(19):
        await entry(db, BOB, start + dt.timedelta(seconds=29 * n), records=(f"person:C{n}",))
    report = {u.telegram_id: u for u in (await _review(db, step_up=False)).users}
    [burst] = report[ALICE].bursts
    assert (burst.checks, burst.start, burst.end) == (20, start, start + dt.timedelta(seconds=29 * 19))
    assert report[BOB].bursts == () and report[BOB].checks == 19


async def test_checks_outside_unlocked_shifts_are_counted(db: Database) -> None:
    unlocked = NOW - dt.timedelta(days=2)
    await entry(db, ALICE, unlocked, intent="unlock", records=())
    await entry(db, ALICE, unlocked + dt.timedelta(hours=1))  # inside
    await entry(db, ALICE, unlocked + dt.timedelta(hours=2), intent="lock", records=())
    await entry(db, ALICE, unlocked + dt.timedelta(hours=3))  # locked by hand before: outside
    await entry(db, ALICE, unlocked + dt.timedelta(hours=20))  # long after: outside
    # A shift begun before the review's window still covers the checks early in it.
    await entry(db, BOB, NOW - dt.timedelta(days=7, hours=1), intent="unlock", records=())
    await entry(db, BOB, NOW - dt.timedelta(days=6, hours=23))
    await entry(db, CAROL, NOW - dt.timedelta(hours=5))  # never unlocks
    # Unlocking again while unlocked, then locking: the lock ends the shift, whichever unlock began it.
    again = NOW - dt.timedelta(days=4)
    for hours, intent in ((0, "unlock"), (1, "unlock"), (2, "lock")):
        await entry(db, ADMIN_2, again + dt.timedelta(hours=hours), intent=intent, records=())
    await entry(db, ADMIN_2, again + dt.timedelta(hours=3))
    report = {u.telegram_id: u for u in (await _review(db)).users}
    assert report[ALICE].outside_shift == 2
    assert report[BOB].outside_shift == 0
    assert report[CAROL].outside_shift == 1  # step-up on: a check with no unlock is outside
    assert report[ADMIN_2].outside_shift == 1
    off = {u.telegram_id: u for u in (await _review(db, step_up=False)).users}
    assert off[CAROL].outside_shift is None


async def test_the_same_person_three_times_in_seven_days_is_repeated_twice_is_not(db: Database) -> None:
    for days in (6, 4, 1):
        await entry(db, ALICE, NOW - dt.timedelta(days=days), records=("person:P9", "address:A1"))
    for days in (6, 1):
        await entry(db, ALICE, NOW - dt.timedelta(days=days), records=("person:P8",))
    await entry(db, ALICE, NOW - dt.timedelta(days=2), outcome="ambiguous", records=("person:P8",))
    [alice] = (await _review(db)).users
    assert [(r.person_id, r.checks) for r in alice.repeated] == [("P9", 3)]


async def test_denials_lockouts_refusals_and_follows_triggered_are_counted(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        lapses = NOW + dt.timedelta(days=60)
        session.add(Follow(follower_id=CAROL, kind="person", record_id="P5", label="FIVE, P",
                           created_at=NOW - dt.timedelta(days=30), expires_at=lapses))  # fmt: skip
    await entry(db, BOB, NOW - dt.timedelta(hours=3), outcome="denied", records=(), intent="command")
    await entry(db, BOB, NOW - dt.timedelta(hours=3), outcome="rate_limited", records=(), intent="")
    await entry(db, BOB, NOW - dt.timedelta(hours=2), outcome="locked", records=(), intent="lockout")
    await entry(db, BOB, NOW - dt.timedelta(hours=1), records=("person:P5",))
    await entry(db, BOB, NOW - dt.timedelta(minutes=59, seconds=30), records=("person:P5",))  # same minute
    await entry(db, BOB, NOW - dt.timedelta(minutes=10), records=("person:P5",))
    await entry(db, CAROL, NOW - dt.timedelta(minutes=5), records=("person:P5",))  # her own: no alert
    report = {u.telegram_id: u for u in (await _review(db, step_up=False)).users}
    bob = report[BOB]
    assert (bob.denials, bob.rate_limited, bob.lockouts, bob.checks) == (1, 1, 1, 3)
    assert bob.follows_triggered == 2
    assert report[CAROL].follows_triggered == 0
    assert bob.flagged and report[CAROL].flagged is False
