"""Signing admins in to the web console: one-time links, idle-limited sessions, CSRF tokens.

A link is random, stored only as its hash, valid for LINK_LIFETIME, used once and bound to one
admin; using it opens a session, whose cookie is likewise stored only as a hash. Every request reads
the admin's row afresh: a session ends at once when its admin is revoked or demoted, and also when
the row changed at all since sign-in (a demotion undone a minute later does not revive it), or after
SESSION_IDLE without a request. The CSRF token of a form is an HMAC of the session's secret, so it
needs no storage and is worthless without the cookie.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from knowledge.access.users import Enrolment, _enrolment
from knowledge.errors import BeatlineError
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database, utc
from knowledge.store.schema import ConsoleLink, ConsoleSession, User

__all__ = [
    "CHANNEL",
    "LINK_LIFETIME",
    "SESSION_IDLE",
    "LinkRefused",
    "Opened",
    "csrf_token",
    "csrf_valid",
    "issue_link",
    "session_admin",
    "sign_in",
    "sign_in_link",
    "sign_out",
    "web_caller",
]

LINK_LIFETIME = dt.timedelta(minutes=5)
SESSION_IDLE = dt.timedelta(minutes=30)
CHANNEL = "console-web"  # the audit log's channel for whatever an admin does in the web console
_TOUCH_EVERY = dt.timedelta(seconds=60)  # a session's last use is rewritten at most this often
_TOKEN_CHARS = 43  # secrets.token_urlsafe(32)


class LinkRefused(BeatlineError):
    """A sign-in link that cannot be used; the message is the same whatever the cause."""

    def __init__(self, why: str) -> None:
        super().__init__(
            "That sign-in link cannot be used: it has been used, it has expired, or it is not an admin's. "
            "Send /console to the bot for a new one."
        )
        self.why = why


@dataclass(frozen=True)
class Opened:
    """A session just opened: its secret (for the cookie, shown nowhere else) and its admin."""

    token: str
    admin: Enrolment


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _is_admin(user: User | None) -> bool:
    return user is not None and user.status == "active" and user.role == "admin"


def sign_in_link(public_url: str, token: str) -> str:
    """The address a sign-in link opens: the console's sign-in page, with the token for its button."""
    return f"{public_url.rstrip('/')}/console/login?token={token}"


def web_caller(admin: Enrolment) -> Caller:
    """Who an admin is in the audit log when acting in the web console: themselves, by another channel.

    The actor stays `tg:<id>`, as in chat, so that the rules that follow a Telegram user (an invite
    dies with its issuer's right to issue it) follow them into the console too.
    """
    return Caller(
        actor=f"tg:{admin.telegram_id}", role=admin.role, channel=CHANNEL, telegram_user_id=admin.telegram_id
    )


async def issue_link(db: Database, telegram_id: int, *, by: Caller) -> str:
    """A one-time sign-in token for this admin, valid LINK_LIFETIME; audited. NotAdmin otherwise."""
    token, now = secrets.token_urlsafe(32), _now()
    async with db.sessions() as session, session.begin():
        user = await session.get(User, telegram_id)
        if not _is_admin(user):
            raise BeatlineError(f"{telegram_id} is not an active admin, so cannot sign in to the console.")
        # Spent links and lapsed sessions are of no further use to anyone: cleared as new ones are made.
        await session.execute(delete(ConsoleLink).where(ConsoleLink.expires_at < now - LINK_LIFETIME))
        await session.execute(delete(ConsoleSession).where(ConsoleSession.last_seen_at < now - SESSION_IDLE))
        session.add(
            ConsoleLink(token_hash=_hash(token), telegram_id=telegram_id, expires_at=now + LINK_LIFETIME)
        )
        await audit.record(
            session, by, query=f"console sign-in link for {telegram_id}, valid 5 minutes",
            intent="console_link", outcome="issued", record_ids=[f"user:{telegram_id}"],
        )  # fmt: skip
    return token


