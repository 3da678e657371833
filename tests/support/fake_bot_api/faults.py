"""Faults on demand: errors, garbled answers, slowness, blocked users, and Telegram's flood limits."""

from __future__ import annotations

import time
from collections import Counter, defaultdict, deque
from http import HTTPStatus
from typing import Any

from tests.support.fake_bot_api.rules import ApiError, JSONDict


class FaultInjection:
    """What a test can make the Bot API do wrong, and the flood control Telegram applies anyway.

    global_rate and per_chat_rate cap sendMessage calls per sliding second, as Telegram's flood
    control does; calls beyond them get 429 with retry_after=1 and count in rate_limited_count.
    """

    def __init__(self, *, global_rate: float | None, per_chat_rate: float | None) -> None:
        self.global_rate, self.per_chat_rate = global_rate, per_chat_rate
        self.rate_limited_count = 0
        self._faults: defaultdict[str, deque[ApiError]] = defaultdict(deque)
        self._delays: dict[str, float] = {}
        self._delays_once: dict[str, float] = {}
        self._garbled: Counter[str] = Counter()
        self._blocked: set[str] = set()
        self._sent_global: deque[float] = deque()
        self._sent_per_chat: defaultdict[int | str, deque[float]] = defaultdict(deque)

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        description: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of method with this error (retry_after only with 429)."""
        if status == 429 and retry_after is not None:
            error = ApiError(429, description or f"Too Many Requests: retry after {retry_after}", retry_after)
        else:
            error = ApiError(status, description or HTTPStatus(status).phrase)
        self._faults[method.lower()].extend([error] * times)

    def garble_next(self, method: str, *, times: int = 1) -> None:
        """Answer the next `times` calls of method with 200 and a result no Bot API library can parse,
        as a broken proxy or a mismatched Bot API server might."""
        self._garbled[method.lower()] += times

    def delay(self, method: str, seconds: float) -> None:
        """Answer every later call of method after this many seconds (0 to stop)."""
        self._delays[method.lower()] = seconds

    def delay_next(self, method: str, seconds: float) -> None:
        """Answer only the next call of method after this many seconds: a Bot API that stalls once."""
        self._delays_once[method.lower()] = seconds

    def heal(self, method: str) -> None:
        """Drop the errors and delays still set for method: the Bot API answers it normally again."""
        self._faults[method.lower()].clear()
        self._delays.pop(method.lower(), None)
        self._delays_once.pop(method.lower(), None)

    def block_chat(self, chat_id: int | str) -> None:
        """Act as if this user blocked the bot: calls aimed at the chat get 403."""
        self._blocked.add(str(chat_id))

    # -- applied by the server -----------------------------------------------------------------

    def _delay_for(self, name: str) -> float | None:
        """The seconds to wait before answering a call of this (lower-case) method, if any."""
        return self._delays_once.pop(name, None) or self._delays.get(name)

    def _raise_fault(self, name: str, params: JSONDict) -> None:
        """Raise the error queued for this call, or 403 if it is aimed at a chat that blocked the bot."""
        if self._faults[name]:
            raise self._faults[name].popleft()
        chat_id = params.get("chat_id")
        if chat_id is not None and str(chat_id) in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    def _garble(self, name: str, result: Any) -> Any:
        """The result, or one no Bot API library can parse if a garbled answer is due."""
        if not self._garbled[name]:
            return result
        self._garbled[name] -= 1
        return 42

    def _take_send_slot(self, chat_id: int | str) -> None:
        """Enforce the flood limits over a sliding one-second window, as Telegram's 429s do."""
        now = time.monotonic()
        chat_window = self._sent_per_chat[chat_id]
        for window in (self._sent_global, chat_window):
            while window and window[0] <= now - 1.0:
                window.popleft()
        if (self.global_rate is not None and len(self._sent_global) >= self.global_rate) or (
            self.per_chat_rate is not None and len(chat_window) >= self.per_chat_rate
        ):
            self.rate_limited_count += 1
            raise ApiError(429, "Too Many Requests: retry after 1", 1)
        self._sent_global.append(now)
        chat_window.append(now)
