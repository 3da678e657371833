"""Briefings in Telegram: a preview with Send and Cancel, copies with Acknowledge, and the follow-up.

The delivery engine (`knowledge.briefings.engine`) belongs to the services; a pressed Send or Remind
wakes it. `/brief` alone asks for the text, and the sergeant's next message is taken as the briefing
for ASK_FOR seconds; after that it is an ordinary query again. The wait is kept in the user's row,
which the gate has just read into `context.enrolment`, and the one handler of private text
(`private_text`) looks there: the briefing, or a question. This is a deadline rather than a
ConversationHandler: that needs updates handled one at a time (Beatline handles them concurrently)
and its timeout needs the job-queue extra, which Beatline does not install.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TypeVar

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from handlers import fallbacks, query
from handlers.briefing import render as text
from handlers.context import BeatlineContext
from handlers.format import html
from handlers.gate import guarded
from knowledge.access import users
from knowledge.access.buttons import ButtonRefused
from knowledge.access.roles import can_use
from knowledge.briefings import acknowledgements, drafts
from knowledge.briefings.statuses import BriefingStatus
from knowledge.errors import BeatlineError

__all__ = ["register"]

ASK_FOR = 300.0  # seconds the bot waits for the text after a bare /brief
REFUSED = {
    "invalid": "That button is not yours: only the person it was sent to can use it.",
    "expired": "That button has expired. Use /briefings for the current state.",
}
NO_LONGER_YOURS = (
    "That button is for sergeants and admins, and your role has changed. /help lists what you can do."
)
# Button data: "b", the action's letter, the briefing id, then the signature (knowledge.access.buttons). Each
# action needs the role of the command it belongs to; Acknowledge is every recipient's.
_NEEDS: dict[str, str | None] = {"s": "brief", "x": "brief", "o": "briefings", "r": "briefings", "a": None}
_T = TypeVar("_T")


def _present(value: _T | None, what: str) -> _T:
    """`value`, which PTB's filters or the gate guarantee here; its absence is a wiring bug."""
    if value is None:
        raise RuntimeError(f"a briefing handler was called without {what}")
    return value


def _asked(context: BeatlineContext) -> bool:
    """True if this user sent a bare /brief less than ASK_FOR seconds ago, in any bot process."""
    asker, now = context.enrolment, dt.datetime.now(dt.UTC)
    return asker is not None and can_use(asker.role, "brief") and asker.awaits_briefing_text(now)


def _button(
    label: str,
    action: str,
    briefing_id: int,
    context: BeatlineContext,
    user_id: int,
    *,
    lifetime: int | None = None,
) -> InlineKeyboardButton:
    data = context.services.buttons.sign(f"b{action}{briefing_id}", user_id, lifetime=lifetime)
    return InlineKeyboardButton(label, callback_data=data)


async def _preview(update: Update, context: BeatlineContext, request_text: str) -> None:
    message, sender = _present(update.message, "a message"), _present(context.enrolment, "an enrolment")
    now = dt.datetime.now(dt.UTC)
    try:
        request = drafts.parse_request(request_text, role=sender.role)
        send_at = drafts.next_occurrence(*request.at, now) if request.at else None
        view, reach = await drafts.create_draft(
            context.services.db, sender, request.text, team=request.team, send_at=send_at
        )
    except BeatlineError as refused:
        await message.reply_text(html(str(refused)))
        return
    user_id = sender.telegram_id
    keyboard = InlineKeyboardMarkup(
        [[_button("Send", "s", view.id, context, user_id), _button("Cancel", "x", view.id, context, user_id)]]
    )
    # The preview shows the briefing's text, which can name suspects: protected like the copies.
    await message.reply_text(
        html(text.preview_text(view, reach, now)), reply_markup=keyboard, protect_content=True
    )


async def brief(update: Update, context: BeatlineContext) -> None:
    """/brief TEXT shows the sergeant a preview with Send and Cancel; /brief alone asks for the text."""
    message = _present(update.message, "a message")
    command_and_text = _present(message.text, "a command's text").split(maxsplit=1)  # line breaks kept
    sender, now = _present(context.enrolment, "an enrolment"), dt.datetime.now(dt.UTC)  # guarded
    db, user_id = context.services.db, sender.telegram_id
    if len(command_and_text) == 2:
        if sender.awaits_briefing_text(now):
            await users.await_briefing_text(db, user_id, None)  # the text came with the command
        await _preview(update, context, command_and_text[1])
        return
    await users.await_briefing_text(db, user_id, now + dt.timedelta(seconds=ASK_FOR))
    await message.reply_text(
        html("What should the briefing say? Send it as your next message, within 5 minutes, or /cancel.")
    )


