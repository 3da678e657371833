"""Outgoing Bot API calls that keep within the bot's send budget and survive a flood limit or a blip.

Every call aimed at a chat first takes a slot of the process's one pacer (`knowledge.briefings.pacing`), the
same pacer the briefings' delivery engine uses, so replies and briefings together stay within
BEATLINE_SEND_RATE; a 429 pauses both. AIORateLimiter still keeps group chats within their own
limit and waits out a 429's Retry-After before trying again. This subclass also retries network
failures and 5xx answers with exponential back-off, because an officer who asked about a violent
suspect must get the answer even if the first attempt to send it was lost. A retried send whose
first attempt did arrive shows twice; a duplicate is safer than a missing warning.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter

from handlers.errors import retry_after
from knowledge.briefings.pacing import Pacer

__all__ = ["PatientRateLimiter"]

log = logging.getLogger(__name__)

_Callback = Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]]


class PatientRateLimiter(AIORateLimiter):
    """AIORateLimiter on the shared pacer, plus retries with back-off (0.5 s, 1 s, 2 s…) for network
    errors."""

    def __init__(self, pacer: Pacer, *, max_retries: int = 3, network_retries: int = 3, backoff: float = 0.5):
        super().__init__(max_retries=max_retries, overall_max_rate=0)  # the pacer is the overall limit
        self._pacer = pacer
        self._network_retries, self._backoff = network_retries, backoff

    def _paced(self, callback: _Callback) -> _Callback:
        async def paced(*args: Any, **kwargs: Any) -> bool | dict[str, Any] | list[dict[str, Any]]:
            slot = await self._pacer.wait()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as flood:
                self._pacer.pause(retry_after(flood))  # Telegram's flood control is for the whole bot
                raise
            finally:
                self._pacer.finish(slot)

        return paced

    async def process_request(
        self,
        callback: _Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if data.get("chat_id") is not None:  # what Telegram counts: messages to chats, not button answers
            callback = self._paced(callback)
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except BadRequest:
                raise  # our request was wrong; sending it again cannot help
            except NetworkError as exc:
                if attempt == self._network_retries:
                    raise
                delay = self._backoff * 2**attempt
                log.warning("%s failed (%s); retrying in %.1f s", endpoint, type(exc).__name__, delay)
                await asyncio.sleep(delay)
                attempt += 1
