"""Enrolment and the allowlist: /start with invites, /help, /whoami and the admin commands.

Who may run which command is decided by the gate from knowledge.access.roles; these handlers only do the work.
Every change of role also changes that user's command menu, so the menu always matches the role.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, filters

from handlers.context import BeatlineContext
from handlers.format import html
from handlers.gate import guarded, refuse_stranger, what_was_sent
from handlers.guaranteed import guaranteed
from handlers.vanish import wipe_chat
from knowledge.access import invites, listings, users
from knowledge.access.roles import ROLES, commands_for, help_text
from knowledge.errors import BeatlineError, InviteRefused
from knowledge.store.database import Database

__all__ = ["STRANGER_MENU", "menu_for", "register", "sync_all_menus", "sync_menu"]

log = logging.getLogger(__name__)

STRANGER_MENU = [BotCommand("start", "start, or enrol with the code from an invite link")]


def menu_for(role: str) -> list[BotCommand]:
    return [BotCommand(c.name, c.description) for c in commands_for(role)]


async def sync_menu(bot: Bot, telegram_id: int, role: str | None) -> None:
    """Show this user the commands of their role; with no role, the strangers' menu."""
    scope = BotCommandScopeChat(telegram_id)
    # A user who has never opened the chat has no chat to scope a menu to; the gate still rules.
    with contextlib.suppress(TelegramError):
        if role:
            await bot.set_my_commands(menu_for(role), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)


async def sync_all_menus(bot: Bot, db: Database) -> None:
    """At start-up: strangers' menu by default, and each user's menu as their role is now.

    Menus are a convenience: a Bot API server that refuses them must not stop the bot or the rest.
    """
    try:
        await bot.set_my_commands(STRANGER_MENU)
    except TelegramError as exc:
        log.warning("the Bot API refused the default command menu: %s", type(exc).__name__)
    for user in await users.list_users(db):
        await sync_menu(bot, user.telegram_id, user.role if user.status == "active" else None)


async def _say(update: Update, text: str, *, shows_records: bool = False) -> None:
    """Reply; a reply that shows records, or who the officers are, cannot be forwarded or saved."""
    await guaranteed(update.message, "message").reply_text(html(text), protect_content=shows_records)


async def start(update: Update, context: BeatlineContext) -> None:
    """/start greets an enrolled user; /start CODE from an invite link enrols a newcomer."""
    user = guaranteed(update.effective_user, "user")
    if context.enrolment is None:  # the gate lets strangers through only with a code
        code = (context.args or [""])[0]
        try:
            enrolment = await invites.redeem_invite(context.services.db, code, context.caller, user.full_name)
        except InviteRefused as refused:
            query = f"/start with an invite, refused: {refused.why}"  # never the code itself
            await refuse_stranger(update, context, why=str(refused), query=query, intent="invite_redeem")
            return
        context.enrolment = enrolment
        context.caller = replace(context.caller, role=enrolment.role)
        await sync_menu(context.bot, user.id, enrolment.role)
    who = context.enrolment
    team = f" in team {who.team}" if who.team else ""
    await _say(
        update, f"Hello {user.first_name}. You are enrolled as {who.role}{team}.\n\n{help_text(who.role)}"
    )


async def show_help(update: Update, context: BeatlineContext) -> None:
    """/help lists what the user's role can ask and do, with examples."""
    await _say(update, help_text(context.role, reasons=context.services.reasons.required))


async def whoami(update: Update, context: BeatlineContext) -> None:
    """/whoami shows the user's Telegram id, role and team."""
    who = guaranteed(context.enrolment, "enrolment")  # the gate lets only the enrolled use /whoami
    await _say(update, listings.whoami_card(who))


async def allow(update: Update, context: BeatlineContext) -> None:
    """/allow ID ROLE [TEAM] enrols a user or changes their role; their menu changes with it."""
    args = context.args or []
    if len(args) < 2:
        await _say(update, f"Usage: /allow ID ROLE [TEAM], ROLE one of {', '.join(ROLES)}.")
        return
    try:
        who = await users.enrol(context.services.db, users.parse_telegram_id(args[0]), args[1],
                                team=" ".join(args[2:]), by=context.caller)  # fmt: skip
    except BeatlineError as exc:
        await _say(update, str(exc))
        return
    team = f" in team {who.team}" if who.team else ""
    await _say(update, f"{who.telegram_id} is enrolled as {who.role}{team}.")
    await sync_menu(context.bot, who.telegram_id, who.role)  # after the reply: Telegram may be slow


async def revoke(update: Update, context: BeatlineContext) -> None:
    """/revoke ID stops a user at once: their very next message is refused, and every Beatline message
    still deletable in their chat is deleted (a lost phone keeps no records)."""
    args = context.args or []
    if len(args) != 1:
        await _say(update, "Usage: /revoke ID")
        return
    try:
        telegram_id = users.parse_telegram_id(args[0])
        revoked = await users.revoke(context.services.db, telegram_id, by=context.caller)
    except BeatlineError as exc:
        await _say(update, str(exc))
        return
    if not revoked:
        await _say(update, f"{telegram_id} is not an active user.")
        return
    wiped = await wipe_chat(context, telegram_id)  # a private chat's id is the user's id
    await _say(update, f"{telegram_id} is revoked; their next message will be refused. {wiped.sentence()}")
    await sync_menu(context.bot, telegram_id, None)


async def list_users(update: Update, context: BeatlineContext) -> None:
    """/users lists everyone enrolled or revoked, with role, team and who last changed them."""
    listing = await listings.user_listing(context.services.db, context.caller, what_was_sent(update))
    await _say(update, listing.text, shows_records=listing.shows_records)


async def invite(update: Update, context: BeatlineContext) -> None:
    """/invite ROLE [TEAM] gives a one-time link, valid for 48 hours, that enrols whoever opens it."""
    args = context.args or []
    if not args:
        await _say(update, f"Usage: /invite ROLE [TEAM], ROLE one of {', '.join(ROLES)}.")
        return
    try:
        code = await invites.create_invite(
            context.services.db, args[0], team=" ".join(args[1:]), by=context.caller
        )
    except BeatlineError as exc:
        await _say(update, str(exc))
        return
    link = f"https://t.me/{context.bot.username}?start={code}"
    await _say(update, f"One-time invite as {args[0].lower()}, valid 48 hours:\n{link}")


async def show_audit(update: Update, context: BeatlineContext) -> None:
    """/audit [ID] shows the newest audit entries, for everyone or for one user."""
    args = context.args or []
    try:
        telegram_id = users.parse_telegram_id(args[0]) if args else None
    except BeatlineError as exc:
        await _say(update, str(exc))
        return
    # Reading the log is itself a disclosure: the listing records which entries this admin was shown.
    query = what_was_sent(update)
    listing = await listings.audit_listing(context.services.db, context.caller, query, telegram_id)
    await _say(update, listing.text, shows_records=listing.shows_records)


def register(application: Application) -> None:  # type: ignore[type-arg]
    # New messages only: an edited /allow must not act twice.
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handlers([
        CommandHandler("start", start, filters=private),
        CommandHandler("help", show_help, filters=private),
        CommandHandler("whoami", whoami, filters=private),
        CommandHandler("allow", guarded("allow", allow), filters=private),
        CommandHandler("revoke", guarded("revoke", revoke), filters=private),
        CommandHandler("users", guarded("users", list_users), filters=private),
        CommandHandler("invite", guarded("invite", invite), filters=private),
        CommandHandler("audit", guarded("audit", show_audit), filters=private),
    ])  # fmt: skip
