"""The ledger's one seam: every message the bot sends into a private chat is written down as it goes.

Every Bot API call PTB makes goes through `Bot._do_post` (ExtBot overrides it the same way to rate
limit), so recording there covers every send path at once: replies, button answers, briefings, alerts,
and any added later. A message sent with protect_content is one that shows records (every such reply
is sent protected), so protection and deletion cannot drift apart.

`note_incoming` runs before the gate (group -2) and keeps the update's message in a context variable:
PTB handles each update in a task of its own, so every reply sent while handling it, by any handler,
names the question it answers.

A send whose ledger write fails is logged and still delivered: the officer must get the answer, and
the missing row means only that this one message stays until Telegram's own limits.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from telegram import Bot, Message, Update
from telegram.constants import ChatType
from telegram.ext import Application, ExtBot, TypeHandler
from telegram.request import BaseRequest

from handlers.context import BeatlineContext
from knowledge.vanishing.ledger import Incoming, Ledger

__all__ = ["INCOMING", "LedgerBot", "LedgerPlainBot", "SentMessages", "created_messages", "register"]

log = logging.getLogger(__name__)

INCOMING: ContextVar[Incoming | None] = ContextVar("beatline_incoming", default=None)


class SentMessages:
    """Where the bots write what they sent: nowhere until the services open, and again once they close."""

    def __init__(self) -> None:
        self.ledger: Ledger | None = None


def created_messages(endpoint: str, data: dict[str, Any], result: object) -> list[tuple[int, int]]:
    """(chat id, message id) of each private-chat message a call created; none for any other call."""
    if not (endpoint.startswith("send") or endpoint == "copyMessage"):
        return []
    found = []
    for message in result if isinstance(result, list) else [result]:
        if not isinstance(message, dict) or "message_id" not in message:
            continue
        # copyMessage answers with the message id alone; a private chat's id is the user's, above 0.
        chat = message.get("chat") or {"id": data.get("chat_id"), "type": ChatType.PRIVATE}
        chat_id = chat.get("id")
        if chat.get("type") == ChatType.PRIVATE and isinstance(chat_id, int) and chat_id > 0:
            found.append((chat_id, message["message_id"]))
    return found


async def _write_down(
    sent: SentMessages, endpoint: str, data: dict[str, Any], result: object, *, keep: bool
) -> None:
    if sent.ledger is None:
        return
    shows_records = bool(data.get("protect_content"))
    for chat_id, message_id in created_messages(endpoint, data, result):
        try:
            await sent.ledger.record(
                chat_id, message_id, shows_records=shows_records, incoming=INCOMING.get(), keep=keep
            )
        except Exception as exc:
            log.error("message %s in chat %s is not in the ledger (%s); it will not be deleted",
                      message_id, chat_id, type(exc).__name__)  # fmt: skip


class _WritesDown(Bot):
    """What both bots add: once Telegram has taken a message, it is written down."""

    __slots__ = ()  # the concrete bots hold the slots: two bases with slots of their own cannot be mixed
    _sent_messages: SentMessages
    _keep: bool

    def __init__(self, *args: Any, sent: SentMessages, keep: bool = False, **kwargs: Any) -> None:
        """`keep`: what this bot sends is listed (a wipe deletes it) but never scheduled."""
        super().__init__(*args, **kwargs)
        with self._unfrozen():  # PTB freezes its objects after __init__; its own subclasses add fields so
            self._sent_messages, self._keep = sent, keep

    @property
    def sent_messages(self) -> SentMessages:
        return self._sent_messages

    async def _do_post(
        self,
        endpoint: str,
        data: dict[str, Any],
        *,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> Any:
        result = await super()._do_post(
            endpoint, data, read_timeout=read_timeout, write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout,
        )  # fmt: skip
        await _write_down(self._sent_messages, endpoint, data, result, keep=self._keep)
        return result


class LedgerBot(_WritesDown, ExtBot[Any]):
    """The Application's bot: ExtBot (defaults, rate limiter), writing down what it sends."""

    __slots__ = ("_keep", "_sent_messages")


class LedgerPlainBot(_WritesDown):
    """A plain Bot that writes down what it sends: the briefings' connection of their own."""

    __slots__ = ("_keep", "_sent_messages")


async def note_incoming(update: Update, context: BeatlineContext) -> None:
    """Remember the private message this update brought: a question, or the bot's message under a button."""
    message = update.effective_message
    if isinstance(message, Message) and message.chat.type == ChatType.PRIVATE:
        from_bot = update.callback_query is not None
        INCOMING.set(Incoming(message.chat.id, message.message_id, from_bot=from_bot, sent_at=message.date))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(TypeHandler(Update, note_incoming), group=-2)
