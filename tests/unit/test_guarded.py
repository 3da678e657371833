"""The second lock behind the gate: a role-restricted handler refuses anyone the gate did not let through."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from telegram import Update

from handlers.gate import guarded
from knowledge.access.users import Enrolment


def context(role: str | None) -> SimpleNamespace:
    enrolment = Enrolment(1, "Test", role, "A", "active", "test", dt.datetime.now(dt.UTC)) if role else None
    return SimpleNamespace(enrolment=enrolment, role=role or "")


@pytest.mark.parametrize(
    ("role", "runs"), [(None, False), ("officer", False), ("sergeant", False), ("admin", True)]
)
async def test_an_admin_command_runs_only_for_an_admin(role: str | None, runs: bool) -> None:
    calls = []

    async def allow(update: Update, ctx: SimpleNamespace) -> None:
        calls.append(update.update_id)

    await guarded("allow", allow)(Update(update_id=5), context(role))  # type: ignore[arg-type]
    assert calls == ([5] if runs else [])
