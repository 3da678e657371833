"""What nothing else handled: an unknown command, or a button that no handler recognises.

Registered last, so a feature module's own commands and buttons are matched before these.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from handlers.context import BeatlineContext
from handlers.format import html
from handlers.gate import what_was_sent
from handlers.guaranteed import guaranteed

__all__ = ["STALE_BUTTON", "UNKNOWN_COMMAND", "register"]

UNKNOWN_COMMAND = "I don't know that command. /help lists what you can do."
STALE_BUTTON = "That button no longer works. Ask again for fresh results."


async def unknown_command(update: Update, context: BeatlineContext) -> None:
    """A command Beatline does not have gets a pointer to /help."""
    await guaranteed(update.message, "message").reply_text(html(UNKNOWN_COMMAND))


async def stale_button(update: Update, context: BeatlineContext) -> None:
    """A press on a button no handler recognises (old, or forged) is refused politely, and audited."""
    press = guaranteed(update.callback_query, "button press")
    await context.audit("denied", query=what_was_sent(update))
    await press.answer(STALE_BUTTON, show_alert=True)


def register(application: Application) -> None:  # type: ignore[type-arg]
    private_command = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.COMMAND
    application.add_handlers(
        [MessageHandler(private_command, unknown_command), CallbackQueryHandler(stale_button)]
    )
