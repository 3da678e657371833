"""`beatline init-db`, `audit checkpoint` and `audit verify` as an operator runs them, answering in words."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from alembic import command as alembic
from sqlalchemy import create_engine, text

from bot.cli import main
from knowledge.store.audit_key import AuditKey
from knowledge.store.database import _alembic_config, sync_url
from tests.integration.insider import as_insider, write_without_the_key


@pytest.fixture
def operator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with nothing configured but the database; the SQLite file's path."""
    monkeypatch.chdir(tmp_path)
    for name in ("BEATLINE_AUDIT_KEY", "BEATLINE_AUDIT_KEY_FILE", "BEATLINE_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BEATLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'beatline.db'}")
    return tmp_path / "beatline.db"


def _sql(path: Path, *statements: str) -> None:
    engine = create_engine(sync_url(f"sqlite:///{path}"))
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


def _head(path: Path) -> tuple[object, ...]:
    engine = create_engine(sync_url(f"sqlite:///{path}"))
    with engine.connect() as conn:
        head = conn.execute(text("SELECT seq, last_hash, keyed_from, mac FROM audit_head")).one()
    engine.dispose()
    return tuple(head)


def test_init_db_makes_one_private_key_beside_the_database_and_keeps_it(
    operator: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = operator.with_name("beatline.db.audit-key")
    assert main(["init-db"]) == 0
    said = capsys.readouterr().out
    assert f"Created the audit key {key_file}" in said and "Sealed the audit log" in said
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text()
    assert main(["init-db"]) == 0
    assert "Created" not in capsys.readouterr().out and key_file.read_text() == key


def test_entries_from_before_the_key_are_said_to_be_hash_chained_only(
    operator: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{operator}"
    alembic.upgrade(_alembic_config(url), "0003")
    as_insider(url, write_without_the_key)
    assert main(["init-db"]) == 1  # an unsealed log with entries may be a stripped one: not sealed blindly
    assert "The audit log holds 3 entries but no seal." in capsys.readouterr().err
    assert main(["audit", "seal"]) == 0
    said = "Sealed the audit log; the 3 entries written before the key are hash-chained only."
    assert said in capsys.readouterr().out
    assert main(["audit", "seal"]) == 0
    assert "sealed with this key already" in capsys.readouterr().out
    assert main(["init-db"]) == 0
    assert main(["ask", "help"]) == 0
    assert main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.endswith(
        "Audit chain intact: 4 entries checked; the 3 written before the audit key was introduced are "
        "hash-chained only.\n"
    )


def test_a_checkpoint_kept_elsewhere_catches_the_log_cut_short(
    operator: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marks = operator.with_name("checkpoints.jsonl")
    assert main(["init-db"]) == 0
    assert main(["ask", "help"]) == 0
    head_after_one = _head(operator)
    assert main(["audit", "checkpoint"]) == 0
    printed = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert printed["kind"] == "beatline-audit-checkpoint" and printed["seq"] == 1
    assert set(printed) == {"kind", "seq", "hash", "keyed_from", "at", "mac"}
    assert main(["ask", "help"]) == 0
    assert main(["audit", "checkpoint", "--out", str(marks)]) == 0
    assert main(["audit", "verify", "--checkpoint", str(marks)]) == 0
    assert capsys.readouterr().out.endswith(
        "Audit chain intact: 2 entries checked; it agrees with the 1 checkpoint given.\n"
    )
    # The insider deletes entry 2 and puts back the head row as it stood after entry 1, MAC and all.
    seq, last_hash, keyed_from, mac = head_after_one
    _sql(operator, "DELETE FROM audit_log WHERE id = 2",
         f"UPDATE audit_head SET seq = {seq}, last_hash = '{last_hash}', keyed_from = {keyed_from}, "
         f"mac = '{mac}'")  # fmt: skip
    assert main(["audit", "verify"]) == 0  # alone, the key cannot tell
    capsys.readouterr()
    assert main(["audit", "verify", "--checkpoint", str(marks)]) == 1
    err = capsys.readouterr().err
    assert f"{marks}:1: the checkpoint of {printed['at'][:4]}" in err
    assert "saw entry 2, but the log now ends at entry 1: it was rolled back or cut short" in err


def test_a_checkpoint_file_that_is_not_one_is_named(
    operator: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marks = operator.with_name("checkpoints.jsonl")
    assert main(["init-db"]) == 0
    assert main(["audit", "checkpoint", "--out", str(marks)]) == 0
    with marks.open("a") as file:
        file.write("\n{not a checkpoint}\n")
    capsys.readouterr()
    assert main(["audit", "verify", "--checkpoint", str(marks)]) == 1
    assert capsys.readouterr().err == f"{marks}:3: this line is not a Beatline audit checkpoint.\n"
    assert main(["audit", "verify", "--checkpoint", "nowhere.jsonl"]) == 1
    assert "The checkpoint file nowhere.jsonl cannot be read" in capsys.readouterr().err


def test_a_missing_head_row_is_reported_in_words(operator: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init-db"]) == 0
    assert main(["ask", "help"]) == 0
    _sql(operator, "DELETE FROM audit_head")
    capsys.readouterr()
    for command in (["audit", "verify"], ["audit", "checkpoint"], ["ask", "help"]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert "The audit log's head row is missing (it was deleted)" in err, command
        assert "Something went wrong" not in err and "NoResultFound" not in err


def test_another_key_is_refused_in_words(
    operator: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["init-db"]) == 0
    assert main(["ask", "help"]) == 0
    monkeypatch.setenv("BEATLINE_AUDIT_KEY", AuditKey.generate().reveal())
    capsys.readouterr()
    assert main(["audit", "verify"]) == 1
    assert "This audit key is not the one the audit log was sealed with." in capsys.readouterr().err
    for command in (["ask", "help"], ["users", "list"], ["audit", "checkpoint"], ["init-db"]):
        assert main(command) == 1
        assert "This audit key is not the one the audit log was sealed with." in capsys.readouterr().err


@pytest.mark.parametrize(
    ("env", "code", "said"),
    [
        ({"BEATLINE_AUDIT_KEY": "too-short"}, 2, "beatline: BEATLINE_AUDIT_KEY must be at least 32 random"),
        ({"BEATLINE_AUDIT_KEY_FILE": "nowhere.key"}, 2,
         "beatline: BEATLINE_AUDIT_KEY_FILE names nowhere.key, which cannot be read (No such file"),
        ({}, 1, "There is no audit key: set BEATLINE_AUDIT_KEY, or run 'beatline init-db' to create"),
    ],
)  # fmt: skip
def test_a_key_that_cannot_be_used_is_one_sentence(
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    code: int,
    said: str,
) -> None:
    monkeypatch.chdir(Path(sqlite_url.removeprefix("sqlite:///")).parent)
    monkeypatch.setenv("BEATLINE_DATABASE_URL", sqlite_url)
    for name, value in {"BEATLINE_AUDIT_KEY": "", "BEATLINE_AUDIT_KEY_FILE": "", **env}.items():
        monkeypatch.setenv(name, value)
    assert main(["audit", "verify"]) == code
    err = capsys.readouterr().err
    assert err.startswith(said) and len(err.splitlines()) == 1
    assert "too-short" not in err  # a secret is never echoed, not even a wrong one
