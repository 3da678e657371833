"""Everything that is not text: a shared location is answered; other media get a short pointer.

Beatline reads words and places only. A sticker, photo, voice note or file is never opened or kept;
the officer is told, in one line, what to send instead.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from handlers.context import BeatlineContext
from handlers.format import html
from handlers.guaranteed import guaranteed
from handlers.query import send_answer, within_limit
from handlers.reason_offer import offer_reasons
from knowledge.access.pending_questions import Held
from knowledge.answers.nearby import answer_location
from knowledge.store.vocabulary import Outcome

__all__ = ["GUIDANCE", "register"]

GUIDANCE = {
    "sticker": "I only read words. Ask me about a person, a vehicle, an address or an incident.",
    "photo": "I can't look at photos. Type what you see: the number plate, or the name and date of birth.",
    "voice": "I can't listen to voice notes. Type your question, for example: check plate AB12 CDE.",
    "document": "I don't open files. Records are imported by your administrator; ask me in words.",
}
OTHER = "I can read text and shared locations only. /help has examples."


async def location(update: Update, context: BeatlineContext) -> None:
    """A shared location is answered with flagged addresses and recent incidents within 250 m."""
    place = guaranteed(guaranteed(update.message, "message").location, "location")
    if await within_limit(update, context):
        services = context.services
        result = await answer_location(
            services.db, context.caller, place.latitude, place.longitude,
            records=services.records, rule=services.reasons,
        )  # fmt: skip
        if result.outcome is Outcome.NEEDS_REASON:
            # A location is not held (the question is the place): the tap notes the reason, and the
            # officer shares the location again.
            await offer_reasons(update, context, result, Held())
        else:
            await send_answer(update, context, result)


async def guide(update: Update, context: BeatlineContext) -> None:
    """A sticker, photo, voice note, file or anything else gets one line on what to send instead."""
    message = guaranteed(update.message, "message")
    kind = next((k for k in GUIDANCE if getattr(message, k)), None)
    await message.reply_text(html(GUIDANCE[kind] if kind else OTHER))


def register(application: Application) -> None:  # type: ignore[type-arg]
    private_message = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handlers([
        MessageHandler(private_message & filters.LOCATION, location),
        MessageHandler(private_message & ~filters.TEXT & ~filters.StatusUpdate.ALL, guide),
    ])  # fmt: skip
