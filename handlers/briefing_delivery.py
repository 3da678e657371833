"""The Telegram side of the delivery engine: how one copy is sent and the progress message edited.

Telegram's answers become the engine's outcomes: a message id, Retry-After, blocked, or failed. A
send whose answer never came (a timeout) is 'failed', never retried here: the engine delivers at most
once, and Remind reaches whoever is left.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import warnings
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from handlers.briefing_text import copy_text, progress_text
from handlers.format import html
from knowledge.broadcast import OnProgress, Outgoing, Progress, Send, SendResult
from knowledge.broadcaster import Broadcaster
from knowledge.buttons import ButtonSigner

__all__ = ["ACK_LIFETIME", "Delivery"]

log = logging.getLogger(__name__)

ACK_LIFETIME = 7 * 24 * 3600  # an officer back from rest days can still acknowledge
CONCURRENCY = 8  # sends in flight at once; the connection pool matches, so none waits for a socket


def _seconds(flood: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after will become a timedelta; both forms are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        after = flood.retry_after
    return after.total_seconds() if isinstance(after, dt.timedelta) else float(after)


def _sender(bot: Bot, buttons: ButtonSigner) -> Send:
    async def send(outgoing: Outgoing) -> SendResult:
        data = buttons.sign(f"ba{outgoing.briefing_id}", outgoing.telegram_id, lifetime=ACK_LIFETIME)
        try:
            message = await bot.send_message(
                outgoing.telegram_id,
                html(copy_text(outgoing)),
                parse_mode=ParseMode.HTML,
                protect_content=True,  # briefings name suspects: no forwarding, no saving
                reply_markup=InlineKeyboardMarkup.from_button(
                    InlineKeyboardButton("Acknowledge", callback_data=data)
                ),
            )
        except RetryAfter as flood:
            return SendResult.retry(_seconds(flood))
        except Forbidden:
            return SendResult.blocked()
        except TelegramError as error:
            log.warning(
                "briefing %s to %s: %s", outgoing.briefing_id, outgoing.telegram_id, type(error).__name__
            )
            return SendResult.failed()
        return SendResult.sent(message.message_id)

    return send


def _progress_editor(bot: Bot) -> OnProgress:
    async def edit(progress: Progress) -> None:
        if progress.message_id is None:
            return
        # The same text twice ("sent 40 of 120" while a 429 pauses) is refused by Telegram; nothing lost.
        with contextlib.suppress(BadRequest):
            await bot.edit_message_text(
                html(progress_text(progress)),
                progress.chat_id,
                progress.message_id,
                parse_mode=ParseMode.HTML,
            )

    return edit


class Delivery:
    """The engine and the Bot it sends with, for one running Application."""

    def __init__(self, bot: Bot, engine: Broadcaster) -> None:
        self.bot, self.engine = bot, engine

    @classmethod
    async def start(cls, application: Any) -> Delivery:
        """Open a Bot on the application's token and API server, and start polling for due briefings."""
        main, services = application.bot, application.bot_data.services
        bot = Bot(
            main.token,
            base_url=lambda _token: main.base_url,
            base_file_url=lambda _token: main.base_file_url,
            request=HTTPXRequest(
                connection_pool_size=CONCURRENCY,
                read_timeout=services.bot_api_timeout,
                write_timeout=services.bot_api_timeout,
                connect_timeout=services.bot_api_timeout,
            ),
        )
        await bot.initialize()
        engine = Broadcaster(
            services.db, _sender(bot, services.buttons), _progress_editor(main), concurrency=CONCURRENCY
        )
        engine.start()
        return cls(bot, engine)

    async def stop(self) -> None:
        """Finish the copies in flight, hand unfinished briefings back, close the Bot."""
        await self.engine.stop()
        await self.bot.shutdown()
