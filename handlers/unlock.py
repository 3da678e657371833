"""/unlock CODE, /lock and /release ID: the shift unlock in Telegram (knowledge/access/step_up.py).

The gate keeps a locked user from everything else; these commands are how they get in and out. The
message that carries a code is deleted before anything else is done with it, and a code sent in a
group is refused and spent, since others have seen it. Replies are sent as new messages, never as
replies: the message they would quote is gone.
"""

from __future__ import annotations

import contextlib
import logging

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, filters

from handlers.briefing.render import clock
from handlers.context import BeatlineContext
from handlers.format import html
from handlers.gate import guarded
from handlers.guaranteed import guaranteed
from knowledge.access import step_up, users
from knowledge.access.step_up import Attempt, BadCode, Tried
from knowledge.errors import BeatlineError
from knowledge.store.vocabulary import Outcome, ShiftIntent

__all__ = [
    "GROUP_NOT_DELETED",
    "GROUP_REFUSED",
    "LOCKED_NOW",
    "NO_SECRET",
    "STEP_UP_OFF",
    "register",
    "reply_to",
]

log = logging.getLogger(__name__)

STEP_UP_OFF = "Beatline asks for no code here: the shift unlock is switched off."
GROUP_REFUSED = (
    "Send /unlock only in your private chat with me. I deleted that message, and its code will not work now."
)
GROUP_NOT_DELETED = (
    "Send /unlock only in your private chat with me. I may not delete messages here: delete yours now. "
    "Its code will not work."
)
NO_SECRET = (
    "You have no authenticator set up yet. Ask an admin for your authenticator QR code; they show it to "
    "you in person."
)
LOCKED_NOW = "Locked. Send /unlock and the code from your authenticator app to use Beatline again."


def _span(seconds: int) -> str:
    """30 minutes, 1 minute, 45 seconds."""
    count, unit = (seconds // 60, "minute") if seconds >= 60 else (seconds, "second")
    return f"{count} {unit}{'s' * (count != 1)}"


def reply_to(tried: Tried, telegram_id: int, idle_seconds: int) -> str:
    """What the officer is told after a code in their private chat."""
    release = f"an admin can release you with /release {telegram_id}"
    match tried.attempt:
        case Attempt.UNLOCKED if tried.until is not None:
            return (
                f"Unlocked until {clock(tried.until)}. Beatline locks again after {_span(idle_seconds)} "
                "without a message from you, or when you send /lock."
            )
        case Attempt.NO_SECRET:
            return NO_SECRET
        case Attempt.WRONG:
            more = f"{tried.tries_left} more wrong code{'s' * (tried.tries_left != 1)}"
            return (
                f"That code is not right. {more} within {step_up.FAILURE_WINDOW.seconds // 60} minutes and "
                "you will be locked out until an admin releases you."
            )
        case Attempt.REPLAYED:
            return "That code has been used already. Wait for your app to show the next one, then send it."
        case Attempt.EXPIRED:
            return "That code has expired. Send the one your app shows now."
        case Attempt.LOCKED_OUT:
            return f"Too many wrong codes: you are locked out. The admins have been told; {release}."
        case _:
            return f"You are locked out after too many wrong codes, so no code works until {release}."


async def _delete(message: Message) -> bool:
    """Delete the message that carried a code; False (and logged) where the bot may not delete it."""
    try:
        await message.delete()
    except TelegramError as exc:
        log.warning("could not delete an /unlock message in chat %s: %s", message.chat.id, type(exc).__name__)
        return False
    return True


async def _tell(context: BeatlineContext, chat_id: int, text: str) -> None:
    await context.bot.send_message(chat_id, html(text))


async def unlock(update: Update, context: BeatlineContext) -> None:
    """/unlock CODE unlocks the officer for their shift; the message with the code disappears at once."""
    message = guaranteed(update.effective_message, "message")  # an edit that holds a code goes too
    gone = await _delete(message)  # first: a code on the screen is a code someone else can read
    policy, chat_id = context.services.step_up, message.chat.id
    if not policy.on:
        await _tell(context, chat_id, STEP_UP_OFF)
        return
    private = message.chat.type == ChatType.PRIVATE
    refused = GROUP_REFUSED if gone else GROUP_NOT_DELETED
    try:
        code = step_up.read_code(context.args or [])
    except BadCode as bad:
        await context.audit(Outcome.DENIED, query="/unlock without a 6-digit code", intent=ShiftIntent.UNLOCK)
        await _tell(context, chat_id, str(bad) if private else refused)
        return
    tried = await step_up.unlock(context.services.db, context.caller, code, policy, grant=private)
    who = guaranteed(context.enrolment, "enrolment")  # /unlock is guarded: only the enrolled reach it
    said = reply_to(tried, who.telegram_id, int(policy.idle_after.total_seconds())) if private else refused
    await _tell(context, chat_id, said)
    if tried.attempt is Attempt.LOCKED_OUT:
        await _alert_admins(context, who)


async def _alert_admins(context: BeatlineContext, who: users.Enrolment) -> None:
    """Tell every active admin, once (the lock-out happens once until released), who is locked out."""
    name = who.name or "A user"
    text = (
        f"{name} ({who.telegram_id}) is locked out of Beatline after {step_up.FAILURES_ALLOWED} wrong codes "
        f"within {step_up.FAILURE_WINDOW.seconds // 60} minutes. If it is them, /release "
        f"{who.telegram_id}; if their phone may be lost, /revoke {who.telegram_id}."
    )
    for admin in await users.list_users(context.services.db):
        if admin.role == "admin" and admin.status == "active" and admin.telegram_id != who.telegram_id:
            try:
                await _tell(context, admin.telegram_id, text)
            except TelegramError as exc:  # one admin who blocked the bot must not keep the others untold
                log.warning("admin %s not told of a lock-out: %s", admin.telegram_id, type(exc).__name__)


async def lock(update: Update, context: BeatlineContext) -> None:
    """/lock locks Beatline now: nothing more until the next /unlock."""
    message = guaranteed(update.message, "message")
    if not context.services.step_up.on:
        await message.reply_text(html(STEP_UP_OFF))
        return
    await step_up.lock(context.services.db, context.caller)
    await message.reply_text(html(LOCKED_NOW))


async def release(update: Update, context: BeatlineContext) -> None:
    """/release ID lets a user locked out by wrong codes unlock again with their code."""
    message = guaranteed(update.message, "message")
    args = context.args or []
    if len(args) != 1:
        await message.reply_text(html("Usage: /release ID"))
        return
    try:
        telegram_id = users.parse_telegram_id(args[0])
    except BeatlineError as exc:
        await message.reply_text(html(str(exc)))
        return
    if not await step_up.release(context.services.db, telegram_id, by=context.caller):
        await message.reply_text(html(f"{telegram_id} is not locked out."))
        return
    await message.reply_text(html(f"{telegram_id} is released: they can unlock with their code again."))
    with contextlib.suppress(TelegramError):  # they may never have opened the chat; the release holds
        await _tell(context, telegram_id, f"An admin released you. {step_up.LOCKED_REPLY}")


def register(application: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handlers([
        # Groups too: a code sent there is deleted and spent, not left for the group to read.
        CommandHandler("unlock", guarded("unlock", unlock), filters=filters.UpdateType.MESSAGES),
        CommandHandler("lock", guarded("lock", lock), filters=private),
        CommandHandler("release", guarded("release", release), filters=private),
    ])  # fmt: skip
