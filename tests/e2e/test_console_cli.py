"""`beatline console-link ID` and `beatline console` as a user runs them: a link printed at the
terminal signs its admin in to the console served alone by another process."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys

import aiohttp
import pytest

from bot.cli import main
from knowledge.access import users
from knowledge.store.database import Database
from tests.support.bot import free_port
from tests.support.keys import AUDIT_ENV, AUDIT_KEY


@pytest.fixture
def env(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BEATLINE_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("BEATLINE_AUDIT_KEY", AUDIT_KEY.reveal())
    return sqlite_url


async def _enrol(url: str) -> None:
    db = Database(url, audit_key=AUDIT_KEY)
    await users.enrol(db, 11, "admin", name="Ada", by="test")
    await users.enrol(db, 12, "officer", by="test")
    await db.dispose()


def test_console_link_needs_a_public_url_and_an_active_admin(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_enrol(env))
    assert main(["console-link", "11"]) == 1
    assert capsys.readouterr().err.startswith("Set BEATLINE_PUBLIC_URL to the address admins reach")
    monkeypatch.setenv("BEATLINE_PUBLIC_URL", "https://console.example/")
    assert main(["console-link", "12"]) == 1
    assert capsys.readouterr().err == "12 is not an active admin, so cannot sign in to the console.\n"
    assert main(["console-link", "11"]) == 0
    assert re.fullmatch(r"https://console\.example/console/login\?token=[\w-]{43}\n", capsys.readouterr().out)
    monkeypatch.setenv("BEATLINE_CONSOLE", "maybe")
    assert main(["console-link", "11"]) == 2
    assert capsys.readouterr().err == "beatline: BEATLINE_CONSOLE must be on or off, not 'maybe'.\n"
    monkeypatch.setenv("BEATLINE_CONSOLE", "on")
    monkeypatch.setenv("BEATLINE_PUBLIC_URL", "")
    assert main(["run", "--webhook"]) == 2
    assert capsys.readouterr().err == (
        "beatline: BEATLINE_CONSOLE=on needs BEATLINE_PUBLIC_URL, the address admins reach it at.\n"
    )


async def test_beatline_console_serves_alone_and_stops_cleanly_on_sigterm(sqlite_url: str) -> None:
    await _enrol(sqlite_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, **AUDIT_ENV, "BEATLINE_DATABASE_URL": sqlite_url, "BEATLINE_PUBLIC_URL": base}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    link = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "console-link", "11", env=env, stdout=asyncio.subprocess.PIPE
    )
    printed = (await link.communicate())[0].decode().strip()
    assert link.returncode == 0
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "console", "--port", str(port), env=env,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as client:
            for _ in range(200):
                try:
                    async with client.get(base + "/console") as front:
                        assert front.status == 200 and front.url.path == "/console/"
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            token = printed.rsplit("=", 1)[1]
            async with client.post(base + "/console/login", data={"token": token}) as landed:
                assert landed.url.path == "/console/users" and "Ada" in await landed.text()
    finally:
        server.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(server.communicate(), 10)
    assert server.returncode == 0, stderr.decode()
