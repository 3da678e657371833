"""Questions in chat: free text goes to the answer function, buttons open a record or its detail.

Answers are asked for in private chats only, counted against the per-user limit, and sent with
protect_content whenever they disclose a record, so they cannot be forwarded or saved. A shortlist
comes back as buttons, with a Next button while some of it is still to show, and "More" as a
button; each button is signed for the asker and expires. A tap is a follow-up as words are ("2",
"next", "more"), so either can follow the other.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from handlers.context import BeatlineContext
from handlers.format import html
from handlers.gate import what_was_sent
from handlers.guaranteed import guaranteed
from handlers.reason_offer import offer_reasons
from knowledge.access import users
from knowledge.access.button_payloads import FollowButton, PageButton, RecordButton
from knowledge.access.buttons import ButtonRefused, ButtonSigner
from knowledge.access.pending_questions import Held
from knowledge.answers.disclosure import Answer
from knowledge.answers.dispatch import answer, answer_record, next_page
from knowledge.answers.persons import SHORTLIST
from knowledge.follows.checked import FOLLOWABLE
from knowledge.store.vocabulary import Outcome

__all__ = ["RECORD_BUTTON", "follow_button", "keyboard", "register", "send_answer", "within_limit"]

log = logging.getLogger(__name__)

ASK_IN_PRIVATE = "Please ask me in a private chat."
EDITED = "I don't re-run edited messages. Send the corrected question as a new message."
BUTTON_REFUSED = {
    "invalid": "Sorry, that button is not yours to use. Ask your own question.",
    "expired": "That button has expired. Ask again for fresh results.",
}
RECORD_BUTTON = RecordButton.PATTERN  # button payloads: knowledge/access/button_payloads.py
T = TypeVar("T")


def _button(
    label: str, record: RecordButton | PageButton, signer: ButtonSigner, user_id: int
) -> InlineKeyboardButton | None:
    try:
        return InlineKeyboardButton(label[:64], callback_data=signer.sign(record.encode(), user_id))
    except ValueError:  # an id too long for Telegram's 64 bytes: the officer can still type the query
        return None


def follow_button(result: Answer, signer: ButtonSigner, user_id: int) -> InlineKeyboardButton | None:
    """A Follow button under an answer about one person or vehicle; None under anything else."""
    if (
        result.outcome != Outcome.ANSWERED
        or not result.followable
        or not result.records
        or result.records[0].kind not in FOLLOWABLE
    ):
        return None
    record = result.records[0]
    try:
        return InlineKeyboardButton(
            "Follow", callback_data=signer.sign(FollowButton(record.kind, record.id).encode(), user_id)
        )
    except ValueError:  # an id too long for Telegram's 64 bytes: /follow still works
        return None


def keyboard(result: Answer, signer: ButtonSigner, user_id: int) -> InlineKeyboardMarkup | None:
    """One button per shortlisted record, a More button and a Follow button, signed for user_id; None if
    there are none."""
    buttons = [_button(c.label, RecordButton(c.kind, c.id), signer, user_id) for c in result.choices]
    if result.listing is not None:  # more of the list to show: the follow-up "next", as a tap
        left = len(result.listing.records) - result.listing.shown
        label = f"Next {min(left, SHORTLIST)} of {left}"
        buttons.append(_button(label, PageButton(result.listing.shown), signer, user_id))
    if result.more is not None:
        more = RecordButton(result.more.kind, result.more.id, detail=True)
        buttons.append(_button("More", more, signer, user_id))
    buttons.append(follow_button(result, signer, user_id))
    rows = [[b] for b in buttons if b is not None]
    return InlineKeyboardMarkup(rows) if rows else None


async def send_answer(update: Update, context: BeatlineContext, result: Answer) -> None:
    """Reply with the answer's text, escaped, protected when it discloses records."""
    message, user = guaranteed(update.effective_message, "message"), guaranteed(update.effective_user, "user")
    await message.reply_text(
        html(result.reply),
        protect_content=bool(result.records),
        reply_markup=keyboard(result, context.services.buttons, user.id),
    )


async def _alert_admins(context: BeatlineContext, user_id: int) -> None:
    limiter = context.services.limiter
    who = context.enrolment
    name = f"{who.name or 'no name'}, {who.role}, team {who.team or '—'}" if who else "unknown"
    text = (
        f"Rate limit reached: {user_id} ({name}) made more than {limiter.limit} checks in "
        f"{limiter.window_seconds // 60} minutes. Their further checks are refused for now; "
        f"/audit {user_id} shows them."
    )
    for admin in await users.team_members(context.services.db, "*"):
        if admin.role == "admin":
            with contextlib.suppress(TelegramError):  # one unreachable admin must not stop the others
                await context.bot.send_message(admin.telegram_id, html(text))


