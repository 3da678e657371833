"""Replies that vanish, on both backends: the ledger, the schedule claimed once across processes,
retries until Telegram's 48 hours, and the wipe.

`delete` is faked here because it is the Telegram boundary; tests/e2e/test_vanishing_bot.py drives the
same engine through the real Application and the fake Bot API server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from knowledge.store.database import Database, utc
from knowledge.store.schema import ChatMessage
from knowledge.vanishing import schedule
from knowledge.vanishing.engine import DeletionEngine
from knowledge.vanishing.ledger import Incoming, Ledger
from knowledge.vanishing.port import Deletion
from knowledge.vanishing.wipe import wipe
from tests.support.keys import AUDIT_KEY

OFFICER, OTHER = 7001, 7002
TTL = dt.timedelta(hours=8)
LEASE = dt.timedelta(seconds=60)


class FakeTelegram:
    """Deletes what it is asked to, counting each call; answers can be scripted per message."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[int, int]] = Counter()
        self.script: dict[int, list[Deletion]] = {}

    async def delete(self, chat_id: int, message_id: int) -> Deletion:
        self.calls[(chat_id, message_id)] += 1
        await asyncio.sleep(0)  # let another worker run in between, as the network would
        answers = self.script.get(message_id)
        return answers.pop(0) if answers else Deletion.DELETED


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url, audit_key=AUDIT_KEY)
    yield database
    await database.dispose()


def question(message_id: int, chat_id: int = OFFICER, *, from_bot: bool = False) -> Incoming:
    return Incoming(chat_id, message_id, from_bot=from_bot, sent_at=dt.datetime.now(dt.UTC))


async def rows(db: Database) -> dict[tuple[int, int], ChatMessage]:
    async with db.reads() as session:
        return {(r.chat_id, r.message_id): r for r in await session.scalars(select(ChatMessage))}


async def test_a_record_reply_and_its_question_are_scheduled_and_other_messages_kept(db: Database) -> None:
    ledger = Ledger(db, TTL)
    at = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    await ledger.record(OFFICER, 2, shows_records=True, incoming=question(1), at=at)
    await ledger.record(OFFICER, 4, shows_records=False, incoming=question(3), at=at)
    await ledger.record(OTHER, 9, shows_records=True, incoming=question(1), at=at)  # an alert elsewhere
    found = await rows(db)
    assert {k: (r.status, r.from_bot) for k, r in found.items()} == {
        (OFFICER, 1): ("scheduled", False),
        (OFFICER, 2): ("scheduled", True),
        (OFFICER, 3): ("kept", False),
        (OFFICER, 4): ("kept", True),
        (OTHER, 9): ("scheduled", True),
    }
    assert utc(found[(OFFICER, 1)].delete_at or at) == utc(found[(OFFICER, 2)].delete_at or at) == at + TTL


async def test_a_button_that_shows_a_record_schedules_its_prompt_and_the_question_behind_it(
    db: Database,
) -> None:
    ledger = Ledger(db, TTL)
    await ledger.record(OFFICER, 11, shows_records=False, incoming=question(10))  # "why are you checking?"
    await ledger.record(OFFICER, 12, shows_records=True, incoming=question(11, from_bot=True))  # tapped
    statuses = {k[1]: r.status for k, r in (await rows(db)).items()}
    assert statuses == {10: "scheduled", 11: "scheduled", 12: "scheduled"}


async def test_a_message_to_keep_is_listed_but_not_scheduled(db: Database) -> None:
    await Ledger(db, TTL).record(OFFICER, 2, shows_records=True, incoming=None, keep=True)  # a briefing
    [row] = (await rows(db)).values()
    assert (row.status, row.shows_records, row.delete_at) == ("kept", True, None)


async def test_no_ttl_keeps_every_message_but_lists_it(db: Database) -> None:
    await Ledger(db, None).record(OFFICER, 2, shows_records=True, incoming=question(1))
    assert {r.status for r in (await rows(db)).values()} == {"kept"}


async def _make_due(db: Database, count: int) -> None:
    ledger = Ledger(db, dt.timedelta(0))
    for message_id in range(1, count + 1):
        await ledger.record(OFFICER + message_id % 3, message_id, shows_records=True, incoming=None)


async def test_two_processes_delete_each_due_message_exactly_once(db_url: str, db: Database) -> None:
    await _make_due(db, 60)
    telegram = FakeTelegram()
    other = Database(db_url, audit_key=AUDIT_KEY)  # a second process: its own engine and pool
    try:
        engines = [DeletionEngine(db, telegram.delete), DeletionEngine(other, telegram.delete)]
        for engine in engines:
            engine.start()
        for _ in range(200):
            if len(telegram.calls) == 60:
                break
            await asyncio.sleep(0.05)
        for engine in engines:
            await engine.stop()
    finally:
        await other.dispose()
    assert len(telegram.calls) == 60 and set(telegram.calls.values()) == {1}
    assert {r.status for r in (await rows(db)).values()} == {"deleted"}


