"""A tapped reason answers the question it was offered for, once, and covers the follow-ups after it.

The gate has re-read the presser's enrolment before this runs, as for every button; the button must be
the presser's own and fresh, and its held question still waiting (a second tap finds it gone).
"""

from __future__ import annotations

import contextlib

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler

from handlers.context import BeatlineContext
from handlers.guaranteed import guaranteed
from handlers.query import BUTTON_REFUSED, send_answer
from knowledge.access import pending_questions
from knowledge.access.button_payloads import ReasonButton, RecordButton
from knowledge.access.buttons import ButtonRefused
from knowledge.answers.dispatch import answer, answer_record

__all__ = ["REASON_BUTTON", "reason_chosen", "register"]

REASON_BUTTON = ReasonButton.PATTERN


async def reason_chosen(update: Update, context: BeatlineContext) -> None:
    """The officer taps a reason under `needs_reason`: their question is answered under it."""
    press = guaranteed(update.callback_query, "button press")
    services = context.services
    try:
        tapped = ReasonButton.decode(
            services.buttons.verify(guaranteed(press.data, "button data"), press.from_user.id)
        )
        held = await pending_questions.take(services.db, press.from_user.id, tapped.question_id)
        if held is None:
            raise ButtonRefused("expired")  # answered already, or it was never this user's
    except ButtonRefused as refused:
        await context.audit("denied", query=f"reason button {refused.reason}")
        await press.answer(BUTTON_REFUSED[refused.reason], show_alert=True)
        return
    await press.answer()
    # Not counted against the limit again: the question was counted when it was asked.
    if held.record:
        record = RecordButton.decode(held.record)
        result = await answer_record(
            services.db, context.caller, record.kind, record.record_id,
            detail=record.detail, reason=tapped.code, records=services.records, rule=services.reasons,
        )  # fmt: skip
    else:
        result = await answer(
            services.db, context.caller, held.question,
            reason=tapped.code, records=services.records, rule=services.reasons,
        )  # fmt: skip
    await send_answer(update, context, result)
    with contextlib.suppress(TelegramError):  # the choice is made, so its buttons go; a failure is cosmetic
        await press.edit_message_reply_markup(reply_markup=None)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(reason_chosen, pattern=REASON_BUTTON))
