"""Remote wipe: every message of one chat that Telegram still lets the bot delete, gone now.

Every revoke path (`/revoke`, `beatline users revoke`, the web console) and `/wipe` call `wipe`. With
a way to Telegram the messages are deleted before it returns; without one (the command line with no
token) they are made due now, and the running bot's deletion engine deletes them within a second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from knowledge.store.database import Database
from knowledge.vanishing import schedule
from knowledge.vanishing.engine import delete_claimed, worker_name
from knowledge.vanishing.port import Delete, Deletion

__all__ = ["Wiped", "wipe"]

_LEASE = dt.timedelta(minutes=5)  # long enough for a day's messages at the send rate


@dataclass(frozen=True)
class Wiped:
    """How many messages went (or, when `later`, will go once the running bot gets to them)."""

    count: int
    later: bool = False

    def sentence(self, whose: str = "their") -> str:
        """'3 messages deleted from their Beatline chat.', or, when `later`, that the running bot will."""
        n = f"{self.count} message{'' if self.count == 1 else 's'}"
        if self.later:
            return f"{n} will be deleted by the running bot."
        return f"{n} deleted from {whose} Beatline chat."


async def wipe(db: Database, chat_id: int, delete: Delete | None) -> Wiped:
    """Delete every message the ledger lists for this chat that is still deletable (under 48 hours)."""
    if delete is None:
        return Wiped(await schedule.due_now(db, chat_id), later=True)
    worker = worker_name("wipe:")
    claimed = await schedule.claim_chat(db, chat_id, worker, _LEASE)
    outcomes = await delete_claimed(db, worker, claimed, delete)
    return Wiped(sum(outcome is Deletion.DELETED for outcome in outcomes))
