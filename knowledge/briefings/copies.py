"""The rows behind a briefing's run: which worker holds a briefing, and where each recipient's copy stands.

Every change is one UPDATE whose WHERE clause states the status it expects, so that on SQLite and
PostgreSQL alike exactly one worker wins a briefing and exactly one sends each copy:

    briefing  scheduled --claim--> sending --finish--> sent --remind--> sending
              scheduled --claim, the author may no longer send it--> cancelled
    copy      pending --claim--> sending --> sent | failed | blocked --remind (unacknowledged)--> pending
              a 429 or a 5xx: sending --> pending; a recipient revoked meanwhile: pending --> skipped

Intent, then settle: each copy's audit entry ('sending': handed to Telegram) is written in the
transaction that marks it 'sending', so it is committed before the copy can arrive; a crash between
the send and its settlement leaves the entry, and every copy an officer can hold is in the log. The
row settles it once Telegram has answered. A copy that did not arrive for sure, or may not have, also
gets a second entry saying so: blocked, failed, requeued (a 429 or 5xx: it goes again, with a new
intent) or unconfirmed (no answer). A delivered copy needs none: its intent said as much, and one
entry per delivered copy keeps a 30-a-second run within what SQLite writes. A copy found
'sending' when a lapsed briefing is taken over may or may not have reached the officer; it becomes
'failed', settled as unconfirmed, rather than being sent again (at most once; see
`knowledge.briefings.run`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.briefings.statuses import CopyOutcome, CopyStatus
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from knowledge.store.schema import BriefingDelivery, User

__all__ = [
    "Claim",
    "Copy",
    "Outcome",
    "Tally",
    "Withdrawn",
    "claim_copies",
    "pending_copies",
    "record_outcomes",
    "tally",
]


@dataclass(frozen=True)
class Claim:
    """A briefing this worker holds, with what sending it needs."""

    briefing_id: int
    sender_id: int
    sender_name: str
    sender_role: str
    team: str
    text: str
    progress_chat_id: int | None
    progress_message_id: int | None


@dataclass(frozen=True)
class Copy:
    telegram_id: int
    reminder: bool  # the officer already has a copy: this one is a reminder


@dataclass(frozen=True)
class Outcome:
    """What became of one copy handed to Telegram."""

    telegram_id: int
    status: CopyOutcome
    message_id: int | None = None


@dataclass(frozen=True)
class Withdrawn:
    """A due briefing that was cancelled because its author may no longer send it; they are told why."""

    briefing_id: int
    sender_id: int
    team: str
    reason: str  # a sentence, as /brief would have refused it


# Where each outcome leaves the copy's row.
_ROW = MappingProxyType({
    CopyOutcome.SENT: CopyStatus.SENT,
    CopyOutcome.BLOCKED: CopyStatus.BLOCKED,
    CopyOutcome.FAILED: CopyStatus.FAILED,
    CopyOutcome.UNCONFIRMED: CopyStatus.FAILED,
    CopyOutcome.REQUEUED: CopyStatus.PENDING,
})  # fmt: skip


@dataclass(frozen=True)
class Tally:
    total: int  # copies meant to arrive
    sent: int
    blocked: int
    failed: int

    @property
    def done(self) -> int:
        return self.sent + self.blocked + self.failed


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _strand(session: AsyncSession, briefing_id: int, sender_id: int, role: str) -> None:
    """Copies left 'sending' (a worker died, or their outcome could not be written) become 'failed'.

    Each may have reached its officer, so each is settled in the log as unconfirmed, never resent.
    """
    stranded = list(
        await session.scalars(
            update(BriefingDelivery)
            .where(BriefingDelivery.briefing_id == briefing_id, BriefingDelivery.status == CopyStatus.SENDING)
            .values(status=CopyStatus.FAILED)
            .returning(BriefingDelivery.telegram_id)
            .execution_options(synchronize_session=False)
        )
    )
    for telegram_id in sorted(stranded):
        caller = _caller(sender_id, role, telegram_id)
        await _audit_copy(session, briefing_id, caller, CopyOutcome.UNCONFIRMED)


async def pending_copies(db: Database, briefing_id: int, *, limit: int = 200) -> list[Copy]:
    """The next copies waiting to be sent."""
    stmt = (
        select(BriefingDelivery.telegram_id, BriefingDelivery.message_id)
        .where(BriefingDelivery.briefing_id == briefing_id, BriefingDelivery.status == CopyStatus.PENDING)
        .order_by(BriefingDelivery.telegram_id)
        .limit(limit)
    )
    async with db.reads() as session:
        rows = await session.execute(stmt)
        return [Copy(tid, message_id is not None) for tid, message_id in rows]


async def claim_copies(db: Database, claim: Claim, telegram_ids: Sequence[int]) -> list[int]:
    """Mark copies as being sent, just before they go to Telegram; those that were pending and enrolled.

    Each claimed copy's audit entry (its intent) commits with the claim, before the copy can arrive.
    Enrolment is checked here, at the last moment, so an officer revoked mid-run is skipped.
    """
    mine = and_(
        BriefingDelivery.briefing_id == claim.briefing_id,
        BriefingDelivery.telegram_id.in_(telegram_ids),
        BriefingDelivery.status == CopyStatus.PENDING,
    )
    enrolled = select(User.telegram_id).where(User.status == "active")
    async with db.sessions() as session, session.begin():
        claimed = set(
            await session.scalars(
                update(BriefingDelivery)
                .where(mine, BriefingDelivery.telegram_id.in_(enrolled))
                .values(status=CopyStatus.SENDING, attempts=BriefingDelivery.attempts + 1)
                .returning(BriefingDelivery.telegram_id)
                .execution_options(synchronize_session=False)
            )
        )
        # Whatever is still pending now is for someone no longer enrolled.
        await session.execute(
            update(BriefingDelivery)
            .where(mine)
            .values(status=CopyStatus.SKIPPED)
            .execution_options(synchronize_session=False)
        )
        ordered = [tid for tid in telegram_ids if tid in claimed]
        for telegram_id in ordered:
            await _audit_copy(session, claim.briefing_id, _discloser(claim, telegram_id), CopyStatus.SENDING)
    return ordered


async def record_outcomes(db: Database, claim: Claim, outcomes: Sequence[Outcome]) -> None:
    """Write what Telegram said to each copy; in the audit log too, unless it was delivered.

    Many outcomes share one transaction: at 30 copies a second, a transaction each is more than a
    busy SQLite keeps up with.
    """
    now = _now()
    async with db.sessions() as session, session.begin():
        for outcome in outcomes:
            values: dict[str, object] = {"status": _ROW[outcome.status]}
            if outcome.status == CopyOutcome.SENT:
                values |= {"message_id": outcome.message_id, "sent_at": now}
            # 'failed' too: a worker whose lease lapsed mid-send still reports what really happened.
            expected = (
                (CopyStatus.SENDING,)
                if outcome.status == CopyOutcome.REQUEUED
                else (CopyStatus.SENDING, CopyStatus.FAILED)
            )
            await session.execute(
                update(BriefingDelivery)
                .where(
                    BriefingDelivery.briefing_id == claim.briefing_id,
                    BriefingDelivery.telegram_id == outcome.telegram_id,
                    BriefingDelivery.status.in_(expected),
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if outcome.status != CopyOutcome.SENT:
                await _audit_copy(
                    session, claim.briefing_id, _discloser(claim, outcome.telegram_id), outcome.status
                )


def _caller(sender_id: int, role: str, recipient: int | None = None) -> Caller:
    """The audit's "who": the sender, disclosing through the briefing channel to one recipient's chat."""
    return Caller(
        actor=f"tg:{sender_id}", role=role, channel="briefing", telegram_user_id=sender_id, chat_id=recipient
    )


def _discloser(claim: Claim, recipient: int) -> Caller:
    return _caller(claim.sender_id, claim.sender_role, recipient)


async def _audit_copy(session: AsyncSession, briefing_id: int, caller: Caller, outcome: str) -> None:
    """One entry about one copy: its intent ('sending'), or that it did not arrive as intended."""
    await audit.record(
        session, caller, query=f"briefing {briefing_id} to tg:{caller.chat_id}", intent="briefing",
        outcome=outcome, record_ids=[f"briefing:{briefing_id}"],
    )  # fmt: skip


async def tally(db: Database, briefing_id: int) -> Tally:
    """How far a briefing has got, for the sergeant's progress message."""
    async with db.reads() as session:
        rows = await session.execute(
            select(BriefingDelivery.status, func.count())
            .where(BriefingDelivery.briefing_id == briefing_id)
            .group_by(BriefingDelivery.status)
        )
        counts = Counter(dict(rows.all()))
    total = sum(n for status, n in counts.items() if status != CopyStatus.SKIPPED)
    return Tally(total, counts[CopyStatus.SENT], counts[CopyStatus.BLOCKED], counts[CopyStatus.FAILED])
