"""Answers through the HTTP gateway: the same as from the database, and an audited error when the
records system is killed, slow, failing, garbled, refusing the token, then recovering.

Real aiohttp servers on ephemeral ports: the reference records API over a loaded database of each
backend, and, for the faults, a server in front of it that misbehaves on demand. Beatline's own
database here holds no records at all, as in a force's deployment.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.make_corpus import TODAY
from knowledge.access.reason_choices import ReasonRule
from knowledge.answers.disclosure import RECORDS_DOWN, Answer
from knowledge.answers.dispatch import answer, answer_record
from knowledge.answers.nearby import answer_location
from knowledge.demo.dataset import load_demo_data
from knowledge.errors import RecordsUnavailable
from knowledge.records.breaker import Breaker
from knowledge.records.gateway import Gateway, GatewayConfig
from knowledge.records.port import Asking
from knowledge.records.sql_store import SqlStore
from knowledge.store import audit_export
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from tests.support.keys import AUDIT_KEY, init_db
from tests.support.postgres import fresh_postgres
from tests.support.records_api import TOKEN, FaultyRecords, serving_records

ANY_REASON = ReasonRule(required=False)  # a shared location is checked under a reason chosen before
OFFICER = Caller(actor="tg:2001", role="officer", telegram_user_id=2001, chat_id=2001)
HELD_OUT = Path(__file__).resolve().parents[1] / "data" / "understanding-held-out.jsonl"
SAMPLE = 20  # every twentieth held-out question: 120 of every family; bench/gateway.py asks all


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def records_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo records the held-out corpus was written against, on each backend, loaded once."""
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('records') / 'records.db'}"])
    else:
        urls = fresh_postgres(request.getfixturevalue("postgres_admin_url"))
    for url in urls:
        init_db(url)
        load_demo_data(url)
        yield url


@dataclass
class Both:
    """The records' own database, and Beatline's database (no records) with a gateway to them."""

    records_db: Database
    beatline: Database
    gateway: Gateway
    faulty: FaultyRecords


@pytest.fixture
async def both(records_url: str, sqlite_url: str) -> AsyncIterator[Both]:
    records_db, beatline = (
        Database(records_url, audit_key=AUDIT_KEY),
        Database(sqlite_url, audit_key=AUDIT_KEY),
    )
    async with serving_records(records_url) as api:
        faulty = FaultyRecords(api)
        async with faulty.serving() as base:
            gateway = Gateway(GatewayConfig(base, TOKEN, timeout=1.0), Breaker(threshold=3, cooldown=0.5))
            yield Both(records_db, beatline, gateway, faulty)
            await gateway.close()
    await records_db.dispose()
    await beatline.dispose()


def _seen(result: Answer) -> tuple[object, ...]:
    return result.outcome, result.reply, result.records, result.choices, result.more


def _sample() -> list[dict[str, object]]:
    lines = HELD_OUT.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[::SAMPLE]]


async def test_held_out_answers_through_the_gateway_are_those_from_the_database(both: Both) -> None:
    differ, answered = [], 0
    for item in _sample():
        text = str(item["text"])
        direct = await answer(both.records_db, OFFICER, text, today=TODAY, reason="INV")
        through = await answer(both.beatline, OFFICER, text, today=TODAY, reason="INV", records=both.gateway)
        answered += direct.outcome in ("answered", "ambiguous")
        if _seen(through) != _seen(direct):
            differ.append((text, direct.reply[:80], through.reply[:80]))
    assert differ == []
    assert answered > 100  # the sample really reached records


async def test_opened_records_their_detail_and_places_through_the_gateway_are_those_from_the_database(
    both: Both,
) -> None:
    opened = [
        ("person", "P000554"),
        ("vehicle", "HN15TGJ"),
        ("address", "A001571"),
        ("incident", "INC-2022-000248"),
    ]
    opened += [
        ("person", "NOBODY"),
        ("vehicle", "../../v1/markers"),
        ("address", "a/b?c=d"),
        ("warrant", "W1"),
    ]
    for kind, record_id in opened:
        for detail in (False, True):
            direct = await answer_record(
                both.records_db, OFFICER, kind, record_id, detail=detail, reason="INV"
            )
            through = await answer_record(
                both.beatline, OFFICER, kind, record_id, detail=detail, reason="INV", records=both.gateway
            )
            assert _seen(through) == _seen(direct), (kind, record_id, detail)
    async with SqlStore(both.records_db).view(Asking("", "2001")) as view:
        flagged = await view.address("A001571")
    assert flagged is not None and flagged.latitude is not None and flagged.longitude is not None
    direct = await answer_location(
        both.records_db, OFFICER, flagged.latitude, flagged.longitude, rule=ANY_REASON
    )
    through = await answer_location(
        both.beatline, OFFICER, flagged.latitude, flagged.longitude, records=both.gateway, rule=ANY_REASON
    )
    assert direct.outcome == "answered" and _seen(through) == _seen(direct)


