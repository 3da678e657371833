"""One value of an import row checked: dates, moments, coordinates, required and bounded fields.

Each check returns the value as stored or raises `Bad` with the reason `file:line: reason` shows.
"""

from __future__ import annotations

import datetime as dt

from knowledge.store.database import utc
from knowledge.store.schema import Base

__all__ = ["Bad"]

_NO_LIMIT = 1 << 30
_TEXT_LIMITS = {"aliases": 1000, "summary": 2000}


class Bad(Exception):
    """One row's first problem; the row is skipped and the reason reported."""


def _length(model: type[Base], column: str) -> int:
    length = getattr(Base.metadata.tables[model.__tablename__].columns[column].type, "length", None)
    return length or _NO_LIMIT


def _limit(model: type[Base], column: str) -> int:
    # The schema's VARCHAR lengths, which PostgreSQL enforces; checked up front so that a long
    # value is a line-numbered problem rather than a failed transaction. `sex` has its own check.
    if column in _TEXT_LIMITS:
        return _TEXT_LIMITS[column]
    if column == "sex" or column not in Base.metadata.tables[model.__tablename__].columns:
        return _NO_LIMIT
    return _length(model, column)


def _date(value: str, column: str, latest: dt.date, earliest: dt.date = dt.date.min) -> str | None:
    if not value:
        return None
    try:
        if len(value) != 10 or value[4] != "-" or value[7] != "-":
            raise ValueError
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise Bad(f"{column} {value!r} is not a date (YYYY-MM-DD)") from None
    if day > latest:
        raise Bad(f"{column} {value!r} is in the future")
    if day < earliest:
        raise Bad(f"{column} {value!r} is before {earliest.year}")
    return value


def _moment(value: str, latest: dt.datetime) -> str:
    try:
        if len(value) <= 10:  # a bare date: an incident needs its time
            raise ValueError
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Bad(f"occurred_at {value!r} is not an ISO 8601 date-time (2024-05-01T22:15)") from None
    moment = utc(moment).replace(tzinfo=None)  # stored as naive UTC
    if moment > latest:
        raise Bad(f"occurred_at {value!r} is in the future")
    return moment.isoformat(" ", "microseconds")


def _coordinate(value: str, column: str, bound: float) -> float | None:
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Bad(f"{column} {value!r} is not a number") from None
    if not -bound <= number <= bound:  # also refuses nan and inf
        raise Bad(f"{column} {value} is out of range (-{bound:g} to {bound:g})")
    return number


def _required(value: str, column: str) -> str:
    value = value.strip()
    if not value:
        raise Bad(f"{column} is empty")
    return value
