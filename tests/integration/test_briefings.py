"""Briefings on both backends: the team rule, one copy per officer, acknowledgements, reminders, resuming.

`send` is faked here because it is the Telegram boundary; tests/e2e/test_briefing_bot.py drives the
same engine through the real Application and a fake Bot API server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import delete, select, update

from knowledge.access.users import Enrolment, active_user, enrol, revoke
from knowledge.briefings import acknowledgements, claims, copies, drafts
from knowledge.briefings.engine import DeliveryEngine
from knowledge.briefings.pacing import Pacer
from knowledge.briefings.port import Outgoing, Progress, SendResult
from knowledge.briefings.run import BACKOFF
from knowledge.errors import BeatlineError, NotAllowed
from knowledge.store.database import Database
from knowledge.store.schema import AuditEntry, AuditHead, Briefing, BriefingDelivery, User
from tests.support.keys import AUDIT_KEY, init_db
from tests.support.postgres import fresh_postgres

SERGEANT, ADMIN, LONER = 10, 11, 12
TEAM_A, TEAM_B = [21, 22, 23], [31, 32]


class FakeTelegram:
    """Records every copy handed over; answers can be scripted per recipient.

    `flood` is Telegram's flood control scaled down: at most `flood[0]` copies are taken in any
    `flood[1]` seconds, and the rest are refused with Retry-After `flood[1]`.
    """

    def __init__(self, *, flood: tuple[int, float] | None = None) -> None:
        self.sent: list[Outgoing] = []
        self.times: list[float] = []  # when each copy, refused or not, was handed over
        self.tries: defaultdict[int, list[float]] = defaultdict(list)  # the same, per recipient
        self.script: dict[int, list[SendResult]] = {}
        self.gate: asyncio.Event | None = None  # when set up, every send waits for it
        self.answer_gate: asyncio.Event | None = None  # when set up, copies are taken, then answered late
        self.started = asyncio.Event()
        self.flood, self.taken = flood, deque[float]()

    async def send(self, outgoing: Outgoing) -> SendResult:
        self.started.set()
        self.times.append(time.monotonic())
        self.tries[outgoing.telegram_id].append(self.times[-1])
        if self.gate is not None:
            await self.gate.wait()
        if answers := self.script.get(outgoing.telegram_id):
            answer = answers.pop(0)
            if answer.outcome != "sent":
                return answer
        if self.flood is not None:
            limit, window = self.flood
            while self.taken and self.taken[0] <= time.monotonic() - window:
                self.taken.popleft()
            if len(self.taken) >= limit:
                return SendResult.retry(window)
            self.taken.append(time.monotonic())
        self.sent.append(outgoing)
        if self.answer_gate is not None:
            await self.answer_gate.wait()
        return SendResult.sent(len(self.sent))

    def copies(self) -> Counter[int]:
        return Counter(o.telegram_id for o in self.sent)


def fast_pacer() -> Pacer:
    return Pacer(rate=1000, per_chat=0)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database per backend for the module: creating one per test costs seconds on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('briefings') / 'beatline.db'}"
        init_db(url)
        yield url
        return
    for url in fresh_postgres(request.getfixturevalue("postgres_admin_url")):
        init_db(url)
        yield url


@pytest.fixture
async def db(shared_url: str) -> AsyncIterator[Database]:
    database = Database(shared_url, audit_key=AUDIT_KEY)
    async with database.sessions() as session, session.begin():
        for table in (BriefingDelivery, Briefing, AuditEntry, User):
            await session.execute(delete(table))
        await session.execute(update(AuditHead).values(seq=0, last_hash="0" * 64))
    for tid, role, team in [(SERGEANT, "sergeant", "A"), (ADMIN, "admin", ""), (LONER, "sergeant", "")]:
        await enrol(database, tid, role, team=team, name=f"User {tid}", by="test")
    for team, ids in (("A", TEAM_A), ("B", TEAM_B)):
        for tid in ids:
            await enrol(database, tid, "officer", team=team, name=f"Officer {tid}", by="test")
    yield database
    await database.dispose()


async def who(db: Database, tid: int) -> Enrolment:
    async with db.sessions() as session:
        found = await active_user(session, tid)
    assert found is not None
    return found


async def brief(db: Database, sender: int, text: str = "Red Focus AB12CDE, Mill Lane", **kw: object) -> int:
    view, _reach = await drafts.create_draft(db, await who(db, sender), text, **kw)  # type: ignore[arg-type]
    assert await drafts.confirm(db, view.id, sender, progress_chat_id=sender, progress_message_id=1)
    return view.id


async def statuses(db: Database, briefing_id: int) -> dict[int, str]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(BriefingDelivery.telegram_id, BriefingDelivery.status).where(
                BriefingDelivery.briefing_id == briefing_id
            )
        )
        return dict(rows.all())


async def briefing_entries(db: Database) -> list[AuditEntry]:
    async with db.reads() as session:
        return list(
            await session.scalars(
                select(AuditEntry).where(AuditEntry.channel == "briefing").order_by(AuditEntry.id)
            )
        )


async def test_a_sergeants_briefing_reaches_their_team_only_once_each_and_is_audited(db: Database) -> None:
    fake = FakeTelegram()
    await revoke(db, 23, by="test")
    briefing_id = await brief(db, SERGEANT)
    engine = DeliveryEngine(db, fake.send, pacer=fast_pacer())
    assert await engine.run_due() == 1
    assert await engine.run_due() == 0  # nothing left to claim
    assert fake.copies() == Counter({21: 1, 22: 1})
    entries = await briefing_entries(db)  # each copy's intent, written before it went
    assert sorted((e.chat_id, e.outcome) for e in entries) == [(21, "sending"), (22, "sending")]
    assert {(e.actor, e.record_ids) for e in entries} == {(f"tg:{SERGEANT}", f"briefing:{briefing_id}")}
    [view] = await drafts.recent(db, await who(db, SERGEANT))
    assert (view.status, view.acked, view.recipients) == ("sent", 0, 2)


async def test_the_team_rule_gives_a_clear_answer(db: Database) -> None:
    sergeant, loner, admin = await who(db, SERGEANT), await who(db, LONER), await who(db, ADMIN)
    with pytest.raises(NotAllowed, match="own team"):
        await drafts.create_draft(db, sergeant, "hello", team="B")
    with pytest.raises(BeatlineError, match="not in a team"):
        await drafts.create_draft(db, loner, "hello")
    with pytest.raises(BeatlineError, match="Choose a team"):
        await drafts.create_draft(db, admin, "hello")
    with pytest.raises(BeatlineError, match="Team C has no other active members"):
        await drafts.create_draft(db, admin, "hello", team="C")
    _, reach = await drafts.create_draft(db, admin, "hello", team=drafts.ALL_TEAMS)
    assert reach == 7  # everyone active but the admin


async def test_send_pressed_twice_and_two_workers_send_one_copy_each(shared_url: str, db: Database) -> None:
    view, _ = await drafts.create_draft(db, await who(db, ADMIN), "all hands", team=drafts.ALL_TEAMS)
    assert await drafts.confirm(db, view.id, ADMIN, progress_chat_id=ADMIN, progress_message_id=1)
    assert await drafts.confirm(db, view.id, ADMIN, progress_chat_id=ADMIN, progress_message_id=1) is None
    # A second process has its own engine.
    fake, other_db = FakeTelegram(), Database(shared_url, audit_key=AUDIT_KEY)
    try:
        engines = [DeliveryEngine(d, fake.send, pacer=fast_pacer()) for d in (db, other_db)]
        claimed = await asyncio.gather(*(e.run_due() for e in engines))
    finally:
        await other_db.dispose()
    assert sorted(claimed) == [0, 1]
    assert fake.copies() == Counter(dict.fromkeys([SERGEANT, LONER, *TEAM_A, *TEAM_B], 1))


async def test_acknowledgements_count_once_and_only_for_ones_own_copy(db: Database) -> None:
    briefing_id = await brief(db, SERGEANT)
    await DeliveryEngine(db, FakeTelegram().send, pacer=fast_pacer()).run_due()
    first = await acknowledgements.acknowledge(db, briefing_id, 21)
    again = await acknowledgements.acknowledge(db, briefing_id, 21)
    assert first.first and not again.first and again.acked_at == first.acked_at
    with pytest.raises(NotAllowed, match="not sent to you"):
        await acknowledgements.acknowledge(db, briefing_id, 31)
    sergeant = await who(db, SERGEANT)
    view = await drafts.get(db, briefing_id, sergeant)
    assert (view.acked, view.recipients) == (1, 3)
    assert [r.telegram_id for r in await acknowledgements.outstanding(db, briefing_id, sergeant)] == [22, 23]
    with pytest.raises(NotAllowed):
        await acknowledgements.outstanding(db, briefing_id, await who(db, 31))
    for viewer, wanted in ((await who(db, 31), briefing_id), (sergeant, briefing_id + 1000)):
        with pytest.raises(NotAllowed):
            await drafts.get(db, wanted, viewer)  # someone else's, or none at all


async def test_a_reminder_reaches_only_the_outstanding(db: Database) -> None:
    fake = FakeTelegram()
    fake.script[23] = [SendResult.blocked()]
    briefing_id = await brief(db, SERGEANT)
    engine = DeliveryEngine(db, fake.send, pacer=fast_pacer())
    await engine.run_due()
    assert (await statuses(db, briefing_id))[23] == "blocked"
    await acknowledgements.acknowledge(db, briefing_id, 21)
    sergeant = await who(db, SERGEANT)
    queued = await acknowledgements.remind(
        db, briefing_id, sergeant, progress_chat_id=10, progress_message_id=2
    )
    assert queued == 2
    await engine.run_due()
    reminders = [(o.telegram_id, o.reminder) for o in fake.sent[2:]]
    assert reminders == [(22, True), (23, False)]  # 23 never had a copy: theirs is the first
    await acknowledgements.acknowledge(db, briefing_id, 22)
    await acknowledgements.acknowledge(db, briefing_id, 23)
    with pytest.raises(BeatlineError, match="nobody to remind"):
        await acknowledgements.remind(db, briefing_id, sergeant, progress_chat_id=10, progress_message_id=3)


async def test_a_429_pauses_everyone_then_retries_that_officer(db: Database) -> None:
    fake = FakeTelegram()
    fake.script[22] = [SendResult.retry(0.2)]
    progress: list[Progress] = []

    async def on_progress(p: Progress) -> None:
        progress.append(p)

    briefing_id = await brief(db, SERGEANT)
    await DeliveryEngine(db, fake.send, on_progress, pacer=fast_pacer(), concurrency=1).run_due()
    assert fake.copies() == Counter({21: 1, 22: 1, 23: 1})
    refused_at, next_at = fake.times[1:3]
    assert next_at - refused_at >= 0.2  # nobody was sent to during the pause
    assert set((await statuses(db, briefing_id)).values()) == {"sent"}
    assert progress[-1].finished and progress[-1].tally.sent == 3 and progress[-1].chat_id == SERGEANT


async def test_a_crash_part_way_resumes_the_rest_without_repeats(db: Database) -> None:
    briefing_id = await brief(db, SERGEANT)
    # A worker that died: it sent to 21, had handed 22 to Telegram, and never heard back.
    [claim], _ = await claims.claim_due(db, "dead", dt.timedelta(seconds=-1))
    assert await copies.claim_copies(db, claim, [21, 22]) == [21, 22]
    await copies.record_outcomes(db, claim, [copies.Outcome(21, "sent", 7)])
    fake = FakeTelegram()
    assert await DeliveryEngine(db, fake.send, pacer=fast_pacer()).run_due() == 1
    assert fake.copies() == Counter({23: 1})  # at most once: 22 might have it already
    assert await statuses(db, briefing_id) == {21: "sent", 22: "failed", 23: "sent"}
    # 22 may hold a copy: its intent was logged before it went, and the takeover settled it.
    outcomes = [(e.chat_id, e.outcome) for e in await briefing_entries(db)]
    assert [o for tid, o in outcomes if tid == 22] == ["sending", "unconfirmed"]
    sergeant = await who(db, SERGEANT)
    assert 22 in [r.telegram_id for r in await acknowledgements.outstanding(db, briefing_id, sergeant)]


async def test_a_clean_stop_hands_back_and_a_new_worker_finishes(db: Database) -> None:
    briefing_id = await brief(db, SERGEANT)
    fake = FakeTelegram()
    fake.gate = asyncio.Event()
    first = DeliveryEngine(db, fake.send, pacer=fast_pacer(), concurrency=1)
    first.start()
    await fake.started.wait()
    fake.gate.set()  # the copy in flight completes during the stop
    await first.stop()
    await DeliveryEngine(db, fake.send, pacer=fast_pacer()).run_due()
    assert fake.copies() == Counter({21: 1, 22: 1, 23: 1})
    assert set((await statuses(db, briefing_id)).values()) == {"sent"}


async def test_scheduled_briefings_wait_and_revocations_bite_at_send_time(db: Database) -> None:
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(milliseconds=300)
    briefing_id = await brief(db, SERGEANT, send_at=soon)
    fake = FakeTelegram()
    engine = DeliveryEngine(db, fake.send, pacer=fast_pacer())
    assert await engine.run_due() == 0
    await revoke(db, 22, by="test")
    await asyncio.sleep(0.4)
    assert await engine.run_due() == 1
    assert fake.copies() == Counter({21: 1, 23: 1})
    # A revoked sergeant's scheduled briefing does not go out.
    later = await brief(db, SERGEANT, send_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    await revoke(db, SERGEANT, by="test")
    assert await engine.run_due() == 0
    assert later != briefing_id and await statuses(db, later) == {}


async def test_under_flood_control_every_copy_is_sent_and_the_progress_matches_the_rows(db: Database) -> None:
    for tid in range(40, 52):
        await enrol(db, tid, "officer", team="A", name=f"Officer {tid}", by="test")
    fake = FakeTelegram(flood=(2, 0.2))  # 10 a second, while the pacer aims for 20
    progress: list[Progress] = []

    async def on_progress(p: Progress) -> None:
        progress.append(p)

    briefing_id = await brief(db, SERGEANT)
    await DeliveryEngine(db, fake.send, on_progress, pacer=Pacer(rate=20, per_chat=0)).run_due()
    assert set((await statuses(db, briefing_id)).values()) == {"sent"}
    assert fake.copies() == Counter(dict.fromkeys([*TEAM_A, *range(40, 52)], 1))
    assert progress[-1].finished and progress[-1].tally.sent == progress[-1].tally.total == 15


async def test_a_copy_is_in_the_audit_log_before_telegram_can_deliver_it(db: Database) -> None:
    fake = FakeTelegram()
    fake.answer_gate = asyncio.Event()  # Telegram takes each copy, and its answer is late
    briefing_id = await brief(db, SERGEANT)
    sending = asyncio.create_task(DeliveryEngine(db, fake.send, pacer=fast_pacer()).run_due())
    while len(fake.sent) < 3:  # noqa: ASYNC110 (the fake has no event per copy)
        await asyncio.sleep(0.01)
    # Every officer holds a copy, and the bot has not heard back about any: each must be in the log.
    assert {e.chat_id for e in await briefing_entries(db)} == set(TEAM_A)
    fake.answer_gate.set()
    await sending
    assert [(e.chat_id, e.outcome) for e in await briefing_entries(db)] == [(t, "sending") for t in TEAM_A]
    assert set((await statuses(db, briefing_id)).values()) == {"sent"}  # the rows settle them


async def test_a_worker_late_to_renew_keeps_its_briefing_and_another_takes_it_over(db: Database) -> None:
    await brief(db, SERGEANT)
    [claim], _ = await claims.claim_due(db, "slow", dt.timedelta(seconds=-1))  # its lease has lapsed
    # The same worker looking again is alive, only late (a stalled event loop): it must not run the
    # briefing a second time beside itself. Another worker may take it over.
    assert await claims.claim_due(db, "slow", dt.timedelta(seconds=6)) == ([], [])
    [taken], _ = await claims.claim_due(db, "other", dt.timedelta(seconds=6))
    assert taken.briefing_id == claim.briefing_id
    assert not await claims.renew(db, claim.briefing_id, "slow", dt.timedelta(seconds=6))


async def test_a_copy_refused_with_a_5xx_is_retried_after_a_back_off(db: Database) -> None:
    fake = FakeTelegram()
    fake.script[22] = [SendResult.error(), SendResult.error()]
    briefing_id = await brief(db, SERGEANT)
    await DeliveryEngine(db, fake.send, pacer=fast_pacer()).run_due()
    assert fake.copies() == Counter({21: 1, 22: 1, 23: 1})
    assert set((await statuses(db, briefing_id)).values()) == {"sent"}
    first, second, third = fake.tries[22]
    assert second - first >= BACKOFF and third - second >= 2 * BACKOFF  # backing off, doubling
    assert [e.outcome for e in await briefing_entries(db) if e.chat_id == 22] == [
        "sending", "requeued", "sending", "requeued", "sending"
    ]  # fmt: skip


async def test_an_interrupted_briefing_of_a_sergeant_demoted_since_is_not_resumed(db: Database) -> None:
    briefing_id = await brief(db, SERGEANT)
    [claim], _ = await claims.claim_due(db, "dead", dt.timedelta(seconds=-1))  # its worker died at once
    assert await copies.claim_copies(db, claim, [21]) == [21]
    await copies.record_outcomes(db, claim, [copies.Outcome(21, "sent", 7)])
    await enrol(db, SERGEANT, "officer", by="test")  # demoted after the worker died
    fake = FakeTelegram()
    await DeliveryEngine(db, fake.send, pacer=fast_pacer()).run_due()
    assert fake.copies() == Counter()
    assert set((await statuses(db, briefing_id)).values()) == {"sent", "skipped"}
    assert [e.outcome for e in await briefing_entries(db)][-1] == "cancelled"


async def test_a_reminder_is_audited_as_the_one_who_pressed_remind(db: Database) -> None:
    briefing_id = await brief(db, SERGEANT)
    await DeliveryEngine(db, FakeTelegram().send, pacer=fast_pacer()).run_due()
    await enrol(db, ADMIN, "admin", by="test")
    admin = await who(db, ADMIN)
    await acknowledgements.remind(db, briefing_id, admin, progress_chat_id=11, progress_message_id=2)
    async with db.reads() as session:
        [entry] = await session.scalars(select(AuditEntry).where(AuditEntry.intent == "briefing_remind"))
    assert (entry.actor, entry.outcome, entry.record_ids) == (
        f"tg:{ADMIN}",
        "queued",
        f"briefing:{briefing_id}",
    )
