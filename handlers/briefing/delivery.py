"""The Telegram side of the delivery engine: how one copy is sent, the progress message edited, and
an author told that their briefing was cancelled.

Telegram's answers become the engine's outcomes: a message id, Retry-After, blocked, an error to
retry (a 5xx, or a connection that never reached the Bot API: Telegram did not take the copy), failed
(refused for good), or unconfirmed. A send whose answer never came (a timeout, a connection dropped
mid-answer) is unconfirmed, never retried: it may have arrived, the engine delivers at most once,
and Remind reaches whoever is left.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from handlers.briefing.render import copy_text, progress_text, withdrawn_text
from handlers.errors import retry_after
from handlers.format import html
from knowledge.access.buttons import ButtonSigner
from knowledge.briefings.copies import Withdrawn
from knowledge.briefings.engine import DeliveryEngine
from knowledge.briefings.port import OnProgress, OnWithdrawn, Outgoing, Progress, Send, SendResult

__all__ = ["ACK_LIFETIME", "Delivery"]

log = logging.getLogger(__name__)

ACK_LIFETIME = 7 * 24 * 3600  # an officer back from rest days can still acknowledge
CONCURRENCY = 8  # sends in flight at once; the connection pool matches, so none waits for a socket


def _not_taken(error: NetworkError) -> bool:
    """True if Telegram surely did not take the message: it answered with an error, or was never reached.

    PTB raises NetworkError for a 5xx answer (behind it at most the failure to parse the answer's body)
    and wraps httpx's errors; of those only a refused connection proves that the request never left.
    A timeout or a connection dropped mid-answer may have delivered it.
    """
    cause = error.__cause__
    return cause is None or isinstance(cause, TelegramError | httpx.ConnectError)


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
            return SendResult.retry(retry_after(flood))
        except Forbidden:
            return SendResult.blocked()
        except TelegramError as error:
            log.warning(
                "briefing %s to %s: %s", outgoing.briefing_id, outgoing.telegram_id, type(error).__name__
            )
            if isinstance(error, NetworkError):
                return SendResult.error() if _not_taken(error) else SendResult.unconfirmed()
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


def _withdrawn_notice(bot: Bot) -> OnWithdrawn:
    async def tell(withdrawn: Withdrawn) -> None:
        await bot.send_message(
            withdrawn.sender_id, html(withdrawn_text(withdrawn)), parse_mode=ParseMode.HTML
        )

    return tell


class Delivery:
    """The engine and the Bot it sends with, for one running Application."""

    def __init__(self, bot: Bot, engine: DeliveryEngine) -> None:
        self.bot, self.engine = bot, engine

    @classmethod
    async def start(cls, application: Any) -> Delivery:
        """Open a Bot on the application's token and API server, and start polling for due briefings.

        Every call this Bot makes takes a slot of the process's pacer first (the engine does that),
        so briefings and replies share one budget; none goes through the Application's rate limiter,
        which takes slots of its own.
        """
        main, services = application.bot, application.bot_data.services
        bot = Bot(
            main.token,
            base_url=lambda _token: main.base_url,
            base_file_url=lambda _token: main.base_file_url,
            request=HTTPXRequest(
                connection_pool_size=CONCURRENCY + 1,  # the progress message's edit beside the copies
                read_timeout=services.bot_api_timeout,
                write_timeout=services.bot_api_timeout,
                connect_timeout=services.bot_api_timeout,
            ),
        )
        await bot.initialize()
        engine = DeliveryEngine(
            services.db, _sender(bot, services.buttons), _progress_editor(bot),
            pacer=services.pacer, on_withdrawn=_withdrawn_notice(bot), concurrency=CONCURRENCY,
        )  # fmt: skip
        engine.start()
        return cls(bot, engine)

    async def stop(self) -> None:
        """Finish the copies in flight, hand unfinished briefings back, close the Bot."""
        await self.engine.stop()
        await self.bot.shutdown()