async def test_every_request_names_the_reason_and_the_officer_and_carries_the_token(both: Both) -> None:
    await answer(both.beatline, OFFICER, "emily marsden 26/05/1945", reason="stop", records=both.gateway)
    assert both.faulty.seen
    for headers in both.faulty.seen:
        assert (headers["X-Beatline-Reason"], headers["X-Beatline-Officer"]) == ("STOP", "2001")
        assert headers["Authorization"] == f"Bearer {TOKEN}"


async def _fails_audited(both: Both, within: float) -> None:
    started = time.monotonic()
    result = await answer(
        both.beatline, OFFICER, "emily marsden 26/05/1945", today=TODAY, reason="INV", records=both.gateway
    )
    took = time.monotonic() - started
    assert (result.outcome, result.reply, result.records, result.choices) == ("error", RECORDS_DOWN, (), ())
    assert took < within
    [entry] = await audit_export.recent(both.beatline, telegram_user_id=2001, limit=1)
    assert (entry.outcome, entry.record_ids) == ("error", "")


@pytest.mark.parametrize("mode", ["500", "garbage", "wrong-type", "huge"])
async def test_a_failing_or_garbled_records_system_is_an_audited_error(both: Both, mode: str) -> None:
    both.faulty.mode = mode
    await _fails_audited(both, within=1.0)


async def test_a_long_document_read_in_many_chunks_is_answered_as_a_short_one(both: Both) -> None:
    question = "emily marsden 26/05/1945"
    short = await answer(both.beatline, OFFICER, question, today=TODAY, reason="INV", records=both.gateway)
    both.faulty.mode = "padded"
    padded = await answer(both.beatline, OFFICER, question, today=TODAY, reason="INV", records=both.gateway)
    assert short.outcome == "answered" and _seen(padded) == _seen(short)


async def test_a_slow_records_system_is_an_error_within_the_timeout(both: Both) -> None:
    both.faulty.mode = "slow"
    await _fails_audited(both, within=1.5)  # the timeout is 1 s, for the whole answer


async def test_a_wrong_token_is_an_audited_error(both: Both) -> None:
    wrong = Gateway(GatewayConfig(both.gateway.config.url, "not-the-token", timeout=1.0))
    try:
        result = await answer(both.beatline, OFFICER, "emily marsden 26/05/1945", reason="INV", records=wrong)
    finally:
        await wrong.close()
    assert (result.outcome, result.reply, result.records) == ("error", RECORDS_DOWN, ())


async def test_a_killed_records_system_is_an_error_at_once_every_time(both: Both, records_url: str) -> None:
    async with serving_records(records_url) as api:
        pass  # the API was there, and is gone: its port now refuses connections
    killed = Gateway(GatewayConfig(api, TOKEN, timeout=5.0), Breaker(threshold=3, cooldown=60))
    try:
        for _ in range(5):
            started = time.monotonic()
            result = await answer(
                both.beatline, OFFICER, "emily marsden 26/05/1945", reason="INV", records=killed
            )
            assert (result.outcome, result.reply) == ("error", RECORDS_DOWN)
            assert time.monotonic() - started < 2.0  # refused connections, retried twice, not waited on
        assert killed.breaker.is_open
    finally:
        await killed.close()
    entries = await audit_export.recent(both.beatline, telegram_user_id=2001, limit=5)
    assert [e.outcome for e in entries] == ["error"] * 5


async def test_the_breaker_opens_answers_at_once_while_down_and_closes_when_it_recovers(both: Both) -> None:
    question = "emily marsden 26/05/1945"
    both.faulty.mode = "500"
    for _ in range(3):
        assert (
            await answer(both.beatline, OFFICER, question, reason="INV", records=both.gateway)
        ).outcome == "error"
    assert both.gateway.breaker.is_open
    asked = both.faulty.requests
    started = time.monotonic()
    result = await answer(both.beatline, OFFICER, question, reason="INV", records=both.gateway)
    assert (result.outcome, result.reply) == ("error", RECORDS_DOWN)
    assert time.monotonic() - started < 0.5 and both.faulty.requests == asked  # not even asked
    both.faulty.mode = "pass"
    await asyncio.sleep(0.6)  # the cooldown: then one answer probes
    recovered = await answer(
        both.beatline, OFFICER, question, today=TODAY, reason="INV", records=both.gateway
    )
    assert recovered.outcome == "answered" and not both.gateway.breaker.is_open
    entries = await audit_export.recent(both.beatline, telegram_user_id=2001, limit=5)
    assert [e.outcome for e in entries][::-1] == ["error"] * 4 + ["answered"]


async def test_a_failing_records_system_is_logged_by_route_never_by_the_record_asked_for(
    both: Both, caplog: pytest.LogCaptureFixture
) -> None:
    both.faulty.mode = "500"
    caplog.set_level(logging.INFO)
    with pytest.raises(RecordsUnavailable) as down:
        async with both.gateway.view(Asking("INV", "2001")) as view:
            await view.vehicle("AB12CDE")
    asked = await answer(
        both.beatline, OFFICER, "check plate ab12 cde", today=TODAY, reason="INV", records=both.gateway
    )
    assert asked.outcome == "error"
    assert "v1/vehicles/{id}" in caplog.text  # the route is what an operator needs
    assert "AB12CDE" not in (caplog.text + str(down.value.detail)).upper().replace(" ", "")
