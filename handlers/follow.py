"""Following records: /follow ID, /unfollow ID, /following, the Follow button, and sending an alert.

The alert itself is decided in the audited disclosure path and queued in the database
(knowledge/follows/); this module only turns it into a protected Telegram message for the follower.
"""

from __future__ import annotations

from telegram import Bot, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from handlers.context import BeatlineContext
from handlers.format import html
from handlers.gate import guarded
from handlers.guaranteed import guaranteed
from handlers.query import within_limit
from knowledge.access.button_payloads import FollowButton
from knowledge.access.buttons import ButtonRefused
from knowledge.errors import BeatlineError
from knowledge.follows.alerts import LONDON
from knowledge.follows.following import LAPSE, Followed, follow, following, unfollow
from knowledge.follows.outbox import Alert

__all__ = ["register", "send_alert"]

BUTTON_REFUSED = "That button is not yours, or has expired. Send /follow with the record's id instead."


def _following_text(followed: Followed) -> str:
    # The id only, never the name: a follow is not a check (it needs no reason and is not counted as
    # one), so it must show nothing that a check would. The name goes only into the audited alerts.
    until = followed.expires_at.astimezone(LONDON)
    return (
        f"Following {followed.kind} {followed.record_id} until {until:%d/%m/%Y}. You "
        "will be told when someone else checks it; they will not be told. A follow lapses after "
        f"{LAPSE.days} days: follow again to renew it."
    )


async def _say(update: Update, text: str) -> None:
    # Every reply here names a record: no forwarding, no saving.
    await guaranteed(update.effective_message, "message").reply_text(html(text), protect_content=True)


async def follow_command(update: Update, context: BeatlineContext) -> None:
    """/follow ID: the officer is told when someone else checks that person or vehicle."""
    wanted = " ".join(context.args or [])
    if not wanted:
        await _say(update, "Usage: /follow ID, with a person's id (as in an answer) or a plate.")
        return
    if not await within_limit(update, context):  # a follow by id looks the record up: it counts
        return
    try:
        followed = await follow(context.services.db, context.caller, wanted, records=context.services.records)
    except BeatlineError as refused:
        await _say(update, str(refused))
        return
    await _say(update, _following_text(followed))


async def unfollow_command(update: Update, context: BeatlineContext) -> None:
    """/unfollow ID: no more alerts for that record."""
    wanted = " ".join(context.args or [])
    ended = await unfollow(context.services.db, context.caller, wanted) if wanted else None
    if ended is None:
        await _say(update, "You do not follow that record. /following lists the records you follow.")
        return
    await _say(update, f"No longer following {ended.kind} {ended.record_id}.")


async def following_command(update: Update, context: BeatlineContext) -> None:
    """/following lists the officer's follows and when each lapses."""
    followed = await following(context.services.db, context.caller)
    lines = [f"• {f.kind} {f.record_id}, until {f.expires_at.astimezone(LONDON):%d/%m/%Y}" for f in followed]
    await _say(
        update, "\n".join(["You follow:", *lines]) if lines else "You follow no records. /follow ID to start."
    )


async def follow_pressed(update: Update, context: BeatlineContext) -> None:
    """A press on Follow under an answer follows that record, if the button is the presser's and fresh."""
    press = guaranteed(update.callback_query, "button press")
    try:
        wanted = FollowButton.decode(
            context.services.buttons.verify(guaranteed(press.data, "data"), press.from_user.id)
        )
    except ButtonRefused as refused:
        await context.audit("denied", query=f"follow button {refused.reason}")
        await press.answer(BUTTON_REFUSED, show_alert=True)
        return
    await press.answer()
    try:
        services = context.services
        followed = await follow(
            services.db, context.caller, wanted.record_id, kind=wanted.kind, records=services.records
        )
    except BeatlineError as refused:
        await _say(update, str(refused))
        return
    await _say(update, _following_text(followed))


async def send_alert(bot: Bot, alert: Alert) -> bool:
    """One alert to its follower, protected; True if Telegram took it (its audit entry is written already)."""
    await bot.send_message(alert.follower_id, html(alert.text), protect_content=True)
    return True


def register(application: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handlers([
        CommandHandler("follow", guarded("follow", follow_command), filters=private),
        CommandHandler("unfollow", guarded("unfollow", unfollow_command), filters=private),
        CommandHandler("following", guarded("following", following_command), filters=private),
        CallbackQueryHandler(follow_pressed, pattern=FollowButton.PATTERN),
    ])  # fmt: skip
