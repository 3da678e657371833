"""`beatline ask --as` needs a reason as Telegram does, and `beatline reasons` lets a force keep its codes."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, select

from bot.cli import main
from knowledge.access.reasons import DEFAULT_REASONS
from knowledge.importing.importer import import_rows
from knowledge.store.database import sync_url
from knowledge.store.schema import AuditEntry
from tests.integration.test_reasons import RECORDS
from tests.support.keys import AUDIT_KEY

OFFICER = "4001"


@pytest.fixture
def cli(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database with a few records and an enrolled officer, configured for `beatline`."""
    monkeypatch.setenv("BEATLINE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("BEATLINE_AUDIT_KEY", AUDIT_KEY.reveal())
    import_rows(sqlite_url, RECORDS)
    assert main(["users", "add", OFFICER, "--role", "officer"]) == 0
    return sqlite_url


def audited(url: str) -> list[tuple[str, str, str]]:
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        rows = conn.execute(
            select(AuditEntry.actor, AuditEntry.outcome, AuditEntry.reason)
            .where(AuditEntry.outcome != "enrolled")  # the fixture's
            .order_by(AuditEntry.id)
        )
        found = [tuple(row) for row in rows]
    engine.dispose()
    return found


def asked(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["ask", "--json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out) if out else {}


def test_as_a_telegram_user_a_check_needs_a_reason_given_by_option_or_prefix(
    cli: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, shown = asked(capsys, "--as", OFFICER, "check plate RE45SON")
    assert code == 0 and shown["outcome"] == "needs_reason" and shown["records"] == []
    assert "RE45SON" not in str(shown["reply"])
    assert str(shown["reply"]).startswith("Why is this check needed? Give --reason CODE: it covers")
    code, shown = asked(capsys, "--as", OFFICER, "--reason", "rtc", "check plate RE45SON")
    assert code == 0 and shown["outcome"] == "answered"
    assert shown["records"][0] == {"kind": "vehicle", "id": "RE45SON", "score": 100.0}  # type: ignore[index]
    _, shown = asked(capsys, "--as", OFFICER, "stop: check plate RE45SON")
    assert shown["outcome"] == "answered"
    assert [(actor, outcome, reason) for actor, outcome, reason in audited(cli)] == [
        (f"tg:{OFFICER}", "needs_reason", ""),
        (f"tg:{OFFICER}", "answered", "RTC"),
        (f"tg:{OFFICER}", "answered", "STOP"),
    ]


def test_the_console_operator_may_omit_the_reason(cli: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, shown = asked(capsys, "check plate RE45SON")
    assert code == 0 and shown["outcome"] == "answered"
    assert audited(cli)[-1][1:] == ("answered", "")


def test_a_force_that_turns_reasons_off_is_answered_without_one(
    cli: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEATLINE_REASONS_REQUIRED", "false")
    assert asked(capsys, "--as", OFFICER, "check plate RE45SON")[1]["outcome"] == "answered"


def test_an_unknown_code_exits_1_and_lists_the_forces_codes(
    cli: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["reasons", "set", "domestic", "domestic abuse call"]) == 0
    assert capsys.readouterr().out == "Reason DOMESTIC added.\n"
    for reason in ("FOO", "<b>x</b>", "STOP;INV", "x" * 10_000):
        assert main(["ask", "--as", OFFICER, "--reason", reason, "check plate RE45SON"]) == 1
        refused = capsys.readouterr()
        assert refused.out == "" and "is not a reason code. Use one of: STOP (" in refused.err
        assert "DOMESTIC (domestic abuse call)" in refused.err and len(refused.err) < 500
    assert [outcome for _, outcome, _ in audited(cli)] == ["created"]  # nothing was asked


def test_reasons_list_and_set_show_and_change_the_codes(cli: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reasons", "list"]) == 0
    assert capsys.readouterr().out == "".join(f"{code}\t{label}\n" for code, label in DEFAULT_REASONS.items())
    assert main(["reasons", "set", "inv", "investigation (crime number needed)"]) == 0
    assert capsys.readouterr().out == "Reason INV relabelled.\n"
    assert main(["reasons", "list"]) == 0
    assert "INV\tinvestigation (crime number needed)\n" in capsys.readouterr().out
    assert main(["reasons", "set", "no good", "x"]) == 1
    assert capsys.readouterr().err.startswith("'NO GOOD' cannot be a reason code: 2 to 16 letters")
    assert main(["reasons", "set"]) == 2
