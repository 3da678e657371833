"""The alerts a check raises: decided inside the check's own audit transaction, from what it disclosed.

Both steps run in the one audited disclosure path, in the audit entry's transaction: `followers_of`
before the entry is written (so the audit head, every writer's one lock, is not held for it), and
`raise_alerts` right after. So a check by any route and any channel (Telegram, `beatline ask --as`,
the console) raises them, and an alert exists exactly when the check's audit entry does. The searcher
is not told. One person's checks of one record within a minute are one alert: the first one's row
stands for the rest; by then the writer holds the audit head's lock, so two checks at once cannot
both think they are the first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.follows.checked import checked_records
from knowledge.store.audit import Caller
from knowledge.store.schema import Follow, FollowAlert, User

__all__ = ["LONDON", "QUIET", "Follower", "alert_text", "followers_of", "raise_alerts"]

LONDON = ZoneInfo("Europe/London")
QUIET = dt.timedelta(minutes=1)  # one person's further checks of a record within this raise no alert


@dataclass(frozen=True)
class Follower:
    """Someone to alert: who follows which record, and its name as they followed it."""

    follower_id: int
    kind: str
    record_id: str
    label: str


async def followers_of(
    session: AsyncSession, caller: Caller, outcome: str, record_ids: Sequence[str], at: dt.datetime
) -> list[Follower]:
    """The active followers of each record a check with this outcome showed, but the checker."""
    records = sorted(set(checked_records(outcome, " ".join(record_ids))))
    if not records:
        return []
    rows = (
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
    return [Follower(*row) for row in rows if row.follower_id != caller.telegram_user_id]


async def raise_alerts(
    session: AsyncSession,
    caller: Caller,
    followers: Sequence[Follower],
    *,
    audit_id: int,
    reason: str,
    at: dt.datetime,
) -> int:
    """Queue one alert per follower, unless this checker raised theirs within QUIET; how many."""
    if not followers:
        return 0
    checker = await session.get(User, caller.telegram_user_id) if caller.telegram_user_id else None
    raised = 0
    for f in followers:
        recent = await session.scalar(
            select(FollowAlert.id)
            .where(
                FollowAlert.follower_id == f.follower_id,
                FollowAlert.record_id == f.record_id,
                FollowAlert.kind == f.kind,
                FollowAlert.checker_actor == caller.actor,
                FollowAlert.at > at - QUIET,
            )
            .limit(1)
        )
        if recent is not None:
            continue
        session.add(FollowAlert(
            follower_id=f.follower_id, kind=f.kind, record_id=f.record_id, label=f.label, audit_id=audit_id,
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
