"""Settings read once from the environment into a frozen object that is passed down.

The token is a `Secret` and the audit key an `AuditKey`: neither appears in a repr, a log line or a
traceback, nor in the sentence that says a value cannot be used.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from knowledge.access.reason_choices import ReasonRule
from knowledge.access.step_up import Policy
from knowledge.errors import BeatlineError
from knowledge.review.schedule import ReviewAt
from knowledge.store.audit_key import (
    MIN_KEY_BYTES,
    AuditKey,
    create_key_file,
    default_key_path,
    read_key_file,
)
from knowledge.store.database import DEFAULT_TIMEOUT
from knowledge.vanishing.ledger import MAX_TTL_SECONDS

__all__ = ["Secret", "Settings", "SettingsError"]


class SettingsError(BeatlineError):
    """An environment variable that cannot be used as it is set."""


class Secret:
    """A string that prints as '***'; call reveal() where the real value is needed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///beatline.db"
    telegram_token: Secret = field(default_factory=lambda: Secret(""))
    telegram_api_base_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: Secret = field(default_factory=lambda: Secret(""))
    port: int = 8080
    redis_url: str | None = None
    log_level: str = "INFO"
    rate_limit: int = 30
    rate_window_seconds: int = 600
    # Telegram's limit on messages a bot sends in a second. A force's own Bot API server, or a bot with
    # paid broadcasts, may allow more; 0 lifts our limiter (Telegram's 429s are still honoured).
    send_rate: float = 30
    # Seconds to wait for the Bot API's answer to one call before retrying it.
    bot_api_timeout: float = 10
    # Seconds to wait for the database: to connect, for a statement, for any answer, for a connection
    # from the pool; then the officer is told it is not answering.
    db_timeout: float = DEFAULT_TIMEOUT
    # The audit log's key (BEATLINE_AUDIT_KEY), else the file that holds it (BEATLINE_AUDIT_KEY_FILE),
    # else the default key file: see load_audit_key.
    audit_key: AuditKey | None = None
    audit_key_file: Path | None = None
    # A reason for every check asked as a Telegram user, and how long one given covers the follow-ups.
    reasons_required: bool = True
    reason_minutes: int = 10
    # BEATLINE_STEP_UP, "totp" or "off"; None when unset, and then the command decides (step_up_policy).
    step_up: str | None = None
    unlock_hours: float = 12
    idle_lock_seconds: int = 1800
    # Seconds a reply that shows records, and its question, stay in the chat; 0 keeps them.
    reply_ttl_seconds: int = 28_800
    # BEATLINE_TEAMWORK (on): a person answer says how many other officers checked that person today.
    teamwork: bool = True
    # BEATLINE_REVIEW_AT: the weekly review digest to every admin at a London day and time ("mon 07:00").
    review_at: ReviewAt | None = None
    # The web console (bot/web/): served under /console/ on the webhook server when on; the base
    # address admins reach it at, which its sign-in links start with.
    console: bool = False
    public_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def opt(name: str) -> str | None:
            return env.get(name) or None

        def number(
            name: str, default: float, kind: type[int] | type[float] = int, *, least: float = 0
        ) -> Any:
            value = env.get(name) or ""
            unusable = SettingsError(
                f"{name} must be {'a whole number' if kind is int else 'a number'}, "
                f"{least:g} or more, not {value[:20]!r}."
            )
            try:
                parsed = kind(value) if value else default
            except ValueError:
                raise unusable from None
            if not math.isfinite(parsed) or parsed < least:
                raise unusable
            return parsed

        try:
            audit_key = AuditKey.parse(env["BEATLINE_AUDIT_KEY"]) if env.get("BEATLINE_AUDIT_KEY") else None
        except ValueError:
            raise SettingsError(
                f"BEATLINE_AUDIT_KEY {_KEY_FORM} (make one with 'openssl rand -hex 32')."
            ) from None
        key_file = opt("BEATLINE_AUDIT_KEY_FILE")

        level = (env.get("BEATLINE_LOG_LEVEL") or cls.log_level).upper()
        if level not in logging.getLevelNamesMapping():
            raise SettingsError(
                f"BEATLINE_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {level[:20]!r}."
            )

        required = (env.get("BEATLINE_REASONS_REQUIRED") or "true").strip().lower()
        if required not in _BOOLEANS:
            raise SettingsError(f"BEATLINE_REASONS_REQUIRED must be true or false, not {required[:20]!r}.")
        step_up = (env.get("BEATLINE_STEP_UP") or "").strip().lower() or None
        if step_up not in (None, "totp", "off"):
            raise SettingsError(f"BEATLINE_STEP_UP must be totp or off, not {step_up[:20]!r}.")
        reply_ttl = number("BEATLINE_REPLY_TTL_SECONDS", cls.reply_ttl_seconds)
        if reply_ttl > MAX_TTL_SECONDS:
            raise SettingsError(
                f"BEATLINE_REPLY_TTL_SECONDS must be at most {MAX_TTL_SECONDS} (47 hours), because Telegram "
                f"lets a bot delete a message only in its first 48 hours; 0 keeps replies. "
                f"Not {str(reply_ttl)[:20]}."
            )
        teamwork = (env.get("BEATLINE_TEAMWORK") or "on").strip().lower()
        if teamwork not in _BOOLEANS:
            raise SettingsError(f"BEATLINE_TEAMWORK must be on or off, not {teamwork[:20]!r}.")
        try:
            review_at = ReviewAt.parse(env["BEATLINE_REVIEW_AT"]) if opt("BEATLINE_REVIEW_AT") else None
        except BeatlineError as unusable:
            raise SettingsError(str(unusable)) from None
        console = (env.get("BEATLINE_CONSOLE") or "off").lower()
        if console not in ("on", "off"):
            raise SettingsError(f"BEATLINE_CONSOLE must be on or off, not {console[:20]!r}.")
        public_url = (env.get("BEATLINE_PUBLIC_URL") or "").rstrip("/") or None
        if public_url is not None and urlsplit(public_url).scheme not in ("http", "https"):
            raise SettingsError("BEATLINE_PUBLIC_URL must start with https:// (or http:// for a test).")
        if console == "on" and public_url is None:
            # Sign-in links start with it, and its scheme decides whether the session cookie is Secure.
            raise SettingsError(
                "BEATLINE_CONSOLE=on needs BEATLINE_PUBLIC_URL, the address admins reach it at."
            )

        return cls(
            database_url=env.get("BEATLINE_DATABASE_URL") or cls.database_url,
            telegram_token=Secret(env.get("TELEGRAM_BOT_TOKEN", "")),
            telegram_api_base_url=opt("TELEGRAM_API_BASE_URL"),
            webhook_url=opt("BEATLINE_WEBHOOK_URL"),
            webhook_secret=Secret(env.get("BEATLINE_WEBHOOK_SECRET", "")),
            port=number("PORT", cls.port),
            redis_url=opt("BEATLINE_REDIS_URL"),
            log_level=level,
            rate_limit=number("BEATLINE_RATE_LIMIT", cls.rate_limit),
            rate_window_seconds=number("BEATLINE_RATE_WINDOW_SECONDS", cls.rate_window_seconds),
            send_rate=number("BEATLINE_SEND_RATE", cls.send_rate, float),
            bot_api_timeout=number("BEATLINE_BOT_API_TIMEOUT", cls.bot_api_timeout, float, least=0.001),
            db_timeout=number("BEATLINE_DB_TIMEOUT", cls.db_timeout, float, least=0.001),
            audit_key=audit_key,
            audit_key_file=Path(key_file) if key_file else None,
            reasons_required=_BOOLEANS[required],
            reason_minutes=_reason_minutes(number("BEATLINE_REASON_MINUTES", cls.reason_minutes, least=1)),
            reply_ttl_seconds=reply_ttl,
            teamwork=_BOOLEANS[teamwork],
            review_at=review_at,
            step_up=step_up,
            unlock_hours=number("BEATLINE_UNLOCK_HOURS", cls.unlock_hours, float, least=0.01),
            idle_lock_seconds=number("BEATLINE_IDLE_LOCK_SECONDS", cls.idle_lock_seconds, least=1),
            console=console == "on",
            public_url=public_url,
        )

    def step_up_policy(self, *, bot: bool) -> Policy:
        """The shift unlock as this command applies it. Unset, it is on for the bot (`beatline run`, the
        webhook) and off for `ask` and `chat`, so that `ask --as` keeps working in scripts."""
        return Policy(
            on=bot if self.step_up is None else self.step_up == "totp",
            unlock_for=dt.timedelta(hours=self.unlock_hours),
            idle_after=dt.timedelta(seconds=self.idle_lock_seconds),
        )

    def reason_rule(self) -> ReasonRule:
        return ReasonRule(required=self.reasons_required, minutes=self.reason_minutes)

    def create_default_audit_key(self) -> Path | None:
        """For init-db: with no key configured, make the default key file if missing; its path if made."""
        if self.audit_key is not None or self.audit_key_file is not None:
            return None
        path = default_key_path(self.database_url)
        try:
            return path if create_key_file(path) else None
        except OSError as exc:
            raise BeatlineError(f"The audit key file {path} cannot be created ({exc.strerror}).") from None

    def load_audit_key(self) -> AuditKey:
        """BEATLINE_AUDIT_KEY, else the key in BEATLINE_AUDIT_KEY_FILE, else the default key file's."""
        if self.audit_key is not None:
            return self.audit_key
        if self.audit_key_file is not None:
            named = f"BEATLINE_AUDIT_KEY_FILE names {self.audit_key_file}, which"
            return _read_key(self.audit_key_file, named, SettingsError)
        path = default_key_path(self.database_url)
        if not path.exists():
            raise BeatlineError(
                f"There is no audit key: set BEATLINE_AUDIT_KEY, or run 'beatline init-db' to create {path}."
            )
        return _read_key(path, f"The audit key file {path}", BeatlineError)


def _reason_minutes(minutes: int) -> int:
    if minutes > _MOST_REASON_MINUTES:  # a reason is for one purpose, not for days on end
        raise SettingsError(f"BEATLINE_REASON_MINUTES must be at most {_MOST_REASON_MINUTES} (a day).")
    return minutes


_MOST_REASON_MINUTES = 1440
_BOOLEANS = {
    "true": True,
    "yes": True,
    "on": True,
    "1": True,
    "false": False,
    "no": False,
    "off": False,
    "0": False,
}
_KEY_FORM = f"must be at least {MIN_KEY_BYTES} random bytes written as hex or base64"


def _read_key(path: Path, subject: str, error: type[BeatlineError]) -> AuditKey:
    try:
        return read_key_file(path)
    except OSError as exc:
        raise error(f"{subject} cannot be read ({exc.strerror or type(exc).__name__}).") from None
    except ValueError:
        raise error(f"{subject} holds no usable key: a key {_KEY_FORM}.") from None
