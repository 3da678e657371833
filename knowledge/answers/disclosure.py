"""The one audited path of every disclosure: reads in a snapshot, then the audit entry, then the reply.

An answer is built as a `Draft` (the reply and the records it shows) by reading only; `audited` then
commits one audit entry naming those records before the `Answer` is returned, so nothing is disclosed
unaudited. The same transaction keeps how long the answer took (beside the entry) and queues an alert
for everyone who follows a record the answer shows (knowledge/follows/alerts.py), so every route and
every channel that discloses a record raises its alerts, and none is raised for an unaudited one.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.access.roles import ROLES
from knowledge.errors import RecordsUnavailable
from knowledge.follows.alerts import followers_of, raise_alerts
from knowledge.follows.checked import CHECK_INTENTS
from knowledge.matching.record_ids import audit_token
from knowledge.records.port import Asking, Records, RecordsSource
from knowledge.records.sql_store import SqlStore
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from knowledge.store.schema import AnswerTime
from knowledge.store.vocabulary import Outcome, RecordKind
from knowledge.understanding.intents import Intent

__all__ = [
    "DATABASE_DOWN",
    "DATABASE_ERRORS",
    "GONE",
    "NOT_ENROLLED",
    "RECORDS_DOWN",
    "Answer",
    "Choice",
    "Disclosed",
    "Draft",
    "Listing",
    "Remember",
    "audited",
    "database_down",
    "drafted",
]

log = logging.getLogger(__name__)

DATABASE_DOWN = "The records system is not answering right now. Try again in a minute; nothing was looked up."
NOT_ENROLLED = "Sorry, you are not enrolled to use Beatline."
GONE = "That record is no longer available."
DATABASE_ERRORS = (OperationalError, DBAPIError, PoolTimeout, OSError)  # the database went away or stuck
RECORDS_DOWN = str(RecordsUnavailable())


@dataclass(frozen=True)
class Disclosed:
    kind: RecordKind
    id: str
    score: float = 100.0


@dataclass(frozen=True)
class Choice:
    """One option of a shortlist: what to show on a button and which record it opens."""

    label: str
    kind: RecordKind
    id: str


@dataclass(frozen=True)
class Listing:
    """A shortlist as a conversation keeps it: every record it was cut from, best first, and how many of
    them have been shown, so that "more" shows the next and "9" means the ninth the officer saw."""

    records: tuple[Disclosed, ...]
    shown: int


@dataclass(frozen=True)
class Answer:
    intent: Intent
    outcome: Outcome
    reply: str
    records: tuple[Disclosed, ...] = ()
    choices: tuple[Choice, ...] = ()
    more: Disclosed | None = None  # the record a "More" follow-up would detail
    # Whether a Follow button may go under it: not under several subjects, where it could not say which.
    followable: bool = True
    listing: Listing | None = None  # the shortlist, when a "next" follow-up would show more of it

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "outcome": self.outcome,
            "reply": self.reply,
            "records": [{"kind": r.kind, "id": r.id, "score": r.score} for r in self.records],
        }


@dataclass
class Draft:
    """An answer being built, before its audit entry is written.

    `counted` are records the reply does not show but whose flags it counts ("2 not shown are
    wanted"): not disclosed records, but the audit names them as counted:person:ID all the same.
    """

    outcome: Outcome
    reply: str
    records: list[Disclosed] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    more: Disclosed | None = None
    counted: list[Disclosed] = field(default_factory=list)
    listing: Listing | None = None  # the shortlist a follow-up may page or pick from
    intent: Intent | None = None  # what was answered, when only the records could say (a follow-up)
    followable: bool = True


Remember = Callable[[AsyncSession, Draft], Awaitable[None]]


async def audited(
    db: Database,
    caller: Caller,
    text: str,
    intent: Intent,
    reason: str,
    work: Callable[[Records], Awaitable[Draft]],
    records: RecordsSource | None = None,
    remember: Remember | None = None,
) -> Answer:
    """Run `work`, then write its audit entry: the single path of every disclosure.

    `work` only reads, in one view of `records` (the process's records port; the records in `db` when
    None) that holds no write lock; the audit entry is a short transaction of its own, committed before
    the answer is returned, so nothing is disclosed unaudited. Strangers are refused here, before any
    record is read. A records system that fails is an audited error, never part of a reply; a database
    that went away is one sentence. `remember` keeps what the answer showed for the follow-ups, in the
    audit entry's transaction: what a conversation holds was audited.
    """
    started = time.perf_counter()
    try:
        if caller.role not in ROLES:
            draft = Draft(Outcome.DENIED, NOT_ENROLLED)
        else:
            draft = await _read(records or SqlStore(db), Asking(reason, _officer(caller)), work)
        intent = draft.intent or intent
        took = round((time.perf_counter() - started) * 1000)
        shown = [f"{r.kind}:{audit_token(r.id)}" for r in draft.records]
        async with db.sessions() as session, session.begin():
            at = dt.datetime.now(dt.UTC)
            followers = await followers_of(session, caller, draft.outcome, shown, at)
            entry = await audit.record(
                session,
                caller,
                query=text,
                intent=intent,
                outcome=draft.outcome,
                record_ids=shown + [f"counted:{r.kind}:{audit_token(r.id)}" for r in draft.counted],
                reason=reason,
                at=at,
            )
            if intent in CHECK_INTENTS:  # what statistics time: checks, not help or small talk
                session.add(AnswerTime(audit_id=entry, ms=took))
            await raise_alerts(session, caller, followers, audit_id=entry, reason=reason, at=at)
            if remember is not None and draft.outcome is not Outcome.DENIED:
                await remember(session, draft)
    except DATABASE_ERRORS as exc:
        return database_down(intent, exc)
    listing = draft.listing if draft.listing and draft.listing.shown < len(draft.listing.records) else None
    return Answer(
        intent, draft.outcome, draft.reply, tuple(draft.records), tuple(draft.choices), draft.more,
        draft.followable, listing,
    )  # fmt: skip


def database_down(intent: Intent, exc: BaseException) -> Answer:
    """The one sentence for a database that went away: nothing was looked up, nothing disclosed."""
    log.warning("database unavailable while answering: %s", type(exc).__name__)
    return Answer(intent, Outcome.ERROR, DATABASE_DOWN)


async def _read(records: RecordsSource, asking: Asking, work: Callable[[Records], Awaitable[Draft]]) -> Draft:
    """The draft `work` makes from one view; an error, and nothing read, if the records system fails."""
    try:
        async with records.view(asking) as view:
            return await work(view)
    except RecordsUnavailable as down:
        log.warning("records system unavailable while answering: %s", down.detail)
        return Draft(Outcome.ERROR, RECORDS_DOWN)


def _officer(caller: Caller) -> str:
    """The officer a force's records system is told of: the Telegram id, or the audit actor."""
    return str(caller.telegram_user_id) if caller.telegram_user_id is not None else caller.actor


async def drafted(draft: Draft) -> Draft:
    """A draft decided before any record is read."""
    return draft
