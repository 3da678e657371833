"""The webhook server: aiohttp routes that feed updates to an Application that has no Updater.

This is PTB's custom-webhook pattern. Telegram signs every delivery with the secret registered in
setWebhook; a request without it, or with another, gets 403 and never reaches the gate. `/healthz` says
the process is up; `/readyz` says it can reach the database, so a load balancer only sends it work
it can answer.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.settings import Settings
from handlers.context import BotData

__all__ = ["SECRET_HEADER", "listening", "webhook_app"]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(
    application: Application[Any, Any, Any, Any, BotData, Any], settings: Settings
) -> web.Application:
    """The aiohttp app: the update route at the webhook URL's path, and the two health checks."""
    secret = settings.webhook_secret.reveal().encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, secret):
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("webhook request that is not an update")
            return web.Response(status=400)
        await application.update_queue.put(update)
        return web.Response()

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def readyz(request: web.Request) -> web.Response:
        services = application.bot_data.services
        if services is not None and await services.ready():
            return web.Response(text="ready")
        return web.Response(status=503, text="database unreachable")

    app = web.Application(client_max_size=1024 * 1024)  # an update is a few kB; refuse anything absurd
    app.router.add_post(urlsplit(settings.webhook_url or "").path or "/", receive)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


@contextlib.asynccontextmanager
async def listening(
    application: Application[Any, Any, Any, Any, BotData, Any], settings: Settings, host: str, port: int
) -> AsyncIterator[int]:
    """Serve the webhook app on host:port (0 for any free port, which is yielded) until the block ends.

    The port is opened with SO_REUSEPORT, so several bot processes on one host can serve one port and
    the kernel shares the deliveries out among them: how one machine uses more than one core.
    """
    runner = web.AppRunner(webhook_app(application, settings), access_log=None, shutdown_timeout=5.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port, reuse_port=port != 0).start()
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()  # stop taking requests; the Application then finishes what it has
