"""`beatline run`: the bot in long polling or webhook mode, until SIGTERM or Ctrl-C.

Both modes go through `started`, which runs PTB's lifecycle in the order run_polling uses
(initialize, post_init, start … stop, post_stop, shutdown, post_shutdown), so services open and close
the same way in each. On SIGTERM the webhook stops taking requests first, then the Application
finishes every update it has already accepted, then the process exits 0. That stop is bounded: what
is still in flight STOP_WITHIN seconds after the signal (an update waiting on a database or a Bot API
that stopped answering) is cancelled, and the process exits 1, so that a stuck dependency cannot keep
a process that was told to stop alive until the orchestrator kills it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application
from bot.settings import Settings
from bot.webhook import listening
from knowledge.store.database import schema_problem

__all__ = ["STOP_WITHIN", "StoppedLate", "run", "serve", "started"]

log = logging.getLogger(__name__)

STOP_WITHIN = 10.0  # seconds; Kubernetes and Heroku kill a process 30 s after SIGTERM


class StoppedLate(Exception):
    """Updates were still in flight STOP_WITHIN seconds after the stop, and were abandoned."""


def _problem(settings: Settings, webhook: bool) -> str | None:
    if not settings.telegram_token:
        return "TELEGRAM_BOT_TOKEN is not set; give the bot's token from @BotFather to run the bot."
    if webhook and not (settings.webhook_url and settings.webhook_secret):
        return "webhook mode needs BEATLINE_WEBHOOK_URL and BEATLINE_WEBHOOK_SECRET to be set."
    return None


def run(settings: Settings, *, webhook: bool, port: int | None) -> int:
    """Run until stopped; 0 after a clean stop, 1 with one sentence if the bot cannot start."""
    problem = _problem(settings, webhook) or schema_problem(settings.database_url)
    if problem:
        print(f"beatline: {problem}", file=sys.stderr)
        return 1
    settings.load_audit_key()  # no key, or an unreadable one, is said now, before Telegram is called
    if not settings.step_up_policy(bot=True).on:
        log.warning("BEATLINE_STEP_UP=off: officers reach records without an authenticator code")
    application = build_application(settings, webhook=webhook)
    try:
        asyncio.run(serve(application, settings, webhook=webhook, port=port or settings.port))
    except InvalidToken:
        print("beatline: the Bot API refused TELEGRAM_BOT_TOKEN; check the token.", file=sys.stderr)
        return 1
    except StoppedLate:
        print(
            f"beatline: stopped with updates still in flight after {STOP_WITHIN:g} s; they were abandoned.",
            file=sys.stderr,
        )
        return 1
    except NetworkError as exc:
        log.debug("bot API unreachable: %s", type(exc).__name__)
        print(
            "beatline: the Bot API cannot be reached; check the network, or TELEGRAM_API_BASE_URL: the "
            "server's base with the token to follow, e.g. http://127.0.0.1:8081/bot",
            file=sys.stderr,
        )
        return 1
    return 0


@contextlib.asynccontextmanager
async def started(application: Application[Any, Any, Any, Any, Any, Any]) -> AsyncIterator[None]:
    """The application running with its services open; stopped and closed when the block ends."""
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.start()
        try:
            yield
        finally:
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def serve(
    application: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings,
    *,
    webhook: bool,
    port: int,
    host: str = "0.0.0.0",
    stop: asyncio.Event | None = None,
) -> None:
    """Take updates until stop is set (by default: until SIGTERM or SIGINT), then stop within STOP_WITHIN."""
    stop = stop or _stop_on_signals()
    try:
        async with asyncio.timeout(None) as deadline:  # none until the stop

            async def stopped() -> None:
                await stop.wait()
                deadline.reschedule(asyncio.get_running_loop().time() + STOP_WITHIN)

            await _take_updates(application, settings, webhook=webhook, port=port, host=host, until=stopped)
    except TimeoutError:
        if not deadline.expired():
            raise
        log.error("still stopping %g s after the stop: the updates in flight were abandoned", STOP_WITHIN)
        raise StoppedLate from None


async def _take_updates(
    application: Application[Any, Any, Any, Any, Any, Any],
    settings: Settings,
    *,
    webhook: bool,
    port: int,
    host: str,
    until: Callable[[], Awaitable[None]],
) -> None:
    """The application taking updates, by webhook or long polling, until `until` returns."""
    async with started(application):
        if webhook:
            async with listening(application, settings, host, port) as bound:
                await application.bot.set_webhook(
                    str(settings.webhook_url),
                    secret_token=settings.webhook_secret.reveal(),
                    allowed_updates=ALLOWED_UPDATES,
                )
                log.info("listening for webhook updates on port %s", bound)
                await until()
        else:
            if application.updater is None:
                raise RuntimeError("polling needs the Application built with an Updater")
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            log.info("polling for updates")
            await until()
            await application.updater.stop()
