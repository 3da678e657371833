"""BEATLINE_REVIEW_AT: the weekly review digest to every admin, at a London day and time ("mon 07:00").

The next run is a row of `schedules`, so it survives restarts and every process sees the same one:
whoever moves it on with one conditional UPDATE (next_at <= now) has claimed that run, so a run is
claimed once however many processes poll. A bot that was down at the time sends the digest when it
comes back, once, and the run after is a week on from then. Each admin's copy is audited before it is
sent, as every disclosure is; a copy whose send fails is not sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from knowledge.errors import BeatlineError
from knowledge.review.periods import LONDON
from knowledge.review.review import Review, review
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database, utc
from knowledge.store.schema import Schedule, User
from knowledge.store.vocabulary import Outcome

__all__ = ["DigestScheduler", "ReviewAt", "SendDigest", "digest_shown", "last_week"]

log = logging.getLogger(__name__)

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(r"(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s+([01]?\d|2[0-3]):([0-5]\d)")
NAME = "review"
WEEK = dt.timedelta(days=7)

SendDigest = Callable[[int, Review], Awaitable[bool]]  # an admin's Telegram id; True if Telegram took it


@dataclass(frozen=True)
class ReviewAt:
    """A weekday and a London wall-clock time."""

    weekday: int  # Monday 0
    at: dt.time

    @classmethod
    def parse(cls, text: str) -> ReviewAt:
        found = _SPEC.fullmatch(text.strip().lower())
        if not found:
            raise BeatlineError(
                f"BEATLINE_REVIEW_AT must be a day and a London time such as 'mon 07:00', not {text[:20]!r}."
            )
        return cls(_DAYS.index(found[1]), dt.time(int(found[2]), int(found[3])))

    def __str__(self) -> str:
        return f"{_DAYS[self.weekday]} {self.at:%H:%M}"

    def next_after(self, now: dt.datetime) -> dt.datetime:
        """The first such London time after `now`, in UTC."""
        local = now.astimezone(LONDON)
        day = local.date() + dt.timedelta(days=(self.weekday - local.weekday()) % 7)
        for _ in range(3):
            when = dt.datetime.combine(day, self.at, LONDON).astimezone(dt.UTC)
            if when > now:
                return when
            day += WEEK
        raise AssertionError("unreachable: a week on is always later")  # pragma: no cover


def last_week(now: dt.datetime) -> dt.datetime:
    return now - WEEK


async def _ensure(db: Database, when: ReviewAt, now: dt.datetime) -> None:
    """Make the schedule's row, or move it if the configured time changed; otherwise leave it be."""
    with contextlib.suppress(IntegrityError):  # another process made the row first: theirs stands
        async with db.sessions() as session, session.begin():
            row = await session.get(Schedule, NAME, with_for_update=True)
            if row is None:
                session.add(Schedule(name=NAME, spec=str(when), next_at=when.next_after(now)))
            elif row.spec != str(when):
                row.spec, row.next_at = str(when), when.next_after(now)


async def _claim(db: Database, when: ReviewAt, now: dt.datetime) -> bool:
    """Move the due run on a week; True for the one process whose update did it."""
    async with db.sessions() as session, session.begin():
        claimed = await session.execute(
            update(Schedule)
            .where(Schedule.name == NAME, Schedule.spec == str(when), Schedule.next_at <= now)
            .values(next_at=when.next_after(now))
            .returning(Schedule.name)
        )
        return claimed.first() is not None


async def digest_shown(db: Database, admin: Caller, report: Review, query: str) -> None:
    """Audit that `admin` is shown this review: the users it lists, and the people it names by id."""
    flagged = [u for u in report.users if u.flagged]
    shown = [f"user:{u.telegram_id}" for u in flagged if u.telegram_id is not None]
    shown += sorted({f"person:{r.person_id}" for u in flagged for r in u.repeated})
    async with db.sessions() as session, session.begin():
        await audit.record(
            session, admin, query=query, intent="review", outcome=Outcome.ANSWERED, record_ids=shown
        )


class DigestScheduler:
    """Polls the schedule every `poll_every` seconds; on a claimed run, the digest to every active admin."""

    def __init__(
        self,
        db: Database,
        when: ReviewAt,
        send: SendDigest,
        *,
        unlock_hours: float = 12.0,
        step_up: bool = True,
        poll_every: float = 30.0,
    ) -> None:
        self.db, self.when, self.send, self.poll_every = db, when, send, poll_every
        self.unlock_hours, self.step_up = unlock_hours, step_up
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._ensured = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._poll(), name="review digest")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def run_due(self, now: dt.datetime | None = None) -> int:
        """Send the digest if its run is due and this process claims it; to how many admins it went."""
        now = now or dt.datetime.now(dt.UTC)
        if not self._ensured:
            await _ensure(self.db, self.when, now)
            self._ensured = True
        due = await self.next_at()  # a read first: a claim takes SQLite's write lock
        if due is None or due > now or not await _claim(self.db, self.when, now):
            return 0
        async with self.db.reads() as session:
            report = await review(
                session, last_week(now), now, unlock_hours=self.unlock_hours, step_up=self.step_up
            )
            admins = list(
                await session.scalars(select(User).where(User.role == "admin", User.status == "active"))
            )
        sent = 0
        for admin in admins:
            caller = Caller(
                f"tg:{admin.telegram_id}", "admin", "review", admin.telegram_id, admin.telegram_id
            )
            try:
                await digest_shown(self.db, caller, report, f"weekly review digest ({self.when})")
                sent += await self.send(admin.telegram_id, report)
            except Exception as error:  # one unreachable admin must not stop the others
                log.warning("review digest to %s not sent: %s", admin.telegram_id, type(error).__name__)
        return sent

    async def next_at(self) -> dt.datetime | None:
        async with self.db.reads() as session:
            row = await session.get(Schedule, NAME)
        return utc(row.next_at) if row else None

    async def _poll(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.run_due()
            except Exception:  # the database may be back by the next look
                log.exception("could not look for the review digest")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.poll_every)
