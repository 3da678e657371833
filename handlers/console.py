"""/console: an admin's one-time sign-in link to the web console (bot/web/)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from handlers.context import BeatlineContext
from handlers.format import html
from handlers.gate import guarded
from handlers.guaranteed import guaranteed
from knowledge.access import console_links

__all__ = ["NOT_CONFIGURED", "register"]

NOT_CONFIGURED = "The web console is not set up here: BEATLINE_PUBLIC_URL is not configured."


async def console(update: Update, context: BeatlineContext) -> None:
    """/console replies with a link that signs this admin in once, within 5 minutes."""
    message = guaranteed(update.message, "message")
    base = context.services.public_url
    if not base:
        await message.reply_text(html(NOT_CONFIGURED))
        return
    who = guaranteed(context.enrolment, "enrolment")
    token = await console_links.issue_link(context.services.db, who.telegram_id, by=context.caller)
    # Protected, and previews are off for every message (bot/app.py): nothing fetches the link but you.
    await message.reply_text(
        html(f"Your console sign-in link, for you only: it works once, within 5 minutes.\n"
             f"{console_links.sign_in_link(base, token)}"),
        protect_content=True,
    )  # fmt: skip


def register(application: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("console", guarded("console", console), filters=private))
