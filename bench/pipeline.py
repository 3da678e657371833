"""Updates per second and latency through the webhook path: POST → gate → answer → sendMessage.

The bot runs as it does in production: `--processes` separate `beatline run --webhook` processes sharing
one port (SO_REUSEPORT) and one database. This process plays Telegram: the fake Bot API from the tests
takes the bot's replies and timestamps each on arrival, and `--concurrency` workers post officers'
questions (plates, and names with dates of birth drawn from the data) to the webhook, each waiting for
its reply before sending the next, so the figures are for a bot kept busy rather than flooded.
Telegram's 30-messages-a-second limit is lifted (BEATLINE_SEND_RATE=0): this measures Beatline, not
Telegram's policy.

    .venv/bin/python -m bench.pipeline [--persons 5000] [--updates 3000] [--concurrency 32]
                                       [--processes 1] [--database URL] [--whoami]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import platform
import random
import signal
import statistics
import sys
import tempfile
import time
from asyncio.subprocess import Process
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path

from aiohttp import ClientSession
from sqlalchemy import create_engine, delete, func, insert, select

from bot.cli import init_db
from bot.settings import Settings
from handlers.errors import SORRY
from knowledge.answers.disclosure import DATABASE_DOWN
from knowledge.demo.dataset import load_demo_data
from knowledge.store.database import sync_url
from knowledge.store.schema import Person, ProcessedUpdate, User, Vehicle
from tests.support.bot import free_port
from tests.support.fake_bot_api import DEFAULT_BOT_ID, FakeBotAPI

FIRST_OFFICER = 100_000
BENCH_TEAM = "beatline-bench"


def prepare(url: str, persons: int, officers: int, seed: int) -> list[str]:
    """Schema, demo records and enrolled officers; the questions they will ask."""
    init_db(Settings.from_env({**os.environ, "BEATLINE_DATABASE_URL": url}))
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        loaded = conn.execute(select(func.count()).select_from(Person)).scalar_one()
    if not loaded:  # an already loaded database (e.g. bench/search.py's million) is used as it is
        load_demo_data(url, persons=persons, seed=seed)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        # Only what an earlier run left: its officers (by their team; a real user with one of these ids
        # makes the insert below fail rather than be overwritten) and the fake bot's update ids, which
        # start again at 1.
        conn.execute(delete(User).where(User.team == BENCH_TEAM))
        conn.execute(delete(ProcessedUpdate).where(ProcessedUpdate.bot_id == DEFAULT_BOT_ID))
        conn.execute(insert(User), [
            {"telegram_id": FIRST_OFFICER + n, "name": f"officer {n}", "role": "officer", "team": BENCH_TEAM,
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


SECRET = "bench-secret"


async def start_bots(
    fake: FakeBotAPI, url: str, port: int, processes: int, logs: Path, *, floor: bool
) -> list[Process]:
    env = {
        **os.environ,
        "BEATLINE_DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "BEATLINE_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "BEATLINE_WEBHOOK_SECRET": SECRET,
        "BEATLINE_RATE_LIMIT": str(10**9),
        "BEATLINE_SEND_RATE": "0",
        "BEATLINE_LOG_LEVEL": "WARNING",
        "BEATLINE_STEP_UP": "off",  # the answers' pipeline; bench/gate.py measures the unlock's cost
    }
    command = [sys.executable, "-m", "bot.cli", "run", "--webhook", "--port", str(port)]
    if floor:
        command = [sys.executable, "-m", "bench.floor_bot"]
        env["PORT"] = str(port)
    bots = []
    for n in range(processes):
        log = (logs / f"bot{n}.log").open("wb")
        bots.append(await asyncio.create_subprocess_exec(*command, env=env, stdout=log, stderr=log))
    await fake.wait_for(lambda f: len(f.calls("setWebhook")) == processes, timeout=60)
    return bots


async def stop_bots(bots: list[Process], logs: Path) -> None:
    for process in bots:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)  # finishes what it accepted, then exits
    codes = [await asyncio.wait_for(process.wait(), 60) for process in bots]
    if any(codes):
        for n in range(len(bots)):
            print((logs / f"bot{n}.log").read_bytes()[-2000:].decode(errors="replace"), file=sys.stderr)
        raise SystemExit(f"a bot process exited with {codes}")


async def drive(url: str, questions: list[str], updates: int, concurrency: int, officers: int,
                processes: int, logs: Path, *, floor: bool) -> None:  # fmt: skip
    async with FakeBotAPI() as fake, ClientSession() as http:
        port = free_port()
        bots = await start_bots(fake, url, port, processes, logs, floor=floor)
        posted: dict[int, list[float]] = defaultdict(list)  # chat -> when each question was posted
        rng = random.Random(1)
        webhook = f"http://127.0.0.1:{port}/telegram"

        async def worker(number: int, count: int) -> None:
            # Each worker owns its officers, so the k-th reply in a chat answers the k-th question.
            mine = [FIRST_OFFICER + n for n in range(number, officers, concurrency)]
            for k in range(count):
                chat = mine[k % len(mine)]
                before = fake.delivered[chat]
                update = fake.text_message(chat, rng.choice(questions))
                update["update_id"] = next(update_ids)
                posted[chat].append(time.monotonic())
                headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                async with http.post(webhook, json=update, headers=headers) as response:
                    assert response.status == 200, response.status
                await fake.wait_delivered(chat, before)

        update_ids = itertools.count(1)
        try:
            await asyncio.gather(*(worker(n, 20) for n in range(concurrency)))  # warm-up: caches, connections
            fake.requests.clear()
            posted.clear()
            started, cpu_before, own_before = time.monotonic(), children_cpu(bots), time.process_time()
            await asyncio.gather(*(worker(n, updates // concurrency) for n in range(concurrency)))
            cpu, own = children_cpu(bots) - cpu_before, time.process_time() - own_before
        finally:
            await stop_bots(bots, logs)
    replies: dict[int, list[float]] = defaultdict(list)
    failures = 0  # an apology is fast, and no answer: the run must have none
    for r in fake.requests:
        if r.method == "sendMessage" and r.http_status == 200:
            replies[r.params["chat_id"]].append(r.time)
            failures += r.params["text"] in (SORRY, DATABASE_DOWN)
    latencies = sorted(
        (reply - sent) * 1000
        for chat, times in posted.items()
        for sent, reply in zip(times, replies[chat], strict=True)
    )
    finished = max(t for times in replies.values() for t in times)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    seconds = finished - started
    print(f"{len(latencies)} updates in {seconds:.2f} s: {len(latencies) / seconds:.0f} updates/s")
    if failures:
        print(f"WARNING: {failures} replies were apologies, not answers: these figures do not count")
    median, worst = statistics.median(latencies), latencies[-1]
    print(f"latency per update: p50 {median:.1f} ms, p95 {p95:.1f} ms, max {worst:.1f} ms")
    print(
        f"CPU per update: bot {cpu * 1000 / len(latencies):.1f} ms (all {processes} processes), "
        f"Telegram's side (this process) {own * 1000 / len(latencies):.1f} ms"
    )


def children_cpu(bots: list[Process]) -> float:
    """CPU seconds (user + system) the bot processes have used so far, from /proc."""
    total = 0.0
    for process in bots:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--officers", type=int, default=256)
    parser.add_argument("--processes", type=int, default=1, help="bot processes sharing the webhook port")
    parser.add_argument(
        "--database", help="a database URL, empty or already loaded (default: a temporary SQLite file)"
    )
    parser.add_argument("--whoami", action="store_true", help="send /whoami: the pipeline without a search")
    parser.add_argument(
        "--floor", action="store_true", help="a PTB bot that answers 'ok' with no database, for comparison"
    )
    args = parser.parse_args()
    if args.concurrency > args.officers:
        parser.error("--concurrency may not exceed --officers: each worker speaks for its own officers")
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        questions = prepare(url, args.persons, args.officers, seed=1)
        print(machine())
        print(
            f"database: {url.split(':', 1)[0]}, {args.persons:,} persons; concurrency {args.concurrency}; "
            f"{args.processes} bot process(es)"
        )
        work = ["/whoami"] if args.whoami else questions
        asyncio.run(
            drive(
                url,
                work,
                args.updates,
                args.concurrency,
                args.officers,
                args.processes,
                Path(tmp),
                floor=args.floor,
            )
        )


if __name__ == "__main__":
    main()
