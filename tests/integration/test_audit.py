"""The audit log is a keyed hash chain: any edit, insertion or deletion is detected, on both backends,
even when whoever made it recomputed every hash."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import pytest

from knowledge.store import audit_check, audit_export
from knowledge.store.database import Database
from tests.integration import insider
from tests.integration.insider import as_insider, sql
from tests.integration.insider import write as _write
from tests.support.keys import AUDIT_ENV, AUDIT_KEY


async def test_an_untouched_chain_verifies(db_url: str) -> None:
    db = Database(db_url, audit_key=AUDIT_KEY)
    await _write(db, 5)
    result = await audit_check.verify(db)
    await db.dispose()
    assert result.ok and result.checked == 5


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (sql("UPDATE audit_log SET query = 'nothing to see' WHERE id = 3"), "entry 3: its contents were"),
        (sql("DELETE FROM audit_log WHERE id = 2"), "entries 2..2 are missing"),
        (sql("DELETE FROM audit_log WHERE id = 5"), "the log ends at entry 4 but 5 were written"),
        (sql("UPDATE audit_log SET outcome = 'not_found', record_ids = '' WHERE id = 1"), "entry 1: its"),
        # With every hash recomputed, only the key tells.
        (insider.drop_last, "The audit log's head does not match its MAC"),
        (insider.edit, "entry 3: its MAC does not match"),
        (insider.empty, "The audit log's head does not match its MAC"),
        (insider.renumber, "entry 2: its MAC does not match"),
    ],
    ids=[
        "edit", "delete", "truncate", "hide-a-disclosure", "last-entry-deleted-and-head-moved-back",
        "entry-edited-and-rechained", "everything-deleted-and-head-reset", "entry-deleted-and-renumbered",
    ],
)  # fmt: skip
async def test_tampering_is_detected(audit_url: str, tamper: insider.Change, expected: str) -> None:
    db = Database(audit_url, audit_key=AUDIT_KEY)
    await _write(db, 5)
    as_insider(audit_url, tamper)
    result = await audit_check.verify(db)
    await db.dispose()
    assert not result.ok
    assert any(expected in problem for problem in result.problems), result.problems


async def test_concurrent_writers_keep_one_chain(db_url: str) -> None:
    first, second = Database(db_url, audit_key=AUDIT_KEY), Database(db_url, audit_key=AUDIT_KEY)
    await asyncio.gather(_write(first, 10), _write(second, 10))
    result = await audit_check.verify(first)
    await first.dispose()
    await second.dispose()
    assert result.ok and result.checked == 20


def _beatline(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"BEATLINE_DATABASE_URL": url, "PATH": "", **AUDIT_ENV}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=env, check=False
    )


async def test_cli_verify_and_export(sqlite_url: str) -> None:
    db = Database(sqlite_url, audit_key=AUDIT_KEY)
    await _write(db, 3)
    await db.dispose()
    verified = _beatline(sqlite_url, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "3 entries" in verified.stdout
    exported = _beatline(sqlite_url, "audit", "export", "--format", "jsonl")
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [r["id"] for r in rows] == [1, 2, 3]
    assert rows[0]["actor"] == "tg:1001" and rows[0]["record_ids"] == "vehicle:AB00CDE"
    as_csv = _beatline(sqlite_url, "audit", "export", "--format", "csv", "--since", "2000-01-01")
    assert as_csv.stdout.splitlines()[0].startswith("id,at,actor")
    assert len(as_csv.stdout.splitlines()) == 4
    as_insider(sqlite_url, sql("UPDATE audit_log SET actor = 'someone else' WHERE id = 2"))
    broken = _beatline(sqlite_url, "audit", "verify")
    assert broken.returncode == 1
    assert "entry 2" in broken.stderr and "Traceback" not in broken.stderr


async def test_an_export_in_progress_does_not_hold_up_the_bot(db_url: str) -> None:
    # An admin pages through `beatline audit export | less` while the bot keeps answering (another
    # process: its own Database). On SQLite an export on a write connection would hold the file's
    # write lock, and every answer would wait out the busy timeout and fail.
    exporter, bot = Database(db_url, audit_key=AUDIT_KEY), Database(db_url, audit_key=AUDIT_KEY)
    await _write(bot, 3)
    lines = audit_export.export(exporter, since=None, fmt="jsonl")
    assert json.loads(await anext(lines))["id"] == 1  # the export is open, mid-way
    await asyncio.wait_for(_write(bot, 1), timeout=2)
    await lines.aclose()
    await exporter.dispose()
    await bot.dispose()
