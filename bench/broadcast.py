"""Broadcast benchmark: one briefing to 2,000 officers through the real bot, against Telegram's limits.

    .venv/bin/python -m bench.broadcast [--officers 2000] [--floods 3] [--telegram-rate 30]

A fresh SQLite file holds a sergeant and N synthetic officers on one team. The real Application runs
against the fake Bot API server, which enforces `--telegram-rate` messages a second overall (30, as
Telegram; 20 plays a Telegram stricter than the bot's own 30 a second) and one a second per chat
(answering 429 beyond that), and injects `--floods` extra 429s (Retry-After 1 s) part-way.
The sergeant sends /brief and presses Send as in Telegram; the clock runs from the press to the last
copy accepted. Printed: time against the ideal N/rate s, copies lost and duplicated, 429s seen, copies
left pending, and the audit entries (each copy's intent, and its settlement).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import sqlite3
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, insert, select

from bot.app import build_application
from bot.cli import init_db
from bot.run import started
from bot.settings import Secret, Settings
from knowledge.access.users import enrol
from knowledge.store.database import Database
from knowledge.store.schema import AuditEntry, BriefingDelivery, User
from tests.support.fake_bot_api import FakeBotAPI

SERGEANT = 500
FIRST_OFFICER = 1_000_000
RATE = 30  # Telegram's messages a second for a bot, overall: what the bot paces itself to


def _machine() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "")
    load = f", load {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return (
        f"{os.cpu_count()} CPUs ({model or platform.processor()}){load}, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


async def _enrol(db: Database, officers: list[int]) -> None:
    now = dt.datetime.now(dt.UTC)
    rows = [
        {"telegram_id": t, "name": f"Officer {t}", "role": "officer", "team": "bench", "status": "active",
         "changed_by": "bench", "changed_at": now}
        for t in officers
    ]  # fmt: skip
    async with db.sessions() as session, session.begin():
        await session.execute(insert(User), rows)


def _delivered(fake: FakeBotAPI, officers: set[int]) -> int:
    return sum(n for chat, n in fake.delivered.items() if chat in officers)


async def _until_delivered(fake: FakeBotAPI, officers: set[int], count: int) -> None:
    # Checked four times a second, not every 5 ms as tests do: the check must not eat the bot's CPU.
    while _delivered(fake, officers) < count:  # noqa: ASYNC110 (the fake has no event to wait on)
        await asyncio.sleep(0.25)


async def _flood_part_way(fake: FakeBotAPI, officers: set[int], floods: int) -> None:
    """Answer one send with 429 each time another 1/(floods+1) of the copies have gone."""
    for k in range(1, floods + 1):
        await _until_delivered(fake, officers, len(officers) * k // (floods + 1))
        fake.fail_next("sendMessage", status=429, retry_after=1)


async def bench(officers_count: int, floods: int, telegram_rate: int) -> int:
    directory = Path(tempfile.mkdtemp(prefix="beatline-bench-"))
    url = f"sqlite:///{directory / 'beatline.db'}"
    init_db(Settings(url))  # the audit key file beside the database, as `beatline init-db` makes it
    db = Database(url, audit_key=Settings(url).load_audit_key())
    await enrol(db, SERGEANT, "sergeant", team="bench", name="Sgt Bench", by="bench")
    officers = list(range(FIRST_OFFICER, FIRST_OFFICER + officers_count))
    wanted = set(officers)
    async with FakeBotAPI(global_rate=telegram_rate, per_chat_rate=1) as fake:
        token = Secret(fake.token)
        # The shift unlock off: this measures the broadcast, not the sergeant's /unlock.
        settings = Settings(url, token, telegram_api_base_url=fake.base_url, step_up="off")
        application = build_application(settings)
        async with started(application):
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=1)
            # Officers join once start-up has read the user list, so its command-menu sync (one call per
            # user, at 30 a second) is not running during the broadcast being measured.
            await fake.wait_for(lambda f: any(c.get("scope") for c in f.calls("setMyCommands")))
            await _enrol(db, officers)
            fake.push_update(fake.text_message(SERGEANT, "/brief Red Ford Focus AB12CDE: stop and check"))
            [preview] = await fake.wait_for(lambda f: f.bot_messages(SERGEANT))
            send = preview["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            flooding = asyncio.create_task(_flood_part_way(fake, wanted, floods))
            pressed = time.monotonic()
            fake.push_update(fake.callback_query(SERGEANT, preview, send))
            await asyncio.wait_for(_until_delivered(fake, wanted, len(wanted)), timeout=600)
            await asyncio.sleep(1.5)  # a duplicate, if any, would arrive now
            await flooding
            await application.updater.stop()
        copies = [r for r in fake.requests if r.method == "sendMessage" and r.params["chat_id"] in wanted]
        accepted = [r.time for r in copies if r.http_status == 200]
        refused = sum(1 for r in copies if r.http_status == 429)
        lost = sum(1 for o in officers if fake.delivered[o] == 0)
        duplicated = sum(1 for o in officers if fake.delivered[o] > 1)
        natural = fake.rate_limited_count
    async with db.sessions() as session:
        rows = dict((await session.execute(
            select(BriefingDelivery.status, func.count()).group_by(BriefingDelivery.status)
        )).all())  # fmt: skip
        audited = dict((await session.execute(
            select(AuditEntry.outcome, func.count()).where(AuditEntry.channel == "briefing")
            .group_by(AuditEntry.outcome)
        )).all())  # fmt: skip
    await db.dispose()
    rate = min(RATE, telegram_rate)
    total, ideal = max(accepted) - pressed, officers_count / rate
    print(f"machine: {_machine()}")
    print(f"recipients: {officers_count}; fake Bot API: {telegram_rate} msg/s overall, 1 msg/s per chat")
    print(f"time from Send to last copy: {total:.1f} s; ideal {officers_count}/{rate} = {ideal:.1f} s; "
          f"overhead {100 * (total / ideal - 1):+.1f} %")  # fmt: skip
    print(f"429s seen: {refused} ({floods} injected, {natural} from the flood limits)")
    print(f"lost: {lost}; duplicated: {duplicated}; rows: {rows}; audit entries: {audited}")
    settled = rows.get("sent", 0) == officers_count == audited.get("sending", 0) - audited.get("requeued", 0)
    return 0 if lost == duplicated == 0 and settled and total <= ideal * 1.10 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=2000)
    parser.add_argument("--floods", type=int, default=3)
    parser.add_argument("--telegram-rate", type=int, default=RATE)
    args = parser.parse_args()
    return asyncio.run(bench(args.officers, args.floods, args.telegram_rate))


if __name__ == "__main__":
    raise SystemExit(main())
