"""A check that needs a reason: the question is held, and the force's codes offered as one-tap buttons.

Each button is signed for the asker (knowledge/access/buttons.py) and names the held question, which
waits in the database because the tap may reach another bot process.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from handlers.context import BeatlineContext
from handlers.format import html
from handlers.guaranteed import guaranteed
from knowledge.access import pending_questions
from knowledge.access.button_payloads import ReasonButton
from knowledge.access.buttons import ButtonSigner
from knowledge.access.pending_questions import Held
from knowledge.access.reasons import Reasons, reason_codes
from knowledge.answers.disclosure import Answer

__all__ = ["offer_reasons", "reason_keyboard"]

_PER_ROW = 3  # short codes, three to a row: every one within a thumb's reach


def reason_keyboard(
    codes: Reasons, question_id: int, signer: ButtonSigner, user_id: int
) -> InlineKeyboardMarkup:
    """One button per reason code, in the force's order, each signed for user_id."""
    buttons = [
        InlineKeyboardButton(
            code, callback_data=signer.sign(ReasonButton(question_id, code).encode(), user_id)
        )
        for code in codes
    ]
    return InlineKeyboardMarkup([buttons[i : i + _PER_ROW] for i in range(0, len(buttons), _PER_ROW)])


async def offer_reasons(update: Update, context: BeatlineContext, result: Answer, held: Held) -> None:
    """Hold what was asked, and reply with the `needs_reason` sentence and a button for each code."""
    message, user = guaranteed(update.effective_message, "message"), guaranteed(update.effective_user, "user")
    db = context.services.db
    question_id = await pending_questions.hold(db, user.id, held)
    codes = await reason_codes(db)
    keyboard = reason_keyboard(codes, question_id, context.services.buttons, user.id)
    await message.reply_text(html(result.reply), reply_markup=keyboard)
