"""Spacing outgoing messages so that Telegram never has to refuse them.

Telegram allows a bot about 30 messages a second overall and one a second per chat, and answers
429 with Retry-After beyond that. Telegram counts a message when it arrives, which we cannot see;
we can see when it answered, which is later. So a send may start only a second after the answer to
the send `rate` places before it: then no second at Telegram's end ever holds more than `rate`,
whatever the network's jitter. Within that, sends are spaced evenly (one every 1/30 s) on a fixed
schedule, so a late wake-up is made up rather than lost.

The budget is the bot's, not one feature's: one pacer per process is shared by the replies (through
the Application's rate limiter) and the briefings. A rate of 0 sets no limit of ours (a local Bot API
server may allow any rate); a 429's pause still holds everyone.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

__all__ = ["Pacer", "Slot"]

# Seconds of lateness (a slow database write, a busy event loop) the schedule makes up afterwards;
# the one-second rule above still bounds how fast.
_CATCH_UP = 1.0


class Slot:
    """One send's place: taken when it may start, finished when Telegram has answered it."""

    __slots__ = ("_answered", "answered_at")

    def __init__(self) -> None:
        self.answered_at: float | None = None
        self._answered = asyncio.Event()


class Pacer:
    """One per process: every send to Telegram takes a slot first and finishes it; a 429 pauses everyone."""

    def __init__(
        self,
        rate: float = 30.0,
        *,
        per_chat: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._limited = rate > 0
        self._interval = 1.0 / rate if self._limited else 0.0
        self._per_chat = per_chat if self._limited else 0.0
        self._recent: deque[Slot] = deque(maxlen=max(1, int(rate)))
        self._next = 0.0  # the schedule's next moment
        self._chats: dict[int, float] = {}
        self._paused_until = 0.0
        self._clock, self._sleep = clock, sleep  # a test can drive both without waiting
        self._lock = asyncio.Lock()  # first come, first served across replies and briefing copies

    def pause(self, seconds: float) -> None:
        """Hold every send for this long: Telegram's Retry-After applies to the whole bot."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self._next = max(self._next, self._paused_until)  # a pause is waited out, never made up

    def finish(self, slot: Slot) -> None:
        """Telegram has answered this send (or it gave up): the one `rate` places later may be timed."""
        slot.answered_at = self._clock()
        slot._answered.set()

    def _ready_at(self, chat_id: int | None, oldest: Slot | None) -> float:
        ready = max(self._paused_until, self._next)
        if oldest is not None and oldest.answered_at is not None:
            ready = max(ready, oldest.answered_at + 1.0)
        if chat_id in self._chats:
            ready = max(ready, self._chats[chat_id] + self._per_chat)
        return ready

    async def wait(self, chat_id: int | None = None) -> Slot:
        """Return once a message may be sent (to chat_id, one a `per_chat` seconds; None: no chat rule).

        The caller must finish() the slot it gets.
        """
        async with self._lock:
            full = self._limited and len(self._recent) == self._recent.maxlen
            oldest = self._recent[0] if full else None
            if oldest is not None:
                await oldest._answered.wait()
            # A timer, not a wait for an event: a 429 elsewhere can push the moment back while asleep.
            while (delay := self._ready_at(chat_id, oldest) - self._clock()) > 0:
                await self._sleep(delay)
            now = self._clock()
            self._next = max(self._next, now - _CATCH_UP) + self._interval
            if chat_id is not None and self._per_chat:
                self._chats[chat_id] = now
                if len(self._chats) > 4 * len(self._recent):
                    # Only chats heard from within the last per-chat interval can still hold a send back.
                    self._chats = {c: t for c, t in self._chats.items() if now - t < self._per_chat}
            slot = Slot()
            if self._limited:
                self._recent.append(slot)
            return slot
