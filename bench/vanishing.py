"""What replies that vanish cost: one ledger write per sent message, and deletions a second.

    .venv/bin/python -m bench.vanishing [--messages 2000] [--database postgresql://…]

`record`: each sent message written down in a transaction of its own, as the bot does after every
send (a reply that shows records and its question: one INSERT of two rows and one UPDATE). `delete`:
that many due messages claimed in batches of 100 and settled one by one, through a port that answers
at once, so the figure is the schedule's own cost, not Telegram's. One process. A fresh SQLite file
unless --database names an empty PostgreSQL database.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time
from pathlib import Path

from bench.audit import machine
from knowledge.store.database import Database, upgrade_schema
from knowledge.vanishing.engine import DeletionEngine
from knowledge.vanishing.ledger import Incoming, Ledger
from knowledge.vanishing.port import Deletion

CHATS = 50


async def _deleted(chat_id: int, message_id: int) -> Deletion:
    return Deletion.DELETED


async def record(ledger: Ledger, messages: int, first: int) -> tuple[float, float]:
    """Seconds to write `messages` record replies with their questions: wall, and our CPU."""
    started, cpu = time.perf_counter(), time.process_time()
    for n in range(first, first + messages):
        asked = Incoming(1000 + n % CHATS, 2 * n, from_bot=False, sent_at=dt.datetime.now(dt.UTC))
        await ledger.record(1000 + n % CHATS, 2 * n + 1, shows_records=True, incoming=asked)
    return time.perf_counter() - started, time.process_time() - cpu


async def bench(url: str, messages: int) -> None:
    upgrade_schema(url)
    db = Database(url)
    try:
        ledger = Ledger(db, dt.timedelta(0))  # due at once
        await record(ledger, 50, 0)  # warm the pool and the caches
        spent, cpu = await record(ledger, messages, 50)
        engine = DeletionEngine(db, _deleted)
        started, cpu_started = time.perf_counter(), time.process_time()
        deleted = 0
        while claimed := await engine.run_due():
            deleted += claimed
        wall, deleting_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        await db.dispose()
    print(f"  record: {spent / messages * 1000:.2f} ms each ({cpu / messages * 1000:.2f} ms of our CPU)")
    print(
        f"  delete: {deleted / wall:,.0f} messages/s ({deleting_cpu / deleted * 1000:.2f} ms of our CPU each)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database", help="an empty PostgreSQL database (default: a fresh SQLite file)")
    args = parser.parse_args()
    print(machine())
    url = args.database or f"sqlite:///{Path(tempfile.mkdtemp(prefix='beatline-bench-')) / 'vanish.db'}"
    print(url.split("://")[0])
    asyncio.run(bench(url, args.messages))


if __name__ == "__main__":
    main()
