"""The alerts a check raises: decided inside the check's own audit transaction, from what it disclosed.

`raise_alerts` runs in the one audited disclosure path, right after the audit entry is written, so a
check by any route and any channel (Telegram, `beatline ask --as`, the console) raises them, and an
alert exists exactly when the check's audit entry does. The searcher is not told. One person's checks
of one record within a minute are one alert: the first one's row stands for the rest. The writer
holds the audit head's lock, so two checks at once cannot both think they are the first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.follows.checked import checked_records
from knowledge.store.audit import Caller
from knowledge.store.schema import Follow, FollowAlert, User

__all__ = ["LONDON", "QUIET", "alert_text", "raise_alerts"]

LONDON = ZoneInfo("Europe/London")
QUIET = dt.timedelta(minutes=1)  # one person's further checks of a record within this raise no alert


async def raise_alerts(
    session: AsyncSession,
    caller: Caller,
    *,
    audit_id: int,
    outcome: str,
    record_ids: Sequence[str],
    reason: str,
    at: dt.datetime,
) -> int:
    """Queue one alert per follower of each record this check showed, but the checker's own; how many."""
    records = sorted(set(checked_records(outcome, " ".join(record_ids))))
    if not records:
        return 0
    followers = (
        await session.execute(
            select(Follow.follower_id, Follow.kind, Follow.record_id, Follow.label)
            .join(User, User.telegram_id == Follow.follower_id)
            .where(
                or_(*(and_(Follow.kind == kind, Follow.record_id == rid) for kind, rid in records)),
                Follow.expires_at > at,
                User.status == "active",
            )
        )
    ).all()
    followers = [f for f in followers if f.follower_id != caller.telegram_user_id]
    if not followers:
        return 0
    checker = await session.get(User, caller.telegram_user_id) if caller.telegram_user_id else None
    raised = 0
    for follower_id, kind, record_id, label in followers:
        recent = await session.scalar(
            select(FollowAlert.id)
            .where(
                FollowAlert.follower_id == follower_id,
                FollowAlert.record_id == record_id,
                FollowAlert.kind == kind,
                FollowAlert.checker_actor == caller.actor,
                FollowAlert.at > at - QUIET,
            )
            .limit(1)
        )
        if recent is not None:
            continue
        session.add(FollowAlert(
            follower_id=follower_id, kind=kind, record_id=record_id, label=label, audit_id=audit_id,
            checker_actor=caller.actor, checker_id=caller.telegram_user_id,
            checker_name=checker.name if checker else "", checker_team=checker.team if checker else "",
            reason=reason, at=at, status="pending",
        ))  # fmt: skip
        raised += 1
    return raised


def alert_text(alert: FollowAlert) -> str:
    """What the follower reads: the record, who checked it (name, Telegram id, team), when and why."""
    if alert.checker_id is not None:
        name, team = alert.checker_name or "an unnamed user", alert.checker_team or "—"
        who = f"{name} (Telegram id {alert.checker_id}, team {team})"
    else:
        who = f"the console operator ({alert.checker_actor})"
    when = alert.at.replace(tzinfo=alert.at.tzinfo or dt.UTC).astimezone(LONDON)
    return (
        f"Followed record checked: {alert.kind} {alert.record_id} ({alert.label or 'no name'})\n"
        f"By: {who}\n"
        f"At: {when:%H:%M} (London), {when:%d/%m/%Y}\n"
        f"Reason: {alert.reason or 'none given'}\n"
        "They were not told that you follow it. /following lists your follows."
    )
