"""What the shift unlock adds to the gate: CPU and latency per update, step-up on against off.

    .venv/bin/python -m bench.gate [--updates 3000] [--officers 50] [--database postgresql://…]

Each update runs the gate's one transaction as handlers/gate.py does: claim the update id, read the
sender's enrolment, and with step-up on ask `step_up.admit` (one UPDATE … RETURNING for an unlocked
officer, which also records the activity; an UPDATE and a SELECT for a locked one). The Telegram side
(parsing the update, the reply) is the same in every mode and left out, so the difference is the
unlock's own. One update at a time, officers in turn; a fresh SQLite file unless --database names an
empty PostgreSQL database.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import platform
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, insert

from knowledge.access import step_up, users
from knowledge.access.step_up import Policy
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.audit_key import AuditKey
from knowledge.store.database import Database, upgrade_schema
from knowledge.store.schema import StepUp, User
from knowledge.store.update_claims import claim_update

BOT_ID, FIRST_OFFICER = 4242, 200_000
MODES = ("off", "on, unlocked", "on, locked")
_update_ids = itertools.count(1)


def machine() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "")
    return (
        f"{os.cpu_count()} CPUs ({model or platform.processor()}), load {os.getloadavg()[0]:.1f}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


async def arrange(db: Database, officers: int, mode: str) -> None:
    """The officers, each unlocked for the next hours, or each locked, or with no step-up rows at all."""
    now = dt.datetime.now(dt.UTC)
    ids = range(FIRST_OFFICER, FIRST_OFFICER + officers)
    async with db.sessions() as session, session.begin():
        await session.execute(delete(StepUp))
        await session.execute(delete(User).where(User.telegram_id.in_(ids)))
        await session.execute(insert(User), [
            {"telegram_id": i, "name": f"officer {i}", "role": "officer", "team": "bench", "status": "active",
             "changed_by": "bench", "changed_at": now}
            for i in ids
        ])  # fmt: skip
        if mode != "off":
            unlocked = mode == "on, unlocked"
            await session.execute(insert(StepUp), [
                {"telegram_id": i, "secret": b"", "issued_by": "bench", "recent_failures": "",
                 "unlocked_until": now + dt.timedelta(hours=12) if unlocked else None, "last_seen": now}
                for i in ids
            ])  # fmt: skip


async def gate_once(db: Database, telegram_id: int, policy: Policy) -> bool:
    """The gate's transaction for one update; True if it would let the update through."""
    caller = Caller(actor=f"tg:{telegram_id}", role="officer", telegram_user_id=telegram_id)
    async with db.sessions() as session, session.begin():
        if not await claim_update(session, BOT_ID, next(_update_ids)):
            raise RuntimeError("an update id was claimed twice")
        enrolment = await users.active_user(session, telegram_id)
        if enrolment is None:
            raise RuntimeError("the bench's officer is not enrolled")
        if not policy.on:
            return True
        return await step_up.admit(session, caller, policy, now=dt.datetime.now(dt.UTC))


async def measure(db: Database, mode: str, updates: int, officers: int) -> tuple[float, float, float]:
    """Our CPU per update, and the p50 and p95 of each update's wall time, in milliseconds."""
    policy = Policy(on=mode != "off")
    await arrange(db, officers, mode)
    ids = itertools.cycle(range(FIRST_OFFICER, FIRST_OFFICER + officers))
    for _ in range(100):  # warm the pool and the caches
        await gate_once(db, next(ids), policy)
    walls: list[float] = []
    cpu = time.process_time()
    for _ in range(updates):
        started = time.perf_counter()
        through = await gate_once(db, next(ids), policy)
        walls.append(time.perf_counter() - started)
        if through != (mode != "on, locked"):
            raise RuntimeError(f"{mode}: the gate decided otherwise than arranged")
    spent = time.process_time() - cpu
    quantiles = statistics.quantiles(walls, n=100)
    return 1000 * spent / updates, 1000 * quantiles[49], 1000 * quantiles[94]


async def bench(url: str, updates: int, officers: int) -> None:
    key = AuditKey.generate()
    upgrade_schema(url)
    audit.seal(url, key)
    db = Database(url, audit_key=key)
    try:
        print(f"{url.split(':')[0]}, {updates} updates per mode, {officers} officers; {machine()}")
        print("| mode | CPU per update | p50 | p95 |\n|---|---|---|---|")
        for mode in MODES:
            cpu, p50, p95 = await measure(db, mode, updates, officers)
            print(f"| {mode} | {cpu:.2f} ms | {p50:.2f} ms | {p95:.2f} ms |", flush=True)
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--database", help="an empty PostgreSQL database (default: a fresh SQLite file)")
    args = parser.parse_args()
    if args.database:
        asyncio.run(bench(args.database, args.updates, args.officers))
        return
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(bench(f"sqlite:///{Path(folder) / 'beatline.db'}", args.updates, args.officers))


if __name__ == "__main__":
    main()
