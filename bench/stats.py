"""Statistics over a million audit entries on PostgreSQL: how long `statistics()` takes.

    .venv/bin/python -m bench.stats [--entries 1000000] [--admin-url postgresql://…/postgres] [--keep]

Makes a fresh database (dropped afterwards), migrates it, enrols 200 users in 8 teams and writes the
entries with one INSERT … SELECT generate_series, spread evenly over 30 days with a mix of intents,
outcomes and reasons, and an answer time for each (not the chain writer: a million keyed appends
would take an hour and measure the writer, not the statistics). Then times `statistics()` for the
last 7 days and for all 30, and `review()` for the last 7, each the best of 3.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from knowledge.review.review import review
from knowledge.review.statistics import statistics
from knowledge.store.database import Database, sync_url, upgrade_schema

USERS, TEAMS, DAYS = 200, 8, 30

_USERS = """
INSERT INTO users (telegram_id, name, role, team, status, changed_by, changed_at)
SELECT 1000 + u, 'Officer ' || u, 'officer', 'team ' || (u % :teams), 'active', 'bench', now()
FROM generate_series(0, :users - 1) AS u
"""
_ENTRIES = """
INSERT INTO audit_log (id, at, actor, channel, telegram_user_id, chat_id, update_id, query, intent,
                       outcome, reason, record_ids, prev_hash, hash, mac)
SELECT i,
       :now - (:n - i) * (interval '1 day' * :days / :n),
       'tg:' || (1000 + i % :users), 'telegram', 1000 + i % :users, 1000 + i % :users, i, 'check',
       (ARRAY['person_check','vehicle_check','address_check','incident_lookup','warrant_check',
              'help'])[1 + i % 6],
       (ARRAY['answered','answered','answered','ambiguous','not_found','denied'])[1 + (i / 7) % 6],
       (ARRAY['STOP','ARREST','INV','WELFARE','RTC','INTEL','TRAINING',''])[1 + (i / 3) % 8],
       'person:P' || lpad((i % 100000)::text, 6, '0') || ' address:A' || lpad((i % 50000)::text, 6, '0'),
       repeat('0', 64), md5(i::text) || md5((-i)::text), NULL
FROM generate_series(1, :n) AS i
"""
_TIMES = "INSERT INTO answer_times (audit_id, ms) SELECT id, 20 + (id::bigint * 7919) % 400 FROM audit_log"


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "")
    load, python = os.getloadavg()[0], platform.python_version()
    return f"{os.cpu_count()} CPUs ({model}), load {load:.1f}, Python {python}"


def fill(url: str, entries: int, now: dt.datetime) -> float:
    """Write the users, entries and answer times; seconds it took."""
    started = time.perf_counter()
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(text(_USERS), {"users": USERS, "teams": TEAMS})
        conn.execute(text(_ENTRIES), {"n": entries, "now": now, "days": DAYS, "users": USERS})
        conn.execute(text(_TIMES))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE audit_log"))
        conn.execute(text("VACUUM ANALYZE answer_times"))
        version = conn.scalar(text("SHOW server_version"))
    engine.dispose()
    print(f"  PostgreSQL {version}; filled in {time.perf_counter() - started:.1f} s")
    return time.perf_counter() - started


async def best_of_three(db: Database, work: Callable[[Any], Awaitable[Any]]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(3):
        async with db.reads() as session, session.begin():
            started = time.perf_counter()
            result = await work(session)
            best = min(best, time.perf_counter() - started)
    return best, result


async def bench(url: str, entries: int) -> None:
    now = dt.datetime.now(dt.UTC)
    upgrade_schema(url)
    fill(url, entries, now)
    db = Database(url)
    try:
        for days in (7, DAYS):
            spent, stats = await best_of_three(db, lambda s, d=days: statistics(s, d, now))
            print(f"  statistics, {days:>2} days: {stats.checks:>9,} checks in {spent:.2f} s (best of 3)")
        since = now - dt.timedelta(days=7)
        spent, report = await best_of_three(db, lambda s: review(s, since, now))
        checked = sum(u.checks for u in report.users)
        print(f"  review,      7 days: {checked:>9,} checks of {len(report.users)} users in {spent:.2f} s")
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the database, to look into the plans")
    args = parser.parse_args()
    print(machine())
    name = f"beatline_bench_stats_{uuid.uuid4().hex[:8]}"
    admin = create_engine(sync_url(args.admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(args.admin_url).set(database=name).render_as_string(hide_password=False)
        asyncio.run(bench(url, args.entries))
    finally:
        if args.keep:
            print(f"  kept {name}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
