"""One-time invite codes: minted by an admin, redeemed once by a newcomer, dying with their issuer's right.

Only the hash of a code is stored, so a leaked database cannot be used to enrol. The rule that an
invite dies with its issuer's right to issue it is in users.py, which applies it whenever a role
changes; redemption here checks it again against the issuer as they are now.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.access.roles import may_grant
from knowledge.access.users import (
    Enrolment,
    _check_id,
    _check_role,
    _check_text,
    _enrol,
    _enrolment,
    _in_team,
    active_user,
)  # fmt: skip
from knowledge.errors import BeatlineError, InviteRefused
from knowledge.matching.clean import clean_text
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database, utc
from knowledge.store.schema import NAME_CHARS, TEAM_CHARS, Invite, User

__all__ = ["INVITE_LIFETIME", "create_invite", "redeem_invite"]

INVITE_LIFETIME = dt.timedelta(hours=48)
_CODE = re.compile(r"[A-Za-z0-9_-]{16}")  # secrets.token_urlsafe(12)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _key(code_hash: str) -> str:
    """How the audit log names an invite: a prefix of its hash, which cannot enrol anyone."""
    return f"invite:{code_hash[:8]}"


async def create_invite(db: Database, role: str, *, team: str = "", by: Caller) -> str:
    """A one-time code valid for 48 hours; returned once, stored only as a hash; audited."""
    role, team = _check_role(role), _check_text(team, "A team name", TEAM_CHARS)
    if not may_grant(by.role, role):
        raise BeatlineError(f"You may not invite someone as {role}.")
    code = secrets.token_urlsafe(12)
    code_hash, expires = _hash(code), dt.datetime.now(dt.UTC) + INVITE_LIFETIME
    key = _key(code_hash)
    async with db.sessions() as session, session.begin():
        if by.telegram_user_id is not None:
            # The role the gate read may be stale by now: the issuer's row, locked, decides, so an
            # invite minted while its issuer is demoted is never written after the withdrawal.
            issuer = await session.get(User, by.telegram_user_id, with_for_update=True)
            if issuer is None or issuer.status != "active" or not may_grant(issuer.role, role):
                raise BeatlineError(f"You may not invite someone as {role}.")
        invite = Invite(code_hash=code_hash, role=role, team=team, created_by=by.actor, expires_at=expires)
        session.add(invite)
        await audit.record(
            session, by, intent="invite_create", outcome="created", record_ids=[key],
            query=f"{key} as {role}{_in_team(team)}, valid until {expires:%d/%m %H:%M} UTC",
        )  # fmt: skip
    return code


async def _refusal(session: AsyncSession, invite: Invite | None, now: dt.datetime) -> str:
    """Why this invite cannot enrol anyone now, for the audit log; '' if it can."""
    if invite is None:
        return "no such invite (mistyped, or withdrawn)"
    key = _key(invite.code_hash)
    if invite.used_by is not None:
        return f"{key} was used already"
    if utc(invite.expires_at) <= now:
        return f"{key} has expired"
    if invite.created_by.startswith("console:"):
        return ""  # see the module's docstring
    issuer_id = invite.created_by.removeprefix("tg:")
    issuer = await active_user(session, int(issuer_id)) if issuer_id.isdigit() else None
    if issuer is None or not may_grant(issuer.role, invite.role):
        return f"{key} was made by {invite.created_by}, who may no longer grant {invite.role}"
    return ""


async def redeem_invite(db: Database, code: str, caller: Caller, name: str) -> Enrolment:
    """Enrol the caller with the invite `code`, in one transaction with the code's use and its audit entry.

    InviteRefused if the code cannot enrol anyone (unknown, used, expired, or its issuer may no longer
    grant it): then nothing changes, and a code refused for a failure of ours can be used again.
    `name` is the caller's Telegram name, cut to fit: Telegram allows longer names than we keep.
    """
    if caller.telegram_user_id is None:
        raise ValueError("an invite is redeemed by a Telegram user")
    telegram_id, now = _check_id(caller.telegram_user_id), dt.datetime.now(dt.UTC)
    async with db.sessions() as session, session.begin():
        invite = await session.get(Invite, _hash(code)) if _CODE.fullmatch(code) else None
        refused = await _refusal(session, invite, now)
        if refused or invite is None:  # an unknown code always has its refusal
            raise InviteRefused(refused)
        key = _key(invite.code_hash)
        user, _, change = await _enrol(
            session, telegram_id, invite.role, team=invite.team, name=clean_text(name, NAME_CHARS),
            by=f"{key} from {invite.created_by}",
        )  # fmt: skip
        # Claimed after the user's row, as a revocation withdraws invites after the issuer's row.
        claimed = await session.execute(
            update(Invite)
            .where(Invite.code_hash == invite.code_hash, Invite.used_by.is_(None), Invite.expires_at > now)
            .values(used_by=telegram_id, used_at=now)
            .returning(Invite.code_hash)
            .execution_options(synchronize_session=False)
        )
        if claimed.first() is None:
            raise InviteRefused(f"{key} was used or withdrawn a moment ago")
        await audit.record(
            session, caller, query=f"{change} by {key} from {invite.created_by}", intent="invite_redeem",
            outcome="enrolled", record_ids=[key, f"user:{telegram_id}"],
        )  # fmt: skip
    return _enrolment(user)
