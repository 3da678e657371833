"""`beatline stats` and `beatline audit report` as an operator runs them, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json

import pytest

from bot.cli import main
from knowledge.access import users
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from tests.support.keys import AUDIT_ENV, AUDIT_KEY

HOSTILE = '<script>alert("x")</script> & <b>Eve</b>'
EVE = 6001


async def _arrange(url: str) -> None:
    db = Database(url, audit_key=AUDIT_KEY)
    await users.enrol(db, EVE, "officer", team="<i>C</i>", name=HOSTILE, by="test")
    now = dt.datetime.now(dt.UTC)
    caller = Caller(actor=f"tg:{EVE}", role="officer", telegram_user_id=EVE)
    async with db.sessions() as session, session.begin():
        for n in range(21):  # a burst
            await audit.record(
                session, caller, query="q", intent="person_check", outcome="answered",
                record_ids=["person:P<1>"], reason="INTEL", at=now - dt.timedelta(minutes=30, seconds=-n),
            )  # fmt: skip
    await db.dispose()


@pytest.fixture
def operator(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in {**AUDIT_ENV, "BEATLINE_DATABASE_URL": db_url}.items():
        monkeypatch.setenv(name, value)
    asyncio.run(_arrange(db_url))
    return db_url


def test_stats_prints_the_figures_and_json(operator: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--days", "2"]) == 0
    said = capsys.readouterr().out
    assert "(London days): 21" in said and f"Telegram id {EVE}" in said and "INTEL 21" in said
    assert main(["stats", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["checks"] == 21 and figures["days"] == 7 and len(figures["per_day"]) == 7
    assert figures["busiest"][0]["telegram_id"] == EVE


def test_stats_refuses_a_silly_window(operator: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--days", "0"]) == 2
    assert "--days must be from 1 to 366" in capsys.readouterr().err


def test_the_report_in_text_and_json(operator: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "report"]) == 0
    said = capsys.readouterr().out
    assert f"Telegram id {EVE}" in said and "21 checks" in said and "bursts: 21 from" in said
    since = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)).isoformat()
    assert main(["audit", "report", "--since", since, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["users"] == []  # the burst was before --since


def test_the_html_report_shows_a_hostile_name_as_text(
    operator: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "report", "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert "<script" not in page.lower() and "<b>" not in page and "<i>" not in page
    assert html.escape(HOSTILE) in page.replace("&#34;", "&quot;")
    assert "P&lt;1&gt; ×21" in page


def test_the_report_refuses_a_date_that_is_not_one(operator: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "report", "--since", "last tuesday"]) == 2
    assert "--since" in capsys.readouterr().err
