"""The review report: per user, what a supervisor looks for in the audit log.

Checks, denials, lock-outs and rate-limit refusals; bursts (BURST checks within BURST_WINDOW); checks
outside the user's unlocked shifts; the same person checked REPEAT times within REPEAT_WINDOW; and
how many follow alerts their checks raised.

Shifts come from the unlock vocabulary of the audit log: intent `unlock` with outcome `answered`
opens one for `unlock_hours`, and intent `lock`, or `lockout` with outcome `locked`, ends it early.
A user with no unlock entry at all, where step-up is off, has no shift data: they never unlock, so
nothing is outside a shift.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.follows.checked import CHECK_INTENTS, checked_records
from knowledge.store.database import utc
from knowledge.store.schema import AuditEntry, FollowAlert, User
from knowledge.store.vocabulary import Outcome, RecordKind, ShiftIntent

__all__ = [
    "BURST",
    "BURST_WINDOW",
    "REPEAT",
    "REPEAT_WINDOW",
    "Burst",
    "Repeated",
    "Review",
    "UserReview",
    "review",
]

BURST, BURST_WINDOW = 20, dt.timedelta(minutes=10)
REPEAT, REPEAT_WINDOW = 3, dt.timedelta(days=7)
_SHIFT_INTENTS = (ShiftIntent.UNLOCK, ShiftIntent.LOCK, ShiftIntent.LOCKOUT)


@dataclass(frozen=True)
class Burst:
    start: dt.datetime
    end: dt.datetime
    checks: int


@dataclass(frozen=True)
class Repeated:
    person_id: str
    checks: int  # the most checks of this person within any REPEAT_WINDOW


@dataclass(frozen=True)
class UserReview:
    actor: str
    telegram_id: int | None
    name: str
    team: str
    checks: int = 0
    denials: int = 0
    lockouts: int = 0
    rate_limited: int = 0
    bursts: tuple[Burst, ...] = ()
    outside_shift: int | None = None  # None: no shift data
    repeated: tuple[Repeated, ...] = ()
    follows_triggered: int = 0

    @property
    def flagged(self) -> bool:
        """Whether anything here is for a supervisor to look into."""
        return bool(
            self.denials or self.lockouts or self.rate_limited or self.bursts or self.outside_shift
            or self.repeated or self.follows_triggered
        )  # fmt: skip


@dataclass(frozen=True)
class Review:
    since: dt.datetime
    until: dt.datetime
    users: tuple[UserReview, ...] = field(default_factory=tuple)  # flagged first, then most checks

    def to_json(self) -> dict[str, Any]:
        def user(u: UserReview) -> dict[str, Any]:
            return {
                "actor": u.actor, "telegram_id": u.telegram_id, "name": u.name, "team": u.team,
                "checks": u.checks, "denials": u.denials, "lockouts": u.lockouts,
                "rate_limited": u.rate_limited,
                "bursts": [{"start": b.start.isoformat(), "end": b.end.isoformat(), "checks": b.checks}
                           for b in u.bursts],
                "outside_shift": u.outside_shift if u.outside_shift is not None else "no shift data",
                "repeated": [{"person_id": r.person_id, "checks": r.checks} for r in u.repeated],
                "follows_triggered": u.follows_triggered,
            }  # fmt: skip

        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "users": [user(u) for u in self.users],
        }


def bursts(times: Sequence[dt.datetime]) -> tuple[Burst, ...]:
    """Runs of at least BURST checks within BURST_WINDOW of each other in `times` (sorted); overlapping
    runs are one burst."""
    found: list[tuple[int, int]] = []
    left = 0
    for right, at in enumerate(times):
        while at - times[left] >= BURST_WINDOW:
            left += 1
        if right - left + 1 >= BURST:
            if found and left <= found[-1][1]:
                found[-1] = (found[-1][0], right)
            else:
                found.append((left, right))
    return tuple(Burst(times[a], times[b], b - a + 1) for a, b in found)


def _most_within(times: Sequence[dt.datetime], window: dt.timedelta) -> int:
    best, left = 0, 0
    for right, at in enumerate(times):
        while at - times[left] >= window:
            left += 1
        best = max(best, right - left + 1)
    return best


def _shifts(
    marks: Sequence[tuple[dt.datetime, str, str]], hours: float
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Unlocked spans from (at, intent, outcome) entries; a lock ends every span still open then (an
    unlock while unlocked starts a new span over the old one, and the lock ends both)."""
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    for at, intent, outcome in sorted(marks):
        if intent == ShiftIntent.UNLOCK and outcome == Outcome.ANSWERED:
            spans.append((at, at + dt.timedelta(hours=hours)))
        elif intent == ShiftIntent.LOCK or (intent, outcome) == (ShiftIntent.LOCKOUT, Outcome.LOCKED):
            spans = [(start, min(end, at)) for start, end in spans]
    return spans


def _outside(checks: Sequence[dt.datetime], spans: Sequence[tuple[dt.datetime, dt.datetime]]) -> int:
    return sum(1 for at in checks if not any(start <= at < end for start, end in spans))


