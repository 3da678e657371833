"""Two `beatline run --webhook` processes sharing one PostgreSQL: each update is answered once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from knowledge import users
from knowledge.db import Database
from tests.e2e.conftest import OFFICER, SECRET, fill, free_port
from tests.fake_bot_api import FakeBotAPI


async def start_bot(fake: FakeBotAPI, db_url: str, port: int, log: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "BEATLINE_DATABASE_URL": db_url,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "BEATLINE_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "BEATLINE_WEBHOOK_SECRET": SECRET,
    }
    env.pop("BEATLINE_REDIS_URL", None)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--webhook", "--port", str(port),
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=log.open("wb"),
    )  # fmt: skip


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
async def test_two_processes_answer_a_twice_delivered_update_once(db_url: str, tmp_path: Path) -> None:
    fill(db_url)
    db = Database(db_url)
    await users.enrol(db, OFFICER, "officer", by="test")
    await db.dispose()
    async with FakeBotAPI() as fake:
        ports = [free_port(), free_port()]
        logs = [tmp_path / f"bot{n}.log" for n in (1, 2)]
        bots = [await start_bot(fake, db_url, port, log) for port, log in zip(ports, logs, strict=True)]
        try:
            await fake.wait_for(lambda f: len(f.calls("setWebhook")) == 2, timeout=30)
            update = fake.text_message(OFFICER, "check plate QX12ABC")
            statuses = await asyncio.gather(
                *(
                    fake.post_to_webhook(update, url=f"http://127.0.0.1:{p}/telegram", secret=SECRET)
                    for p in ports
                )
            )
            assert statuses == [200, 200]
            await fake.wait_for(lambda f: f.messages_to(OFFICER), timeout=10)
        finally:
            for process in bots:
                if process.returncode is None:
                    process.send_signal(signal.SIGTERM)  # finishes what it accepted, then exits
            codes = [await asyncio.wait_for(process.wait(), 30) for process in bots]
        assert codes == [0, 0], "\n".join(log.read_text() for log in logs)
        [answer] = fake.messages_to(OFFICER)
    assert "QX12ABC" in answer["text"]
