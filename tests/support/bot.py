"""The bot under test: the real Application, served over our webhook, talking to the fake Bot API.

Its users start as officers on duty do, having given a reason (TRAINING: these are synthetic records),
so a check is answered; the tests of asking for a reason start by forgetting it (`forget_reason`).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from bot.app import build_application
from bot.run import serve
from bot.settings import Secret, Settings
from knowledge.access import reason_choices, users
from knowledge.access.reason_choices import ReasonRule
from knowledge.store.database import Database
from knowledge.store.schema import AuditEntry, ReasonChoice
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.keys import AUDIT_KEY

ADMIN, SERGEANT, OFFICER, OFFICER_2, STRANGER = 9001, 9002, 9003, 9004, 9999
SECRET = "e2e-webhook-secret"
REASON = "TRAINING"  # the reason every test user has given as the bot starts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class BotUnderTest:
    """The running bot, its fake Bot API and a database handle for arranging and checking."""

    fake: FakeBotAPI
    db: Database
    settings: Settings

    async def post(self, update: dict[str, Any], *, secret: str | None = None) -> int:
        """Deliver an update to the webhook as Telegram would; the HTTP status."""
        return await self.fake.post_to_webhook(update, url=self.settings.webhook_url, secret=secret)

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages to chat_id as the user received them, plus whether they were protected."""
        return [
            {**r.result, "protect_content": r.params.get("protect_content", False)}
            for r in self.fake.requests
            if r.method == "sendMessage" and r.http_status == 200 and r.params.get("chat_id") == chat_id
        ]

    async def next_message(self, chat_id: int, before: int) -> dict[str, Any]:
        """The first message to chat_id after the first `before` ones, once it has been sent."""
        return (await self.fake.wait_for(lambda f: self.sent(chat_id)[before:]))[0]

    async def reply_to(
        self, user_id: int, update: dict[str, Any], *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """Deliver an update and return the next message the bot sends to that chat."""
        chat = user_id if chat_id is None else chat_id
        before = len(self.sent(chat))
        assert await self.post(update) == 200
        return await self.next_message(chat, before)

    async def say(self, user_id: int, text: str) -> dict[str, Any]:
        """A private text message from user_id; the bot's reply."""
        return await self.reply_to(user_id, self.fake.text_message(user_id, text))

    async def press(self, user_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """A button press; the answerCallbackQuery it got (waits for it)."""
        before = len(self.fake.calls("answerCallbackQuery"))
        assert await self.post(self.fake.callback_query(user_id, message, data)) == 200
        return (await self.fake.wait_for(lambda f: f.calls("answerCallbackQuery")[before:]))[0]

    async def audited(self, count: int, telegram_id: int | None = None) -> list[AuditEntry]:
        """The audit entries once there are at least `count` (updates are handled concurrently)."""
        for _ in range(500):
            if len(entries := await self.audit(telegram_id)) >= count:
                return entries
            await asyncio.sleep(0.01)
        raise AssertionError(f"fewer than {count} audit entries: {entries}")

    async def enrol(self, telegram_id: int, role: str, team: str = "") -> None:
        await users.enrol(self.db, telegram_id, role, team=team, by="test")
        await reason_choices.choose(self.db, telegram_id, REASON, ReasonRule())

    async def forget_reason(self, telegram_id: int) -> None:
        """As if the user had given no reason yet: their next check is asked for one."""
        async with self.db.sessions() as session, session.begin():
            await session.execute(delete(ReasonChoice).where(ReasonChoice.telegram_id == telegram_id))

    async def audit(self, telegram_id: int | None = None) -> list[AuditEntry]:
        """Audit entries, oldest first, without those of the arranging (the enrolments `by="test"`)."""
        stmt = select(AuditEntry).where(AuditEntry.actor != "test").order_by(AuditEntry.id)
        if telegram_id is not None:
            stmt = stmt.where(AuditEntry.telegram_user_id == telegram_id)
        async with self.db.sessions() as session:
            return list(await session.scalars(stmt))


def settings_for(fake: FakeBotAPI, url: str, port: int, **overrides: Any) -> Settings:
    return Settings(
        database_url=url,
        telegram_token=Secret(fake.token),
        telegram_api_base_url=fake.base_url,
        webhook_url=f"http://127.0.0.1:{port}/telegram",
        webhook_secret=Secret(SECRET),
        # The shift unlock off unless a test turns it on (step_up="totp"): the other tests test other things.
        **{"audit_key": AUDIT_KEY, "step_up": "off", **overrides},
    )


async def running_bot(url: str, **overrides: Any) -> AsyncIterator[BotUnderTest]:
    """Start the fake Bot API and the bot in webhook mode; stop both afterwards."""
    async with FakeBotAPI() as fake:
        port = free_port()
        settings = settings_for(fake, url, port, **overrides)
        db = Database(url, audit_key=AUDIT_KEY)
        for telegram_id, role in (
            (ADMIN, "admin"),
            (SERGEANT, "sergeant"),
            (OFFICER, "officer"),
            (OFFICER_2, "officer"),
        ):
            await users.enrol(db, telegram_id, role, team="north", name=f"user {telegram_id}", by="test")
            await reason_choices.choose(db, telegram_id, REASON, ReasonRule())
        stop = asyncio.Event()
        application = build_application(settings, webhook=True)
        served = asyncio.create_task(
            serve(application, settings, webhook=True, port=port, host="127.0.0.1", stop=stop)
        )
        await fake.wait_for(lambda f: f.webhook["url"] or served.done())
        if served.done():
            served.result()  # raise what stopped it
        try:
            yield BotUnderTest(fake, db, settings)
        finally:
            stop.set()
            await served
            await db.dispose()
