"""The alerts' outbox sender, one per bot process: claims pending alerts, audits each, then sends it.

An alert shows a record's id and name to its follower, so it is a disclosure like any answer: it is
claimed and its audit entry written in one transaction, and only then handed to Telegram. A claimed
alert is sent at most once: one whose send fails, or whose process dies before sending, is not tried
again (the audit says it was due). Any number of processes may run a sender; the conditional claim
gives each alert to one. A follower revoked since the alert was raised gets nothing. With the shift
unlock on, an alert waits while its follower is locked (the phone may not be in their hands: a
locked phone is shown no record) and goes out once they unlock.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import Select, select, update

from knowledge.access.step_up import Policy
from knowledge.follows.alerts import alert_text
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from knowledge.store.schema import FollowAlert, StepUp, User
from knowledge.store.vocabulary import Outcome

__all__ = ["Alert", "AlertSender", "SendAlert"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    """One alert as the handler layer sends it: to whom, and the plain text they read."""

    id: int
    follower_id: int
    text: str


SendAlert = Callable[[Alert], Awaitable[bool]]  # True if Telegram took it
BATCH = 20


class AlertSender:
    """Polls the outbox every `poll_every` seconds until stopped; `send` is the handler layer's."""

    def __init__(
        self, db: Database, send: SendAlert, *, step_up: Policy | None = None, poll_every: float = 1.0
    ) -> None:
        self.db, self.send, self.poll_every = db, send, poll_every
        self.step_up = step_up
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._poll(), name="follow alerts")

    async def stop(self) -> None:
        """Let the batch in flight finish, then stop."""
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def send_due(self) -> int:
        """Claim, audit and send the pending alerts; how many were sent."""
        sent = 0
        for alert in await self._claim():
            try:
                took = await self.send(alert)
            except Exception as error:  # one unreachable follower must not stop the others
                log.warning("follow alert %s not sent: %s", alert.id, type(error).__name__)
                took = False
            async with self.db.sessions() as session, session.begin():
                status = "sent" if took else "failed"
                await session.execute(
                    update(FollowAlert).where(FollowAlert.id == alert.id).values(status=status)
                )
            sent += took
        return sent

    def _deliverable(self) -> Select[int]:
        """Pending alerts whose follower may be shown them now: unlocked, when the shift unlock is on."""
        pending = select(FollowAlert.id).where(FollowAlert.status == "pending").order_by(FollowAlert.id)
        if self.step_up is None or not self.step_up.on:
            return pending
        now = dt.datetime.now(dt.UTC)
        return pending.join(StepUp, StepUp.telegram_id == FollowAlert.follower_id).where(
            StepUp.unlocked_until > now, StepUp.last_seen > now - self.step_up.idle_after
        )

    async def _claim(self) -> list[Alert]:
        # A read first: on SQLite a claim takes the file's write lock, and most seconds there is nothing.
        async with self.db.reads() as session:
            if await session.scalar(self._deliverable().limit(1)) is None:
                return []
        async with self.db.sessions() as session, session.begin():
            pending = self._deliverable()
            claimed = list(
                await session.scalars(
                    update(FollowAlert)
                    .where(
                        FollowAlert.id.in_(pending.limit(BATCH).scalar_subquery()),
                        FollowAlert.status == "pending",
                    )
                    .values(status="sending")
                    .returning(FollowAlert)
                )
            )
            due = []
            for alert in sorted(claimed, key=lambda a: a.id):
                follower = await session.get(User, alert.follower_id)
                if follower is None or follower.status != "active":
                    alert.status = "dropped"
                    continue
                await audit.record(
                    session,
                    Caller(
                        f"tg:{alert.follower_id}",
                        follower.role,
                        "follow",
                        alert.follower_id,
                        alert.follower_id,
                    ),
                    query=f"follow alert: {alert.checker_actor} checked {alert.kind}:{alert.record_id} "
                    f"(entry {alert.audit_id})",
                    intent="follow_alert",
                    outcome=Outcome.ANSWERED,
                    record_ids=[f"{alert.kind}:{alert.record_id}"],
                )
                due.append(Alert(alert.id, alert.follower_id, alert_text(alert)))
            return due

    async def _poll(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.send_due()
            except Exception:  # the database may be back by the next look
                log.exception("could not send follow alerts")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.poll_every)
