"""`beatline run` at DEBUG, as an operator chasing a fault runs it: still no token, no record contents."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
from pathlib import Path

from knowledge.access.users import enrol
from knowledge.store.database import Database
from tests.support.bot import OFFICER
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.keys import AUDIT_ENV, AUDIT_KEY


async def test_debug_logs_hold_no_token_and_no_record_contents(template_db: Path, tmp_path: Path) -> None:
    shutil.copy(template_db, tmp_path / "beatline.db")
    url = f"sqlite:///{tmp_path / 'beatline.db'}"
    db = Database(url, audit_key=AUDIT_KEY)
    await enrol(db, OFFICER, "officer", by="test")
    await db.dispose()
    log = tmp_path / "bot.log"
    async with FakeBotAPI(token="424242:SECRET-token_value") as fake:
        env = {
            **os.environ,
            **AUDIT_ENV,
            "BEATLINE_STEP_UP": "off",  # this tests logging, not the shift unlock
            "BEATLINE_DATABASE_URL": url,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "BEATLINE_LOG_LEVEL": "DEBUG",
        }
        env.pop("BEATLINE_REDIS_URL", None)
        bot = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            env=env,
            stdout=log.open("wb"),
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            fake.push_update(fake.text_message(OFFICER, "training: check plate QX12ABC"))
            [reply] = await fake.wait_for(lambda f: f.bot_messages(OFFICER), timeout=30)
            # The button press carries the record summary back in its message, as Telegram sends it.
            [[more], [_follow]] = reply["reply_markup"]["inline_keyboard"]
            fake.push_update(fake.callback_query(OFFICER, reply, more["callback_data"]))
            await fake.wait_for(lambda f: len(f.bot_messages(OFFICER)) == 2, timeout=30)
            fake.fail_next("sendMessage", status=500)  # a retried failure: a warning with a traceback
            fake.push_update(fake.text_message(OFFICER, "/whoami"))
            await fake.wait_for(lambda f: len(f.bot_messages(OFFICER)) == 3, timeout=30)
        finally:
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), 30) == 0
    written = log.read_text()
    assert "DEBUG" in written and "retrying" in written  # the lines were written
    assert "SECRET-token_value" not in written
    assert "WARNING" in written and "BEATLINE_STEP_UP=off: officers reach records without" in written
    summary = [line for line in reply["text"].splitlines() if len(line) > 12]
    assert summary and not [line for line in summary if line in written]
    assert "QX12ABC" not in written
