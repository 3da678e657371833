"""A circuit breaker: while a records system is down, answer at once instead of waiting on it.

After `threshold` failures in a row the breaker opens: every call is refused at once for `cooldown`
seconds, so officers are told within milliseconds and the records system is not hammered while it
recovers. Then one call is let through as a probe; its success closes the breaker, its failure opens
it for another cooldown. (pybreaker, the well-kept library, is synchronous or Tornado-only; this is
the few lines an asyncio process needs, and one task runs it, so it needs no lock.)
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Breaker"]


class Breaker:
    def __init__(
        self, *, threshold: int = 5, cooldown: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold, self.cooldown, self._clock = threshold, cooldown, clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def allow(self) -> bool:
        """True if a call may go out now: the breaker is closed, or this call is the probe."""
        if self._opened_at is None:
            return True
        if self._probing or self._clock() - self._opened_at < self.cooldown:
            return False
        self._probing = True
        return True

    def succeeded(self) -> None:
        self._failures, self._opened_at, self._probing = 0, None, False

    def failed(self) -> None:
        self._failures += 1
        if self._probing or self._failures >= self.threshold:
            self._opened_at, self._probing = self._clock(), False
