"""Teamwork: a person answer says how many other officers checked that person in the last 24 hours.

"Also checked today by 2 officers (team B)": no names, so the officer knows to ask control rather
than who to ask. Read from the audit log, with the same rule of what a check is as follows use.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.follows.checked import CHECK_INTENTS
from knowledge.matching.record_ids import audit_token
from knowledge.store.audit import Caller
from knowledge.store.schema import AuditEntry, User
from knowledge.store.vocabulary import Outcome, RecordKind

__all__ = ["WINDOW", "teamwork_note"]

WINDOW = dt.timedelta(hours=24)


async def teamwork_note(session: AsyncSession, caller: Caller, person_id: str, now: dt.datetime) -> str:
    """The line to add to an answer about `person_id`, or '' when nobody else checked them lately."""
    token = f" {RecordKind.PERSON}:{audit_token(person_id)} "
    others = (
        await session.execute(
            select(AuditEntry.telegram_user_id, User.team)
            .distinct()
            .outerjoin(User, User.telegram_id == AuditEntry.telegram_user_id)
            .where(
                AuditEntry.at > now - WINDOW,
                AuditEntry.intent.in_(CHECK_INTENTS),
                AuditEntry.outcome == Outcome.ANSWERED,
                AuditEntry.telegram_user_id.is_not(None),
                AuditEntry.actor != caller.actor,
                (literal(" ") + AuditEntry.record_ids + literal(" ")).contains(token, autoescape=True),
            )
        )
    ).all()
    if not others:
        return ""
    count = len({user_id for user_id, _ in others})
    teams = sorted({team for _, team in others if team})
    named = f" (team{'s' * (len(teams) > 1)} {', '.join(teams)})" if teams else ""
    return f"Also checked today by {count} officer{'s' * (count > 1)}{named}."
