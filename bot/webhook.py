"""The webhook server: aiohttp routes that feed updates to an Application that has no Updater.

This is PTB's custom-webhook pattern. Telegram signs every delivery with the secret registered in
setWebhook; a request without it, or with another, gets 403 and never reaches the gate. A body over
MAX_BODY gets 413, and one that is not an update (not JSON, nested deeper than any update, no
whole-number update_id, or fields PTB cannot read) gets 400, before anything is queued: the gate only
ever sees what PTB made an Update of. Telegram repeats a delivery that got anything but 2xx and gives up
after "a reasonable amount of attempts", so a bad body is refused a few times, not for ever.
With BEATLINE_CONSOLE=on the admins' web console (bot/web/) is served under /console/ too.
`/healthz` says the process is up; `/readyz` says it can reach the database, so a load balancer only
sends it work it can answer.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.settings import Settings
from bot.web.guard import ConsoleSettings
from handlers.context import BotData

__all__ = ["MAX_BODY", "MAX_DEPTH", "SECRET_HEADER", "listening", "update_json", "webhook_app"]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are at most a few hundred kB (4,096 characters of text, their entities, a keyboard).
MAX_BODY = 1024 * 1024
# A real update nests about ten deep (a callback query's message, its keyboard, a button's login URL).
MAX_DEPTH = 32
_MAX_UPDATE_ID = 2**63 - 1  # processed_updates keeps it as a BIGINT


def _too_deep(value: object) -> bool:
    """True if the JSON value nests deeper than MAX_DEPTH; walked with a stack, never recursively."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        if children and depth >= MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def update_json(body: bytes) -> dict[str, Any] | None:
    """The body as an update's JSON object, or None if it cannot be one."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: deeper than Python's own parser goes
        return None
    if not isinstance(data, dict) or _too_deep(data):
        return None
    update_id = data.get("update_id")
    if type(update_id) is not int or not 0 <= update_id <= _MAX_UPDATE_ID:  # bool is not an id either
        return None
    return data


def plausible(update: Update) -> bool:
    """Whether the fields Beatline reads have the types Telegram gives them.

    PTB builds an update from any JSON without checking types, so a forged delivery with a number
    for text or a 70-bit user id would otherwise fail deep inside a handler, after a 200.
    """
    ids = [who.id for who in (update.effective_user, update.effective_chat) if who is not None]
    if any(type(i) is not int or not -_MAX_UPDATE_ID <= i <= _MAX_UPDATE_ID for i in ids):
        return False
    message = update.message or update.edited_message or update.channel_post
    texts = [message.text, message.caption] if message is not None else []
    if update.callback_query is not None:
        texts.append(update.callback_query.data)
    return all(text is None or isinstance(text, str) for text in texts)


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
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            log.warning("webhook request of more than %s bytes refused", MAX_BODY)
            return web.Response(status=413)
        data = update_json(body)
        try:
            update = None if data is None else Update.de_json(data, application.bot)
        except Exception as exc:  # whatever PTB cannot read is not an update; the kind goes to the log
            log.warning("webhook request refused: PTB cannot read it as an update (%s)", type(exc).__name__)
            return web.Response(status=400)
        if update is None or not plausible(update):
            log.warning("webhook request refused: it is not an update")
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

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(urlsplit(settings.webhook_url or "").path or "/", receive)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if settings.console:
        from bot.web import app as console
        from handlers.vanish import deleter

        services = application.bot_data.services
        if services is None:
            raise RuntimeError("the console is mounted once the services are open (after post_init)")
        known = ConsoleSettings(
            settings.public_url, application.bot.username, services.step_up, deleter(application.bot)
        )
        console.mount(app, services.db, known)
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
