"""The shift unlock: a second factor before any record, for officers on personal phones.

An enrolled user is locked until they send a code from their authenticator app (/unlock CODE). The
unlock lasts `Policy.unlock_for` (BEATLINE_UNLOCK_HOURS), ends after `Policy.idle_after` of silence
(BEATLINE_IDLE_LOCK_SECONDS) or at /lock. A code is accepted once: the time-step it belongs to is
remembered, and a code of that step or an earlier one is refused. Five wrong codes within 15 minutes
lock the user out, even with a right code, until an admin releases them.

All of it lives in the `step_up` table, changed under the row's lock, so any process answers any
message and two processes never both accept one code. Every function takes `now`, so tests can set
the clock at each boundary. The audit intents are `ShiftIntent`'s (knowledge/store/vocabulary.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.access.authenticator import open_secret, totp
from knowledge.errors import BeatlineError
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database, utc
from knowledge.store.schema import StepUp
from knowledge.store.vocabulary import Outcome, ShiftIntent

__all__ = [
    "FAILURES_ALLOWED",
    "FAILURE_WINDOW",
    "LOCKED_REPLY",
    "Attempt",
    "BadCode",
    "Policy",
    "SecondFactor",
    "Tried",
    "admit",
    "lock",
    "read_code",
    "release",
    "second_factor_status",
    "second_factors",
    "unlock",
]

log = logging.getLogger(__name__)

LOCKED_REPLY = "Beatline is locked. Send /unlock and the 6-digit code from your authenticator app."
FAILURES_ALLOWED = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
# A code works only in its own 30-second step: RFC 6238 5.2 would allow one step back for delivery,
# but the contract refuses a code from the previous window, and a code read over a shoulder is then
# good for seconds. A right code up to this many steps old is told apart from a wrong one
# ("expired": send the one the app shows now), and is not counted as a failure.
RECENT_STEPS = 10
_CODE = re.compile(r"[0-9]{6}")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Policy:
    """BEATLINE_STEP_UP, BEATLINE_UNLOCK_HOURS and BEATLINE_IDLE_LOCK_SECONDS, as the gate applies them."""

    on: bool
    unlock_for: dt.timedelta = dt.timedelta(hours=12)
    idle_after: dt.timedelta = dt.timedelta(seconds=1800)


class BadCode(BeatlineError):
    """What was sent after /unlock is not a 6-digit code; the message says what a code looks like."""


def read_code(words: list[str]) -> str:
    """The 6-digit code in /unlock's words; BadCode with a sentence that never repeats what was sent."""
    if not words:
        raise BadCode("Send /unlock and the 6-digit code your authenticator app shows, e.g. /unlock 123456.")
    if len(words) > 1:
        if all(_DIGITS.fullmatch(w) for w in words):
            raise BadCode("Send the 6 digits together, without spaces, e.g. /unlock 123456.")
        raise BadCode("Send /unlock and only the 6-digit code, e.g. /unlock 123456.")
    code = words[0]
    if not _DIGITS.fullmatch(code):
        raise BadCode("A code is 6 digits (0 to 9) only, as your authenticator app shows it.")
    if not _CODE.fullmatch(code):
        raise BadCode(f"A code is exactly 6 digits; that was {min(len(code), 99)}.")
    return code


class Attempt(StrEnum):
    UNLOCKED = "unlocked"
    USED_UP = "used_up"  # right, and now spent without unlocking (it was sent where others could see it)
    NO_SECRET = "no_secret"
    WRONG = "wrong"
    REPLAYED = "replayed"  # a code of a step already accepted
    EXPIRED = "expired"
    LOCKED_OUT = "locked_out"  # this wrong code locked the user out
    STILL_LOCKED_OUT = "still_locked_out"


@dataclass(frozen=True)
class Tried:
    attempt: Attempt
    until: dt.datetime | None = None  # UNLOCKED: the unlock's end
    tries_left: int = 0  # WRONG: wrong codes left before the lock-out


def _failures(text: str, now: dt.datetime) -> list[float]:
    """The wrong codes of the 15 minutes before now: one exactly 15 minutes old has dropped out."""
    since = (now - FAILURE_WINDOW).timestamp()
    return [at for at in (float(word) for word in text.split()) if at > since]


def _match(secret: str, code: str, now: dt.datetime) -> tuple[int | None, bool]:
    """The time-step `code` belongs to if it is now's, else None; and whether it is a recent old one."""
    otp = totp(secret)
    if otp.verify(code, for_time=now):
        return otp.timecode(now), False
    expired = any(
        otp.verify(code, for_time=now - dt.timedelta(seconds=back * otp.interval))
        for back in range(1, RECENT_STEPS + 1)
    )
    return None, expired


async def _audit(session: AsyncSession, caller: Caller, query: str, intent: str, outcome: str) -> None:
    await audit.record(session, caller, query=query, intent=intent, outcome=outcome)


