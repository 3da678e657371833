"""The shift unlock on SQLite and PostgreSQL, with the clock set at every boundary.

Codes are made with pyotp for a fixed moment, from the secret the officer's app would scan; two
Database objects on one database stand for two bot processes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pyotp
import pytest
from sqlalchemy import select

from knowledge.access import authenticator, step_up, users
from knowledge.access.step_up import Attempt, Policy
from knowledge.store.audit import Caller
from knowledge.store.audit_key import AuditKey
from knowledge.store.database import Database
from knowledge.store.schema import AuditEntry, StepUp
from knowledge.store.vocabulary import Outcome, ShiftIntent
from tests.support.keys import AUDIT_KEY

OFFICER, OTHER, ADMIN = 5001, 5002, 5003
T0 = dt.datetime(2026, 12, 1, 8, 0, 0, tzinfo=dt.UTC)  # the start of a 30-second time-step
POLICY = Policy(on=True)
BY = Caller(actor="console:admin", role="admin", channel="cli")


def caller(telegram_id: int = OFFICER) -> Caller:
    return Caller(
        actor=f"tg:{telegram_id}", role="officer", telegram_user_id=telegram_id, chat_id=telegram_id
    )


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url, audit_key=AUDIT_KEY)
    await users.enrol(database, ADMIN, "admin", by="test")
    for telegram_id in (OFFICER, OTHER):
        await users.enrol(database, telegram_id, "officer", name=f"PC {telegram_id}", by="test")
    yield database
    await database.dispose()


async def issue(db: Database, telegram_id: int = OFFICER) -> pyotp.TOTP:
    """Issue a secret and return the officer's authenticator, as scanning the QR code makes it."""
    uri = (await authenticator.issue(db, telegram_id, by=BY)).uri
    assert uri.startswith("otpauth://totp/") and uri.endswith("&issuer=Beatline")
    otp = pyotp.parse_uri(uri)
    assert isinstance(otp, pyotp.TOTP)
    return otp


async def admitted(db: Database, at: dt.datetime, telegram_id: int = OFFICER) -> bool:
    async with db.sessions() as session, session.begin():
        return await step_up.admit(session, caller(telegram_id), POLICY, now=at)


async def entries(db: Database, intent: str) -> list[AuditEntry]:
    async with db.reads() as session:
        return list(
            await session.scalars(
                select(AuditEntry).where(AuditEntry.intent == intent).order_by(AuditEntry.id)
            )
        )


async def attempt(db: Database, code: str, at: dt.datetime, telegram_id: int = OFFICER) -> Attempt:
    return (await step_up.unlock(db, caller(telegram_id), code, POLICY, now=at)).attempt


async def test_nobody_is_unlocked_before_a_right_code(db: Database) -> None:
    assert not await admitted(db, T0)
    assert await attempt(db, "123456", T0) is Attempt.NO_SECRET
    otp = await issue(db)
    assert not await admitted(db, T0)
    tried = await step_up.unlock(db, caller(), otp.at(T0), POLICY, now=T0)
    assert tried.attempt is Attempt.UNLOCKED and tried.until == T0 + dt.timedelta(hours=12)
    assert await admitted(db, T0 + dt.timedelta(seconds=1))
    assert not await admitted(db, T0, telegram_id=OTHER)  # one officer's unlock is theirs alone


async def test_the_unlock_ends_after_its_hours_even_when_active(db: Database) -> None:
    otp = await issue(db)
    assert await attempt(db, otp.at(T0), T0) is Attempt.UNLOCKED
    at = T0
    while at < T0 + dt.timedelta(hours=12) - dt.timedelta(minutes=20):
        at += dt.timedelta(minutes=20)
        assert await admitted(db, at), at
    assert await admitted(db, T0 + dt.timedelta(hours=12) - dt.timedelta(seconds=1))
    assert not await admitted(db, T0 + dt.timedelta(hours=12))
    [ended] = await entries(db, ShiftIntent.LOCK)
    assert ended.outcome == Outcome.LOCKED and "ran out" in ended.query


async def test_idle_for_exactly_the_idle_time_locks_and_is_audited_once(db: Database) -> None:
    otp = await issue(db)
    assert await attempt(db, otp.at(T0), T0) is Attempt.UNLOCKED
    last = T0 + dt.timedelta(seconds=1799)
    assert await admitted(db, last)  # 1799 s of silence: still unlocked, and the clock restarts
    assert await admitted(db, last + dt.timedelta(seconds=1799))
    last += dt.timedelta(seconds=1799)
    assert not await admitted(db, last + dt.timedelta(seconds=1800))
    assert not await admitted(db, last + dt.timedelta(seconds=1801))
    [ended] = await entries(db, ShiftIntent.LOCK)
    assert ended.outcome == Outcome.LOCKED and "idle 1800 s" in ended.query


