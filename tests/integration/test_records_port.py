"""The records port: answers read only through it, and every failure of it is an audited error.

A third adapter stands in for a force's system here, as the port allows: it is not a mock of our
functions but another implementation of the interface the answers depend on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest

from knowledge.answers.disclosure import RECORDS_DOWN
from knowledge.answers.dispatch import answer, answer_record
from knowledge.answers.nearby import answer_location
from knowledge.errors import RecordsUnavailable
from knowledge.importing.importer import import_rows
from knowledge.records.port import Asking, Records
from knowledge.records.sql_store import SqlRecords, SqlStore
from knowledge.store import audit_export
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from tests.support.keys import AUDIT_KEY
from tests.support.known_records import KNOWN

TODAY = dt.date(2026, 11, 25)
OFFICER = Caller(actor="tg:2001", role="officer", telegram_user_id=2001, chat_id=2001)


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    import_rows(db_url, KNOWN)
    database = Database(db_url, audit_key=AUDIT_KEY)
    yield database
    await database.dispose()


class Recording:
    """The SQL store, noting who asked and why, and failing after `fail_after` reads if set."""

    def __init__(self, db: Database, fail_after: int | None = None) -> None:
        self.store, self.fail_after = SqlStore(db), fail_after
        self.asked: list[Asking] = []

    def view(self, asking: Asking) -> AbstractAsyncContextManager[Records]:
        self.asked.append(asking)
        return self._view(asking)

    @asynccontextmanager
    async def _view(self, asking: Asking) -> AsyncIterator[Records]:
        async with self.store.view(asking) as inner:
            yield _Failing(inner, self.fail_after) if self.fail_after is not None else inner

    async def close(self) -> None:
        await self.store.close()


class _Failing:
    """Reads pass through until the budget is spent, then the records system 'goes down'."""

    def __init__(self, inner: Records, budget: int) -> None:
        self.inner, self.budget = inner, budget

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)

        async def read(*args: Any, **kwargs: Any) -> Any:
            if self.budget <= 0:
                raise RecordsUnavailable("went down mid-answer")
            self.budget -= 1
            return await method(*args, **kwargs)

        return read


async def test_every_question_tells_the_records_system_the_reason_and_the_officer(db: Database) -> None:
    records = Recording(db)
    await answer(db, OFFICER, "check plate qx12 abc", reason="stop", today=TODAY, records=records)
    await answer_record(db, OFFICER, "person", "PT01", detail=False, records=records)
    await answer_location(db, OFFICER, 51.5, -0.1, records=records)
    # The reason given with the question covers its follow-ups, and the records system hears it each time.
    assert records.asked == [Asking("STOP", "2001")] * 3


# Down from the first read, or after the search found someone and before their record is loaded.
@pytest.mark.parametrize(
    ("question", "fail_after"),
    [
        ("jonathan quixtable 3/4/85", 0),
        ("jonathan quixtable 3/4/85", 1),
        ("check plate qx12 abc", 1),
        ("12 quixtable lane nw1 6xe", 1),
        ("incident INC-2026-990001", 0),
    ],
)
async def test_a_records_system_that_fails_is_an_audited_error_and_nothing_shown(
    db: Database, question: str, fail_after: int
) -> None:
    result = await answer(db, OFFICER, question, reason="INV", today=TODAY, records=Recording(db, fail_after))
    assert (result.outcome, result.reply, result.records, result.choices) == ("error", RECORDS_DOWN, (), ())
    [entry] = await audit_export.recent(db, telegram_user_id=2001, limit=1)
    assert (entry.query, entry.outcome, entry.record_ids) == (question, "error", "")


async def test_the_same_answers_come_through_the_port_as_before_it(db: Database) -> None:
    plain = await answer(db, OFFICER, "jonathan quixtable 3/4/85", reason="INV", today=TODAY)
    through = await answer(
        db, OFFICER, "jonathan quixtable 3/4/85", reason="INV", today=TODAY, records=Recording(db)
    )
    assert plain.outcome == "answered" and plain.records[0].id == "PT01"
    assert (through.reply, through.records) == (plain.reply, plain.records)


async def test_the_sql_store_view_is_one_snapshot_of_beatlines_database(db: Database) -> None:
    async with SqlStore(db).view(Asking("", "2001")) as view:
        assert isinstance(view, SqlRecords)
        assert view.session.in_transaction()
        assert await view.person("PT01", incidents=5) is not None