async def take_text(update: Update, context: BeatlineContext) -> None:
    """The sergeant's next message after a bare /brief becomes the briefing's preview."""
    message, user = _present(update.message, "a message"), _present(update.effective_user, "a user")
    if not await users.take_briefing_text(context.services.db, user.id):
        await query.ask(update, context)  # another message was taken as the text: this one is a question
        return
    await _preview(update, context, message.text or "")


async def private_text(update: Update, context: BeatlineContext) -> None:
    """A private text message: the briefing's text if a bare /brief asked for it, else a question."""
    if _asked(context):
        await take_text(update, context)
    else:
        await query.ask(update, context)


async def cancel(update: Update, context: BeatlineContext) -> None:
    """/cancel stops the wait for a briefing's text; with no wait it is a command Beatline lacks."""
    if _asked(context):
        await stop_asking(update, context)
    else:
        await fallbacks.unknown_command(update, context)


async def stop_asking(update: Update, context: BeatlineContext) -> None:
    """/cancel while the bot waits for a briefing's text: nothing is drafted."""
    message, user = _present(update.message, "a message"), _present(update.effective_user, "a user")
    await users.await_briefing_text(context.services.db, user.id, None)
    await message.reply_text(html("No briefing started."))


async def _pressed(update: Update, context: BeatlineContext) -> tuple[CallbackQuery, int] | None:
    """The press and its briefing id, if the button is the presser's, fresh, and theirs to use now.

    Every briefing button passes through here. A button outlives the role it was made for, so the
    role it needs is checked on every press against the enrolment the gate has just read, as the gate
    checks commands: a sergeant demoted since the preview or the list cannot send, show or remind.
    Refusals are audited.
    """
    press = _present(update.callback_query, "a button press")
    try:
        payload = context.services.buttons.verify(_present(press.data, "button data"), press.from_user.id)
    except ButtonRefused as refused:
        await context.audit("denied", query=f"briefing button {refused.reason}", intent="briefing")
        await press.answer(REFUSED[refused.reason], show_alert=True)
        return None
    needs = _NEEDS[payload[1]]
    if needs is not None and not can_use(context.role, needs):
        await context.audit(
            "denied", query=f"briefing button {payload}: not for role {context.role}", intent="briefing"
        )
        await press.answer(NO_LONGER_YOURS, show_alert=True)
        return None
    return press, int(payload[2:])


async def send_pressed(update: Update, context: BeatlineContext) -> None:
    """Send on the preview: the briefing goes out (or is scheduled) once, however often it is pressed."""
    if (pressed := await _pressed(update, context)) is None:
        return
    press, briefing_id = pressed
    message = _present(press.message, "the pressed button's message")
    view = await drafts.confirm(
        context.services.db, briefing_id, press.from_user.id,
        progress_chat_id=message.chat.id, progress_message_id=message.message_id,
    )  # fmt: skip
    if view is None:
        await press.answer("That briefing has already been sent or cancelled.")
        return
    await press.answer()
    now = dt.datetime.now(dt.UTC)
    keyboard = None
    if view.send_at and view.send_at > now:
        until_sent = int((view.send_at - now).total_seconds()) + 60  # usable until the briefing goes out
        cancel = _button("Cancel", "x", view.id, context, press.from_user.id, lifetime=until_sent)
        keyboard = InlineKeyboardMarkup.from_button(cancel)
    await press.edit_message_text(html(text.queued_text(view, now)), reply_markup=keyboard)
    context.services.delivery.wake()


async def cancel_pressed(update: Update, context: BeatlineContext) -> None:
    """Cancel on a preview or a scheduled briefing: nothing is sent, unless sending has already begun."""
    if (pressed := await _pressed(update, context)) is None:
        return
    press, briefing_id = pressed
    if not await drafts.cancel(context.services.db, briefing_id, _present(context.enrolment, "an enrolment")):
        await press.answer("Too late to cancel: that briefing is already being sent.", show_alert=True)
        return
    await press.answer()
    await press.edit_message_text(html("Briefing cancelled; nothing was sent."))