async def sign_in(db: Database, token: str) -> Opened:
    """Use a link once and open a session for its admin; LinkRefused (audited if the link is known)."""
    now = _now()
    if len(token) != _TOKEN_CHARS:
        raise LinkRefused("not a sign-in token")
    async with db.sessions() as session, session.begin():
        link = await session.get(ConsoleLink, _hash(token), with_for_update=True)
        if link is None:
            raise LinkRefused("no such link")
        user = await session.get(User, link.telegram_id)
        why = (
            "used already" if link.used_at is not None
            else "expired" if utc(link.expires_at) <= now
            else "" if _is_admin(user)
            else "its admin is no longer an active admin"
        )  # fmt: skip
        # Claimed by one conditional update, so two tabs racing with the same link open one session.
        claimed = await session.execute(
            update(ConsoleLink)
            .where(ConsoleLink.token_hash == link.token_hash, ConsoleLink.used_at.is_(None))
            .values(used_at=now)
            .returning(ConsoleLink.token_hash)
            .execution_options(synchronize_session=False)
        )
        if claimed.first() is None:
            why = why or "used a moment ago"
        who = Caller(actor=f"tg:{link.telegram_id}", role=user.role if user else "", channel=CHANNEL,
                     telegram_user_id=link.telegram_id)  # fmt: skip
        if why or user is None:
            await audit.record(session, who, query=f"console sign-in refused: the link was {why}",
                               intent="console_sign_in", outcome="denied")  # fmt: skip
            refused = LinkRefused(why)
        else:
            secret = secrets.token_urlsafe(32)
            session.add(ConsoleSession(
                token_hash=_hash(secret), telegram_id=user.telegram_id, user_changed_at=user.changed_at,
                created_at=now, last_seen_at=now,
            ))  # fmt: skip
            await audit.record(session, who, query="console sign-in", intent="console_sign_in",
                               outcome="signed_in", record_ids=[f"user:{user.telegram_id}"])  # fmt: skip
            return Opened(secret, _enrolment(user))
    # Raised after the commit: the refusal's audit entry, and the link's use, are kept.
    raise refused


async def session_admin(db: Database, token: str) -> Enrolment | None:
    """The admin whose session this is, as their row is now; None (and the session ended) otherwise."""
    if len(token) != _TOKEN_CHARS:
        return None
    now, token_hash = _now(), _hash(token)
    async with db.reads() as session:
        row = (
            await session.execute(
                select(ConsoleSession, User)
                .join(User, User.telegram_id == ConsoleSession.telegram_id)
                .where(ConsoleSession.token_hash == token_hash)
            )
        ).one_or_none()
    if row is None:
        return None
    kept, user = row
    valid = (
        _is_admin(user)
        and utc(user.changed_at) == utc(kept.user_changed_at)
        and utc(kept.last_seen_at) > now - SESSION_IDLE
    )
    if not valid:
        await _end(db, token_hash)
        return None
    if utc(kept.last_seen_at) < now - _TOUCH_EVERY:
        async with db.sessions() as session, session.begin():
            await session.execute(
                update(ConsoleSession).where(ConsoleSession.token_hash == token_hash).values(last_seen_at=now)
            )
    return _enrolment(user)


async def _end(db: Database, token_hash: str) -> None:
    async with db.sessions() as session, session.begin():
        await session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == token_hash))


async def sign_out(db: Database, token: str, admin: Enrolment) -> None:
    """End the session now; audited."""
    async with db.sessions() as session, session.begin():
        await session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == _hash(token)))
        await audit.record(session, web_caller(admin), query="console sign-out", intent="console_sign_out",
                           outcome="signed_out")  # fmt: skip


def csrf_token(session_token: str) -> str:
    """The token every form of this session carries: derived from the session's secret, never stored."""
    return hmac.new(session_token.encode(), b"beatline console csrf", hashlib.sha256).hexdigest()


def csrf_valid(session_token: str, given: str) -> bool:
    return hmac.compare_digest(csrf_token(session_token).encode(), given.encode("utf-8", "surrogateescape"))
