"""The long-lived services of one bot process: opened in post_init, closed in post_shutdown.

They own the briefings' delivery engine and the deletion engine (replies that vanish), which
bot/app.py starts in post_init and stops in post_stop, before the bot's HTTP client closes, so that
copies and deletions in flight finish and are recorded; and the ledger the bot writes its messages to.
The follow alerts' outbox sender and the weekly review digest run alongside, on the same lifecycle.

Nothing here holds state that another process would need: the database and Redis are shared, the
button signer's key is derived from the bot token, and the audit key is configuration every process
is given, so every process signs and checks alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy import text

from bot.settings import Settings, SettingsError
from knowledge.access.buttons import ButtonSigner, derive_key
from knowledge.access.ratelimit import RateLimiter, open_rate_limiter
from knowledge.access.reason_choices import DEFAULT_RULE, ReasonRule
from knowledge.access.step_up import Policy
from knowledge.briefings.engine import DeliveryEngine
from knowledge.briefings.pacing import Pacer
from knowledge.briefings.port import Port
from knowledge.follows.outbox import AlertSender, SendAlert
from knowledge.records.gateway import Gateway, GatewayConfig, client_tls
from knowledge.records.port import RecordsSource
from knowledge.records.sql_store import SqlStore
from knowledge.review.schedule import DigestScheduler, ReviewAt, SendDigest
from knowledge.store import audit
from knowledge.store.database import Database
from knowledge.vanishing.engine import DeletionEngine
from knowledge.vanishing.ledger import Ledger
from knowledge.vanishing.port import Delete

__all__ = ["BUTTON_LIFETIME", "Services", "records_source"]

log = logging.getLogger(__name__)

BUTTON_LIFETIME = 600  # seconds a shortlist or More button stays usable: long enough to read, no longer


def records_source(settings: Settings, db: Database) -> RecordsSource:
    """A force's own records system when BEATLINE_RECORDS_URL names one; else the records in `db`."""
    if not settings.records_url:
        return SqlStore(db)
    try:
        tls = client_tls(settings.records_cert, settings.records_key, settings.records_ca)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        raise SettingsError(
            "BEATLINE_RECORDS_CERT, BEATLINE_RECORDS_KEY or BEATLINE_RECORDS_CA cannot be used "
            f"({type(exc).__name__}): name readable PEM files."
        ) from None
    config = GatewayConfig(
        settings.records_url, settings.records_token.reveal(), settings.records_timeout, tls
    )
    return Gateway(config)


class Services:
    """The database, the records port, the shared rate limiter, the button signer, the send pacer,
    the briefings' delivery engine and the step-up policy, plus background tasks.

    `records` is where answers read records, chosen once here (`records_source`).

    `pacer` is the process's one send budget (BEATLINE_SEND_RATE): the Application's rate limiter takes
    its slots for replies, the delivery engine for copies.
    """

    def __init__(
        self,
        db: Database,
        records: RecordsSource,
        limiter: RateLimiter,
        buttons: ButtonSigner,
        pacer: Pacer,
        port: Port,
        step_up: Policy,
        reasons: ReasonRule = DEFAULT_RULE,
        *,
        delete: Delete,
        reply_ttl: dt.timedelta | None,
        public_url: str | None = None,
    ) -> None:
        self.db, self.records, self.limiter, self.buttons = db, records, limiter, buttons
        self.pacer, self.port = pacer, port
        self.step_up = step_up  # the shift unlock the gate enforces (BEATLINE_STEP_UP)
        self.reasons = reasons  # BEATLINE_REASONS_REQUIRED and BEATLINE_REASON_MINUTES
        self.public_url = public_url  # BEATLINE_PUBLIC_URL: where /console's sign-in links point
        self.delivery = DeliveryEngine(
            db, port.send, port.show_progress, pacer=pacer, on_withdrawn=port.tell_withdrawn
        )
        self.ledger = Ledger(db, reply_ttl)
        self.deletions = DeletionEngine(db, delete)
        self._delivering = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self.teamwork = True  # BEATLINE_TEAMWORK
        self.review_at: ReviewAt | None = None  # BEATLINE_REVIEW_AT
        self.alerts: AlertSender | None = None
        self.digest: DigestScheduler | None = None

    @classmethod
    async def open(
        cls, settings: Settings, pacer: Pacer, port: Callable[[ButtonSigner], Port], delete: Delete
    ) -> Services:
        """Create the database engine, the clients, the delivery engine (not yet started, on the port
        `port` makes) and the deletion engine (on `delete`), and check that the audit key is the log's.

        A process given another key refuses to start rather than write entries that will not verify.
        """
        db = Database(settings.database_url, timeout=settings.db_timeout, audit_key=settings.load_audit_key())
        try:
            await audit.check_key(db)
            records = records_source(settings, db)
        except BaseException:
            await db.dispose()
            raise
        limiter = open_rate_limiter(
            db, settings.redis_url, limit=settings.rate_limit, window_seconds=settings.rate_window_seconds
        )
        buttons = ButtonSigner(derive_key(settings.telegram_token.reveal()), lifetime=BUTTON_LIFETIME)
        step_up = settings.step_up_policy(bot=True)
        ttl = dt.timedelta(seconds=settings.reply_ttl_seconds) if settings.reply_ttl_seconds else None
        services = cls(
            db, records, limiter, buttons, pacer, port(buttons), step_up, reasons=settings.reason_rule(),
            delete=delete, reply_ttl=ttl, public_url=settings.public_url,
        )  # fmt: skip
        services.teamwork, services.review_at = settings.teamwork, settings.review_at
        return services

    async def start_delivery(self) -> None:
        """Open the delivery engine's port and start polling for due briefings and due deletions."""
        await self.port.open()
        self._delivering = True
        self.delivery.start()
        self.deletions.start()

    async def stop_delivery(self) -> None:
        """Finish the deletions and copies in flight, hand unfinished briefings back, close the port; if
        started."""
        if not self._delivering:
            return
        self._delivering = False
        await self.deletions.stop()
        await self.delivery.stop()
        await self.port.close()

    def start_oversight(self, send_alert: SendAlert, send_digest: SendDigest) -> None:
        """Start sending follow alerts from the outbox, and the weekly review digest if one is set."""
        self.alerts = AlertSender(self.db, send_alert, step_up=self.step_up)
        self.alerts.start()
        if self.review_at is not None:
            hours = self.step_up.unlock_for.total_seconds() / 3600
            self.digest = DigestScheduler(
                self.db, self.review_at, send_digest, unlock_hours=hours, step_up=self.step_up.on
            )
            self.digest.start()

    async def stop_oversight(self) -> None:
        """Let the alerts and digest in flight finish, then stop; if started."""
        for running in (self.alerts, self.digest):
            if running is not None:
                await running.stop()
        self.alerts = self.digest = None

    async def ready(self) -> bool:
        """True if the database answers."""
        try:
            async with self.db.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as exc:  # any failure means "not ready"; the kind goes to the log
            log.warning("database not ready: %s", type(exc).__name__)
            return False
        return True

    def background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run work without holding up start-up; it is cancelled if still running at shutdown."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed: %s", type(task.exception()).__name__)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.limiter.close()
        await self.records.close()
        await self.db.dispose()
