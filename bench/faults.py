"""Each fault in turn through the real bot: questions answered, apologised for, lost and duplicated.

One `beatline run --webhook` process, started as bench/pipeline.py starts it, on a fresh PostgreSQL
database reached through the tests' TCP proxy (tests/support/tcp_proxy.py), replying to the fake Bot
API. For each fault the benchmark asks `--rate` questions a second for `--window` seconds with the
fault on, then for `--recovery` seconds with it off again, each from an officer of its own so that
every reply can be told apart, and then waits until every reply that is coming has come. Per fault:

- sent: questions posted to the webhook (each accepted with 200);
- answered: the first reply was an answer; apologised: it was one of the bot's apologies;
- lost: no reply at all; duplicated: replies beyond the first;
- p95 and max: seconds from question to first reply.

    .venv/bin/python -m bench.faults [--rate 10] [--window 10] [--recovery 5] [--db-timeout 5]
                                     [--bot-api-timeout 10] [--postgres ADMIN_URL] [--only NAME]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.pipeline import FIRST_OFFICER, SECRET, machine, prepare, start_bots, stop_bots
from handlers import errors
from knowledge.answers import disclosure
from knowledge.store.database import sync_url
from tests.support.bot import free_port
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.postgres import fresh_postgres
from tests.support.tcp_proxy import TcpProxy

APOLOGIES = {errors.SORRY, errors.DATABASE_DOWN, disclosure.DATABASE_DOWN}
QUIET = 30.0  # seconds without a new reply after which the missing ones are counted lost

Switch = Callable[[], Awaitable[None]]


@dataclass
class Fault:
    name: str
    on: Switch
    off: Switch


async def nothing() -> None:
    pass


def faults(proxy: TcpProxy, fake: FakeBotAPI, stall: float) -> list[Fault]:
    """The faults, in the order they are run; the first is none, for comparison."""

    async def hang() -> None:
        proxy.hang()

    async def reset() -> None:
        proxy.reset()

    async def slow() -> None:
        await proxy.passing(delay=0.2)

    async def server_errors() -> None:
        fake.fail_next("sendMessage", status=502, times=100_000)

    async def flood_control() -> None:
        fake.global_rate = 2  # Telegram's 429 with retry_after=1 beyond 2 messages a second

    async def unlimited() -> None:
        fake.global_rate = None

    async def stalled() -> None:
        fake.delay("sendMessage", stall)  # longer than the bot waits; the message still arrives, late

    async def healed() -> None:
        fake.heal("sendMessage")

    return [
        Fault("none", nothing, nothing),
        Fault("DB refused", proxy.refuse, proxy.passing),
        Fault("DB reset", reset, proxy.passing),
        Fault("DB hung", hang, proxy.passing),
        Fault("DB slow (+0.2 s each way)", slow, proxy.passing),
        Fault("Bot API 5xx (502)", server_errors, healed),
        Fault("Bot API 429 (2 msg/s)", flood_control, unlimited),
        Fault(f"Bot API stalled ({stall:g} s)", stalled, healed),
    ]


@dataclass
class Tally:
    sent: int
    answered: int
    apologised: int
    lost: int
    duplicated: int
    p95: float
    worst: float


def replies(fake: FakeBotAPI, chats: set[int]) -> dict[int, list[tuple[float, str]]]:
    """For each chat, its delivered messages as (time delivered, text), first delivered first."""
    found: dict[int, list[tuple[float, str]]] = {chat: [] for chat in chats}
    for r in fake.requests:
        if r.method == "sendMessage" and r.http_status == 200 and r.params.get("chat_id") in found:
            assert r.answered_at is not None
            found[r.params["chat_id"]].append((r.answered_at, r.params["text"]))
    return {chat: sorted(messages) for chat, messages in found.items()}


def in_flight(fake: FakeBotAPI, chats: set[int]) -> bool:
    """True while a sendMessage to one of these chats has not been answered (a stalled one, say)."""
    return any(r.http_status is None and r.params.get("chat_id") in chats for r in fake.requests)


def menus_done(fake: FakeBotAPI, now: float) -> bool:
    """True once the bot has set no command menu for two seconds."""
    menus = [r for r in fake.requests if r.method == "setMyCommands"]
    return bool(menus) and now - menus[-1].time > 2


async def settle(fake: FakeBotAPI, chats: set[int]) -> None:
    """Wait until every chat has a reply and nothing is in flight, or nothing has arrived for QUIET s."""
    count, changed = -1, time.monotonic()
    while time.monotonic() - changed < QUIET:
        now = sum(len(v) for v in replies(fake, chats).values())
        if now != count:
            count, changed = now, time.monotonic()
        if all(replies(fake, chats).values()) and not in_flight(fake, chats):
            return
        await asyncio.sleep(0.5)


async def ask(
    fake: FakeBotAPI, webhook: str, chats: Iterator[int], questions: list[str], rate: float, seconds: float,
    posted: dict[int, float], rng: random.Random,
) -> None:  # fmt: skip
    """Post `rate` questions a second for `seconds`, each from a new officer."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for n in itertools.count():
        due = start + n / rate
        if due >= start + seconds:
            return
        await asyncio.sleep(max(0.0, due - loop.time()))
        chat = next(chats)
        posted[chat] = time.monotonic()
        update = fake.text_message(chat, rng.choice(questions))
        status = await fake.post_to_webhook(update, url=webhook, secret=SECRET)
        if status != 200:
            raise SystemExit(f"the webhook answered {status} to a question")


