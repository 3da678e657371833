"""The SQL that buckets audit times by UTC hour on either backend, and London days made from those hours.

London's offset from UTC is always whole hours, so an hour of UTC lies inside one London day: counting
by UTC hour in the database and summing the hours into London days in Python is exact on SQLite and
PostgreSQL alike, with no time-zone support needed in SQLite. On PostgreSQL the expression is exactly
the one migration 0011 keeps statistics on (`st_audit_log_hour`): without them the planner expects a
group per entry and will not count a million entries in parallel.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["LONDON", "hour_bucket", "london_day"]

LONDON = ZoneInfo("Europe/London")


def hour_bucket(session: AsyncSession, column: Any) -> Any:
    """`column` (a UTC time) cut to its UTC hour, in this session's SQL dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", column))
    return func.strftime("%Y-%m-%d %H", column)


def london_day(bucket: str | dt.datetime) -> dt.date:
    """The London date of an hour bucket: 'YYYY-MM-DD HH' from SQLite, a naive UTC time from PostgreSQL."""
    hour = dt.datetime.strptime(bucket, "%Y-%m-%d %H") if isinstance(bucket, str) else bucket
    return hour.replace(tzinfo=dt.UTC).astimezone(LONDON).date()