def _judge(
    row: StepUp | None, secret: str | None, code: str, policy: Policy, grant: bool, now: dt.datetime
) -> Tried:
    """What the code does for this row, with the row changed to match (inside the caller's lock)."""
    if row is not None and row.locked_out_at is not None:
        return Tried(Attempt.STILL_LOCKED_OUT)
    if row is None or secret is None:
        return Tried(Attempt.NO_SECRET)
    step, expired = _match(secret, code, now)
    if step is not None and row.last_step is not None and step <= row.last_step:
        return Tried(Attempt.REPLAYED)
    if step is not None:
        row.last_step, row.recent_failures = step, ""
        if not grant:
            return Tried(Attempt.USED_UP)
        row.unlocked_until, row.last_seen = now + policy.unlock_for, now
        return Tried(Attempt.UNLOCKED, until=row.unlocked_until)
    if expired:
        return Tried(Attempt.EXPIRED)
    failures = [*_failures(row.recent_failures, now), now.timestamp()]
    row.recent_failures = " ".join(f"{at:.3f}" for at in failures[-FAILURES_ALLOWED:])
    if len(failures) < FAILURES_ALLOWED:
        return Tried(Attempt.WRONG, tries_left=FAILURES_ALLOWED - len(failures))
    row.locked_out_at, row.unlocked_until = now, None
    return Tried(Attempt.LOCKED_OUT)


# What each attempt writes in the audit log, as (query, intent, outcome); never the code itself.
_WITHIN = f"in {FAILURE_WINDOW.seconds // 60} minutes"
_AUDITED: dict[Attempt, list[tuple[str, str, str]]] = {
    Attempt.STILL_LOCKED_OUT: [("/unlock while locked out", ShiftIntent.UNLOCK, Outcome.LOCKED)],
    Attempt.NO_SECRET: [("/unlock with no secret issued", ShiftIntent.UNLOCK, Outcome.DENIED)],
    Attempt.REPLAYED: [("/unlock with a used code", ShiftIntent.UNLOCK, Outcome.DENIED)],
    Attempt.USED_UP: [
        ("/unlock outside a private chat: refused, and the code spent", ShiftIntent.UNLOCK, Outcome.DENIED)
    ],
    Attempt.EXPIRED: [("/unlock with an expired code", ShiftIntent.UNLOCK, Outcome.DENIED)],
    Attempt.LOCKED_OUT: [
        (f"/unlock, wrong code ({FAILURES_ALLOWED} of {FAILURES_ALLOWED} {_WITHIN})", ShiftIntent.UNLOCK,
         Outcome.DENIED),
        (f"locked out after {FAILURES_ALLOWED} wrong codes {_WITHIN}", ShiftIntent.LOCKOUT, Outcome.LOCKED),
    ],
}  # fmt: skip


def _entries(tried: Tried) -> list[tuple[str, str, str]]:
    if tried.attempt is Attempt.UNLOCKED and tried.until is not None:
        until = f"{tried.until:%Y-%m-%d %H:%M} UTC"
        return [(f"/unlock: unlocked until {until}", ShiftIntent.UNLOCK, Outcome.ANSWERED)]
    if tried.attempt is Attempt.WRONG:
        count = f"{FAILURES_ALLOWED - tried.tries_left} of {FAILURES_ALLOWED} {_WITHIN}"
        return [(f"/unlock, wrong code ({count})", ShiftIntent.UNLOCK, Outcome.DENIED)]
    return _AUDITED[tried.attempt]


async def unlock(
    db: Database,
    caller: Caller,
    code: str,
    policy: Policy,
    *,
    grant: bool = True,
    now: dt.datetime | None = None,
) -> Tried:
    """Try a code for the caller; audited, never with the code. `grant=False` spends a right code only.

    The row is locked for the whole attempt, so of two processes given one code at once exactly one
    accepts it, and failures sent to different processes add up.
    """
    now = now or dt.datetime.now(dt.UTC)
    telegram_id = caller.telegram_user_id
    key = db.audit_key
    if telegram_id is None or key is None:
        raise BeatlineError("Only a Telegram user, in a process given the audit key, can unlock.")
    async with db.sessions() as session, session.begin():
        row = await session.get(StepUp, telegram_id, with_for_update=True)
        secret = open_secret(key, telegram_id, row.secret) if row is not None and row.secret else None
        if row is not None and row.secret and secret is None:
            log.warning("the authenticator secret of %s does not open with this audit key", telegram_id)
        tried = _judge(row, secret, code, policy, grant, now)
        for query, intent, outcome in _entries(tried):
            await _audit(session, caller, query, intent, outcome)
    return tried


