"""The command line's answers to bad input about users and reasons: exit 1 and one sentence."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from bot.cli import main
from knowledge.access.reasons import DEFAULT_REASONS
from knowledge.store.database import sync_url
from knowledge.store.schema import AuditEntry
from tests.support.keys import AUDIT_KEY


def _reasons_audited(url: str) -> list[str]:
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        reasons = list(conn.scalars(select(AuditEntry.reason).order_by(AuditEntry.id)))
    engine.dispose()
    return reasons


def test_an_unknown_reason_code_exits_1_and_lists_the_codes(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BEATLINE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("BEATLINE_AUDIT_KEY", AUDIT_KEY.reveal())
    assert main(["ask", "--reason", "FOO", "check plate AB12CDE"]) == 1
    refused = capsys.readouterr()
    assert refused.out == "" and refused.err.startswith("'FOO' is not a reason code. Use one of: STOP (")
    assert all(code in refused.err for code in DEFAULT_REASONS)
    assert _reasons_audited(sqlite_url) == []  # nothing was asked
    assert main(["ask", "--reason", "stop", "check plate AB12CDE"]) == 0
    assert _reasons_audited(sqlite_url) == ["STOP"]  # stored in upper case, as the contract says


def test_an_over_long_team_or_name_exits_1_with_a_sentence(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BEATLINE_DATABASE_URL", db_url)
    monkeypatch.setenv("BEATLINE_AUDIT_KEY", AUDIT_KEY.reveal())
    assert main(["users", "add", "5", "--role", "officer", "--team", "T" * 61]) == 1
    assert capsys.readouterr().err == "A team name is at most 60 characters long.\n"
    assert main(["users", "add", "5", "--role", "officer", "--name", "N" * 121]) == 1
    assert capsys.readouterr().err == "A name is at most 120 characters long.\n"
