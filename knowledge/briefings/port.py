"""The delivery engine's port: what it hands the handler layer, and what it hears back.

The engine stays Telegram-free: the handler layer plugs in `Send` (one copy to one officer),
`OnProgress` (the sergeant's progress message) and `OnWithdrawn` (the author told why a due briefing
was cancelled), and turns Telegram's answers into `SendResult`s. In the bot they come together as one
`Port`, opened before the engine starts and closed after it stops.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from knowledge.briefings.copies import Tally, Withdrawn
from knowledge.briefings.statuses import SendOutcome

__all__ = ["OnProgress", "OnWithdrawn", "Outgoing", "Port", "Progress", "Send", "SendResult"]


@dataclass(frozen=True)
class Outgoing:
    """One copy to hand to Telegram."""

    briefing_id: int
    telegram_id: int
    sender_name: str
    team: str
    text: str
    reminder: bool  # the officer already has a copy


@dataclass(frozen=True)
class SendResult:
    """What Telegram said to one copy."""

    outcome: SendOutcome
    message_id: int | None = None
    retry_after: float = 0.0

    @classmethod
    def sent(cls, message_id: int) -> SendResult:
        return cls(SendOutcome.SENT, message_id)

    @classmethod
    def retry(cls, seconds: float) -> SendResult:
        return cls(SendOutcome.RETRY, retry_after=seconds)

    @classmethod
    def error(cls) -> SendResult:
        return cls(SendOutcome.ERROR)

    @classmethod
    def blocked(cls) -> SendResult:
        return cls(SendOutcome.BLOCKED)

    @classmethod
    def failed(cls) -> SendResult:
        return cls(SendOutcome.FAILED)

    @classmethod
    def unconfirmed(cls) -> SendResult:
        return cls(SendOutcome.UNCONFIRMED)


@dataclass(frozen=True)
class Progress:
    """Where a briefing has got to, for the message the sergeant watches."""

    briefing_id: int
    team: str
    chat_id: int
    message_id: int | None
    tally: Tally
    finished: bool


Send = Callable[[Outgoing], Awaitable[SendResult]]
OnProgress = Callable[[Progress], Awaitable[None]]
OnWithdrawn = Callable[[Withdrawn], Awaitable[None]]


class Port(Protocol):
    """The way out to the officers (Telegram, in the bot), with a connection of its own."""

    async def send(self, outgoing: Outgoing) -> SendResult: ...

    async def show_progress(self, progress: Progress) -> None: ...

    async def tell_withdrawn(self, withdrawn: Withdrawn) -> None: ...

    async def open(self) -> None: ...

    async def close(self) -> None: ...
