"""Self-contained inline-button data: signed, bound to one user, expiring, at most 64 bytes.

Telegram hands a button's data back verbatim when it is pressed, so the data carries everything the
press needs and nothing lives in one process's memory: any bot process sharing the token can check it.
The format is `payload|expiry|mac`: the payload and expiry are readable, the MAC covers them together
with the Telegram id of the one user allowed to press, so a copied, edited or late button is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

__all__ = ["MAX_DATA_BYTES", "ButtonRefused", "ButtonSigner", "derive_key"]

MAX_DATA_BYTES = 64  # Telegram's limit for callback_data
_MAC_CHARS = 12  # 72 bits: far beyond online guessing, and leaves room for 40-character record ids


class ButtonRefused(Exception):
    """A press that must not be acted on; `reason` is 'invalid' (tampered or not yours) or 'expired'."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def derive_key(token: str) -> bytes:
    """The signing key every process derives from the bot token, so no key has to be distributed."""
    return hmac.new(token.encode(), b"beatline button data v1", hashlib.sha256).digest()


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


class ButtonSigner:
    """Signs and checks button data with one key; `lifetime` is the default validity in seconds."""

    def __init__(self, key: bytes, *, lifetime: int = 600) -> None:
        self._key = key
        self.lifetime = lifetime

    def _mac(self, user_id: int, payload: str, expiry: str) -> str:
        message = f"{user_id}|{payload}|{expiry}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode()[:_MAC_CHARS]

    def sign(
        self, payload: str, user_id: int, *, lifetime: int | None = None, now: float | None = None
    ) -> str:
        """Button data for payload that only user_id may press, until now + lifetime."""
        moment = time.time() if now is None else now
        expiry = _base36(int(moment) + (self.lifetime if lifetime is None else lifetime))
        data = f"{payload}|{expiry}|{self._mac(user_id, payload, expiry)}"
        if len(data.encode()) > MAX_DATA_BYTES:
            raise ValueError(f"button payload too long for Telegram: {len(data.encode())} bytes")
        return data

    def verify(self, data: str, user_id: int, *, now: float | None = None) -> str:
        """The payload, if user_id pressed an untampered button in time; ButtonRefused otherwise."""
        try:
            payload, expiry, mac = data.rsplit("|", 2)
            expires_at = int(expiry, 36)
        except ValueError:
            raise ButtonRefused("invalid") from None
        if not hmac.compare_digest(mac.encode(), self._mac(user_id, payload, expiry).encode()):
            raise ButtonRefused("invalid")
        if (time.time() if now is None else now) > expires_at:
            raise ButtonRefused("expired")
        return payload
