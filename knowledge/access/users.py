"""The allowlist: enrolled Telegram users, their roles and teams (invite codes: invites.py).

Every change records who made it and when, and is an audit entry written in the same transaction as
the change: a change is in the audit chain or it did not happen. Only the hash of an invite code is
stored, so a leaked database cannot be used to enrol.

An invite dies with its issuer's right to issue it. At redemption the issuer must still be an active
user whose role may grant the invite's role (`roles.may_grant`); and when an issuer is revoked or
demoted, the unused invites they may no longer grant are withdrawn at once, so that being enrolled
again later does not revive them. An invite made at the console (`console:<os user>`) holds until it
is used or expires: the console's authority is access to the server itself, which Beatline cannot
revoke, and whoever has it can enrol anyone directly with `beatline users add`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.access.roles import ROLES, may_grant
from knowledge.errors import BeatlineError
from knowledge.matching.clean import clean_text
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database, utc
from knowledge.store.schema import NAME_CHARS, TEAM_CHARS, Follow, Invite, StepUp, User

__all__ = [
    "Enrolment",
    "active_user",
    "await_briefing_text",
    "enrol",
    "list_users",
    "parse_telegram_id",
    "revoke",
    "take_briefing_text",
    "team_members",
]

MAX_TELEGRAM_ID = 2**63 - 1  # the users table's BIGINT; Telegram's ids are far below it
_DIGITS = re.compile(r"[0-9]{1,19}")


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


def parse_telegram_id(text: str) -> int:
    """A Telegram id typed in a command; BeatlineError saying what one looks like otherwise."""
    if not _DIGITS.fullmatch(text) or not 0 < int(text) <= MAX_TELEGRAM_ID:
        raise BeatlineError(
            f"'{clean_text(text, 24)}' is not a Telegram id; it is a number, as /whoami shows."
        )
    return int(text)


def _check_id(telegram_id: int) -> int:
    if not 0 < telegram_id <= MAX_TELEGRAM_ID:
        raise BeatlineError("A Telegram user id is a positive number.")
    return telegram_id


def _check_role(role: str) -> str:
    role = role.lower()
    if role not in ROLES:
        raise BeatlineError(f"'{clean_text(role, 24)}' is not a role; use one of: {', '.join(ROLES)}.")
    return role


def _check_text(value: str, what: str, most: int) -> str:
    """A team or name as stored: visible characters and single spaces, refused in words if too long."""
    cleaned = clean_text(value, most + 1)
    if len(cleaned) > most:
        raise BeatlineError(f"{what} is at most {most} characters long.")
    return cleaned


def _who(by: Caller | str) -> Caller:
    """Who makes a change; a bare name (a script, a test) is audited as a console actor of that name."""
    return by if isinstance(by, Caller) else Caller(actor=by, role="", channel="cli")


def _in_team(team: str) -> str:
    return f" in team {team}" if team else ""


async def enrol(
    db: Database, telegram_id: int, role: str, *, team: str = "", name: str = "", by: Caller | str
) -> Enrolment:
    """Enrol a user, or change an enrolled user's role, team or name (and reactivate them); audited."""
    role, telegram_id, who = _check_role(role), _check_id(telegram_id), _who(by)
    team, name = _check_text(team, "A team name", TEAM_CHARS), _check_text(name, "A name", NAME_CHARS)
    async with db.sessions() as session, session.begin():
        user, outcome, change = await _enrol(session, telegram_id, role, team=team, name=name, by=who.actor)
        await audit.record(session, who, query=change, intent="user_enrol", outcome=outcome,
                           record_ids=[f"user:{telegram_id}"])  # fmt: skip
    return _enrolment(user)


