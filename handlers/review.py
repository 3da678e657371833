"""/stats and /review for admins, and the weekly review digest's copy to one admin.

Both show who checked what, so each is audited (naming the users shown) before it is sent, and sent
protected. /stats adds its chart as a picture drawn on the server.
"""

from __future__ import annotations

import asyncio

from telegram import Bot, Update
from telegram.ext import Application, CommandHandler, filters

from handlers.context import BeatlineContext
from handlers.format import html
from handlers.gate import guarded, what_was_sent
from handlers.guaranteed import guaranteed
from knowledge.review.chart import chart_png
from knowledge.review.read import read_review, read_statistics
from knowledge.review.report import review_text, statistics_text
from knowledge.review.review import Review
from knowledge.review.schedule import digest_shown

__all__ = ["register", "send_digest"]

MAX_DAYS = 366
USAGE = f"Usage: /stats [DAYS], DAYS from 1 to {MAX_DAYS} (default 7)."


async def show_stats(update: Update, context: BeatlineContext) -> None:
    """/stats [DAYS] shows the checks of the last DAYS London days, with a chart."""
    message = guaranteed(update.message, "message")
    args = context.args or ["7"]
    if len(args) != 1 or not (args[0].isascii() and args[0].isdigit()) or not 1 <= int(args[0]) <= MAX_DAYS:
        await message.reply_text(html(USAGE))
        return
    figures = await read_statistics(context.services.db, int(args[0]))
    shown = [f"user:{u.telegram_id}" for u in figures.busiest if u.telegram_id is not None]
    await context.audit("answered", query=what_was_sent(update), intent="stats", record_ids=shown)
    await message.reply_text(html(statistics_text(figures)), protect_content=True)
    # Drawn in a worker thread: matplotlib takes a moment (a second, the first time) the other officers'
    # updates must not wait for.
    chart = await asyncio.to_thread(chart_png, figures)
    await message.reply_photo(chart, caption="Checks per day", protect_content=True)


async def show_review(update: Update, context: BeatlineContext) -> None:
    """/review shows the review digest of the last seven days: the users with something to look into."""
    services = context.services
    hours = services.step_up.unlock_for.total_seconds() / 3600
    report = await read_review(services.db, unlock_hours=hours, step_up=services.step_up.on)
    await digest_shown(services.db, context.caller, report, what_was_sent(update))
    await guaranteed(update.message, "message").reply_text(
        html(review_text(report, flagged_only=True)), protect_content=True
    )


async def send_digest(bot: Bot, admin_id: int, report: Review) -> bool:
    """The weekly digest to one admin (audited already by the scheduler); True if Telegram took it."""
    text = "Weekly review digest.\n" + review_text(report, flagged_only=True)
    await bot.send_message(admin_id, html(text), protect_content=True)
    return True


def register(application: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handlers([
        CommandHandler("stats", guarded("stats", show_stats), filters=private),
        CommandHandler("review", guarded("review", show_review), filters=private),
    ])  # fmt: skip
