"""The audit log's key: an HMAC-SHA-256 key kept outside the database, so that whoever can write the
database but does not hold the key cannot forge, edit or reorder the log unnoticed.

A key is at least 32 random bytes, written as hex or base64, in BEATLINE_AUDIT_KEY or in a key file.
Where no key is configured the key file sits beside an SQLite database (`beatline.db.audit-key`), or
in the working directory for any other database; only `beatline init-db` creates it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import os
import re
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

__all__ = ["MIN_KEY_BYTES", "AuditKey", "create_key_file", "default_key_path", "read_key_file"]

MIN_KEY_BYTES = 32
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")


class AuditKey:
    """The key bytes, which never print; `mac` and `derive` are the only things done with them."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ValueError(f"an audit key needs at least {MIN_KEY_BYTES} bytes")
        self._key = key

    @classmethod
    def parse(cls, text: str) -> AuditKey:
        """The key written as hex or base64 (standard or URL-safe); ValueError if neither, or too short."""
        text = text.strip()
        if _HEX.fullmatch(text):
            return cls(bytes.fromhex(text))
        try:
            raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("an audit key is written as hex or base64") from None
        return cls(raw)

    @classmethod
    def generate(cls) -> AuditKey:
        return cls(secrets.token_bytes(MIN_KEY_BYTES))

    def reveal(self) -> str:
        """The key as hex: for writing the key file, nowhere else."""
        return self._key.hex()

    def mac(self, purpose: str, *parts: object) -> str:
        """HMAC-SHA-256 over the purpose and the parts: a MAC of one purpose never passes for another's."""
        message = json.dumps([purpose, *parts], ensure_ascii=False, separators=(",", ":")).encode()
        return hmac.digest(self._key, message, "sha256").hex()

    def derive(self, purpose: str) -> bytes:
        """A 32-byte key for `purpose` (HKDF-SHA-256): another secret kept by the one key every process holds,
        which reveals nothing of the audit key and differs for every purpose."""
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(self._key)

    def signed(self, mac: str | None, purpose: str, *parts: object) -> bool:
        """True if mac is this key's MAC over the purpose and the parts (compared in constant time)."""
        return mac is not None and hmac.compare_digest(mac, self.mac(purpose, *parts))

    def __repr__(self) -> str:
        return "AuditKey('***')"

    __str__ = __repr__


def default_key_path(database_url: str) -> Path:
    """Where the key file is when none is configured: beside an SQLite file, else in the working directory."""
    # make_url, not store.database's helpers: the database module needs this one, not the reverse.
    try:
        url = make_url(database_url)
    except ArgumentError:
        return Path("beatline.audit-key")  # the URL itself is refused, in words, where it is opened
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(f"{url.database}.audit-key")
    return Path("beatline.audit-key")


def read_key_file(path: Path) -> AuditKey:
    """The key in path; OSError if it cannot be read, ValueError if it holds no usable key."""
    return AuditKey.parse(path.read_text(encoding="ascii"))


def create_key_file(path: Path) -> bool:
    """Write a new random key to path unless one is there already; True if this call made it.

    The key goes into a private temporary file (O_EXCL, mode 0600) that is then linked into place. The
    link fails if path exists, so two `init-db` runs at once never make two keys, and neither can read
    the other's file half written.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as file:
            file.write(AuditKey.generate().reveal() + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
    finally:
        temporary.unlink(missing_ok=True)
    # A key lost in a crash leaves a log that can never be verified again: make its name durable too.
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return True
