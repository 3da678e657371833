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


def _telegram_id(actor: str) -> int | None:
    kind, _, number = actor.partition(":")
    return int(number) if kind == "tg" and number.isascii() and number.isdigit() else None


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
    for bucket, n in await session.execute(select(hour, func.count()).where(*window).group_by(hour)):
        per_day[london_day(bucket)] += n

    # One pass for users and kinds together: a few thousand groups, summed here. The actor names the
    # Telegram user ("tg:<id>", the audit log's own form), so no second column is grouped for it.
    by_user: Counter[str] = Counter()
    by_intent: Counter[str] = Counter()
    by_outcome: Counter[str] = Counter()
    by_reason: Counter[str] = Counter()
    columns = (AuditEntry.actor, AuditEntry.intent, AuditEntry.outcome, AuditEntry.reason)
    for actor, intent, outcome, reason, n in await session.execute(
        select(*columns, func.count()).where(*window).group_by(*columns)
    ):
        by_user[actor] += n
        by_intent[intent] += n
        by_outcome[outcome] += n
        by_reason[reason or ""] += n

    ids = {actor: _telegram_id(actor) for actor in by_user}
    found = await session.scalars(select(User).where(User.telegram_id.in_({i for i in ids.values() if i})))
    people = {u.telegram_id: (u.name, u.team) for u in found}
    per_team: Counter[str] = Counter()
    for actor, n in by_user.items():
        per_team[people.get(ids[actor] or 0, ("", ""))[1] or NO_TEAM] += n
    busiest = tuple(
        BusyUser(actor, ids[actor], *people.get(ids[actor] or 0, ("", "")), checks=n)
        for actor, n in sorted(by_user.items(), key=lambda kv: (-kv[1], kv[0]))[:BUSIEST]
    )

    # Answer times are kept for checks only, and ids follow time: the window is a range of ids.
    first_id, last_id = (
        await session.execute(
            select(func.min(AuditEntry.id), func.max(AuditEntry.id)).where(
                AuditEntry.at >= since, AuditEntry.at <= now
            )
        )
    ).one()
    times: dict[int, int] = {}
    if first_id is not None:
        times = {
            ms: n
            for ms, n in await session.execute(
                select(AnswerTime.ms, func.count())
                .where(AnswerTime.audit_id.between(first_id, last_id))
                .group_by(AnswerTime.ms)
            )
        }
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
