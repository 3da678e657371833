"""The web console under test: served on a free port over a real database, signed in by real links."""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from bot.web.app import mount
from bot.web.guard import ConsoleSettings
from knowledge.access import console_links, users
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from tests.support.bot import free_port
from tests.support.keys import AUDIT_KEY
from tests.support.postgres import IN_CI

ADMIN, ADMIN_2, OFFICER = 8001, 8002, 8003
BOT_USERNAME = "beatline_test_bot"
TERMINAL = Caller(actor="console:test", role="admin", channel="cli")
CSRF_FIELD = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


def chromium_path() -> str | None:
    """Debian's chromium (installed by .ci/run), or whichever chromium the machine has."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def no_chromium() -> str | None:
    """Why the browser tests cannot run here, or None if they can."""
    if chromium_path() is None:
        return "chromium is not installed (apt-get install chromium; .ci/run does it)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


def require_chromium() -> str:
    """The chromium to drive; skip the test where there is none, fail in CI, where there must be."""
    import pytest

    reason = no_chromium()
    if reason:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return str(chromium_path())


@dataclass
class ConsoleUnderTest:
    """The running console, its database, and links to sign in with."""

    db: Database
    base: str  # http://127.0.0.1:PORT

    async def link(self, telegram_id: int = ADMIN) -> str:
        """A one-time sign-in link for that admin, as `beatline console-link ID` prints it."""
        token = await console_links.issue_link(self.db, telegram_id, by=TERMINAL)
        return console_links.sign_in_link(self.base, token)

    def url(self, path: str) -> str:
        return f"{self.base}/console{path}"


@contextlib.asynccontextmanager
async def running_console(url: str, *, public_url: str | None = None) -> AsyncIterator[ConsoleUnderTest]:
    """The console alone (as `beatline console` serves it) on a free port, with two admins and an officer."""
    db = Database(url, audit_key=AUDIT_KEY)
    for telegram_id, role, name in ((ADMIN, "admin", "Ada Admin"), (ADMIN_2, "admin", "Bo Admin"),
                                    (OFFICER, "officer", "Oli Officer")):  # fmt: skip
        await users.enrol(db, telegram_id, role, team="north", name=name, by="test")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = web.Application()
    mount(app, db, ConsoleSettings(public_url or base, BOT_USERNAME))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield ConsoleUnderTest(db, base)
    finally:
        await runner.cleanup()
        await db.dispose()
