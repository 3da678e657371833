"""The reason a user is checking under now: given once, it covers their follow-ups for a few minutes.

A reason given (a tapped button, a leading `stop:`, `--reason`) is kept with the moment it was given;
for `minutes` after that moment the user's checks, More, shortlist picks and later questions are
recorded under it. The window does not slide with use: a new purpose needs a new reason. Kept in the
database, so whichever process gets the next message knows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from knowledge.store.database import Database, utc
from knowledge.store.schema import ReasonChoice

__all__ = ["DEFAULT_RULE", "ReasonRule", "choose", "current"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ReasonRule:
    """The force's rule (BEATLINE_REASONS_REQUIRED, BEATLINE_REASON_MINUTES), with the clock it reads."""

    required: bool = True
    minutes: int = 10
    clock: Callable[[], dt.datetime] = field(default=_now, compare=False)


DEFAULT_RULE = ReasonRule()  # the contract's defaults


async def choose(db: Database, telegram_id: int, code: str, rule: ReasonRule) -> None:
    """Record that `telegram_id` now checks under `code`; it replaces any earlier reason."""
    values = {"telegram_id": telegram_id, "code": code, "chosen_at": rule.clock()}
    async with db.sessions() as session, session.begin():
        dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
        stmt = dialect.insert(ReasonChoice).values(values)
        await session.execute(
            stmt.on_conflict_do_update(index_elements=[ReasonChoice.telegram_id], set_=values)
        )


async def current(db: Database, telegram_id: int, rule: ReasonRule) -> str:
    """The reason `telegram_id` gave within the last `rule.minutes`, or '' when there is none."""
    async with db.reads() as session:
        row = (await session.execute(
            select(ReasonChoice.code, ReasonChoice.chosen_at).where(ReasonChoice.telegram_id == telegram_id)
        )).first()  # fmt: skip
    if row is None:
        return ""
    return row.code if rule.clock() < utc(row.chosen_at) + dt.timedelta(minutes=rule.minutes) else ""
