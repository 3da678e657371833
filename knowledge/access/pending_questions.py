"""Checks held until their asker taps a reason: the tap may reach another process, and a button
carries 64 bytes, so the question waits here and the button names only its row.

A held question is taken once, by its own asker: a second tap, or a tap by anyone else, finds nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete

from knowledge.store.database import Database
from knowledge.store.schema import PendingQuestion

__all__ = ["Held", "hold", "take"]

# Longer than any reason button lives (bot/services.py BUTTON_LIFETIME): older rows can only be litter.
_KEEP = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Held:
    """What was asked: a question's text, or (`record`) the payload of the record button pressed."""

    question: str = ""
    record: str = ""


async def hold(db: Database, telegram_id: int, held: Held) -> int:
    """Keep `held` for `telegram_id` until a reason is tapped; the id a reason button names.

    Litter (questions never answered, anyone's) goes in the same transaction, so the table stays the
    size of the questions waiting now and no question is kept past the hour.
    """
    now = dt.datetime.now(dt.UTC)
    async with db.sessions() as session, session.begin():
        await session.execute(delete(PendingQuestion).where(PendingQuestion.asked_at < now - _KEEP))
        row = PendingQuestion(
            telegram_id=telegram_id, question=held.question, record=held.record, asked_at=now
        )
        session.add(row)
        await session.flush()
        return row.id


async def take(db: Database, telegram_id: int, question_id: int) -> Held | None:
    """The question `telegram_id` asked under `question_id`, removed as it is taken; None if gone."""
    async with db.sessions() as session, session.begin():
        taken = await session.execute(
            delete(PendingQuestion)
            .where(PendingQuestion.id == question_id, PendingQuestion.telegram_id == telegram_id)
            .returning(PendingQuestion.question, PendingQuestion.record)  # one statement: taken once
        )
        row = taken.first()
    return Held(row.question, row.record) if row else None
