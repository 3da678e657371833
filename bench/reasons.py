"""What a reason for every check costs: reading the codes, the carried reason, keeping a new one, and
whole answers with and without the rule.

    .venv/bin/python -m bench.reasons [--rounds 500] [--database postgresql://…]

Decides whether the codes need a per-process cache (they are read when a message starts like `CODE:`,
a code is checked, or the codes are offered) and what the rule adds to an answer: a carried reason is
one primary-key read, a reason given is also one small upsert. A fresh SQLite file unless --database
names an empty PostgreSQL database. One asker, so the figures are costs, not contention.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.audit import machine
from knowledge.access import reason_choices
from knowledge.access.reason_choices import ReasonRule
from knowledge.access.reasons import reason_codes
from knowledge.answers.dispatch import answer
from knowledge.importing.importer import import_rows
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.audit_key import AuditKey
from knowledge.store.database import Database, upgrade_schema

OFFICER = Caller(actor="tg:1001", role="officer", telegram_user_id=1001, chat_id=1001)
CONSOLE = Caller(actor="console:bench", role="admin", channel="cli")
RECORDS = {
    "persons.csv": [{"id": "PB01", "forenames": "Bench", "surname": "Mark", "date_of_birth": "1980-01-01",
                     "sex": "M", "aliases": "", "markers": "", "address_id": ""}],
    "vehicles.csv": [{"vrm": "BE12NCH", "make": "Ford", "model": "Ka", "colour": "Red", "keeper_id": "PB01",
                      "markers": ""}],
}  # fmt: skip


async def timed(rounds: int, steps: dict[str, Callable[[], Awaitable[Any]]]) -> dict[str, list[float]]:
    """Median and p95 wall milliseconds of each step, and our CPU milliseconds per step.

    The steps take turns, round by round, so a database that slows as its audit log grows (or a
    neighbour's load) weighs on each alike.
    """
    for step in steps.values():
        for _ in range(20):  # warm the pool and the statement caches
            await step()
    walls: dict[str, list[float]] = {name: [] for name in steps}
    cpus: dict[str, float] = dict.fromkeys(steps, 0.0)
    for _ in range(rounds):
        for name, step in steps.items():
            started, cpu = time.perf_counter(), time.process_time()
            await step()
            walls[name].append((time.perf_counter() - started) * 1000)
            cpus[name] += (time.process_time() - cpu) * 1000
    return {
        name: [statistics.median(w), statistics.quantiles(w, n=20)[-1], cpus[name] / rounds]
        for name, w in walls.items()
    }


async def bench(url: str, rounds: int) -> None:
    key = AuditKey.generate()
    upgrade_schema(url)
    audit.seal(url, key)
    import_rows(url, RECORDS)
    db = Database(url, audit_key=key)
    rule = ReasonRule(minutes=10_000)  # the carried reason never lapses during the run
    off = ReasonRule(required=False)
    steps: dict[str, Callable[[], Awaitable[Any]]] = {
        "read the codes (7 rows)": lambda: reason_codes(db),
        "read the carried reason": lambda: reason_choices.current(db, 1001, rule),
        "keep a reason given": lambda: reason_choices.choose(db, 1001, "STOP", rule),
        "answer, console operator (no rule)": lambda: answer(db, CONSOLE, "check plate BE12NCH", rule=rule),
        "answer, reason carried": lambda: answer(db, OFFICER, "check plate BE12NCH", rule=rule),
        "answer, 'stop:' given": lambda: answer(db, OFFICER, "stop: check plate BE12NCH", rule=rule),
        "answer, rule off": lambda: answer(db, OFFICER, "check plate BE12NCH", rule=off),
    }
    try:
        await reason_choices.choose(db, 1001, "STOP", rule)
        for name, (median, p95, cpu) in (await timed(rounds, steps)).items():
            print(f"  {name:<36} median {median:6.2f} ms  p95 {p95:6.2f} ms  our CPU {cpu:5.2f} ms")
    finally:
        await db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--database", help="an empty PostgreSQL database (default: a fresh SQLite file)")
    args = parser.parse_args()
    print(machine())
    url = args.database or f"sqlite:///{Path(tempfile.mkdtemp(prefix='beatline-bench-')) / 'reasons.db'}"
    print(url.split("://")[0])
    asyncio.run(bench(url, args.rounds))


if __name__ == "__main__":
    main()