async def run_fault(
    fault: Fault, fake: FakeBotAPI, webhook: str, chats: Iterator[int], questions: list[str],
    args: argparse.Namespace,
) -> Tally:  # fmt: skip
    posted: dict[int, float] = {}
    rng = random.Random(fault.name)
    await fault.on()
    await ask(fake, webhook, chats, questions, args.rate, args.window, posted, rng)
    await fault.off()
    await ask(fake, webhook, chats, questions, args.rate, args.recovery, posted, rng)
    await settle(fake, set(posted))
    got = replies(fake, set(posted))
    first = {chat: messages[0] for chat, messages in got.items() if messages}
    waits = sorted(at - posted[chat] for chat, (at, _) in first.items())
    apologised = sum(reply in APOLOGIES for _, reply in first.values())
    return Tally(
        sent=len(posted),
        answered=len(first) - apologised,
        apologised=apologised,
        lost=len(posted) - len(first),
        duplicated=sum(len(messages) - 1 for messages in got.values() if messages),
        p95=waits[int(len(waits) * 0.95) - 1] if waits else float("nan"),
        worst=waits[-1] if waits else float("nan"),
    )


async def drive(url: str, questions: list[str], args: argparse.Namespace, logs: Path) -> None:
    async with FakeBotAPI() as fake, TcpProxy.in_front_of(url) as proxy:
        port = free_port()
        [bot] = await start_bots(fake, proxy.url_for(url), port, 1, logs, floor=False)
        webhook = f"http://127.0.0.1:{port}/telegram"
        chats = itertools.count(FIRST_OFFICER)
        # At start the bot sets every enrolled officer's command menu: let it finish before measuring.
        await fake.wait_for(lambda f: menus_done(f, time.monotonic()), timeout=300)
        # Not counted: fills the caches and the connection pool, as a bot that has run a while has them.
        await run_fault(Fault("warm-up", nothing, nothing), fake, webhook, chats, questions, args)
        print(f"{'fault':<27} {'sent':>5} {'answered':>9} {'apologised':>11} {'lost':>5} {'duplicated':>11}"
              f" {'p95 s':>7} {'max s':>7}", flush=True)  # fmt: skip
        try:
            for fault in faults(proxy, fake, stall=args.bot_api_timeout + 5):
                if args.only and args.only.lower() not in fault.name.lower() and fault.name != "none":
                    continue
                t = await run_fault(fault, fake, webhook, chats, questions, args)
                print(f"{fault.name:<27} {t.sent:>5} {t.answered:>9} {t.apologised:>11} {t.lost:>5} "
                      f"{t.duplicated:>11} {t.p95:>7.2f} {t.worst:>7.2f}", flush=True)  # fmt: skip
        finally:
            await proxy.passing()
            fake.heal("sendMessage")
            fake.global_rate = None
            await stop_bots([bot], logs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=10, help="questions a second")
    parser.add_argument("--window", type=float, default=10, help="seconds each fault lasts")
    parser.add_argument("--recovery", type=float, default=5, help="seconds of questions after each fault")
    parser.add_argument("--db-timeout", type=float, default=5, help="BEATLINE_DB_TIMEOUT for the bot")
    parser.add_argument("--bot-api-timeout", type=float, default=10, help="BEATLINE_BOT_API_TIMEOUT")
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a server: a fresh database is made there, and dropped after")  # fmt: skip
    parser.add_argument("--only", help="run only the faults whose name contains this (and none, to compare)")
    args = parser.parse_args()
    # The bot process inherits these (start_bots passes the environment on).
    os.environ["BEATLINE_DB_TIMEOUT"] = str(args.db_timeout)
    os.environ["BEATLINE_BOT_API_TIMEOUT"] = str(args.bot_api_timeout)
    officers = int(args.rate * (args.window + args.recovery) * 9) + 100  # the faults and a warm-up
    for url in fresh_postgres(args.postgres):
        questions = prepare(url, args.persons, officers, seed=1)
        engine = create_engine(sync_url(url))
        with engine.connect() as conn:
            server = conn.execute(text("SHOW server_version")).scalar_one()
        engine.dispose()
        print(machine(), f"PostgreSQL {server}", sep=", ")
        print("load average at start: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
        print(
            f"{args.rate:g} questions/s; each fault on {args.window:g} s, then off {args.recovery:g} s; "
            f"BEATLINE_DB_TIMEOUT={args.db_timeout:g}, BEATLINE_BOT_API_TIMEOUT={args.bot_api_timeout:g}"
        )
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(drive(url, questions, args, Path(tmp)))
        print("load average at end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
