"""`beatline users totp|release` and `beatline ask --as` under the shift unlock, as a terminal runs them."""

from __future__ import annotations

import io
import json
import logging

import pyotp
import pytest
import segno
from sqlalchemy import create_engine, select

from bot.cli import main
from knowledge.access.step_up import LOCKED_REPLY
from knowledge.store.database import sync_url
from knowledge.store.schema import AuditEntry
from tests.support.keys import AUDIT_KEY

OFFICER = 6001


def audited(url: str) -> list[AuditEntry]:
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        entries = list(conn.execute(select(AuditEntry).order_by(AuditEntry.id)))
    engine.dispose()
    return entries  # type: ignore[return-value]


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    """The database, with one officer enrolled at the terminal."""
    monkeypatch.setenv("BEATLINE_DATABASE_URL", db_url)
    monkeypatch.setenv("BEATLINE_AUDIT_KEY", AUDIT_KEY.reveal())
    monkeypatch.delenv("BEATLINE_STEP_UP", raising=False)
    assert main(["users", "add", str(OFFICER), "--role", "officer", "--name", "PC Amy Jones"]) == 0
    capsys.readouterr()
    return db_url


def issued(capsys: pytest.CaptureFixture[str]) -> pyotp.TOTP:
    assert main(["users", "totp", str(OFFICER), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert list(printed) == ["otpauth"]
    otp = pyotp.parse_uri(printed["otpauth"])
    assert isinstance(otp, pyotp.TOTP) and otp.issuer == "Beatline" and otp.name == "PC Amy Jones"
    return otp


def test_totp_json_is_exactly_the_otpauth_uri_and_is_audited_without_the_secret(
    cli: str, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    otp = issued(capsys)
    uri = otp.provisioning_uri()
    assert uri.startswith("otpauth://totp/") and f"?secret={otp.secret}&issuer=Beatline" in uri
    [*_, entry] = audited(cli)
    assert (entry.intent, entry.outcome, entry.record_ids) == ("totp", "created", f"user:{OFFICER}")
    assert main(["audit", "export", "--format", "csv"]) == 0
    exported = capsys.readouterr().out
    assert "totp" in exported and otp.secret not in exported
    assert otp.secret not in caplog.text


def test_totp_draws_a_qr_code_and_running_it_again_replaces_the_secret(
    cli: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = issued(capsys)
    assert main(["users", "totp", str(OFFICER)]) == 0
    shown = capsys.readouterr().out
    [uri] = [line for line in shown.splitlines() if line.startswith("otpauth://")]
    assert pyotp.parse_uri(uri).secret != first.secret
    drawn = io.StringIO()
    segno.make(uri, error="m").terminal(out=drawn, compact=True)
    assert shown.startswith(drawn.getvalue()) and len(drawn.getvalue().splitlines()) > 15  # that URI's QR
    assert "in person" in shown


@pytest.mark.parametrize("telegram_id", ["4242", "0", "-5"])
def test_totp_for_someone_not_enrolled_exits_1_with_a_sentence(
    cli: str, capsys: pytest.CaptureFixture[str], telegram_id: str
) -> None:
    assert main(["users", "totp", telegram_id]) == 1
    refused = capsys.readouterr()
    assert refused.out == "" and refused.err.count("\n") == 1
    assert [e.intent for e in audited(cli)] == ["user_enrol"]


def test_release_of_a_user_not_locked_out_exits_1(cli: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["users", "release", str(OFFICER)]) == 1
    assert capsys.readouterr().err == f"{OFFICER} is not locked out.\n"


def test_ask_as_honours_the_lock_only_when_step_up_is_set(
    cli: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    issued(capsys)
    question = ["ask", "--as", str(OFFICER), "--json", "check plate AB12CDE"]
    assert main(question) == 0  # unset: off for scripts
    assert json.loads(capsys.readouterr().out)["outcome"] != "locked"
    monkeypatch.setenv("BEATLINE_STEP_UP", "totp")
    assert main(question) == 0
    locked = json.loads(capsys.readouterr().out)
    assert locked == {"intent": "vehicle_check", "outcome": "locked", "reply": LOCKED_REPLY, "records": []}
    assert main(["ask", "--json", "check plate AB12CDE"]) == 0  # the console operator is not locked
    assert json.loads(capsys.readouterr().out)["outcome"] != "locked"
    assert [(e.intent, e.outcome) for e in audited(cli)][-2] == ("vehicle_check", "locked")
