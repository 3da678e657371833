"""One briefing's delivery: every recipient's copy sent once, within Telegram's limits.

Delivery guarantee: at most once per copy. A copy is marked 'sending' before it is handed to Telegram
and 'sent' (or 'blocked', 'failed') after. If the process dies between the two, nobody can tell
whether Telegram took the message, so the worker that takes the briefing over marks that copy
'failed' rather than sending it again: it shows as outstanding in /briefings, and Remind reaches it.
A duplicated briefing teaches officers to skim the next one; a missed one is visible and fixable.
A crash strands only the copies of that moment (a few dozen at most at 30 a second); a clean stop
(deploy, Ctrl-C) strands none: sends in flight finish and are recorded, claimed copies not yet sent
are put back, and the briefing is released for the next process to resume.

Telegram stays outside: the handler layer injects `send` (one copy to one officer) and `on_progress`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from knowledge import deliveries
from knowledge.deliveries import Claim, Copy, Outcome, Tally
from knowledge.pacing import Slot

if TYPE_CHECKING:
    from knowledge.broadcaster import Broadcaster

__all__ = ["OnProgress", "Outgoing", "Progress", "Run", "Send", "SendResult"]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # 429s for one copy before it is left for a Remind
_T = TypeVar("_T")


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

    outcome: str  # sent | retry | blocked | failed
    message_id: int | None = None
    retry_after: float = 0.0

    @classmethod
    def sent(cls, message_id: int) -> SendResult:
        return cls("sent", message_id)

    @classmethod
    def retry(cls, seconds: float) -> SendResult:
        return cls("retry", retry_after=seconds)

    @classmethod
    def blocked(cls) -> SendResult:
        return cls("blocked")

    @classmethod
    def failed(cls) -> SendResult:
        return cls("failed")


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


class Run:
    """One worker's pass over one claimed briefing; `halt` asks it to stop at the next safe point."""

    def __init__(self, engine: Broadcaster, claim: Claim) -> None:
        self.engine, self.claim, self.db = engine, claim, engine.db
        self.retry: deque[Copy] = deque()  # copies refused with a 429 go first once the pause is over
        self.batch: deque[Copy] = deque()
        self.inflight: set[asyncio.Task[None]] = set()  # sends waiting for Telegram's answer
        self.attempts: Counter[int] = Counter()
        self.unrecorded: list[Outcome] = []
        self.queued = asyncio.Event()  # an outcome is waiting to be written
        self.settled = False  # nothing more will be queued
        self.last_progress = 0.0
        self.halt = asyncio.Event()  # set by a stop, or when another worker has taken the briefing over
        self.done = asyncio.Event()
        self.lost = False

    async def run(self) -> None:
        keeper = asyncio.create_task(self._keep_lease())
        recorder = asyncio.create_task(self._record_all())
        bid, worker = self.claim.briefing_id, self.engine.worker
        try:
            await self._progress(finished=False)
            complete = await self._send_all()
            await self._settle(recorder)
            if complete:
                await self.write(deliveries.finish, bid, worker)
                await self._progress(finished=True)
            elif not self.lost:
                await self.write(deliveries.release, bid, worker)
        except Exception:
            log.exception("briefing %s stopped part-way; it will be resumed", bid)
            with contextlib.suppress(Exception):
                await self._settle(recorder)
                await self.write(deliveries.release, bid, worker)
        finally:
            self.done.set()
            await keeper

    async def _send_all(self) -> bool:
        """Send every copy; True once each has been sent, False if halted first."""
        upcoming = asyncio.create_task(self._claimed_chunk())
        while (chunk := await upcoming) is not None:
            upcoming = asyncio.create_task(self._claimed_chunk())  # claimed while this chunk is paced
            for turn, copy in enumerate(chunk):
                if self.halt.is_set() or (slot := await self._slot(copy.telegram_id)) is None:
                    unsent = [c.telegram_id for c in [*chunk[turn:], *(await upcoming or [])]]
                    await self.write(deliveries.release_copies, self.claim.briefing_id, unsent)
                    return False
                task = asyncio.create_task(self._deliver(copy, slot))
                self.inflight.add(task)
                task.add_done_callback(self.inflight.discard)
                if time.monotonic() - self.last_progress >= self.engine.progress_every:
                    await self._progress(finished=False)
                while len(self.inflight) >= self.engine.concurrency:
                    await asyncio.wait(self.inflight, return_when=asyncio.FIRST_COMPLETED)
        return True

    async def _claimed_chunk(self) -> list[Copy] | None:
        """The next few copies (retries first), claimed in one write; None once none is left to send.

        Claiming a few ahead costs one write per chunk instead of one per copy, and happens while the
        chunk before is sent. A crash can strand these few as 'sending', like those in flight.
        """
        while True:
            if not self.retry and not self.batch:
                self.batch.extend(await deliveries.pending_copies(self.db, self.claim.briefing_id))
            source = self.retry or self.batch
            if not source:
                if not self.inflight:
                    return None
                await asyncio.wait(self.inflight, return_when=asyncio.FIRST_COMPLETED)  # a 429 may requeue
                continue
            wanted = [source.popleft() for _ in range(min(self.engine.concurrency, len(source)))]
            ids = [c.telegram_id for c in wanted]
            claimed = set(await self.write(deliveries.claim_copies, self.claim.briefing_id, ids))
            if chunk := [c for c in wanted if c.telegram_id in claimed]:
                return chunk

    async def write(self, operation: Callable[..., Awaitable[_T]], *args: Any) -> _T:
        """Run one of the engine's writes, one at a time.

        SQLite lets one connection write at once and makes the others retry in sleeps of up to
        100 ms; queueing here instead keeps a 30-a-second broadcast on time (and costs PostgreSQL
        nothing at that rate).
        """
        async with self.engine.writes:
            return await operation(self.db, *args)

    async def _record_all(self) -> None:
        """Write outcomes as they come, all those queued meanwhile in one transaction."""
        while True:
            if not self.unrecorded:
                if self.settled:
                    return
                await self.queued.wait()
                self.queued.clear()
                continue
            batch, self.unrecorded = self.unrecorded, []
            try:
                await self.write(deliveries.record_outcomes, self.claim, batch)
            except Exception:  # left 'sending': the next worker counts them failed, as after a crash
                log.exception("could not record %d copies of briefing %s", len(batch), self.claim.briefing_id)

    async def _settle(self, recorder: asyncio.Task[None]) -> None:
        """Wait for the sends in flight, then for their outcomes to be written."""
        if self.inflight:
            await asyncio.wait(self.inflight)
        self.settled = True
        self.queued.set()
        await recorder

    async def _slot(self, chat_id: int) -> Slot | None:
        """The pacer's slot, unless halted first (a 429 pause can be long)."""
        slot = asyncio.create_task(self.engine.pacer.wait(chat_id))
        halted = asyncio.create_task(self.halt.wait())
        await asyncio.wait({slot, halted}, return_when=asyncio.FIRST_COMPLETED)
        halted.cancel()
        if slot.done():
            return slot.result()
        slot.cancel()  # safe: waiting for a slot touches no database
        return None

    async def _deliver(self, copy: Copy, slot: Slot) -> None:
        claim, tid = self.claim, copy.telegram_id
        outgoing = Outgoing(claim.briefing_id, tid, claim.sender_name, claim.team, claim.text, copy.reminder)
        try:
            result = await self.engine.send(outgoing)
        except Exception:
            log.exception("sending briefing %s to %s failed", claim.briefing_id, tid)
            result = SendResult.failed()
        finally:
            self.engine.pacer.finish(slot)
        if result.outcome == "retry":
            # Flood control is for the whole bot: everyone waits, then this officer goes first.
            self.engine.pacer.pause(result.retry_after)
            self.attempts[tid] += 1
            if self.attempts[tid] < MAX_ATTEMPTS:
                try:
                    await self.write(deliveries.release_copies, claim.briefing_id, [tid])
                except Exception:  # not put back: recorded as failed below, for a Remind
                    log.exception("could not requeue briefing %s to %s", claim.briefing_id, tid)
                else:
                    self.retry.append(copy)
                    return
            result = SendResult.failed()
        self.unrecorded.append(Outcome(tid, result.outcome, result.message_id))
        self.queued.set()

    async def _keep_lease(self) -> None:
        bid, engine = self.claim.briefing_id, self.engine
        while not self.done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.done.wait(), engine.lease.total_seconds() / 3)
                return
            try:
                held = await self.write(deliveries.renew, bid, engine.worker, engine.lease)
            except Exception:  # the database may answer next time, well within the lease
                log.exception("could not renew the hold on briefing %s", bid)
                continue
            if not held:
                log.warning("briefing %s was taken over by another worker; leaving it to them", bid)
                self.lost = True
                self.halt.set()
                return

    async def _progress(self, *, finished: bool) -> None:
        self.last_progress = time.monotonic()
        claim = self.claim
        if self.engine.on_progress is None or claim.progress_chat_id is None:
            return
        try:
            tally = await deliveries.tally(self.db, claim.briefing_id)
            slot = await self.engine.pacer.wait(claim.progress_chat_id)
            where = (claim.progress_chat_id, claim.progress_message_id)
            try:
                await self.engine.on_progress(
                    Progress(claim.briefing_id, claim.team, *where, tally, finished)
                )
            finally:
                self.engine.pacer.finish(slot)
        except Exception:  # a progress message that cannot be edited must not hold up the briefing
            log.exception("could not update the progress of briefing %s", claim.briefing_id)
