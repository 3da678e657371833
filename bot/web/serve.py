"""`beatline console`: the web console served alone, without the bot, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aiohttp import web

from bot.settings import Settings
from bot.web.app import mount
from bot.web.guard import ConsoleSettings
from knowledge.store import audit
from knowledge.store.database import Database

__all__ = ["bot_username", "serve_console"]

log = logging.getLogger(__name__)


async def bot_username(settings: Settings) -> str | None:
    """The bot's @username for invite links, if the token is set and the Bot API answers; else None."""
    if not settings.telegram_token:
        return None
    from telegram import Bot

    bot = Bot(
        settings.telegram_token.reveal(),
        base_url=settings.telegram_api_base_url or "https://api.telegram.org/bot",
    )
    try:
        async with asyncio.timeout(settings.bot_api_timeout):
            me = await bot.get_me()
    except Exception as exc:  # invites then show the code to send instead of a link
        log.warning("console: the Bot API did not say the bot's name (%s)", type(exc).__name__)
        return None
    return me.username


async def serve_console(
    settings: Settings, port: int, *, host: str = "0.0.0.0", stop: asyncio.Event | None = None
) -> None:
    """Serve the console on host:port until `stop` is set (by default: SIGTERM or SIGINT)."""
    db = Database(settings.database_url, timeout=settings.db_timeout, audit_key=settings.load_audit_key())
    try:
        await audit.check_key(db)  # every console action is audited: refuse to start with the wrong key
        app = web.Application()
        known = ConsoleSettings(
            settings.public_url, await bot_username(settings), settings.step_up_policy(bot=True)
        )
        mount(app, db, known)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=5.0)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
            log.info("console listening on port %s", port)
            if stop is None:
                stop = asyncio.Event()
                loop = asyncio.get_running_loop()
                for sig in (signal.SIGTERM, signal.SIGINT):
                    with contextlib.suppress(NotImplementedError):
                        loop.add_signal_handler(sig, stop.set)
            await stop.wait()
        finally:
            await runner.cleanup()
    finally:
        await db.dispose()
