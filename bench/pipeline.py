"""Updates per second and latency through the webhook path: POST → gate → answer → sendMessage.

The real Application serves our aiohttp webhook; the fake Bot API from the tests stands in for
Telegram and timestamps every reply on arrival. Officers' questions (plates, and names with dates of
birth drawn from the data) are posted by `--concurrency` workers, each waiting for its reply before
sending the next, so the figures are for a bot kept busy rather than flooded. Telegram's 30-messages-
a-second broadcast limit is lifted: this measures Beatline, not Telegram's policy.

    .venv/bin/python bench/pipeline.py [--persons 5000] [--updates 3000] [--concurrency 32] [--database URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, delete, func, insert, select

from bot.app import build_application
from bot.run import serve
from bot.settings import Secret, Settings
from knowledge.db import sync_url, upgrade_schema
from knowledge.demo import load_demo_data
from knowledge.models import Person, ProcessedUpdate, User, Vehicle
from tests.e2e.conftest import free_port
from tests.fake_bot_api import FakeBotAPI

FIRST_OFFICER = 100_000


def prepare(url: str, persons: int, officers: int, seed: int) -> list[str]:
    """Schema, demo records and enrolled officers; the questions they will ask."""
    upgrade_schema(url)
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        loaded = conn.execute(select(func.count()).select_from(Person)).scalar_one()
    if not loaded:  # an already loaded database (e.g. bench/search.py's million) is used as it is
        load_demo_data(url, persons=persons, seed=seed)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(delete(User).where(User.telegram_id >= FIRST_OFFICER))
        # A reused database remembers the update ids of the last run; the fake server starts again at 1.
        conn.execute(delete(ProcessedUpdate))
        conn.execute(insert(User), [
            {"telegram_id": FIRST_OFFICER + n, "name": f"officer {n}", "role": "officer", "team": "bench",
             "status": "active", "changed_by": "bench", "changed_at": now}
            for n in range(officers)
        ])  # fmt: skip
        plates = list(conn.scalars(select(Vehicle.vrm).order_by(func.random()).limit(200)))
        people = conn.execute(
            select(Person.forenames, Person.surname, Person.date_of_birth).order_by(func.random()).limit(200)
        ).all()
    engine.dispose()
    questions = [f"check plate {vrm}" for vrm in plates]
    questions += [f"{p.forenames} {p.surname} {p.date_of_birth:%d/%m/%Y}" for p in people if p.date_of_birth]
    return questions


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    with open("/proc/cpuinfo") if Path("/proc/cpuinfo").exists() else open(os.devnull) as info:
        names = [line.split(":", 1)[1].strip() for line in info if line.startswith("model name")]
    return (
        f"{platform.system()} {platform.release()}, {names[0] if names else cpu}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, python-telegram-bot {version('python-telegram-bot')}, "
        f"SQLAlchemy {version('SQLAlchemy')}"
    )


async def drive(url: str, questions: list[str], updates: int, concurrency: int, officers: int) -> None:
    async with FakeBotAPI() as fake:
        port = free_port()
        settings = Settings(
            database_url=url,
            telegram_token=Secret(fake.token),
            telegram_api_base_url=fake.base_url,
            webhook_url=f"http://127.0.0.1:{port}/telegram",
            webhook_secret=Secret("bench-secret"),
            rate_limit=10**9,
        )
        stop = asyncio.Event()
        application = build_application(settings, webhook=True, overall_max_rate=0)
        served = asyncio.create_task(
            serve(application, settings, webhook=True, port=port, host="127.0.0.1", stop=stop)
        )
        await fake.wait_for(lambda f: f.webhook["url"], timeout=30)
        posted: dict[int, list[float]] = defaultdict(list)  # chat -> when each question was posted
        rng = random.Random(1)

        async def worker(number: int, count: int) -> None:
            # Each worker owns its officers, so the k-th reply in a chat answers the k-th question.
            mine = [FIRST_OFFICER + n for n in range(number, officers, concurrency)]
            for k in range(count):
                chat = mine[k % len(mine)]
                before = fake.delivered[chat]
                update = fake.text_message(chat, rng.choice(questions))
                posted[chat].append(time.monotonic())
                await fake.post_to_webhook(update)
                # A short poll rather than an Event: the fake server has no hook, and latency is timed by
                # the server on arrival, so the poll only paces this worker.
                while fake.delivered[chat] == before:  # noqa: ASYNC110
                    await asyncio.sleep(0.001)

        await asyncio.gather(*(worker(n, 20) for n in range(concurrency)))  # warm-up: caches, connections
        fake.requests.clear()
        posted.clear()
        started = time.monotonic()
        await asyncio.gather(*(worker(n, updates // concurrency) for n in range(concurrency)))
        stop.set()
        await served
    replies: dict[int, list[float]] = defaultdict(list)
    for r in fake.requests:
        if r.method == "sendMessage" and r.http_status == 200:
            replies[r.params["chat_id"]].append(r.time)
    latencies = sorted(
        (reply - sent) * 1000
        for chat, times in posted.items()
        for sent, reply in zip(times, replies[chat], strict=True)
    )
    finished = max(t for times in replies.values() for t in times)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    seconds = finished - started
    print(f"{len(latencies)} updates in {seconds:.2f} s: {len(latencies) / seconds:.0f} updates/s")
    median, worst = statistics.median(latencies), latencies[-1]
    print(f"latency per update: p50 {median:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--officers", type=int, default=256)
    parser.add_argument(
        "--database", help="a database URL, empty or already loaded (default: a temporary SQLite file)"
    )
    parser.add_argument("--whoami", action="store_true", help="send /whoami: the pipeline without a search")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        questions = prepare(url, args.persons, args.officers, seed=1)
        print(machine())
        print(f"database: {url.split(':', 1)[0]}, {args.persons:,} persons; concurrency {args.concurrency}")
        asyncio.run(
            drive(
                url, ["/whoami"] if args.whoami else questions, args.updates, args.concurrency, args.officers
            )
        )


if __name__ == "__main__":
    main()
