"""Usage statistics over the audit log: checks per day and team, by intent, outcome and reason, the
busiest users, and how long answers took (p50, p95).

A handful of GROUP BY queries, each one pass over the window's entries by the index on `at`; the
rest is summing small tables in Python, so a million entries take well under two seconds on
PostgreSQL (bench/stats.py, docs/benchmarks.md).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.follows.checked import CHECK_INTENTS
from knowledge.review.periods import LONDON, hour_bucket, london_day
from knowledge.store.schema import AnswerTime, AuditEntry, User

__all__ = ["BUSIEST", "BusyUser", "Statistics", "percentile", "statistics"]

BUSIEST = 10
NO_TEAM = "(no team)"


@dataclass(frozen=True)
class BusyUser:
    actor: str
    telegram_id: int | None
    name: str
    team: str
    checks: int


@dataclass(frozen=True)
class Statistics:
    """Checks (person, vehicle, address, incident, warrant questions; any outcome) in a window."""

    since: dt.datetime
    until: dt.datetime
    days: int
    checks: int
    per_day: tuple[tuple[dt.date, int], ...]  # every London day of the window, oldest first
    per_team: tuple[tuple[str, int], ...]  # most checks first
    by_intent: tuple[tuple[str, int], ...]
    by_outcome: tuple[tuple[str, int], ...]
    by_reason: tuple[tuple[str, int], ...]  # "" for none given
    busiest: tuple[BusyUser, ...]
    timed: int  # answers whose time was recorded
    p50_ms: int | None
    p95_ms: int | None

    def to_json(self) -> dict[str, Any]:
        def pairs(rows: tuple[tuple[str, int], ...]) -> list[dict[str, Any]]:
            return [{"key": key, "checks": n} for key, n in rows]

        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "days": self.days,
            "checks": self.checks,
            "per_day": [{"day": day.isoformat(), "checks": n} for day, n in self.per_day],
            "per_team": pairs(self.per_team),
            "by_intent": pairs(self.by_intent),
            "by_outcome": pairs(self.by_outcome),
            "by_reason": pairs(self.by_reason),
            "busiest": [asdict(user) for user in self.busiest],
            "answer_ms": {"timed": self.timed, "p50": self.p50_ms, "p95": self.p95_ms},
        }


def percentile(histogram: dict[int, int], share: float) -> int | None:
    """The nearest-rank percentile of values given as {value: how many}; None for no values."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = max(1, math.ceil(share * total)), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)  # pragma: no cover - the loop always reaches the rank


def _ranked(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


async def statistics(session: AsyncSession, days: int, now: dt.datetime) -> Statistics:
    """The statistics of the `days` London days up to and including `now`'s."""
    today = now.astimezone(LONDON).date()
    first = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first, dt.time(), LONDON).astimezone(dt.UTC)
    window = (AuditEntry.at >= since, AuditEntry.at <= now, AuditEntry.intent.in_(CHECK_INTENTS))

    hour = hour_bucket(session, AuditEntry.at)
    per_day: Counter[dt.date] = Counter()
    per_team: Counter[str] = Counter()
    hours = await session.execute(
        select(hour, User.team, func.count())
        .select_from(AuditEntry)
        .outerjoin(User, User.telegram_id == AuditEntry.telegram_user_id)
        .where(*window)
        .group_by(hour, User.team)
    )
    for bucket, team, n in hours:
        per_day[london_day(bucket)] += n
        per_team[team or NO_TEAM] += n

    by_intent: Counter[str] = Counter()
    by_outcome: Counter[str] = Counter()
    by_reason: Counter[str] = Counter()
    kinds = await session.execute(
        select(AuditEntry.intent, AuditEntry.outcome, AuditEntry.reason, func.count())
        .where(*window)
        .group_by(AuditEntry.intent, AuditEntry.outcome, AuditEntry.reason)
    )
    for intent, outcome, reason, n in kinds:
        by_intent[intent] += n
        by_outcome[outcome] += n
        by_reason[reason or ""] += n

    checks = func.count().label("checks")
    top = (
        select(AuditEntry.actor, AuditEntry.telegram_user_id, checks)
        .where(*window)
        .group_by(AuditEntry.actor, AuditEntry.telegram_user_id)
        .order_by(checks.desc(), AuditEntry.actor)
        .limit(BUSIEST)
        .subquery()
    )
    busiest = tuple(
        BusyUser(actor, telegram_id, name or "", team or "", n)
        for actor, telegram_id, n, name, team in await session.execute(
            select(top, User.name, User.team)
            .outerjoin(User, User.telegram_id == top.c.telegram_user_id)
            .order_by(top.c.checks.desc(), top.c.actor)
        )
    )

    times = dict(
        (ms, n)
        for ms, n in await session.execute(
            select(AnswerTime.ms, func.count())
            .join(AuditEntry, AuditEntry.id == AnswerTime.audit_id)
            .where(*window)
            .group_by(AnswerTime.ms)
        )
    )
    return Statistics(
        since=since,
        until=now,
        days=days,
        checks=sum(per_day.values()),
        per_day=tuple(
            (first + dt.timedelta(days=d), per_day[first + dt.timedelta(days=d)]) for d in range(days)
        ),
        per_team=_ranked(per_team),
        by_intent=_ranked(by_intent),
        by_outcome=_ranked(by_outcome),
        by_reason=_ranked(by_reason),
        busiest=busiest,
        timed=sum(times.values()),
        p50_ms=percentile(times, 0.50),
        p95_ms=percentile(times, 0.95),
    )
