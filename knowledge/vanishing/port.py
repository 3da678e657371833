"""The deletions' port: one message deleted from one chat, and what Telegram said to it.

The handler layer plugs in a `Delete` that calls the Bot API and maps its answers to a `Deletion`,
so that the schedule and the wipe stay Telegram-free and a test can count what was deleted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum

__all__ = ["Delete", "Deletion"]


class Deletion(StrEnum):
    """What became of one attempt to delete a message."""

    DELETED = "deleted"
    GONE = "gone"  # Telegram has no such message (the officer deleted it, or a wipe did): done all the same
    REFUSED = "refused"  # Telegram will never delete it: older than 48 hours, or not the bot's to delete
    FAILED = "failed"  # may work later: the network, a 5xx, a flood limit


Delete = Callable[[int, int], Awaitable[Deletion]]  # (chat_id, message_id)
