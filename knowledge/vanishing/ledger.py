"""The ledger: every message Beatline sends into a private chat, and the question a reply answered.

Rows hold ids and times, never text. A message that shows record data, and the question behind it,
is scheduled for deletion `ttl` after it was sent; every other one is kept, but listed, so that a
wipe can still remove it while Telegram allows (48 hours).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.store.database import Database
from knowledge.store.schema import ChatMessage

__all__ = ["DELETABLE_FOR", "MAX_TTL_SECONDS", "Incoming", "Ledger", "MessageStatus", "now"]

# Telegram lets a bot delete a message in a private chat for 48 hours after it was sent.
DELETABLE_FOR = dt.timedelta(hours=48)
MAX_TTL_SECONDS = 169_200  # 47 hours: an hour to spare for retries before Telegram's limit


class MessageStatus(StrEnum):
    KEPT = "kept"  # no deadline; a wipe may still delete it
    SCHEDULED = "scheduled"  # to be deleted at delete_at
    DELETING = "deleting"  # claimed by one worker until claimed_until
    DELETED = "deleted"
    FAILED = "failed"  # Telegram refused, or the 48 hours ran out: logged


@dataclass(frozen=True)
class Incoming:
    """The message an update brought: an officer's question, or the bot's own message under a button."""

    chat_id: int
    message_id: int
    from_bot: bool
    sent_at: dt.datetime


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _insert(session: AsyncSession) -> Any:
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    return dialect.insert(ChatMessage)


class Ledger:
    """Writes sent messages down; `ttl` None (TTL 0) keeps even those that show records."""

    def __init__(self, db: Database, ttl: dt.timedelta | None) -> None:
        self.db, self.ttl = db, ttl

    async def record(
        self,
        chat_id: int,
        message_id: int,
        *,
        shows_records: bool,
        incoming: Incoming | None,
        keep: bool = False,
        at: dt.datetime | None = None,
    ) -> None:
        """Write down one sent message; if it shows records, schedule it and the question it answers,
        unless it is to be kept (a briefing's copy: see handlers/briefing/delivery.py) until a wipe.

        The question is the update's message when it is in the same chat: a follow-up alert to another
        officer does not schedule the searcher's question in the follower's chat. When the update was a
        button press, the question behind the button's message is scheduled with it.
        """
        sent_at = at or now()
        question = incoming if incoming is not None and incoming.chat_id == chat_id else None
        delete_at = sent_at + self.ttl if shows_records and not keep and self.ttl is not None else None
        rows = [self._row(chat_id, message_id, True, shows_records, sent_at, delete_at,
                          answers=question.message_id if question else None)]  # fmt: skip
        if question is not None:
            asked = question.message_id, question.from_bot, False, question.sent_at, None
            rows.append(self._row(chat_id, *asked))
        async with self.db.sessions() as session, session.begin():
            await session.execute(_insert(session).values(rows).on_conflict_do_nothing())
            if delete_at is None or question is None:
                return
            targets = [question.message_id]
            if question.from_bot:
                behind = await session.scalar(
                    select(ChatMessage.answers).where(
                        ChatMessage.chat_id == chat_id, ChatMessage.message_id == question.message_id
                    )
                )
                targets += [behind] if behind is not None else []
            await session.execute(
                update(ChatMessage)
                .where(
                    ChatMessage.chat_id == chat_id,
                    ChatMessage.message_id.in_(targets),
                    or_(
                        ChatMessage.status == MessageStatus.KEPT,
                        and_(
                            ChatMessage.status == MessageStatus.SCHEDULED, ChatMessage.delete_at > delete_at
                        ),
                    ),
                )
                .values(status=MessageStatus.SCHEDULED, delete_at=delete_at)
            )

    @staticmethod
    def _row(
        chat_id: int,
        message_id: int,
        from_bot: bool,
        shows_records: bool,
        sent_at: dt.datetime,
        delete_at: dt.datetime | None,
        *,
        answers: int | None = None,
    ) -> dict[str, Any]:
        status = MessageStatus.KEPT if delete_at is None else MessageStatus.SCHEDULED
        return {
            "chat_id": chat_id, "message_id": message_id, "from_bot": from_bot,
            "shows_records": shows_records, "answers": answers, "sent_at": sent_at, "status": status,
            "delete_at": delete_at, "attempts": 0,
        }  # fmt: skip