async def test_a_code_works_once_and_steps_behind_it_never(db: Database) -> None:
    otp = await issue(db)
    assert await attempt(db, otp.at(T0), T0) is Attempt.UNLOCKED
    assert await attempt(db, otp.at(T0), T0 + dt.timedelta(seconds=5)) is Attempt.REPLAYED
    assert await attempt(db, otp.at(T0 - dt.timedelta(seconds=30)), T0) is Attempt.EXPIRED
    assert await attempt(db, otp.at(T0 + dt.timedelta(seconds=30)), T0 + dt.timedelta(seconds=30)) is (
        Attempt.UNLOCKED
    )
    refused = [e.outcome for e in await entries(db, ShiftIntent.UNLOCK)]
    assert refused == [Outcome.ANSWERED, Outcome.DENIED, Outcome.DENIED, Outcome.ANSWERED]


@pytest.mark.parametrize(
    ("made", "sent", "attempt_is"),
    [
        (0, 0, Attempt.UNLOCKED),
        (0, 29, Attempt.UNLOCKED),  # the last second of its own step
        (0, 30, Attempt.EXPIRED),  # the previous window's code: refused, with a sentence
        (0, 59, Attempt.EXPIRED),
        (0, 300, Attempt.EXPIRED),  # ten steps late: still recognised, so told "expired"
        (0, 330, Attempt.WRONG),  # eleven: just a wrong code
        (30, 0, Attempt.WRONG),  # the next window's: a wrong code now
        (29, 0, Attempt.UNLOCKED),
    ],
)
async def test_time_step_boundaries(db: Database, made: int, sent: int, attempt_is: Attempt) -> None:
    otp = await issue(db)
    code = otp.at(T0 + dt.timedelta(seconds=made))
    assert await attempt(db, code, T0 + dt.timedelta(seconds=sent)) is attempt_is


async def test_five_wrong_codes_within_15_minutes_lock_out_until_released(db: Database) -> None:
    otp = await issue(db)
    minute = dt.timedelta(minutes=1)
    tries = [await step_up.unlock(db, caller(), "000000", POLICY, now=T0 + n * minute) for n in range(4)]
    assert [t.tries_left for t in tries] == [4, 3, 2, 1]
    last = T0 + 15 * minute - dt.timedelta(seconds=1)  # the first is still within the 15 minutes
    assert await attempt(db, "000000", last) is Attempt.LOCKED_OUT
    right = T0 + 16 * minute
    assert await attempt(db, otp.at(right), right) is Attempt.STILL_LOCKED_OUT
    assert not await admitted(db, right)
    [lockout] = await entries(db, ShiftIntent.LOCKOUT)
    assert lockout.outcome == Outcome.LOCKED and lockout.telegram_user_id == OFFICER
    assert await step_up.release(db, OFFICER, by=BY)
    assert not await step_up.release(db, OFFICER, by=BY)  # released once
    [released] = await entries(db, ShiftIntent.RELEASE)
    assert released.record_ids == f"user:{OFFICER}"
    assert await attempt(db, otp.at(right), right) is Attempt.UNLOCKED
    assert await admitted(db, right)


async def test_a_wrong_code_exactly_15_minutes_old_no_longer_counts(db: Database) -> None:
    await issue(db)
    minute = dt.timedelta(minutes=1)
    for n in range(4):
        assert await attempt(db, "000000", T0 + n * minute) is Attempt.WRONG
    tried = await step_up.unlock(db, caller(), "000000", POLICY, now=T0 + 15 * minute)
    assert tried.attempt is Attempt.WRONG and tried.tries_left == 1
    assert await entries(db, ShiftIntent.LOCKOUT) == []


async def test_a_lock_out_ends_an_unlock_and_lock_ends_it_now(db: Database) -> None:
    otp = await issue(db)
    assert await attempt(db, otp.at(T0), T0) is Attempt.UNLOCKED
    assert await step_up.lock(db, caller(), now=T0 + dt.timedelta(seconds=10))
    assert not await admitted(db, T0 + dt.timedelta(seconds=11))
    assert not await step_up.lock(db, caller(), now=T0 + dt.timedelta(seconds=12))
    assert [e.outcome for e in await entries(db, ShiftIntent.LOCK)] == [Outcome.LOCKED] * 2
    later = T0 + dt.timedelta(seconds=60)
    assert await attempt(db, otp.at(later), later) is Attempt.UNLOCKED
    for n in range(5):
        await attempt(db, "000000", later + dt.timedelta(seconds=n))
    assert not await admitted(db, later + dt.timedelta(seconds=10))


async def test_two_processes_share_the_unlock_the_replay_guard_and_the_failures(
    db_url: str, db: Database
) -> None:
    other = Database(db_url, audit_key=AUDIT_KEY)
    try:
        otp = await issue(db)
        # The same code sent to both processes at once, several times over: exactly one acceptance.
        for step in range(-6, 1):
            at = T0 + dt.timedelta(seconds=30 * step)
            code = otp.at(at)
            results = await asyncio.gather(*(attempt(p, code, at) for p in [db, other] * 3))
            assert sorted(results) == sorted([Attempt.UNLOCKED] + [Attempt.REPLAYED] * 5), step
        assert await admitted(other, T0 + dt.timedelta(seconds=1))
        assert await admitted(db, T0 + dt.timedelta(seconds=2))
        assert await step_up.lock(db, caller(), now=T0 + dt.timedelta(seconds=3))
        assert not await admitted(other, T0 + dt.timedelta(seconds=4))
        # Wrong codes add up across processes: three in one, two in the other.
        await issue(db, OTHER)
        results = [
            await attempt(process, "000000", T0 + dt.timedelta(seconds=20 + n), OTHER)
            for n, process in enumerate([db, other, db, other, db])
        ]
        assert results == [Attempt.WRONG] * 4 + [Attempt.LOCKED_OUT]
    finally:
        await other.dispose()


