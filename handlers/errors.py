"""The one error handler: the officer hears that something went wrong, the log hears what and where.

A database that cannot be reached or did not answer in time is said as such: the officer then knows
to try again shortly rather than to report a fault.

The log line names the exception type and the code locations only. Exception messages are left out on
purpose: database errors quote the statement's parameters, which can be an officer's query or a record.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
import warnings
from pathlib import Path

from telegram import Update
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationHandlerStop
from telegram.warnings import PTBDeprecationWarning

from handlers.context import BeatlineContext
from handlers.format import html
from handlers.guaranteed import guaranteed
from knowledge.store.database import unavailable

__all__ = ["DATABASE_DOWN", "SORRY", "on_error", "register", "report", "retry_after"]

log = logging.getLogger("beatline.errors")

SORRY = "Sorry, something went wrong on my side. Please try again in a minute."
DATABASE_DOWN = "Sorry, the records database is not answering. Please try again in a minute."


_OURS = tuple(
    str(Path(__file__).resolve().parent.parent / package) for package in ("bot", "handlers", "knowledge")
)


def _where(error: BaseException) -> str:
    """Our own frames, innermost first: where Beatline was when it failed, not where the library was."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if f.filename.startswith(_OURS)] or frames[-3:]
    return " < ".join(
        f"{Path(f.filename).parent.name}/{Path(f.filename).name}:{f.lineno} {f.name}"
        for f in reversed(ours[-6:])
    )


async def report(update: object, error: BaseException) -> None:
    """Log what failed and where, and tell the user in one sentence; never raises."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed: %s at %s", update_id, type(error).__name__, _where(error))
    if isinstance(update, Update):
        apology = DATABASE_DOWN if unavailable(error) else SORRY
        # Telegram, or whatever stands in for it, may be what failed: then there is no telling the user,
        # and no point trying twice. Any failure here is swallowed so that the caller's stop still runs.
        try:
            if update.callback_query and await _answer_press(update, apology):
                return
            if update.effective_message:
                await update.effective_message.reply_text(html(apology))
        except TelegramError:
            pass
        except Exception as again:
            log.error("update %s: telling the user failed too: %s", update_id, type(again).__name__)


async def _answer_press(update: Update, apology: str) -> bool:
    """Say sorry in the button's alert; False if the press was already answered (then say it in chat)."""
    press = guaranteed(update.callback_query, "button press")
    try:
        await press.answer(apology, show_alert=True)
    except BadRequest:  # Telegram takes one answer per press, and the handler may have given it
        return False
    return True


def retry_after(flood: RetryAfter) -> float:
    """The seconds a 429 asks the whole bot to wait."""
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after will become a timedelta; both forms are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        after = flood.retry_after
    return after.total_seconds() if isinstance(after, dt.timedelta) else float(after)


async def on_error(update: object, context: BeatlineContext) -> None:
    """Something failed: the user is told so in one sentence and nothing else.

    Handling of that update then stops (ApplicationHandlerStop), whatever happened while telling the
    user: PTB runs the later handler groups if an error handler itself fails, and no handler may run for
    an update the gate did not authorise.
    """
    await report(update, guaranteed(context.error, "error"))
    raise ApplicationHandlerStop


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_error_handler(on_error)