async def _enrol(
    session: AsyncSession, telegram_id: int, role: str, *, team: str, name: str, by: str
) -> tuple[User, str, str]:
    """Enrol or change the user inside the caller's transaction: the row, the outcome, the change in words."""
    if role != "admin":
        # Before the user's own row: every writer takes the admin rows first, so none waits in a cycle.
        await _guard_last_admin(session, telegram_id)
    user = await session.get(User, telegram_id, with_for_update=True)
    if user is None:
        user = User(telegram_id=telegram_id, name=name, role=role, team=team, status="active")
        session.add(user)
        outcome, change = "enrolled", f"{telegram_id} enrolled as {role}{_in_team(team)}"
    else:
        was = f"{user.role}{_in_team(user.team)}"
        outcome = "changed" if user.status == "active" else "enrolled"
        user.role, user.status = role, "active"
        user.briefing_text_due = None  # a changed role must not inherit a wait it may not use
        user.team = team or user.team
        user.name = name or user.name
        again = "changed to" if outcome == "changed" else "enrolled again as"
        change = f"{telegram_id} {again} {role}{_in_team(user.team)} (was {was})"
        change += await _withdraw_invites(session, telegram_id, role)
    user.changed_by, user.changed_at = by[:80], dt.datetime.now(dt.UTC)
    return user, outcome, change


async def _guard_last_admin(session: AsyncSession, telegram_id: int) -> None:
    """Refuse to leave the force with no admin: nobody could then manage the allowlist from Telegram.

    The active admins' rows are locked (in id order) before they are counted, so two changes racing
    to demote the last two admins take turns, and the second sees the first's result. SQLite ignores
    the lock; its single writer already makes them take turns.
    """
    admins = set(
        await session.scalars(
            select(User.telegram_id)
            .where(User.role == "admin", User.status == "active")
            .order_by(User.telegram_id)
            .with_for_update()
        )
    )
    if admins == {telegram_id}:
        raise BeatlineError(f"{telegram_id} is the last active admin; enrol another admin first.")


async def _withdraw_invites(session: AsyncSession, issuer_id: int, role: str | None) -> str:
    """Delete the issuer's unused invites that `role` (None: revoked) may not grant; in words, if any."""
    lost = [granted for granted in ROLES if role is None or not may_grant(role, granted)]
    if not lost:
        return ""
    withdrawn = await session.execute(
        delete(Invite)
        .where(Invite.created_by == _actor(issuer_id), Invite.used_by.is_(None), Invite.role.in_(lost))
        .returning(Invite.code_hash)
    )
    count = len(withdrawn.all())
    return f"; {count} unused invite{'s' if count != 1 else ''} they made withdrawn" if count else ""


async def revoke(db: Database, telegram_id: int, *, by: Caller | str) -> bool:
    """Revoke a user at once, withdraw their unused invites, end their unlock and their follows; True if
    they were active."""
    telegram_id = _check_id(telegram_id)
    async with db.sessions() as session, session.begin():
        await _guard_last_admin(session, telegram_id)
        user = await session.get(User, telegram_id, with_for_update=True)
        if user is None or user.status != "active":
            return False
        user.status, user.briefing_text_due = "revoked", None
        user.changed_by, user.changed_at = _who(by).actor[:80], dt.datetime.now(dt.UTC)
        change = f"{telegram_id} revoked (was {user.role}{_in_team(user.team)})"
        change += await _withdraw_invites(session, telegram_id, None)
        change += await _end_step_up(session, telegram_id)
        ended = await session.execute(
            delete(Follow).where(Follow.follower_id == telegram_id).returning(Follow.kind)
        )
        if follows := len(ended.all()):
            change += f"; {follows} follow{'s' if follows != 1 else ''} ended"
        await audit.record(session, _who(by), query=change, intent="user_revoke", outcome="revoked",
                           record_ids=[f"user:{telegram_id}"])  # fmt: skip
    return True


async def _end_step_up(session: AsyncSession, telegram_id: int) -> str:
    """End the user's unlock and discard their authenticator secret; in words, if they had one.

    The phone that holds the secret may be the one that was lost, so being enrolled again takes a new
    secret, shown in person (`beatline users totp`).
    """
    ended = await session.execute(
        delete(StepUp).where(StepUp.telegram_id == telegram_id).returning(StepUp.telegram_id)
    )
    return "; unlock ended and authenticator secret discarded" if ended.first() is not None else ""


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


def _actor(telegram_id: int) -> str:
    return f"tg:{telegram_id}"  # as the gate names a Telegram user in the audit log
