"""build_application: the whole bot wired in one readable list.

Order matters in group 0, where the first matching handler wins: feature handlers come first and the
catch-alls last. A new feature module exposes `register(application)` and takes one line below
(`handlers.briefing.register` belongs right after `admin.register`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, Defaults
from telegram.request import HTTPXRequest

from bot.retry import PatientRateLimiter
from bot.services import Services
from bot.settings import Settings
from handlers import (
    admin,
    briefing,
    console,
    errors,
    fallbacks,
    follow,
    gate,
    media,
    query,
    reasons,
    review,
    sent,
    unlock,
    vanish,
)
from handlers.briefing.delivery import TelegramPort
from handlers.context import BotData, context_types
from knowledge.access.buttons import ButtonSigner
from knowledge.briefings.pacing import Pacer

__all__ = ["ALLOWED_UPDATES", "build_application"]

TELEGRAM_API = "https://api.telegram.org/bot"  # PTB's default, when TELEGRAM_API_BASE_URL is not set
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.CHANNEL_POST]
# Updates handled at once. PostgreSQL serves many; SQLite has one writer, and under more than a handful
# of concurrent writers its busy handler starves some past their timeout ("database is locked").
CONCURRENT_UPDATES = {"postgresql": 32, "sqlite": 8}

FEATURES: tuple[Callable[[Application[Any, Any, Any, Any, Any, Any]], None], ...] = (
    sent.register,  # group -2: the update's message noted, for the ledger of what the bot sends
    gate.register,  # group -1: every update authorised first, strangers stopped, the locked told so
    unlock.register,  # /unlock (in groups too: deleted and refused), /lock, /release
    briefing.register,  # private text: the briefing after a bare /brief, else query.ask's question
    query.register,  # groups refused; Open/More buttons; edits not re-run
    reasons.register,  # a tapped reason answers the question held for it
    admin.register,  # /start (invites), /help, /whoami, /allow, /revoke, /users, /invite, /audit
    console.register,  # /console: a one-time sign-in link to the admins' web console
    vanish.register,  # /wipe
    follow.register,  # /follow, /unfollow, /following and the Follow button
    review.register,  # /stats and /review
    media.register,  # locations answered; stickers, photos, voice, documents get guidance
    fallbacks.register,  # unknown commands and stale buttons: keep last
    errors.register,  # the one error handler
)


def build_application(
    settings: Settings, *, webhook: bool = False
) -> Application[Any, Any, Any, Any, BotData, Any]:
    """The Application for these settings, and the one place that wires lifecycles: services open in
    post_init and close in post_shutdown; the briefings' delivery engine and the deletion engine run
    from post_init to post_stop, so that they stop before the bot's HTTP client closes; the bots write
    what they send to the ledger from post_init to post_shutdown."""
    # One send budget for the process: the replies' rate limiter and the briefings' engine share it.
    pacer = Pacer(settings.send_rate)
    written_down = sent.SentMessages()

    async def open_services(application: Application[Any, Any, Any, Any, BotData, Any]) -> None:
        def port(buttons: ButtonSigner) -> TelegramPort:
            return TelegramPort(application.bot, buttons, timeout=settings.bot_api_timeout, sent=written_down)

        services = await Services.open(settings, pacer, port, vanish.deleter(application.bot))
        written_down.ledger = services.ledger
        application.bot_data.services = services
        services.background(admin.sync_all_menus(application.bot, services.db))
        await services.start_delivery()
        services.start_oversight(
            lambda alert: follow.send_alert(application.bot, alert),
            lambda admin_id, report: review.send_digest(application.bot, admin_id, report),
        )

    async def stop_delivery(application: Application[Any, Any, Any, Any, BotData, Any]) -> None:
        if application.bot_data.services is not None:
            await application.bot_data.services.stop_oversight()
            await application.bot_data.services.stop_delivery()

    async def close_services(application: Application[Any, Any, Any, Any, BotData, Any]) -> None:
        written_down.ledger = None
        if application.bot_data.services is not None:
            await application.bot_data.services.close()
            application.bot_data.services = None

    timeout = settings.bot_api_timeout
    # The bot is built here rather than by the builder because it is our subclass (handlers/sent.py);
    # the requests are what the builder would make: a wide pool for calls, one socket for getUpdates.
    bot = sent.LedgerBot(
        settings.telegram_token.reveal(),
        sent=written_down,
        defaults=Defaults(
            parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        ),
        rate_limiter=PatientRateLimiter(pacer, max_retries=3),
        request=HTTPXRequest(
            connection_pool_size=256, read_timeout=timeout, write_timeout=timeout, connect_timeout=timeout
        ),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        base_url=settings.telegram_api_base_url or TELEGRAM_API,
    )
    builder = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(context_types())
        .concurrent_updates(
            CONCURRENT_UPDATES["sqlite" if settings.database_url.startswith("sqlite") else "postgresql"]
        )
        .post_init(open_services)
        .post_stop(stop_delivery)
        .post_shutdown(close_services)
    )
    if webhook:
        builder = builder.updater(None)  # our aiohttp routes feed the update queue
    application = builder.build()
    for register in FEATURES:
        register(application)
    return application