async def within_limit(update: Update, context: BeatlineContext) -> bool:
    """Count this check; if it is one too many, say so (audited) and alert the admins once."""
    user, message = guaranteed(update.effective_user, "user"), guaranteed(update.effective_message, "message")
    decision = await context.services.limiter.hit(user.id)
    if decision.allowed:
        return True
    await context.audit("rate_limited", query=what_was_sent(update))
    limiter = context.services.limiter
    await message.reply_text(html(
        f"You have reached the limit of {limiter.limit} checks in {limiter.window_seconds // 60} minutes. "
        "Wait a few minutes and try again; if it is urgent, ask the control room."
    ))  # fmt: skip
    if decision.first_refusal:
        await _alert_admins(context, user.id)
    return False


async def ask(update: Update, context: BeatlineContext) -> None:
    """An officer's question in a private chat is answered, with buttons to pick from a shortlist."""
    text = guaranteed(guaranteed(update.message, "message").text, "text")
    if await within_limit(update, context):
        services = context.services
        result = await answer(
            services.db, context.caller, text, records=services.records, rule=services.reasons,
            teamwork=services.teamwork,
        )  # fmt: skip
        if result.outcome is Outcome.NEEDS_REASON:
            await offer_reasons(update, context, result, Held(question=text))
        else:
            await send_answer(update, context, result)


async def _verified(update: Update, context: BeatlineContext, decode: Callable[[str], T]) -> T | None:
    """What the press asks for if the button is the presser's and fresh; otherwise refused, audited, None."""
    press = guaranteed(update.callback_query, "button press")
    try:
        data = guaranteed(press.data, "button data")
        payload = decode(context.services.buttons.verify(data, press.from_user.id))
    except ButtonRefused as refused:
        await context.audit("denied", query=f"button {refused.reason}")
        await press.answer(BUTTON_REFUSED[refused.reason], show_alert=True)
        return None
    await press.answer()
    return payload if await within_limit(update, context) else None


async def open_record(update: Update, context: BeatlineContext) -> None:
    """A press on a shortlist or More button shows that record, if the button is the presser's and fresh."""
    if (record := await _verified(update, context, RecordButton.decode)) is not None:
        services = context.services
        result = await answer_record(
            services.db, context.caller, record.kind, record.record_id,
            detail=record.detail, records=services.records, rule=services.reasons, teamwork=services.teamwork,
        )  # fmt: skip
        if result.outcome is Outcome.NEEDS_REASON:
            await offer_reasons(update, context, result, Held(record=record.encode()))
        else:
            await send_answer(update, context, result)


async def page_on(update: Update, context: BeatlineContext) -> None:
    """A press on Next shows the next page of that shortlist, if the button is the presser's and fresh."""
    if (page := await _verified(update, context, PageButton.decode)) is not None:
        services = context.services
        result = await next_page(
            services.db, context.caller, page.shown, records=services.records, rule=services.reasons
        )
        if result.outcome is Outcome.NEEDS_REASON:  # the tapped reason asks "next" in words
            await offer_reasons(update, context, result, Held(question="next"))
        else:
            await send_answer(update, context, result)


async def ask_in_group(update: Update, context: BeatlineContext) -> None:
    """Anything said to the bot in a group gets a pointer to a private chat, and no look-up."""
    message = guaranteed(update.message, "message")
    await context.audit("denied", query=what_was_sent(update), intent="group")
    await message.reply_text(html(ASK_IN_PRIVATE))


async def edited(update: Update, context: BeatlineContext) -> None:
    """Editing a question does not ask it again; the officer is told to send it anew."""
    await guaranteed(update.edited_message, "edited message").reply_text(html(EDITED))


def register(application: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    application.add_handlers([
        MessageHandler(filters.ChatType.GROUPS & filters.UpdateType.MESSAGE, ask_in_group),
        MessageHandler(private & filters.UpdateType.EDITED_MESSAGE & filters.TEXT, edited),
        CallbackQueryHandler(open_record, pattern=RECORD_BUTTON),
        CallbackQueryHandler(page_on, pattern=PageButton.PATTERN),
    ])  # fmt: skip