async def test_an_idle_end_noticed_by_two_processes_is_audited_once(db_url: str, db: Database) -> None:
    other = Database(db_url, audit_key=AUDIT_KEY)
    try:
        otp = await issue(db)
        assert await attempt(db, otp.at(T0), T0) is Attempt.UNLOCKED
        late = T0 + dt.timedelta(hours=1)
        assert await asyncio.gather(admitted(db, late), admitted(other, late)) == [False, False]
        assert len(await entries(db, ShiftIntent.LOCK)) == 1
    finally:
        await other.dispose()


async def test_a_code_sent_in_a_group_is_spent_without_unlocking(db: Database) -> None:
    otp = await issue(db)
    spent = await step_up.unlock(db, caller(), otp.at(T0), POLICY, grant=False, now=T0)
    assert spent.attempt is Attempt.USED_UP
    assert not await admitted(db, T0)
    assert await attempt(db, otp.at(T0), T0 + dt.timedelta(seconds=1)) is Attempt.REPLAYED


async def test_a_new_secret_replaces_the_old_and_ends_the_unlock(db: Database) -> None:
    old = await issue(db)
    assert await attempt(db, old.at(T0), T0) is Attempt.UNLOCKED
    new = await issue(db)
    assert new.secret != old.secret
    assert not await admitted(db, T0 + dt.timedelta(seconds=1))
    later = T0 + dt.timedelta(seconds=30)
    if old.at(later) != new.at(later):  # one in a million they agree
        assert await attempt(db, old.at(later), later) is Attempt.WRONG
    assert await attempt(db, new.at(later), later) is Attempt.UNLOCKED
    issued = await entries(db, ShiftIntent.TOTP)
    assert [e.outcome for e in issued] == [Outcome.CREATED] * 2 and "replacing" in issued[1].query


async def test_revoking_ends_the_unlock_and_discards_the_secret(db: Database) -> None:
    otp = await issue(db)
    assert await attempt(db, otp.at(T0), T0) is Attempt.UNLOCKED
    assert await users.revoke(db, OFFICER, by="test")
    await users.enrol(db, OFFICER, "officer", by="test")  # enrolled again: a new phone needs a new secret
    assert not await admitted(db, T0 + dt.timedelta(seconds=1))
    later = T0 + dt.timedelta(seconds=30)
    assert await attempt(db, otp.at(later), later) is Attempt.NO_SECRET
    async with db.reads() as session:
        revoked = await session.scalar(select(AuditEntry.query).where(AuditEntry.intent == "user_revoke"))
    assert revoked is not None and "unlock ended" in revoked


async def test_the_secret_is_sealed_and_bound_to_its_user(db: Database) -> None:
    otp = await issue(db)
    await issue(db, OTHER)
    async with db.sessions() as session, session.begin():
        mine = await session.get(StepUp, OFFICER)
        theirs = await session.get(StepUp, OTHER)
        assert mine is not None and theirs is not None and mine.secret and theirs.secret
        assert otp.secret.encode() not in mine.secret
        assert authenticator.open_secret(AUDIT_KEY, OFFICER, mine.secret) == otp.secret
        assert authenticator.open_secret(AuditKey.generate(), OFFICER, mine.secret) is None
        theirs.secret = mine.secret  # an insider copies one user's sealed secret onto another's row
    assert await attempt(db, otp.at(T0), T0, telegram_id=OTHER) is Attempt.NO_SECRET
    async with db.reads() as session:
        logged = " ".join(await session.scalars(select(AuditEntry.query)))
    assert otp.secret not in logged and otp.secret.lower() not in logged


async def test_only_an_active_user_is_issued_a_secret(db: Database) -> None:
    with pytest.raises(Exception, match="is not an active user"):
        await authenticator.issue(db, 4242, by=BY)
    assert await entries(db, ShiftIntent.TOTP) == []


async def test_the_console_sees_the_second_factor_but_never_the_secret(db: Database) -> None:
    async with db.reads() as session:
        assert (await step_up.second_factor_status(session, OFFICER, POLICY, now=T0)).issued_at is None
    otp = await issue(db)
    await attempt(db, otp.at(T0), T0)
    async with db.reads() as session:
        status = await step_up.second_factor_status(session, OFFICER, POLICY, now=T0)
        assert status.issued_at is not None and status.issued_by == BY.actor
        assert status.unlocked_until == T0 + dt.timedelta(hours=12) and status.locked_out_at is None
        idle = await step_up.second_factor_status(session, OFFICER, POLICY, now=T0 + dt.timedelta(hours=1))
        assert idle.unlocked_until is None
    assert otp.secret not in repr(status)
