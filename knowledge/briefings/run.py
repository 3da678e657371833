"""One briefing's run: every recipient's copy sent once, within Telegram's limits.

Delivery guarantee: at most once per copy, and never unaudited. A copy is marked 'sending', with its
audit entry (the intent to send), before it is handed to Telegram, and settled — 'sent', 'blocked',
'failed' — after. If the process dies between the two, nobody can tell whether Telegram took the
message, so the worker that takes the briefing over marks that copy 'failed' rather than sending it
again: it shows as outstanding in /briefings, and Remind reaches it; the log already holds its intent.
A duplicated briefing teaches officers to skim the next one; a missed one is visible and fixable.
Where Telegram did answer, and said "not now", the copy is sent again within the run: after a
429's Retry-After (the whole bot waits), or after a back-off for a 5xx or a connection refused. A send
whose answer never came (a timeout) is not: it may have arrived.

A crash strands only the copies of that moment (a chunk at most); a clean stop (deploy, Ctrl-C)
strands none: sends in flight finish and are recorded, claimed copies not yet sent are put back, and
the briefing is released for the next process to resume.

Telegram stays outside, behind `knowledge.briefings.port`: the handler layer plugs in `send` and
`on_progress`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from knowledge.briefings import claims, copies
from knowledge.briefings.copies import Claim, Copy, Outcome
from knowledge.briefings.pacing import Pacer, Slot
from knowledge.briefings.port import OnProgress, Outgoing, Progress, Send, SendResult
from knowledge.briefings.statuses import CopyOutcome, SendOutcome
from knowledge.store.database import Database

__all__ = ["BACKOFF", "MAX_ERRORS", "Run", "Shared"]

log = logging.getLogger(__name__)

MAX_ERRORS = 5  # 5xx answers to one copy before it is left for a Remind
BACKOFF = 0.5  # seconds before a copy is retried after its first 5xx, doubling after each
_T = TypeVar("_T")


@dataclass(frozen=True)
class Shared:
    """What every run of one delivery engine shares: the database, the port, the pacer, the lease."""

    db: Database
    send: Send
    on_progress: OnProgress | None
    pacer: Pacer  # the process's one pacer, shared with every other message the bot sends
    worker: str  # this engine's name in the claims it holds
    lease: dt.timedelta
    renew_every: float  # seconds between renewals of the lease
    progress_every: float  # seconds between edits of the progress message
    concurrency: int  # copies in flight at once
    writes: asyncio.Lock  # see Run.write


class Run:
    """One worker's pass over one claimed briefing; `halt` asks it to stop at the next safe point."""

    def __init__(self, shared: Shared, claim: Claim) -> None:
        self.shared, self.claim, self.db = shared, claim, shared.db
        self.retry: deque[Copy] = deque()  # copies Telegram asked for again, due now: they go first
        self.later: dict[int, tuple[float, Copy]] = {}  # copies to retry, by recipient: when, and which
        self.batch: deque[Copy] = deque()
        self.inflight: set[asyncio.Task[None]] = set()  # sends waiting for Telegram's answer
        self.undispatched = 0  # copies of the chunk being sent that wait for their turn
        self.changed = asyncio.Event()  # a copy was handed over or answered
        self.errors: Counter[int] = Counter()
        self.unrecorded: list[Outcome] = []
        self.queued = asyncio.Event()  # an outcome is waiting to be written
        self.settled = False  # nothing more will be queued
        self.last_progress = 0.0
        self.halt = asyncio.Event()  # set by a stop, or when another worker has taken the briefing over
        self.done = asyncio.Event()  # every copy is settled: the lease need not be renewed any more
        self.lost = False

    async def run(self) -> None:
        keeper = asyncio.create_task(self._keep_lease())
        recorder = asyncio.create_task(self._record_all())
        bid, worker = self.claim.briefing_id, self.shared.worker
        try:
            await self._progress(finished=False)
            complete = await self._send_all()
            await self._settle(recorder)
            self.done.set()  # the hold is let go of next: no more renewals
            if complete:
                await self.write(claims.finish, self.claim, worker)
                await self._progress(finished=True)
            elif not self.lost:
                await self.write(claims.release, bid, worker)
        except Exception:
            log.exception("briefing %s stopped part-way; it will be resumed", bid)
            with contextlib.suppress(Exception):
                await self._settle(recorder)
                self.done.set()
                await self.write(claims.release, bid, worker)
        finally:
            self.done.set()
            await keeper

    async def _send_all(self) -> bool:
        """Send every copy; True once each has been sent, False if halted first."""
        upcoming = asyncio.create_task(self._claimed_chunk())
        while (chunk := await upcoming) is not None:
            self.undispatched = len(chunk)  # before the next look, which must not think them all sent
            upcoming = asyncio.create_task(self._claimed_chunk())  # claimed while this chunk is paced
            for turn, copy in enumerate(chunk):
                if self.halt.is_set() or (slot := await self._slot(copy.telegram_id)) is None:
                    unsent = [
                        Outcome(c.telegram_id, CopyOutcome.REQUEUED)
                        for c in [*chunk[turn:], *(await upcoming or [])]
                    ]
                    await self.write(copies.record_outcomes, self.claim, unsent)
                    return False
                task = asyncio.create_task(self._deliver(copy, slot))
                self.inflight.add(task)
                task.add_done_callback(self._answered)
                self.undispatched -= 1
                self.changed.set()
                if time.monotonic() - self.last_progress >= self.shared.progress_every:
                    await self._progress(finished=False)
                while len(self.inflight) >= self.shared.concurrency:
                    await asyncio.wait(self.inflight, return_when=asyncio.FIRST_COMPLETED)
        return not self.halt.is_set()

    def _answered(self, task: asyncio.Task[None]) -> None:
        self.inflight.discard(task)
        self.changed.set()

    async def _claimed_chunk(self) -> list[Copy] | None:
        """The next few copies (retries first), claimed in one write; None once none is left, or halted.

        None only when no copy is pending, backing off, waiting for its turn or in flight (an answer
        may still ask for its copy again). Claiming a few at once costs one write per chunk instead of
        one per copy, and happens while the chunk before is sent. A crash can strand these few as
        'sending', like those in flight.
        """
        while not self.halt.is_set():
            self.changed.clear()  # before looking: whatever changes from here on wakes the wait below
            now = time.monotonic()
            for tid, (due, copy) in sorted(self.later.items(), key=lambda item: item[1][0]):
                if due <= now:
                    self.retry.append(copy)
                    del self.later[tid]
            if not self.retry and not self.batch:
                pending = await copies.pending_copies(self.db, self.claim.briefing_id)
                self.batch.extend(c for c in pending if c.telegram_id not in self.later)
            source = self.retry or self.batch
            if source:
                wanted = [source.popleft() for _ in range(min(self.shared.concurrency, len(source)))]
                ids = [c.telegram_id for c in wanted]
                claimed = set(await self.write(copies.claim_copies, self.claim, ids))
                if chunk := [c for c in wanted if c.telegram_id in claimed]:
                    return chunk
                continue
            if not self.inflight and not self.later and not self.undispatched:
                return None
            await self._until_changed()
        return None

    async def _until_changed(self) -> None:
        """Wait until a copy is handed over or answered, a copy's back-off is over, or a halt."""
        waits = {asyncio.create_task(self.changed.wait()), asyncio.create_task(self.halt.wait())}
        due = min((when for when, _ in self.later.values()), default=None)
        timeout = None if due is None else max(0.0, due - time.monotonic())
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for wait in waits:
            wait.cancel()

    async def write(self, operation: Callable[..., Awaitable[_T]], *args: Any) -> _T:
        """Run one of the engine's writes, one at a time.

        SQLite lets one connection write at once and makes the others retry in sleeps of up to
        100 ms; queueing here instead keeps a 30-a-second run on time (and costs PostgreSQL
        nothing at that rate).
        """
        async with self.shared.writes:
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
                await self.write(copies.record_outcomes, self.claim, batch)
            except Exception:  # left 'sending': settled as unconfirmed at the end, as after a crash
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
        slot = asyncio.create_task(self.shared.pacer.wait(chat_id))
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
            result = await self.shared.send(outgoing)
        except Exception:
            log.exception("sending briefing %s to %s failed", claim.briefing_id, tid)
            result = SendResult.unconfirmed()
        finally:
            self.shared.pacer.finish(slot)
        again = result.outcome in (SendOutcome.RETRY, SendOutcome.ERROR)
        if again and await self._again(copy, result):
            return
        status = CopyOutcome.FAILED if again else CopyOutcome(result.outcome)
        self.unrecorded.append(Outcome(tid, status, result.message_id))
        self.queued.set()

    async def _again(self, copy: Copy, result: SendResult) -> bool:
        """Put a copy Telegram did not take back in the queue, to go again; False if it is given up."""
        tid = copy.telegram_id
        if result.outcome == SendOutcome.RETRY:
            # Flood control is for the whole bot: everyone waits, then this officer goes first.
            self.shared.pacer.pause(result.retry_after)
            wait = 0.0
        else:
            self.errors[tid] += 1
            if self.errors[tid] >= MAX_ERRORS:
                return False
            wait = BACKOFF * 2 ** (self.errors[tid] - 1)
        # Listed before it is pending again, so that a look for pending copies meanwhile leaves it be.
        self.later[tid] = (time.monotonic() + wait, copy)
        try:
            await self.write(copies.record_outcomes, self.claim, [Outcome(tid, CopyOutcome.REQUEUED)])
        except Exception:  # not put back: recorded as failed instead, for a Remind
            log.exception("could not requeue briefing %s to %s", self.claim.briefing_id, tid)
            del self.later[tid]
            return False
        return True

    async def _keep_lease(self) -> None:
        bid, shared = self.claim.briefing_id, self.shared
        while not self.done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.done.wait(), shared.renew_every)
                return
            try:
                held = await self.write(claims.renew, bid, shared.worker, shared.lease)
            except Exception:  # the database may answer next time, well within the lease
                log.exception("could not renew the hold on briefing %s", bid)
                continue
            if not held and not self.done.is_set():  # once done, the hold was let go of on purpose
                log.warning("briefing %s was taken over by another worker; leaving it to them", bid)
                self.lost = True
                self.halt.set()
                return

    async def _progress(self, *, finished: bool) -> None:
        self.last_progress = time.monotonic()
        claim = self.claim
        if self.shared.on_progress is None or claim.progress_chat_id is None:
            return
        try:
            tally = await copies.tally(self.db, claim.briefing_id)
            slot = await self.shared.pacer.wait(claim.progress_chat_id)
            where = (claim.progress_chat_id, claim.progress_message_id)
            try:
                await self.shared.on_progress(
                    Progress(claim.briefing_id, claim.team, *where, tally, finished)
                )
            finally:
                self.shared.pacer.finish(slot)
        except Exception:  # a progress message that cannot be edited must not hold up the briefing
            log.exception("could not update the progress of briefing %s", claim.briefing_id)
