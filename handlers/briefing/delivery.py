"""The delivery engine's port to Telegram: how one copy is sent, the progress message edited, and an
author told that their briefing was cancelled.

Telegram's answers become the engine's outcomes: a message id, Retry-After, blocked, an error to
retry (a 5xx, or a connection that never reached the Bot API: Telegram did not take the copy), failed
(refused for good), or unconfirmed. A send whose answer never came (a timeout, a connection dropped
mid-answer) is unconfirmed, never retried: it may have arrived, the engine delivers at most once,
and Remind reaches whoever is left.
"""

from __future__ import annotations

import contextlib
import logging

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from handlers.briefing.render import copy_text, progress_text, withdrawn_text
from handlers.errors import retry_after
from handlers.format import html
from handlers.sent import LedgerPlainBot, SentMessages
from knowledge.access.buttons import ButtonSigner
from knowledge.briefings.copies import Withdrawn
from knowledge.briefings.engine import CONCURRENCY
from knowledge.briefings.port import Outgoing, Progress, SendResult

__all__ = ["ACK_LIFETIME", "TelegramPort"]

log = logging.getLogger(__name__)

ACK_LIFETIME = 7 * 24 * 3600  # an officer back from rest days can still acknowledge


def _not_taken(error: NetworkError) -> bool:
    """True if Telegram surely did not take the message: it answered with an error, or was never reached.

    PTB raises NetworkError for a 5xx answer (behind it at most the failure to parse the answer's body)
    and wraps httpx's errors; of those only a refused connection proves that the request never left.
    A timeout or a connection dropped mid-answer may have delivered it.
    """
    cause = error.__cause__
    return cause is None or isinstance(cause, TelegramError | httpx.ConnectError)


class TelegramPort:
    """The delivery engine's port to Telegram, through a Bot of its own on the application's token.

    Every call this Bot makes takes a slot of the process's pacer first (the engine does that), so
    briefings and replies share one budget; none goes through the Application's rate limiter, which
    takes slots of its own, and whose retry of a timed-out send could deliver a briefing twice.
    """

    def __init__(self, main: Bot, buttons: ButtonSigner, *, timeout: float, sent: SentMessages) -> None:
        self.buttons = buttons
        # Copies are written down like every other message, so a wipe deletes them, but they do not
        # vanish on BEATLINE_REPLY_TTL_SECONDS: an officer has ACK_LIFETIME to read and acknowledge one.
        self.bot = LedgerPlainBot(
            main.token,
            sent=sent,
            keep=True,
            base_url=lambda _token: main.base_url,
            base_file_url=lambda _token: main.base_file_url,
            request=HTTPXRequest(
                # One socket for each copy in flight, and one for the progress message's edit.
                connection_pool_size=CONCURRENCY + 1,
                read_timeout=timeout,
                write_timeout=timeout,
                connect_timeout=timeout,
            ),
        )

    async def open(self) -> None:
        await self.bot.initialize()

    async def close(self) -> None:
        await self.bot.shutdown()

    async def send(self, outgoing: Outgoing) -> SendResult:
        """One officer's copy, with its Acknowledge button; Telegram's answer as the engine's outcome."""
        data = self.buttons.sign(f"ba{outgoing.briefing_id}", outgoing.telegram_id, lifetime=ACK_LIFETIME)
        try:
            message = await self.bot.send_message(
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

    async def show_progress(self, progress: Progress) -> None:
        if progress.message_id is None:
            return
        # The same text twice ("sent 40 of 120" while a 429 pauses) is refused by Telegram; nothing lost.
        with contextlib.suppress(BadRequest):
            await self.bot.edit_message_text(
                html(progress_text(progress)),
                progress.chat_id,
                progress.message_id,
                parse_mode=ParseMode.HTML,
            )

    async def tell_withdrawn(self, withdrawn: Withdrawn) -> None:
        await self.bot.send_message(
            withdrawn.sender_id, html(withdrawn_text(withdrawn)), parse_mode=ParseMode.HTML
        )
