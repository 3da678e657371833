"""Authenticator secrets: issued at a terminal, kept sealed, opened only to check a code.

The secret is sealed with AES-GCM under a key derived (HKDF) from the audit key that every process
already holds, and bound to the user's Telegram id, so a database copy, an export or a backup holds
no usable secret, and one user's sealed secret cannot be moved onto another user's row. The secret
leaves the process once, as the `otpauth://` URI an admin shows the officer in person; it is never
logged and never audited.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from knowledge.access.users import active_user
from knowledge.errors import BeatlineError
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.audit_key import AuditKey
from knowledge.store.database import Database
from knowledge.store.schema import StepUp
from knowledge.store.vocabulary import Outcome, ShiftIntent

__all__ = ["ISSUER", "Provisioning", "issue", "open_secret", "seal_secret", "totp"]

ISSUER = "Beatline"
_PURPOSE = "beatline totp secrets v1"  # the HKDF info: this key is for nothing else
_NONCE = 12


def _box(key: AuditKey) -> AESGCM:
    return AESGCM(key.derive(_PURPOSE))


def _bound_to(telegram_id: int) -> bytes:
    return f"step_up:{telegram_id}".encode()


def seal_secret(key: AuditKey, telegram_id: int, secret: str) -> bytes:
    """The nonce and ciphertext of `secret`, readable only with this key and for this user."""
    nonce = os.urandom(_NONCE)
    return nonce + _box(key).encrypt(nonce, secret.encode(), _bound_to(telegram_id))


def open_secret(key: AuditKey, telegram_id: int, sealed: bytes) -> str | None:
    """The secret sealed for this user; None if it was sealed with another key or for another user."""
    try:
        return _box(key).decrypt(sealed[:_NONCE], sealed[_NONCE:], _bound_to(telegram_id)).decode()
    except (InvalidTag, ValueError):
        return None


def totp(secret: str) -> pyotp.TOTP:
    """The authenticator apps' default: SHA-1, six digits, 30-second steps (RFC 6238), via pyotp."""
    return pyotp.TOTP(secret)


@dataclass(frozen=True)
class Provisioning:
    """What an admin shows the officer: the otpauth URI, which the terminal also draws as a QR code."""

    uri: str

    def __repr__(self) -> str:
        return "Provisioning('otpauth://***')"  # a stray log line or traceback never shows the secret


async def issue(db: Database, telegram_id: int, *, by: Caller) -> Provisioning:
    """Issue an active user a new secret, replacing any they had; audited without the secret.

    A new secret also ends the user's current unlock and forgets the last accepted code: the old phone's
    codes stop working at once. A lock-out stays until an admin releases it.
    """
    key = db.audit_key
    if key is None:
        raise BeatlineError("This process has no audit key, so it cannot seal an authenticator secret.")
    secret = pyotp.random_base32()  # 32 characters: 160 bits, as RFC 4226 recommends
    async with db.sessions() as session, session.begin():
        user = await active_user(session, telegram_id)
        if user is None:
            raise BeatlineError(f"{telegram_id} is not an active user; enrol them first.")
        row = await session.get(StepUp, telegram_id, with_for_update=True)
        replaced = row is not None and row.secret is not None
        if row is None:
            row = StepUp(telegram_id=telegram_id, recent_failures="")
            session.add(row)
        row.secret = seal_secret(key, telegram_id, secret)
        row.issued_by, row.issued_at = by.actor[:80], dt.datetime.now(dt.UTC)
        row.unlocked_until = row.last_seen = row.last_step = None
        change = f"authenticator secret issued to {telegram_id}" + (
            ", replacing the old one" if replaced else ""
        )
        await audit.record(
            session,
            by,
            query=change,
            intent=ShiftIntent.TOTP,
            outcome=Outcome.CREATED,
            record_ids=[f"user:{telegram_id}"],
        )
    label = user.name or str(telegram_id)
    return Provisioning(totp(secret).provisioning_uri(name=label, issuer_name=ISSUER))
