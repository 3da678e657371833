"""The deletion engine, one per process: deletes the messages whose time is up, once across processes.

It polls the schedule in the database, so deletions resume after a restart and survive a crashed
process (its claims lapse after `lease` and another process takes them). `delete_claimed` is shared
with the wipe, so both settle every message the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
from collections.abc import Sequence

from knowledge.store.database import Database
from knowledge.vanishing import schedule
from knowledge.vanishing.port import Delete, Deletion
from knowledge.vanishing.schedule import Claimed

__all__ = ["DeletionEngine", "delete_claimed", "worker_name"]

log = logging.getLogger(__name__)

CONCURRENCY = 8  # deletions in flight at once; the send pacer spaces them further
_PRUNE_EVERY = 600  # polls between prunes of rows past Telegram's limit


def worker_name(prefix: str = "") -> str:
    """A name no other worker has, that fits the claimed_by column (a long host name is cut)."""
    return f"{prefix}{secrets.token_hex(4)}:{os.getpid()}:{socket.gethostname()}"[:64]


async def delete_claimed(
    db: Database, worker: str, claimed: Sequence[Claimed], delete: Delete
) -> list[Deletion]:
    """Delete each claimed message through the port and settle it; what became of each, in order."""
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(message: Claimed) -> Deletion:
        async with limit:
            try:
                outcome = await delete(message.chat_id, message.message_id)
            except Exception as exc:  # a port that raised is a failure to retry, not the end of the batch
                log.warning("deleting message %s failed: %s", message.message_id, type(exc).__name__)
                outcome = Deletion.FAILED
            await schedule.settle(db, message, outcome, worker)
            return outcome

    return list(await asyncio.gather(*map(one, claimed)))


class DeletionEngine:
    """Claims due deletions (against this and every other process) and carries them out."""

    def __init__(self, db: Database, delete: Delete, *, lease: float = 60.0, poll_every: float = 1.0) -> None:
        self.db, self.delete, self.poll_every = db, delete, poll_every
        self.lease = dt.timedelta(seconds=lease)
        self.worker = worker_name()
        self._wake = asyncio.Event()
        self._stopping = False
        self._poller: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Look for due deletions now rather than at the next poll (a wipe was scheduled)."""
        self._wake.set()

    async def run_due(self) -> int:
        """Claim the due deletions and carry them out; how many were claimed."""
        claimed = await schedule.claim_due(self.db, self.worker, self.lease)
        await delete_claimed(self.db, self.worker, claimed, self.delete)
        return len(claimed)

    def start(self) -> None:
        self._stopping = False
        self._poller = asyncio.create_task(self._poll(), name="deletion poller")

    async def stop(self, grace: float = 10.0) -> None:
        """Finish the deletions in flight; what is still running after `grace` seconds is cancelled,
        and its claims lapse for another process to take."""
        self._stopping = True
        self._wake.set()
        if self._poller is not None:
            _, late = await asyncio.wait([self._poller], timeout=grace)
            for task in late:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._poller = None

    async def _poll(self) -> None:
        polls = 0
        while not self._stopping:
            try:
                while await self.run_due() and not self._stopping:
                    pass  # a full batch: there may be more due at once
                if polls % _PRUNE_EVERY == 0:
                    await schedule.prune(self.db)
            except Exception:  # the database may be back by the next look
                log.exception("could not look for due deletions")
            polls += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_every)
            self._wake.clear()