@dataclass
class _Tally:
    """One user's entries as the review reads them."""

    telegram_id: int | None
    checks: list[dt.datetime] = field(default_factory=list)
    persons: dict[str, list[dt.datetime]] = field(default_factory=lambda: defaultdict(list))
    marks: list[tuple[dt.datetime, str, str]] = field(default_factory=list)  # unlock, lock, lockout
    denials: int = 0
    lockouts: int = 0
    rate_limited: int = 0

    def add(self, at: dt.datetime, intent: str, outcome: str, record_ids: str) -> None:
        self.denials += outcome == Outcome.DENIED
        self.lockouts += intent == ShiftIntent.LOCKOUT and outcome == Outcome.LOCKED
        self.rate_limited += outcome == Outcome.RATE_LIMITED
        if intent in CHECK_INTENTS and outcome != Outcome.LOCKED:
            self.checks.append(at)
            for kind, person_id in checked_records(outcome, record_ids):
                if kind == RecordKind.PERSON:
                    self.persons[person_id].append(at)

    def review(
        self, actor: str, person: tuple[str, str], *, hours: float, step_up: bool, triggered: int
    ) -> UserReview:
        """This user's review; `person` is their name and team ('' for a console operator)."""
        no_data = not step_up and not any(intent == ShiftIntent.UNLOCK for _, intent, _ in self.marks)
        repeated = [
            Repeated(person_id, n)
            for person_id, times in self.persons.items()
            if (n := _most_within(sorted(times), REPEAT_WINDOW)) >= REPEAT
        ]
        return UserReview(
            actor=actor,
            telegram_id=self.telegram_id,
            name=person[0],
            team=person[1],
            checks=len(self.checks),
            denials=self.denials,
            lockouts=self.lockouts,
            rate_limited=self.rate_limited,
            bursts=bursts(sorted(self.checks)),
            outside_shift=None if no_data else _outside(self.checks, _shifts(self.marks, hours)),
            repeated=tuple(sorted(repeated, key=lambda r: (-r.checks, r.person_id))),
            follows_triggered=triggered,
        )


async def review(
    session: AsyncSession,
    since: dt.datetime,
    now: dt.datetime,
    *,
    unlock_hours: float = 12.0,
    step_up: bool = True,
) -> Review:
    """The review of every user with a check, denial, lock-out or refusal from `since` to `now`."""
    shift_from = since - dt.timedelta(hours=unlock_hours)  # a shift begun before `since` covers checks after
    shift_mark = (AuditEntry.at >= shift_from) & AuditEntry.intent.in_(_SHIFT_INTENTS)
    rows = await session.execute(
        select(
            AuditEntry.actor, AuditEntry.telegram_user_id, AuditEntry.at, AuditEntry.intent,
            AuditEntry.outcome, AuditEntry.record_ids,
        )
        .where(
            AuditEntry.at <= now,
            or_(AuditEntry.at >= since, shift_mark),
        )
        .order_by(AuditEntry.id)
    )  # fmt: skip
    entries = rows.all()
    triggered: dict[str, int] = {
        actor: n
        for actor, n in await session.execute(
            select(FollowAlert.checker_actor, func.count(func.distinct(FollowAlert.audit_id)))
            .where(FollowAlert.at >= since, FollowAlert.at <= now)
            .group_by(FollowAlert.checker_actor)
        )
    }
    ids = {entry.telegram_user_id for entry in entries if entry.telegram_user_id is not None}
    found = await session.scalars(select(User).where(User.telegram_id.in_(ids)))
    people = {u.telegram_id: (u.name, u.team) for u in found}
    # A busy week is a second or two of Python: in a worker thread, so the bot's other updates go on.
    reviews = await asyncio.to_thread(_reviews, entries, people, triggered, since, unlock_hours, step_up)
    return Review(since=since, until=now, users=reviews)


def _reviews(
    entries: Sequence[Row[str, int | None, dt.datetime, str, str, str]],
    people: dict[int, tuple[str, str]],
    triggered: dict[str, int],
    since: dt.datetime,
    hours: float,
    step_up: bool,
) -> tuple[UserReview, ...]:
    tallies: dict[str, _Tally] = {}
    for actor, telegram_id, at, intent, outcome, record_ids in entries:
        at = utc(at)
        tally = tallies.setdefault(actor, _Tally(telegram_id))
        if intent in _SHIFT_INTENTS:
            tally.marks.append((at, intent, outcome))
        if at >= since:
            tally.add(at, intent, outcome, record_ids)
    reviews = [
        tally.review(
            actor,
            people.get(tally.telegram_id, ("", "")) if tally.telegram_id is not None else ("", ""),
            hours=hours,
            step_up=step_up,
            triggered=triggered.get(actor, 0),
        )
        for actor, tally in tallies.items()
        if tally.checks or tally.denials or tally.lockouts or tally.rate_limited
    ]
    reviews.sort(key=lambda r: (not r.flagged, -r.checks, r.actor))
    return tuple(reviews)
