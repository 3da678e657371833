"""What the web console's pages cost over a big audit log: each page's time to the last byte.

    .venv/bin/python -m bench.console [--entries 200000] [--users 1000] [--database postgresql://…]

The log is filled by bulk insert (its chain is not what is measured here: bench/audit.py does that),
then the console is served in this process and each page fetched over HTTP, signed in, five times;
the median is reported. Every page view writes its own audit entry first, as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, insert

from bench.audit import machine
from knowledge.access import users
from knowledge.store.database import sync_url
from knowledge.store.schema import AuditEntry, AuditHead
from tests.support.console import running_console
from tests.support.keys import init_db

PAGES = {
    "users (all)": "/users",
    "users (search)": "/users?q=north",
    "audit (newest 100)": "/audit",
    "audit (one user)": "/audit?user=20017",
    "audit (outcome)": "/audit?outcome=denied",
    "audit (record id)": "/audit?record=P000123",
    "audit (dates)": "/audit?since=2026-06-01&until=2026-06-07",
    "export CSV (one user)": "/audit/export?user=20017&format=csv",
}


def fill_log(url: str, entries: int) -> None:
    """`entries` synthetic checks by 500 officers over a year, in batches."""
    engine = create_engine(sync_url(url))
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    step = dt.timedelta(days=365) / entries
    with engine.begin() as conn:
        batch = []
        for n in range(1, entries + 1):
            who = 20000 + n % 500
            batch.append({
                "id": n, "at": start + step * n, "actor": f"tg:{who}", "channel": "telegram",
                "telegram_user_id": who, "chat_id": who, "update_id": n, "query": f"check P{n % 90000:06d}",
                "intent": "person_check", "reason": "STOP",
                "outcome": "denied" if n % 97 == 0 else "answered",
                "record_ids": f"person:P{n % 90000:06d} address:A{n % 5000:05d}",
                "prev_hash": "0" * 64, "hash": f"{n:064x}", "mac": None,
            })  # fmt: skip
            if len(batch) == 5000:
                conn.execute(insert(AuditEntry), batch)
                batch = []
        if batch:
            conn.execute(insert(AuditEntry), batch)
        conn.execute(AuditHead.__table__.update().values(seq=entries, last_hash=f"{entries:064x}"))
    engine.dispose()


async def bench(url: str, entries: int, people: int) -> None:
    init_db(url)
    fill_log(url, entries)
    async with running_console(url) as console:
        for n in range(people):
            await users.enrol(console.db, 30000 + n, "officer", team=("north", "south")[n % 2],
                              name=f"Officer {n}", by="bench")  # fmt: skip
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as client:
            token = (await console.link()).rsplit("=", 1)[1]
            async with client.post(console.url("/login"), data={"token": token}) as landed:
                assert re.search("Users", await landed.text())
            for name, path in PAGES.items():
                times = []
                for _ in range(5):
                    started = time.perf_counter()
                    async with client.get(console.url(path)) as page:
                        await page.read()
                        assert page.status == 200, (path, page.status)
                    times.append(time.perf_counter() - started)
                print(f"  {name:<24} {statistics.median(times) * 1000:8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--database", help="an empty PostgreSQL database (default: a fresh SQLite file)")
    args = parser.parse_args()
    print(machine())
    url = args.database or f"sqlite:///{Path(tempfile.mkdtemp(prefix='beatline-bench-')) / 'console.db'}"
    print(f"{url.split('://')[0]}: {args.entries:,} audit entries, {args.users:,} users")
    asyncio.run(bench(url, args.entries, args.users))


if __name__ == "__main__":
    main()