async def test_concurrent_claims_never_share_a_message(db_url: str, db: Database) -> None:
    await _make_due(db, 40)
    other = Database(db_url, audit_key=AUDIT_KEY)
    try:
        batches = await asyncio.gather(*(
            schedule.claim_due(database, f"worker {n}", LEASE, limit=7)
            for n, database in enumerate([db, other] * 4)
        ))  # fmt: skip
    finally:
        await other.dispose()
    taken = [c.id for batch in batches for c in batch]
    assert len(taken) == len(set(taken)) and len(taken) >= 7


async def test_a_lapsed_claim_is_taken_over_and_a_live_one_is_not(db: Database) -> None:
    await _make_due(db, 1)
    at = dt.datetime.now(dt.UTC)
    assert len(await schedule.claim_due(db, "crashed", LEASE, at=at)) == 1
    assert await schedule.claim_due(db, "alive", LEASE, at=at + LEASE / 2) == []
    [taken] = await schedule.claim_due(db, "alive", LEASE, at=at + LEASE * 2)
    await schedule.settle(db, taken, Deletion.DELETED, "crashed")  # the crashed worker's late word: ignored
    assert (await rows(db))[(taken.chat_id, taken.message_id)].status == "deleting"
    await schedule.settle(db, taken, Deletion.GONE, "alive")  # "message to delete not found": done
    assert (await rows(db))[(taken.chat_id, taken.message_id)].status == "deleted"


async def test_a_failed_deletion_is_retried_with_back_off_until_the_48_hours_then_logged(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    sent = dt.datetime.now(dt.UTC) - dt.timedelta(hours=8)
    await Ledger(db, dt.timedelta(0)).record(OFFICER, 5, shows_records=True, incoming=None, at=sent)
    waits, at = [], sent
    while True:
        claimed = await schedule.claim_due(db, "w", LEASE, at=at)
        if not claimed:
            break
        await schedule.settle(db, claimed[0], Deletion.FAILED, "w", at=at)
        row = (await rows(db))[(OFFICER, 5)]
        if row.delete_at is None:
            break
        waits.append(utc(row.delete_at) - at)
        at = utc(row.delete_at)
    assert waits[:3] == [dt.timedelta(seconds=15), dt.timedelta(seconds=30), dt.timedelta(seconds=60)]
    assert max(waits) == dt.timedelta(hours=1)
    row = (await rows(db))[(OFFICER, 5)]
    assert row.status == "failed" and at < sent + dt.timedelta(hours=48)
    assert "gave up deleting message 5 in chat 7001" in caplog.text and "48 hours" in caplog.text


async def test_a_refusal_is_given_up_at_once(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    await _make_due(db, 1)
    [claimed] = await schedule.claim_due(db, "w", LEASE)
    with caplog.at_level(logging.WARNING):
        await schedule.settle(db, claimed, Deletion.REFUSED, "w")
    assert (await rows(db))[(claimed.chat_id, claimed.message_id)].status == "failed"
    assert "Telegram refused" in caplog.text


async def test_a_wipe_deletes_what_is_still_deletable_in_that_chat_only(db: Database) -> None:
    ledger, now = Ledger(db, TTL), dt.datetime.now(dt.UTC)
    await ledger.record(OFFICER, 2, shows_records=True, incoming=question(1))
    await ledger.record(OFFICER, 3, shows_records=False, incoming=None)
    await ledger.record(OFFICER, 4, shows_records=False, incoming=None, at=now - dt.timedelta(hours=49))
    await ledger.record(OTHER, 2, shows_records=True, incoming=None)
    telegram = FakeTelegram()
    telegram.script[3] = [Deletion.GONE]  # the officer had deleted it already: not counted
    wiped = await wipe(db, OFFICER, telegram.delete)
    assert wiped.count == 2 and not wiped.later
    assert wiped.sentence() == "2 messages deleted from their Beatline chat."
    assert set(telegram.calls) == {(OFFICER, 1), (OFFICER, 2), (OFFICER, 3)}
    assert (await wipe(db, OFFICER, telegram.delete)).count == 0  # nothing twice


async def test_a_wipe_with_no_way_to_telegram_leaves_it_to_the_running_bot(db: Database) -> None:
    ledger = Ledger(db, TTL)
    await ledger.record(OFFICER, 2, shows_records=True, incoming=question(1))
    await ledger.record(OFFICER, 3, shows_records=False, incoming=None)
    wiped = await wipe(db, OFFICER, None)
    assert (wiped.count, wiped.later) == (3, True)
    assert wiped.sentence() == "3 messages will be deleted by the running bot."
    telegram = FakeTelegram()
    assert await DeletionEngine(db, telegram.delete).run_due() == 3
    assert set(telegram.calls) == {(OFFICER, 1), (OFFICER, 2), (OFFICER, 3)}


async def test_rows_past_the_limit_are_pruned(db: Database) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=50)
    await Ledger(db, TTL).record(OFFICER, 1, shows_records=False, incoming=None, at=old)
    await Ledger(db, TTL).record(OFFICER, 2, shows_records=False, incoming=None)
    await schedule.prune(db)
    assert list(await rows(db)) == [(OFFICER, 2)]
