"""The allowlist: enrolled Telegram users, their roles and teams, and one-time invite codes.

Every change records who made it and when. Only the hash of an invite code is stored, so a leaked
database cannot be used to enrol.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.db import Database, utc
from knowledge.errors import BeatlineError
from knowledge.models import Invite, User
from knowledge.roles import ROLES

__all__ = [
    "Enrolment",
    "active_user",
    "await_briefing_text",
    "create_invite",
    "enrol",
    "list_users",
    "redeem_invite",
    "revoke",
    "take_briefing_text",
    "team_members",
]

INVITE_LIFETIME = dt.timedelta(hours=48)


@dataclass(frozen=True)
class Enrolment:
    telegram_id: int
    name: str
    role: str
    team: str
    status: str
    changed_by: str
    changed_at: dt.datetime
    briefing_text_due: dt.datetime | None = None  # see models.User

    def awaits_briefing_text(self, now: dt.datetime) -> bool:
        return self.briefing_text_due is not None and now < utc(self.briefing_text_due)


def _enrolment(user: User) -> Enrolment:
    return Enrolment(
        user.telegram_id, user.name, user.role, user.team, user.status, user.changed_by, user.changed_at,
        user.briefing_text_due,
    )  # fmt: skip


async def await_briefing_text(db: Database, telegram_id: int, until: dt.datetime | None) -> None:
    """Take the user's next message as a briefing's text until `until`; None to stop waiting."""
    async with db.sessions() as session, session.begin():
        await session.execute(
            update(User).where(User.telegram_id == telegram_id).values(briefing_text_due=until)
        )


async def take_briefing_text(db: Database, telegram_id: int) -> bool:
    """End the wait and claim this message as the briefing's text; False if it ended already.

    One conditional update, so of two messages sent together (a long text split by the app) exactly
    one becomes the briefing, in whichever process each arrives.
    """
    async with db.sessions() as session, session.begin():
        taken = await session.execute(
            update(User)
            .where(User.telegram_id == telegram_id, User.briefing_text_due > dt.datetime.now(dt.UTC))
            .values(briefing_text_due=None)
            .returning(User.telegram_id)  # rowcount is not reliable on every async driver
        )
        return taken.first() is not None


def _check_role(role: str) -> str:
    role = role.lower()
    if role not in ROLES:
        raise BeatlineError(f"'{role}' is not a role; use one of: {', '.join(ROLES)}.")
    return role


async def enrol(
    db: Database, telegram_id: int, role: str, *, team: str = "", name: str = "", by: str
) -> Enrolment:
    """Enrol a user, or change an enrolled user's role, team or name (and reactivate them)."""
    role = _check_role(role)
    if telegram_id <= 0:
        raise BeatlineError("A Telegram user id is a positive number.")
    now = dt.datetime.now(dt.UTC)
    async with db.sessions() as session, session.begin():
        user = await session.get(User, telegram_id, with_for_update=True)
        if user is None:
            user = User(telegram_id=telegram_id, name=name, role=role, team=team, status="active")
            session.add(user)
        else:
            if role != "admin":
                await _guard_last_admin(session, telegram_id)
            user.role, user.status = role, "active"
            user.briefing_text_due = None  # a changed role must not inherit a wait it may not use
            user.team = team or user.team
            user.name = name or user.name
        user.changed_by, user.changed_at = by, now
    return _enrolment(user)


async def _guard_last_admin(session: AsyncSession, telegram_id: int) -> None:
    """Refuse to leave the force with no admin: nobody could then manage the allowlist from Telegram."""
    admins = set(
        await session.scalars(select(User.telegram_id).where(User.role == "admin", User.status == "active"))
    )
    if admins == {telegram_id}:
        raise BeatlineError(f"{telegram_id} is the last active admin; enrol another admin first.")


async def revoke(db: Database, telegram_id: int, *, by: str) -> bool:
    """Revoke a user at once; True if they were enrolled and active."""
    async with db.sessions() as session, session.begin():
        await _guard_last_admin(session, telegram_id)
        result = await session.execute(
            update(User)
            .where(User.telegram_id == telegram_id, User.status == "active")
            .values(
                status="revoked", changed_by=by, changed_at=dt.datetime.now(dt.UTC), briefing_text_due=None
            )
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def list_users(db: Database) -> list[Enrolment]:
    async with db.reads() as session:
        users = await session.scalars(
            select(User).order_by(User.status, User.team, User.role, User.telegram_id)
        )
        return [_enrolment(u) for u in users]


async def active_user(session: AsyncSession, telegram_id: int) -> Enrolment | None:
    """The user's enrolment if active; read on every update so a revocation bites on the next message."""
    user = await session.get(User, telegram_id)
    return _enrolment(user) if user is not None and user.status == "active" else None


async def team_members(db: Database, team: str) -> list[Enrolment]:
    """Active members of a team ('*' for every team)."""
    stmt = select(User).where(User.status == "active").order_by(User.telegram_id)
    if team != "*":
        stmt = stmt.where(User.team == team)
    async with db.reads() as session:
        return [_enrolment(u) for u in await session.scalars(stmt)]


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def create_invite(db: Database, role: str, *, team: str = "", by: str) -> str:
    """A one-time code valid for 48 hours; returned once, stored only as a hash."""
    role = _check_role(role)
    code = secrets.token_urlsafe(12)
    async with db.sessions() as session, session.begin():
        session.add(
            Invite(
                code_hash=_hash(code),
                role=role,
                team=team,
                created_by=by,
                expires_at=dt.datetime.now(dt.UTC) + INVITE_LIFETIME,
            )
        )
    return code


async def redeem_invite(db: Database, code: str, telegram_id: int, name: str) -> Enrolment | None:
    """Enrol the user if the code is unused and unexpired; None otherwise (no reason given away)."""
    now = dt.datetime.now(dt.UTC)
    async with db.sessions() as session, session.begin():
        result = await session.execute(
            update(Invite)
            .where(Invite.code_hash == _hash(code), Invite.used_by.is_(None), Invite.expires_at > now)
            .values(used_by=telegram_id, used_at=now)
            .returning(Invite.role, Invite.team)
        )
        row = result.first()
    if row is None:
        return None
    return await enrol(db, telegram_id, row.role, team=row.team, name=name, by=f"invite:{code[:4]}…")
