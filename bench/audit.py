"""What the keyed audit chain costs: entries appended a second, and entries verified a second.

    .venv/bin/python -m bench.audit [--entries 3000] [--database postgresql://…]

Each entry is appended in a transaction of its own, as every answer writes its entry: claim the head
(UPDATE … RETURNING), insert the entry, move the head, commit. One writer, so the figure is the cost
of one entry rather than of contention. A fresh SQLite file unless --database names an empty
PostgreSQL database (its audit log is sealed with a throwaway key).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sqlite3
import tempfile
import time
from pathlib import Path

from knowledge.store import audit, audit_check
from knowledge.store.audit import Caller
from knowledge.store.audit_key import AuditKey
from knowledge.store.database import Database, upgrade_schema

OFFICER = Caller(actor="tg:1001", role="officer", telegram_user_id=1001, chat_id=1001, update_id=7)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "")
    return (
        f"{os.cpu_count()} CPUs ({model or platform.processor()}), load {os.getloadavg()[0]:.1f}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


async def append(db: Database, entries: int) -> tuple[float, float]:
    """Seconds to append `entries` entries, one transaction each: wall, and this process's CPU."""
    started, cpu = time.perf_counter(), time.process_time()
    for n in range(entries):
        async with db.sessions() as session, session.begin():
            await audit.record(
                session, OFFICER, query=f"check plate AB{n % 100:02d}CDE", intent="vehicle_check",
                outcome="answered", record_ids=[f"vehicle:AB{n % 100:02d}CDE"], reason="STOP",
            )  # fmt: skip
    return time.perf_counter() - started, time.process_time() - cpu


async def bench(url: str, entries: int) -> None:
    key = AuditKey.generate()
    upgrade_schema(url)
    audit.seal(url, key)
    db = Database(url, audit_key=key)
    try:
        await append(db, 50)  # warm the pool and the caches
        spent, cpu = await append(db, entries)
        checked = float("inf")
        for _ in range(3):  # the best of three: the machine is shared
            started = time.perf_counter()
            result = await audit_check.verify(db)
            checked = min(checked, time.perf_counter() - started)
    finally:
        await db.dispose()
    assert result.ok, result.problems
    print(
        f"  append: {entries / spent:,.0f} entries/s ({spent / entries * 1000:.2f} ms each, "
        f"{cpu / entries * 1000:.2f} ms of our CPU)"
    )
    rate = result.checked / checked
    print(f"  verify: {rate:,.0f} entries/s ({result.checked:,} in {checked:.2f} s, best of 3)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=3000)
    parser.add_argument("--database", help="an empty PostgreSQL database (default: a fresh SQLite file)")
    args = parser.parse_args()
    print(machine())
    url = args.database or f"sqlite:///{Path(tempfile.mkdtemp(prefix='beatline-bench-')) / 'audit.db'}"
    print(url.split("://")[0])
    asyncio.run(bench(url, args.entries))


if __name__ == "__main__":
    main()
