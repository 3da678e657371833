"""The delivery engine, one per process: finds due, reminded and interrupted briefings and runs each once.

Any number of processes may run one; the claim on a briefing's row decides which sends it, and a
lease that the sending worker renews lets another take over if that worker dies. The lease is short
and renewed often, so a crashed worker's briefing is resumed within seconds: a worker must miss
three renewals in a row to lose it, and every process looks for lapsed ones every second.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import secrets
import socket

from knowledge.briefings import claims
from knowledge.briefings.copies import Claim, Withdrawn
from knowledge.briefings.pacing import Pacer
from knowledge.briefings.port import OnProgress, OnWithdrawn, Send
from knowledge.briefings.run import Run, Shared
from knowledge.store.database import Database

__all__ = ["CONCURRENCY", "DeliveryEngine"]

log = logging.getLogger(__name__)

CONCURRENCY = 8  # copies in flight at once


class DeliveryEngine:
    """Claims due briefings (against this and every other process) and runs them; one per process.

    `pacer` is the process's one pacer, shared with every other message the bot sends.
    """

    def __init__(
        self,
        db: Database,
        send: Send,
        on_progress: OnProgress | None = None,
        *,
        pacer: Pacer,
        on_withdrawn: OnWithdrawn | None = None,
        lease: float = 6.0,
        progress_every: float = 2.0,
        poll_every: float = 1.0,
        concurrency: int = CONCURRENCY,
    ) -> None:
        self.db, self.pacer, self.on_withdrawn, self.poll_every = db, pacer, on_withdrawn, poll_every
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self.lease = dt.timedelta(seconds=lease)
        self.shared = Shared(
            db, send, on_progress, pacer, self.worker, self.lease, renew_every=lease / 4,
            progress_every=progress_every, concurrency=concurrency, writes=asyncio.Lock(),
        )  # fmt: skip
        self._wake = asyncio.Event()
        self._stopping = False
        self._poller: asyncio.Task[None] | None = None
        self._runs: dict[Run, asyncio.Task[None]] = {}

    def wake(self) -> None:
        """Look for due briefings now rather than at the next poll (Send or Remind was pressed)."""
        self._wake.set()

    async def run_due(self) -> int:
        """Claim every due briefing and send it to the end; how many were claimed."""
        taken, withdrawn = await claims.claim_due(self.db, self.worker, self.lease)
        await asyncio.gather(*(self._launch(claim) for claim in taken), *map(self._tell, withdrawn))
        return len(taken)

    def start(self) -> None:
        """Poll for due, reminded and interrupted briefings until stop()."""
        self._poller = asyncio.create_task(self._poll(), name="briefing poller")

    async def stop(self, grace: float = 30.0) -> None:
        """Stop cleanly: finish the sends in flight, record them, and hand unfinished briefings back.

        Work is asked to stop rather than cancelled, because a database call cut off half-way can
        leave SQLite locked; only what is still running after `grace` seconds is cancelled.
        """
        self._stopping = True
        self._wake.set()
        for run in self._runs:
            run.halt.set()
        tasks = [t for t in (self._poller, *self._runs.values()) if t is not None]
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=grace)
            for task in late:
                task.cancel()
        self._poller = None

    def _launch(self, claim: Claim) -> asyncio.Task[None]:
        run = Run(self.shared, claim)
        task = asyncio.create_task(run.run(), name=f"briefing {claim.briefing_id}")
        self._runs[run] = task
        task.add_done_callback(lambda _: self._runs.pop(run, None))
        return task

    async def _tell(self, withdrawn: Withdrawn) -> None:
        """Tell the author why their briefing did not go out; a note that fails is logged, not retried."""
        if self.on_withdrawn is None:
            return
        try:
            slot = await self.pacer.wait(withdrawn.sender_id)
            try:
                await self.on_withdrawn(withdrawn)
            finally:
                self.pacer.finish(slot)
        except Exception:
            log.exception(
                "could not tell the author of briefing %s why it was cancelled", withdrawn.briefing_id
            )

    async def _poll(self) -> None:
        while not self._stopping:
            try:
                taken, withdrawn = await claims.claim_due(self.db, self.worker, self.lease)
                for claim in taken:
                    self._launch(claim)
                for notice in withdrawn:
                    await self._tell(notice)
            except Exception:  # the database may be back by the next look
                log.exception("could not look for due briefings")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_every)
            self._wake.clear()
