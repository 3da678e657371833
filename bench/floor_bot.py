"""The least a python-telegram-bot webhook bot can do: answer every message with "ok", no database.

bench/pipeline.py --floor runs this in place of `beatline run --webhook`, through the same aiohttp
webhook route, to show how much of an update's cost is the framework's and the HTTP round trips'
rather than Beatline's: the ceiling any PTB bot reaches on this machine.
"""

from __future__ import annotations

import asyncio
import signal

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.run import started
from bot.settings import Settings
from bot.webhook import listening


async def ok(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    await update.message.reply_text("ok")


async def main() -> None:
    settings = Settings.from_env()
    builder = ApplicationBuilder().token(settings.telegram_token.reveal()).updater(None)
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url)
    application: Application = builder.concurrent_updates(32).build()  # type: ignore[type-arg]
    application.add_handler(MessageHandler(filters.ALL, ok))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with started(application), listening(application, settings, "127.0.0.1", settings.port):
        secret = settings.webhook_secret.reveal()
        await application.bot.set_webhook(str(settings.webhook_url), secret_token=secret)
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
