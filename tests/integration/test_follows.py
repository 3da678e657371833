"""Follows and their alerts through the real answer path and outbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from knowledge.access import users
from knowledge.answers.dispatch import answer
from knowledge.errors import BeatlineError
from knowledge.follows.following import LAPSE, follow, following, unfollow
from knowledge.follows.outbox import Alert, AlertSender
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from knowledge.store.schema import AuditEntry, FollowAlert
from tests.support.keys import AUDIT_KEY
from tests.support.known_records import fill

FOLLOWER, CHECKER, OTHER = 8001, 8002, 8003


def who(telegram_id: int) -> Caller:
    return Caller(
        actor=f"tg:{telegram_id}", role="officer", telegram_user_id=telegram_id, chat_id=telegram_id
    )


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    fill(db_url)
    database = Database(db_url, audit_key=AUDIT_KEY)
    for telegram_id in (FOLLOWER, CHECKER, OTHER):
        await users.enrol(database, telegram_id, "officer", team="east", name=f"PC {telegram_id}", by="test")
    yield database
    await database.dispose()


async def outbox(db: Database) -> list[FollowAlert]:
    async with db.reads() as session:
        return list(await session.scalars(select(FollowAlert).order_by(FollowAlert.id)))


async def test_every_route_to_a_followed_person_queues_one_alert_each(db: Database) -> None:
    await follow(db, who(FOLLOWER), "PT01")
    for question in ("12 quixtable lane NW1 6XE", "incident INC-2026-990001", "check plate qx12 abc"):
        checker = who(OTHER if "plate" in question else CHECKER)
        assert (await answer(db, checker, question, reason="STOP")).outcome == "answered"
    queued = await outbox(db)
    assert [(a.follower_id, a.checker_id, a.kind, a.record_id) for a in queued] == [
        (FOLLOWER, CHECKER, "person", "PT01"),  # the address where he lives
        (FOLLOWER, OTHER, "person", "PT01"),  # his car; CHECKER's incident look-up was within the minute
    ]
    assert queued[0].checker_name == f"PC {CHECKER}" and queued[0].checker_team == "east"


async def test_a_shortlist_ones_own_check_and_a_lapsed_follow_raise_nothing(db: Database) -> None:
    await follow(db, who(FOLLOWER), "PT01", now=dt.datetime.now(dt.UTC) - LAPSE - dt.timedelta(minutes=1))
    assert (await answer(db, who(CHECKER), "jonathan quixtable", reason="INV")).outcome == "ambiguous"
    lapsed = await answer(db, who(CHECKER), "jonathan quixtable 3/4/85", reason="INV")
    assert lapsed.outcome == "answered"
    # Followed only now: his record lists the car he keeps, so the check above would have shown it.
    await follow(db, who(FOLLOWER), "QX12ABC")
    assert [f.record_id for f in await following(db, who(FOLLOWER))] == ["QX12ABC"]
    await answer(db, who(FOLLOWER), "check plate qx12 abc", reason="INV")  # their own
    assert await outbox(db) == []


async def test_a_revoked_follower_is_no_longer_alerted(db: Database) -> None:
    await follow(db, who(FOLLOWER), "PT01")
    assert await users.revoke(db, FOLLOWER, by="test")
    await users.enrol(db, FOLLOWER, "officer", team="east", by="test")
    await answer(db, who(CHECKER), "jonathan quixtable 3/4/85", reason="INV")
    assert await outbox(db) == [] and await following(db, who(FOLLOWER)) == []


async def test_following_refuses_what_is_not_a_record_and_unfollowing_what_is_not_followed(
    db: Database,
) -> None:
    for wanted in ("NOPE999", "", "x" * 10_000, "<script>"):
        with pytest.raises(BeatlineError, match="There is no person or vehicle"):
            await follow(db, who(FOLLOWER), wanted)
    async with db.reads() as session:
        probes = list(await session.scalars(select(AuditEntry).where(AuditEntry.intent == "follow")))
    assert [e.outcome for e in probes] == ["not_found"] * 4  # a probe for ids is in the log
    assert await unfollow(db, who(FOLLOWER), "PT01") is None
    with pytest.raises(BeatlineError, match="Only a Telegram user"):
        await follow(db, Caller(actor="console:ops", role="admin", channel="cli"), "PT01")


async def test_the_sender_audits_each_alert_before_sending_and_sends_it_once(
    db: Database, db_url: str
) -> None:
    await follow(db, who(FOLLOWER), "PT01")
    await follow(db, who(OTHER), "PT01")
    await answer(db, who(CHECKER), "jonathan quixtable 3/4/85", reason="INTEL")
    seen: list[Alert] = []

    async def send(alert: Alert) -> bool:
        async with db.reads() as session:  # the alert's audit entry is committed before it is sent
            mine = (AuditEntry.intent == "follow_alert", AuditEntry.telegram_user_id == alert.follower_id)
            entries = await session.scalars(select(AuditEntry).where(*mine))
            assert [e.record_ids for e in entries] == ["person:PT01"]
        seen.append(alert)
        if alert.follower_id == OTHER:
            raise OSError("Telegram unreachable")
        return True

    second = Database(db_url, audit_key=AUDIT_KEY)  # another process's sender on the same outbox
    try:
        sent = await asyncio.gather(AlertSender(db, send).send_due(), AlertSender(second, send).send_due())
    finally:
        await second.dispose()
    assert sum(sent) == 1 and sorted(a.follower_id for a in seen) == [FOLLOWER, OTHER]
    assert (
        "Reason: INTEL" in seen[0].text and f"PC {CHECKER} (Telegram id {CHECKER}, team east)" in seen[0].text
    )
    assert sorted(a.status for a in await outbox(db)) == ["failed", "sent"]
    assert await AlertSender(db, send).send_due() == 0  # neither is sent again
