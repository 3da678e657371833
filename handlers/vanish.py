"""Replies that vanish and remote wipe, at the Telegram edge: deleteMessage's answers as the deletions'
port, the wipe every revoke path calls, and /wipe. What is deleted was written down by handlers/sent.py.
"""

from __future__ import annotations

import logging

from telegram import Bot, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CommandHandler, filters

from handlers.context import BeatlineContext
from handlers.format import html
from handlers.guaranteed import guaranteed
from knowledge.vanishing.port import Delete, Deletion
from knowledge.vanishing.wipe import Wiped, wipe

__all__ = ["deleter", "register", "wipe_chat"]

log = logging.getLogger(__name__)


def deleter(bot: Bot) -> Delete:
    """The deletions' port on this bot: Telegram's answers to deleteMessage as a `Deletion`."""

    async def delete(chat_id: int, message_id: int) -> Deletion:
        try:
            await bot.delete_message(chat_id, message_id)
        except BadRequest as refused:
            # "Message to delete not found" is done; "message can't be deleted" never will be.
            return Deletion.GONE if "not found" in refused.message.lower() else Deletion.REFUSED
        except TelegramError as exc:
            log.info("deleteMessage failed (%s); it will be tried again", type(exc).__name__)
            return Deletion.FAILED
        return Deletion.DELETED

    return delete


async def wipe_chat(context: BeatlineContext, chat_id: int) -> Wiped:
    """Delete every message Beatline may still delete from this private chat, now."""
    return await wipe(context.services.db, chat_id, deleter(context.bot))


async def wipe_own(update: Update, context: BeatlineContext) -> None:
    """/wipe deletes Beatline's messages, and the questions they answered, from the officer's own chat."""
    chat = guaranteed(update.effective_chat, "chat")
    wiped = await wipe_chat(context, chat.id)
    await context.audit("answered", query=f"/wipe: {wiped.sentence('own')}", intent="wipe")
    await guaranteed(update.message, "message").reply_text(html(wiped.sentence("your")))


def register(application: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("wipe", wipe_own, filters=private))
