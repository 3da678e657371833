"""Outgoing Bot API calls that survive a flood limit or a network blip.

AIORateLimiter keeps under Telegram's flood limits and waits out a 429's Retry-After. This subclass
also retries network failures and 5xx answers with exponential back-off, because an officer who asked
about a violent suspect must get the answer even if the first attempt to send it was lost. A retried
send whose first attempt did arrive shows twice; a duplicate is safer than a missing warning.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

__all__ = ["PatientRateLimiter"]

log = logging.getLogger(__name__)


class PatientRateLimiter(AIORateLimiter):
    """AIORateLimiter plus retries with back-off (0.5 s, 1 s, 2 s…) for network errors."""

    def __init__(
        self, *, max_retries: int = 3, network_retries: int = 3, backoff: float = 0.5, **limits: Any
    ):
        super().__init__(max_retries=max_retries, **limits)
        self._network_retries, self._backoff = network_retries, backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
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
