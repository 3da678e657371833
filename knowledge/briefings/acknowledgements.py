"""Acknowledgements: each officer confirms their own copy, and the sergeant chases those who have not.

The first press is the one recorded; later presses change nothing. A reminder is the same briefing
queued again for the outstanding only, sent by the same engine that resumes interrupted runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, func, select, update

from knowledge.access.users import Enrolment
from knowledge.briefings.drafts import managed
from knowledge.briefings.statuses import BriefingStatus, CopyStatus
from knowledge.errors import BeatlineError, NotAllowed
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database, utc
from knowledge.store.schema import Briefing, BriefingDelivery, User

__all__ = ["Ack", "Recipient", "acknowledge", "outstanding", "remind"]

_REMINDABLE = (CopyStatus.SENT, CopyStatus.FAILED, CopyStatus.BLOCKED)
_OUTSTANDING = (CopyStatus.PENDING, CopyStatus.SENDING, *_REMINDABLE)


@dataclass(frozen=True)
class Recipient:
    telegram_id: int
    name: str
    status: CopyStatus  # one of _OUTSTANDING


@dataclass(frozen=True)
class Ack:
    acked_at: dt.datetime
    first: bool  # False when this officer had already acknowledged: nothing changed


async def outstanding(db: Database, briefing_id: int, viewer: Enrolment) -> list[Recipient]:
    """Recipients who have not acknowledged yet, by name."""
    await managed(db, briefing_id, viewer)  # may they follow it?
    stmt = (
        select(BriefingDelivery, func.coalesce(User.name, ""))
        .outerjoin(User, User.telegram_id == BriefingDelivery.telegram_id)
        .where(
            BriefingDelivery.briefing_id == briefing_id,
            BriefingDelivery.acked_at.is_(None),
            BriefingDelivery.status.in_(_OUTSTANDING),
        )
        .order_by(User.name, BriefingDelivery.telegram_id)
    )
    async with db.reads() as session:
        rows = await session.execute(stmt)
        return [Recipient(d.telegram_id, name, CopyStatus(d.status)) for d, name in rows]


async def acknowledge(db: Database, briefing_id: int, telegram_id: int) -> Ack:
    """Record the officer's acknowledgement of their own copy; the first press is the one that counts."""
    now = dt.datetime.now(dt.UTC)
    async with db.sessions() as session, session.begin():
        result = await session.execute(
            update(BriefingDelivery)
            .where(
                BriefingDelivery.briefing_id == briefing_id,
                BriefingDelivery.telegram_id == telegram_id,
                BriefingDelivery.acked_at.is_(None),
                BriefingDelivery.status != CopyStatus.SKIPPED,
            )
            .values(
                acked_at=now,
                # Pressing the button proves the copy arrived, even one a crash left marked failed;
                # an acknowledged copy still queued for a reminder needs no reminder.
                status=case(
                    (BriefingDelivery.status.in_((CopyStatus.FAILED, CopyStatus.PENDING)), CopyStatus.SENT),
                    else_=BriefingDelivery.status,
                ),
            )
        )
        first = bool(result.rowcount)  # type: ignore[attr-defined]
        acked_at = await session.scalar(
            select(BriefingDelivery.acked_at).where(
                BriefingDelivery.briefing_id == briefing_id, BriefingDelivery.telegram_id == telegram_id
            )
        )
    if acked_at is None:
        raise NotAllowed("This briefing was not sent to you, so it is not yours to acknowledge.")
    return Ack(utc(acked_at), first)


async def remind(
    db: Database,
    briefing_id: int,
    viewer: Enrolment,
    *,
    progress_chat_id: int | None,
    progress_message_id: int | None,
    channel: str = "telegram",
) -> int:
    """Queue the briefing again for those who have not acknowledged; how many will be reminded.

    The briefing goes back to 'sending' with no worker holding it, so the delivery engine's next look
    (woken at once by the handler) claims it exactly as it resumes an interrupted run. With no
    progress message (a Remind from the web console) no progress is shown; `channel` is the presser's.
    """
    await managed(db, briefing_id, viewer)  # may they follow it?
    async with db.sessions() as session, session.begin():
        claimed = await session.execute(
            update(Briefing)
            .where(Briefing.id == briefing_id, Briefing.status == BriefingStatus.SENT)
            .values(
                status=BriefingStatus.SENDING,
                claimed_by=None,
                claimed_until=None,
                progress_chat_id=progress_chat_id,
                progress_message_id=progress_message_id,
            )
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            raise BeatlineError("That briefing has not finished sending; remind once it has.")
        queued = await session.execute(
            update(BriefingDelivery)
            .where(
                BriefingDelivery.briefing_id == briefing_id,
                BriefingDelivery.acked_at.is_(None),
                BriefingDelivery.status.in_(_REMINDABLE),
            )
            .values(status=CopyStatus.PENDING)
        )
        count = int(queued.rowcount)  # type: ignore[attr-defined]
        if not count:
            # Raising inside the transaction rolls the status change back as well.
            raise BeatlineError("Everyone has acknowledged that briefing; there is nobody to remind.")
        # Who pressed Remind, in the same transaction as the re-queue: the copies go out in the
        # author's name, but the decision to send them again was the presser's.
        presser = Caller(
            actor=f"tg:{viewer.telegram_id}", role=viewer.role, channel=channel,
            telegram_user_id=viewer.telegram_id,
        )  # fmt: skip
        await audit.record(
            session, presser, query=f"remind briefing {briefing_id}: {count} not acknowledged",
            intent="briefing_remind", outcome="queued", record_ids=[f"briefing:{briefing_id}"],
        )  # fmt: skip
    return count
