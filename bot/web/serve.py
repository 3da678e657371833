"""`beatline console`: the web console served alone, without the bot, until SIGTERM or Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator

from aiohttp import web

from bot.settings import Settings
from bot.web.app import mount
from bot.web.guard import ConsoleSettings
from knowledge.store import audit
from knowledge.store.database import Database
from knowledge.vanishing.port import Delete

__all__ = ["serve_console", "telegram"]

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def telegram(settings: Settings) -> AsyncIterator[tuple[str | None, Delete | None]]:
    """The bot's @username (for invite links) and a way to delete its messages (for the wipe of a
    revocation), while the console runs; (None, None) without a token or a Bot API that answers."""
    if not settings.telegram_token:
        yield None, None
        return
    from telegram import Bot

    from handlers.vanish import deleter

    bot = Bot(
        settings.telegram_token.reveal(),
        base_url=settings.telegram_api_base_url or "https://api.telegram.org/bot",
    )
    try:
        async with asyncio.timeout(settings.bot_api_timeout):
            await bot.initialize()
    except Exception as exc:  # invites then show the code to send; the running bot does the deleting
        log.warning("console: the Bot API did not answer (%s)", type(exc).__name__)
        yield None, None
        return
    try:
        yield bot.username, deleter(bot)
    finally:
        await bot.shutdown()


async def serve_console(
    settings: Settings, port: int, *, host: str = "0.0.0.0", stop: asyncio.Event | None = None
) -> None:
    """Serve the console on host:port until `stop` is set (by default: SIGTERM or SIGINT)."""
    db = Database(settings.database_url, timeout=settings.db_timeout, audit_key=settings.load_audit_key())
    try:
        await audit.check_key(db)  # every console action is audited: refuse to start with the wrong key
        async with telegram(settings) as (username, delete):
            app = web.Application()
            known = ConsoleSettings(settings.public_url, username, settings.step_up_policy(bot=True), delete)
            mount(app, db, known)
            await _serve(app, host, port, stop)
    finally:
        await db.dispose()


async def _serve(app: web.Application, host: str, port: int, stop: asyncio.Event | None) -> None:
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
