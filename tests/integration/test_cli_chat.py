"""`beatline chat` runs what it offers: its help lists only what works at a terminal, and /whoami,
/users and /audit answer there as in Telegram, audited the same way, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from knowledge.access import users
from knowledge.access.roles import COMMANDS
from knowledge.store import audit_export
from knowledge.store.database import Database
from tests.support.keys import AUDIT_ENV, AUDIT_KEY

ROOT = Path(__file__).parents[2]


def _chat(url: str, *lines: str) -> list[str]:
    """The chat's answers to these lines, one block each (the chat leaves a blank line after each)."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat"], input="\n".join(lines) + "\n", capture_output=True,
        text=True, env={**os.environ, **AUDIT_ENV, "BEATLINE_DATABASE_URL": url}, cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout.rstrip("\n").split("\n\n")


async def _enrol(url: str) -> None:
    db = Database(url, audit_key=AUDIT_KEY)
    try:
        await users.enrol(db, 4242, "sergeant", team="B", name="Sgt Pemberton-Quill", by="console:test")
    finally:
        await db.dispose()


async def _recent(url: str) -> list[audit_export.AuditEntry]:
    db = Database(url, audit_key=AUDIT_KEY)
    try:
        return await audit_export.recent(db, limit=3)
    finally:
        await db.dispose()


def test_the_chats_help_lists_only_what_works_at_a_terminal(db_url: str) -> None:
    [shown] = _chat(db_url, "help")
    assert "/whoami" in shown and "/users" in shown and "/audit [ID]" in shown
    telegram_only = [c.usage for c in COMMANDS if not c.terminal]
    assert telegram_only and not any(usage in shown for usage in telegram_only)
    assert "share a location" not in shown
    assert "more — the detail of the last answer" in shown


def test_whoami_users_and_audit_answer_at_the_terminal_and_are_audited(db_url: str) -> None:
    asyncio.run(_enrol(db_url))
    whoami, listed, refused, trail, brief = _chat(
        db_url, "/whoami", "/users", "/audit 4242x", "/audit", "/brief hi"
    )
    assert whoami.splitlines()[0].startswith("Console operator: console:")
    assert whoami.splitlines()[1] == "Role: admin"
    assert listed.startswith("4242 · sergeant · B · active · Sgt Pemberton-Quill · by console:test")
    assert refused == "'4242x' is not a Telegram id; it is a number, as /whoami shows."
    assert trail.splitlines()[0].endswith("admin answered: /users")
    assert brief == "That works in Telegram only. Send 'help' for what works here."
    last = asyncio.run(_recent(db_url))[0]
    assert last.query == "/audit" and last.intent == "admin"
    assert last.record_ids.split() == [f"audit:{n}" for n in _ids(trail)]


def _ids(listing: str) -> list[int]:
    return [int(line.split()[0].lstrip("#")) for line in listing.splitlines()]