async def admit(session: AsyncSession, caller: Caller, policy: Policy, *, now: dt.datetime) -> bool:
    """True if the caller is unlocked now, counting this update as activity; inside the gate's transaction.

    An unlock found ended (idle, or its hours up) is ended once, with a `lock` entry naming why; the
    entry is written by whichever process notices first, at the next message after the end.
    """
    telegram_id = caller.telegram_user_id
    touched = await session.execute(
        update(StepUp)
        .where(
            StepUp.telegram_id == telegram_id,
            StepUp.unlocked_until > now,
            StepUp.last_seen > now - policy.idle_after,
        )
        .values(last_seen=now)
        .returning(StepUp.telegram_id)  # one statement on the common path: unlocked, and still active
    )
    if touched.first() is not None:
        return True
    found = (
        await session.execute(
            select(StepUp.unlocked_until, StepUp.last_seen).where(StepUp.telegram_id == telegram_id)
        )
    ).one_or_none()
    if found is None or found.unlocked_until is None:
        return False
    ended = await session.execute(
        update(StepUp)
        .where(StepUp.telegram_id == telegram_id, StepUp.unlocked_until == found.unlocked_until)
        .values(unlocked_until=None)
        .returning(StepUp.telegram_id)
    )
    if ended.first() is not None:
        until, seen = utc(found.unlocked_until), utc(found.last_seen or found.unlocked_until)
        why = (
            f"the unlock ran out at {until:%H:%M} UTC"
            if now >= until
            else f"idle {int(policy.idle_after.total_seconds())} s (last active {seen:%H:%M} UTC)"
        )
        await _audit(session, caller, why, ShiftIntent.LOCK, Outcome.LOCKED)
    return False


async def lock(db: Database, caller: Caller, *, now: dt.datetime | None = None) -> bool:
    """/lock: end the caller's unlock now; audited. True if they were unlocked."""
    now = now or dt.datetime.now(dt.UTC)
    async with db.sessions() as session, session.begin():
        ended = await session.execute(
            update(StepUp)
            .where(StepUp.telegram_id == caller.telegram_user_id, StepUp.unlocked_until > now)
            .values(unlocked_until=None)
            .returning(StepUp.telegram_id)
        )
        was_unlocked = ended.first() is not None
        await _audit(
            session,
            caller,
            "/lock" if was_unlocked else "/lock while locked",
            ShiftIntent.LOCK,
            Outcome.LOCKED,
        )
    return was_unlocked


async def release(db: Database, telegram_id: int, *, by: Caller) -> bool:
    """Let a locked-out user try codes again (they still have to unlock); audited. False if not locked out."""
    async with db.sessions() as session, session.begin():
        row = await session.get(StepUp, telegram_id, with_for_update=True)
        if row is None or row.locked_out_at is None:
            return False
        row.locked_out_at, row.recent_failures = None, ""
        await audit.record(
            session,
            by,
            query=f"lock-out of {telegram_id} released",
            intent=ShiftIntent.RELEASE,
            outcome=Outcome.CHANGED,
            record_ids=[f"user:{telegram_id}"],
        )
    return True


@dataclass(frozen=True)
class SecondFactor:
    """A user's second factor as an admin sees it (the web console); never the secret."""

    issued_at: dt.datetime | None  # None: no authenticator secret yet
    issued_by: str
    unlocked_until: dt.datetime | None  # None: locked now
    locked_out_at: dt.datetime | None


async def second_factor_status(
    session: AsyncSession, telegram_id: int, policy: Policy, *, now: dt.datetime | None = None
) -> SecondFactor:
    """Whether the user has a secret, is unlocked now (idle counted), or is locked out."""
    return _second_factor(await session.get(StepUp, telegram_id), policy, now or dt.datetime.now(dt.UTC))


async def second_factors(
    session: AsyncSession, telegram_ids: Sequence[int], policy: Policy, *, now: dt.datetime | None = None
) -> dict[int, SecondFactor]:
    """second_factor_status of many users in one query: a list of users shows each one's."""
    now = now or dt.datetime.now(dt.UTC)
    rows = {
        row.telegram_id: row
        for row in await session.scalars(select(StepUp).where(StepUp.telegram_id.in_(telegram_ids)))
    }
    return {telegram_id: _second_factor(rows.get(telegram_id), policy, now) for telegram_id in telegram_ids}


def _second_factor(row: StepUp | None, policy: Policy, now: dt.datetime) -> SecondFactor:
    if row is None:
        return SecondFactor(None, "", None, None)
    until = utc(row.unlocked_until) if row.unlocked_until else None
    seen = utc(row.last_seen) if row.last_seen else None
    unlocked = until is not None and seen is not None and now < until and now - seen < policy.idle_after
    return SecondFactor(
        utc(row.issued_at) if row.issued_at and row.secret else None,
        row.issued_by,
        until if unlocked else None,
        utc(row.locked_out_at) if row.locked_out_at else None,
    )
