"""Logging that keeps the contract's promise: never the token, never record contents, at any level.

Three rules, applied to every line whoever writes it:
- the token (and the webhook secret) is replaced by '***' wherever it appears, e.g. in the Bot API URL
  that python-telegram-bot logs at DEBUG;
- other libraries' lines keep their wording but not their values: PTB logs whole updates (a shortlist
  of names and dates of birth rides in a button press's message) and request parameters, and database
  drivers quote statement parameters;
- tracebacks show where, not what: frames and the exception's type, never its message.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
from types import TracebackType

from bot.settings import Settings

__all__ = ["OURS", "Scrubbed", "configure"]

OURS = ("bot", "handlers", "knowledge", "beatline", "__main__")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class Scrubbed(logging.Formatter):
    """A formatter that withholds secrets, other libraries' values and exception messages."""

    def __init__(self, secrets: list[str], fmt: str = FORMAT) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        # A copy, without any traceback text another formatter may have cached on the record.
        fields = {**record.__dict__, "exc_text": None}
        if not _ours(record.name):
            fields.update(args=None, msg=_valueless(record))
        text = super().format(logging.makeLogRecord(fields))
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def formatException(self, ei: _ExcInfo | tuple[None, None, None]) -> str:
        kind, _, tb = ei
        if kind is None:  # exc_info=True outside an except block: there is no exception to show
            return ""
        frames = "".join(traceback.format_list(traceback.extract_tb(tb)))
        return f"{frames}{kind.__name__} (message withheld)"


def _ours(name: str) -> bool:
    return any(name == package or name.startswith(package + ".") for package in OURS)


def _valueless(record: logging.LogRecord) -> str:
    """Another library's message saying what happened, not to whom or with what.

    Placeholders show as '<…>'; only the first line is kept (asyncio appends the repr of a failed task,
    exception message included); a message that is not a string is not shown at all.
    """
    if not isinstance(record.msg, str):
        return f"<{type(record.msg).__name__} withheld>"
    message = record.msg.split("\n", 1)[0]
    if record.args:
        # Named placeholders, or ones on the dropped lines, leave the template as it is.
        with contextlib.suppress(TypeError, ValueError):
            message = message % tuple("<…>" for _ in range(len(record.args)))
    return message


def configure(settings: Settings) -> None:
    """Log to stderr at BEATLINE_LOG_LEVEL, scrubbed; noisy libraries no lower than INFO."""
    handler = logging.StreamHandler()
    handler.setFormatter(Scrubbed([settings.telegram_token.reveal(), settings.webhook_secret.reveal()]))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    # A line that cannot be formatted is dropped: logging's fallback prints its raw arguments.
    logging.raiseExceptions = False
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # httpx logs every request URL at INFO, and a Bot API URL contains the token. Scrubbed would catch it
    # and the lines below, but there is no reason to produce them.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    # PTB's and aiosqlite's DEBUG lines carry whole requests and statements with their parameters.
    for chatty in ("telegram", "aiosqlite"):
        logging.getLogger(chatty).setLevel(max(logging.INFO, logging.getLogger().level))