async def acknowledge_pressed(update: Update, context: BeatlineContext) -> None:
    """An officer's Acknowledge records the time once; their copy then reads "Acknowledged 06:52"."""
    if (pressed := await _pressed(update, context)) is None:
        return
    press, briefing_id = pressed
    try:
        ack = await acknowledgements.acknowledge(context.services.db, briefing_id, press.from_user.id)
    except BeatlineError as refused:
        await press.answer(str(refused), show_alert=True)
        return
    line = text.acknowledged_line(ack.acked_at)
    await press.answer(line if ack.first else f"Already acknowledged at {text.clock(ack.acked_at)}.")
    copy = press.message
    if isinstance(copy, Message) and copy.text and line not in copy.text:
        # A press racing an earlier edit finds the copy already showing the line: nothing to change.
        with contextlib.suppress(BadRequest):
            await press.edit_message_text(html(f"{copy.text}\n\n{line}"))


async def list_briefings(update: Update, context: BeatlineContext) -> None:
    """/briefings lists recent briefings as acknowledged/recipients, each with a who-is-outstanding button."""
    message, viewer = _present(update.message, "a message"), _present(context.enrolment, "an enrolment")
    views = await drafts.recent(context.services.db, viewer)
    user_id = viewer.telegram_id
    buttons = [[_button(f"#{v.id}: who has not acknowledged?", "o", v.id, context, user_id)] for v in views]
    # Briefings name suspects: showing them is a disclosure like any other, audited and protected.
    await context.audit("answered", query="/briefings", intent="briefing_list",
                        record_ids=[f"briefing:{v.id}" for v in views])  # fmt: skip
    await message.reply_text(
        html(text.list_text(views, dt.datetime.now(dt.UTC))),
        reply_markup=InlineKeyboardMarkup(buttons) if buttons else None,
        protect_content=True,
    )


async def outstanding_pressed(update: Update, context: BeatlineContext) -> None:
    """A briefing chosen from /briefings: who has not acknowledged it, with a Remind button for them."""
    if (pressed := await _pressed(update, context)) is None:
        return
    press, briefing_id = pressed
    chat, viewer = _present(update.effective_chat, "a chat"), _present(context.enrolment, "an enrolment")
    db = context.services.db
    try:
        view = await drafts.get(db, briefing_id, viewer)
        people = await acknowledgements.outstanding(db, briefing_id, viewer)
    except BeatlineError as refused:
        await press.answer(str(refused), show_alert=True)
        return
    await press.answer()
    await context.audit("answered", query=f"outstanding for briefing {view.id}", intent="briefing_list",
                        record_ids=[f"briefing:{view.id}"])  # fmt: skip
    keyboard = None
    if people and view.status == BriefingStatus.SENT:
        label = f"Remind {len(people)}"
        keyboard = InlineKeyboardMarkup.from_button(_button(label, "r", view.id, context, viewer.telegram_id))
    await context.bot.send_message(
        chat.id,
        html(text.outstanding_text(view, people)),
        reply_markup=keyboard,
        protect_content=True,
    )


async def remind_pressed(update: Update, context: BeatlineContext) -> None:
    """Remind: the briefing is sent again to those who have not acknowledged, and to nobody else."""
    if (pressed := await _pressed(update, context)) is None:
        return
    press, briefing_id = pressed
    chat, viewer = _present(update.effective_chat, "a chat"), _present(context.enrolment, "an enrolment")
    await press.answer()
    await press.edit_message_reply_markup(None)  # one press, one reminder
    progress = await context.bot.send_message(chat.id, html(f"Reminding for briefing #{briefing_id}…"))
    try:
        await acknowledgements.remind(
            context.services.db, briefing_id, viewer,
            progress_chat_id=progress.chat.id, progress_message_id=progress.message_id,
        )  # fmt: skip
    except BeatlineError as refused:
        await progress.edit_text(html(str(refused)))
        return
    context.services.delivery.wake()


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Add the briefing handlers, and the one handler of private text (a briefing's, or a question)."""
    private = filters.ChatType.PRIVATE
    application.add_handlers([
        CommandHandler("brief", guarded("brief", brief), filters=private),
        MessageHandler(private & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, private_text),
        CommandHandler("cancel", cancel, filters=private & filters.UpdateType.MESSAGE),
        CommandHandler("briefings", guarded("briefings", list_briefings), filters=private),
        # Button data as _NEEDS says; every press is checked by _pressed.
        CallbackQueryHandler(send_pressed, pattern=r"^bs\d+\|"),
        CallbackQueryHandler(cancel_pressed, pattern=r"^bx\d+\|"),
        CallbackQueryHandler(acknowledge_pressed, pattern=r"^ba\d+\|"),
        CallbackQueryHandler(outstanding_pressed, pattern=r"^bo\d+\|"),
        CallbackQueryHandler(remind_pressed, pattern=r"^br\d+\|"),
    ])  # fmt: skip
