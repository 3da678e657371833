"""The one gate: every update is authorised here, before any feature handler sees it.

It runs in group -1. It drops updates another process already took, reads the sender's enrolment
afresh (so a revocation bites on the very next message), and stops strangers and commands outside the
sender's role with one polite, audited refusal. A stranger learns their numeric id and nothing else,
and a stranger who floods is throttled: past a few refusals in the rate window they get silence, and
the audit log one entry for the whole burst.

With the shift unlock on (BEATLINE_STEP_UP=totp), an enrolled user who is locked gets the one locked
sentence, audited, for every question, button, location or command but the few that let them in
(OPEN_WHILE_LOCKED): the lock is a property of this gate, not of each feature.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from handlers import errors
from handlers.context import BeatlineContext
from handlers.format import html
from handlers.guaranteed import guaranteed
from knowledge.access import step_up, users
from knowledge.access.ratelimit import STRANGER_REFUSALS
from knowledge.access.roles import COMMANDS, can_use
from knowledge.matching.clean import clean_text
from knowledge.store.audit import Caller
from knowledge.store.update_claims import claim_update
from knowledge.store.vocabulary import Outcome

__all__ = [
    "NOT_YOUR_COMMAND",
    "OPEN_WHILE_LOCKED",
    "command_of",
    "guarded",
    "register",
    "stranger_refusal",
    "what_was_sent",
]

log = logging.getLogger(__name__)

Callback = Callable[[Update, BeatlineContext], Coroutine[Any, Any, None]]

NOT_YOUR_COMMAND = "Sorry, that command is not available to you. /help lists what you can do."
_GUARDED = frozenset(c.name for c in COMMANDS)
# What a locked user may still do: be greeted, read the help, see who they are, unlock and lock, and
# wipe the chat (it shows nothing, and whoever holds a locked phone may only take records off it).
OPEN_WHILE_LOCKED = frozenset({"start", "help", "whoami", "unlock", "lock", "wipe"})
_CODE_LIKE = re.compile(r"(?<![0-9])[0-9]{6}(?![0-9])")


ONLY_ENROLLED = "Sorry, Beatline is only for enrolled officers."


def stranger_refusal(user_id: int, why: str = ONLY_ENROLLED) -> str:
    return f"{why} Your Telegram id is {user_id}: give it to your Beatline administrator to be enrolled."


def command_of(update: Update) -> str:
    """The command a message or an edit starts with ('allow' for '/allow@beatline_bot 5'), or ''."""
    message = update.message or update.edited_message
    if message is None or not message.text or not message.text.startswith("/"):
        return ""
    return message.text.split()[0][1:].split("@")[0].lower()


def what_was_sent(update: Update) -> str:
    """A short, clean description of the update for the audit log."""
    if update.callback_query:
        return f"button {clean_text(update.callback_query.data or '', 80)}"
    message = update.effective_message
    if message is None:
        return "update without a message"
    if message.text:
        return clean_text(message.text, 1000)
    if message.location:
        return f"location {message.location.latitude:.5f},{message.location.longitude:.5f}"
    attachment = message.effective_attachment
    return f"{type(attachment).__name__.lower() if attachment else 'service'} message"


def _redeeming_invite(update: Update) -> bool:
    message = update.message
    return (
        message is not None
        and command_of(update) == "start"
        and message.chat.type == ChatType.PRIVATE
        and len((message.text or "").split()) == 2
    )


async def refuse_stranger(
    update: Update,
    context: BeatlineContext,
    *,
    why: str = ONLY_ENROLLED,
    query: str = "",
    intent: str = "",
) -> None:
    """Tell a stranger why not and their id, and nothing else; audited. A flood gets silence."""
    user = guaranteed(update.effective_user, "user")
    if not await _within_strangers_allowance(update, context, user.id):
        return
    await context.audit("denied", query=query or what_was_sent(update), intent=intent)
    if update.callback_query:
        await update.callback_query.answer(stranger_refusal(user.id, why), show_alert=True)
    elif update.message:
        await update.message.reply_text(html(stranger_refusal(user.id, why)))


async def _within_strangers_allowance(update: Update, context: BeatlineContext, key: int) -> bool:
    """Count one refusal to `key` (a user, or a chat with no user); False once they are flooding.

    Past the allowance nothing is sent and nothing more is audited: the crossing itself is the one
    entry for the burst. Counting goes on while they flood, so silence lasts until they pause.
    """
    limiter = context.services.limiter
    decision = await limiter.hit_stranger(key)
    if decision.first_refusal:
        await context.audit(
            "rate_limited",
            query=f"more than {STRANGER_REFUSALS} refusals in {limiter.window_seconds // 60} minutes; this "
            f"and what follows go unanswered and unlogged until they pause: {what_was_sent(update)}",
        )
    return decision.allowed


async def gate(update: Update, context: BeatlineContext) -> None:
    """Let enrolled users through; everyone else gets one polite refusal, or silence if nobody sent it.

    It fails closed: an update passes only if the gate finished and let it through. Any failure on the
    way (the database, or a Bot API reply that cannot be parsed while refusing) stops the update here.
    """
    try:
        await _authorise(update, context)
    except ApplicationHandlerStop:
        raise
    except Exception as error:
        await errors.report(update, error)
        raise ApplicationHandlerStop from None


def guarded(command: str, callback: Callback) -> Callback:
    """The handler of a role-restricted command, run only for a user whose role may use it.

    A second lock behind the gate: if an update ever reached a command handler unauthorised, it is
    refused here rather than obeyed.
    """

    @functools.wraps(callback)
    async def run(update: Update, context: BeatlineContext) -> None:
        if context.enrolment is None or not can_use(context.role, command):
            log.error("update %s reached /%s without the gate's approval; refused", update.update_id, command)
            return
        await callback(update, context)

    return run


async def _refuse_locked(update: Update, context: BeatlineContext) -> None:
    """The locked sentence and nothing else; audited, with anything that looks like a code withheld."""
    sent = _CODE_LIKE.sub("######", what_was_sent(update))
    await context.audit(Outcome.LOCKED, query=sent)
    if update.callback_query:
        await update.callback_query.answer(step_up.LOCKED_REPLY, show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text(html(step_up.LOCKED_REPLY))


async def _authorise(update: Update, context: BeatlineContext) -> None:
    user, chat = update.effective_user, update.effective_chat
    policy = context.services.step_up
    # One transaction: the claim on the update, the sender's enrolment as it is right now, and
    # whether they are unlocked (this update counting as their latest activity).
    async with context.services.db.sessions() as session, session.begin():
        if not await claim_update(session, context.bot.id, update.update_id):
            log.info("update %s already taken (a redelivery, or another process)", update.update_id)
            raise ApplicationHandlerStop
        if user is not None:
            context.enrolment = await users.active_user(session, user.id)
        context.caller = Caller(
            actor=f"tg:{user.id}" if user else f"chat:{chat.id if chat else '?'}",
            role=context.role,
            telegram_user_id=user.id if user else None,
            chat_id=chat.id if chat else None,
            update_id=update.update_id,
        )
        locked = (
            policy.on
            and context.enrolment is not None
            and not await step_up.admit(session, context.caller, policy, now=dt.datetime.now(dt.UTC))
        )
    if user is None or user.is_bot:
        # Channel posts, anonymous group admins, other bots: nobody to enrol and nobody to answer.
        if await _within_strangers_allowance(update, context, user.id if user else chat.id if chat else 0):
            await context.audit("denied", query=what_was_sent(update))
        raise ApplicationHandlerStop
    if context.enrolment is None:
        if _redeeming_invite(update):
            return  # /start CODE: the start handler redeems the code or refuses
        await refuse_stranger(update, context)
        raise ApplicationHandlerStop
    command = command_of(update)
    if locked and command not in OPEN_WHILE_LOCKED:
        await _refuse_locked(update, context)
        raise ApplicationHandlerStop
    if command in _GUARDED and not can_use(context.role, command):
        await context.audit("denied", query=what_was_sent(update), intent="command")
        await guaranteed(update.effective_message, "message").reply_text(html(NOT_YOUR_COMMAND))
        raise ApplicationHandlerStop


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(TypeHandler(Update, gate), group=-1)
