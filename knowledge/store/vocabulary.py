"""The words the audit log and the contract share: outcomes of a request and kinds of record.

Their values are the outside contract's strings (a `StrEnum` is its value in JSON, in the audit log
and in every comparison), so code names them once instead of spelling them. Imports nothing.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Outcome", "RecordKind", "ShiftIntent"]


class Outcome(StrEnum):
    """What became of a request, as `beatline ask --json` and the audit log say it."""

    ANSWERED = "answered"
    AMBIGUOUS = "ambiguous"  # several candidates offered
    NOT_FOUND = "not_found"
    NEEDS_MORE = "needs_more"  # asks for a detail such as a date of birth
    NEEDS_REASON = "needs_reason"
    DENIED = "denied"
    RATE_LIMITED = "rate_limited"
    LOCKED = "locked"  # the user must unlock first
    ERROR = "error"
    # The allowlist and invites.
    ENROLLED = "enrolled"
    CHANGED = "changed"
    REVOKED = "revoked"
    CREATED = "created"


class RecordKind(StrEnum):
    """A kind of record an answer discloses: the `kind` of `records` in `beatline ask --json`."""

    PERSON = "person"
    VEHICLE = "vehicle"
    ADDRESS = "address"
    INCIDENT = "incident"
    WARRANT = "warrant"


class ShiftIntent(StrEnum):
    """The audit intents of the shift unlock, which the supervisor's review reads back.

    `unlock`: a code sent (outcome answered if it unlocked, denied if refused, locked if the user was
    locked out); `lockout`: five wrong codes locked the user out (outcome locked); `lock`: /lock, or
    an unlock that ran out (idle or its hours); `release`: an admin let a locked-out user try again;
    `totp`: an authenticator secret issued or replaced (never the secret itself).
    """

    UNLOCK = "unlock"
    LOCKOUT = "lockout"
    LOCK = "lock"
    RELEASE = "release"
    TOTP = "totp"
