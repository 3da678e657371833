"""Which worker holds a briefing: claimed when due (or interrupted, or reminded), its lease renewed,
then finished or released. Every change is one UPDATE stating the status it expects, so exactly one
worker wins a briefing on SQLite and PostgreSQL alike; the copies it then sends are in copies.py.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.access.users import active_user
from knowledge.briefings.copies import (
    Claim,
    Withdrawn,
    _caller,
    _now,
    _strand,
)
from knowledge.briefings.drafts import ALL_TEAMS, choose_team
from knowledge.briefings.statuses import BriefingStatus, CopyStatus
from knowledge.errors import BeatlineError
from knowledge.store import audit
from knowledge.store.database import Database
from knowledge.store.schema import Briefing, BriefingDelivery, User

__all__ = ["claim_due", "finish", "release", "renew"]


async def claim_due(db: Database, worker: str, lease: dt.timedelta) -> tuple[list[Claim], list[Withdrawn]]:
    """Take every briefing that is due, or whose worker (another one) stopped renewing its lease.

    Also returns the due briefings cancelled instead, because their author may no longer send them.
    A worker never takes over its own: a renewal it made late (a stalled event loop) means it is alive.
    """
    now = _now()
    due = and_(Briefing.status == BriefingStatus.SCHEDULED, Briefing.send_at <= now)
    lapsed = and_(
        Briefing.status == BriefingStatus.SENDING,
        or_(Briefing.claimed_until.is_(None), Briefing.claimed_until < now),
        or_(Briefing.claimed_by.is_(None), Briefing.claimed_by != worker),
    )
    async with db.reads() as session:
        candidates = list(
            await session.scalars(select(Briefing.id).where(or_(due, lapsed)).order_by(Briefing.id))
        )
    claims, withdrawn = [], []
    hold = {"status": BriefingStatus.SENDING, "claimed_by": worker, "claimed_until": now + lease}
    for briefing_id in candidates:
        async with db.sessions() as session, session.begin():
            # Each transaction opens with its write, so SQLite queues it behind another writer.
            for condition, fresh in ((due, True), (lapsed, False)):
                won = await session.execute(
                    update(Briefing).where(Briefing.id == briefing_id, condition).values(hold)
                )
                if won.rowcount:  # type: ignore[attr-defined]
                    taken = await _take(session, briefing_id, fresh=fresh)
                    if isinstance(taken, Claim):
                        claims.append(taken)
                    elif taken is not None:
                        withdrawn.append(taken)
                    break
    return claims, withdrawn


async def _take(session: AsyncSession, briefing_id: int, *, fresh: bool) -> Claim | Withdrawn | None:
    briefing = await session.get_one(Briefing, briefing_id)
    author = await active_user(session, briefing.sender_id)
    if author is None:
        # A revoked sergeant's scheduled briefing does not go out in their name.
        briefing.status, briefing.claimed_by, briefing.claimed_until = BriefingStatus.CANCELLED, None, None
        return None
    try:
        # The rules /brief applied when it was drafted, applied again to the author as they are now,
        # whether the briefing is due, resumed after a crash or reminded: a sergeant demoted or moved
        # to another team since does not brief the old one.
        choose_team(author, briefing.team)
    except BeatlineError as refused:
        if not fresh:  # what was in flight is settled; what had not gone yet does not go
            await _strand(session, briefing_id, briefing.sender_id, author.role)
            await session.execute(
                update(BriefingDelivery)
                .where(
                    BriefingDelivery.briefing_id == briefing_id, BriefingDelivery.status == CopyStatus.PENDING
                )
                .values(status=CopyStatus.SKIPPED)
            )
        briefing.status = BriefingStatus.CANCELLED
        briefing.claimed_by, briefing.claimed_until = None, None
        await audit.record(
            session, _caller(briefing.sender_id, author.role),
            query=f"briefing {briefing_id} not sent: {refused}", intent="briefing", outcome="cancelled",
            record_ids=[f"briefing:{briefing_id}"],
        )  # fmt: skip
        return Withdrawn(briefing_id, briefing.sender_id, briefing.team, str(refused))
    if fresh:
        pending = literal(CopyStatus.PENDING)
        members = select(literal(briefing_id), User.telegram_id, pending, literal(0)).where(
            User.status == "active", User.telegram_id != briefing.sender_id
        )
        if briefing.team != ALL_TEAMS:
            members = members.where(User.team == briefing.team)
        await session.execute(
            insert(BriefingDelivery).from_select(
                ["briefing_id", "telegram_id", "status", "attempts"], members
            )
        )
    else:
        await _strand(session, briefing_id, briefing.sender_id, author.role)
    return Claim(
        briefing.id, briefing.sender_id, author.name, author.role, briefing.team, briefing.text,
        briefing.progress_chat_id, briefing.progress_message_id,
    )  # fmt: skip


async def renew(db: Database, briefing_id: int, worker: str, lease: dt.timedelta) -> bool:
    """Extend this worker's hold; False if another worker has taken the briefing over."""
    async with db.sessions() as session, session.begin():
        result = await session.execute(
            update(Briefing)
            .where(
                Briefing.id == briefing_id,
                Briefing.claimed_by == worker,
                Briefing.status == BriefingStatus.SENDING,
            )
            .values(claimed_until=_now() + lease)
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _end_hold(db: Database, briefing_id: int, worker: str, **values: object) -> None:
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(Briefing).where(Briefing.id == briefing_id, Briefing.claimed_by == worker).values(**values)
        )


async def finish(db: Database, claim: Claim, worker: str) -> None:
    """Every copy has been sent: the briefing is sent.

    A copy still 'sending' here is one whose outcome could not be written; 'failed' lets Remind reach it.
    """
    async with db.sessions() as session, session.begin():
        done = await session.execute(
            update(Briefing)
            .where(Briefing.id == claim.briefing_id, Briefing.claimed_by == worker)
            .values(status=BriefingStatus.SENT, claimed_by=None, claimed_until=None)
        )
        if done.rowcount:  # type: ignore[attr-defined]
            await _strand(session, claim.briefing_id, claim.sender_id, claim.sender_role)


async def release(db: Database, briefing_id: int, worker: str) -> None:
    """Let go of an unfinished briefing on a clean stop, so the next worker resumes it at once."""
    await _end_hold(db, briefing_id, worker, claimed_by=None, claimed_until=None)
