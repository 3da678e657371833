"""What a follow-up costs: answer times of questions and of the follow-ups after them, on both backends.

    .venv/bin/python -m bench.conversation [--persons 5000] [--rounds 200] [--backend sqlite|postgresql|both]

Each round is one officer's conversation through `knowledge.answers.dispatch.answer`, as Telegram and
`beatline ask` call it: a person by name and date of birth (a keeper of a vehicle), then "his car",
"is he wanted" and "who lives there"; and a common name that gives a shortlist, then "more" and
"the second one". Every answer writes its audit entry and, for answered ones, the conversation row in
the same transaction; every follow-up first reads that row. Rounds go to officers of their own, so
each follow-up follows its own question. Prints p50 and p95 per step, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections import Counter, defaultdict

from sqlalchemy import create_engine, func, select

from bench.search import PG_ADMIN, ensure_database, machine, settings_for
from knowledge.answers.dispatch import answer
from knowledge.store.audit import Caller
from knowledge.store.database import Database, sync_url
from knowledge.store.schema import Person, Vehicle

STEPS = ("question", "his car", "is he wanted", "who lives there", "shortlist", "more", "the second one")


def _people(url: str, rounds: int) -> tuple[list[str], list[str]]:
    """Keepers asked about by name and date of birth, and names common enough to give a list."""
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        keepers = conn.execute(
            select(Person.forenames, Person.surname, Person.date_of_birth)
            .join(Vehicle, Vehicle.keeper_id == Person.id)
            .where(Person.date_of_birth.is_not(None))
            .order_by(Person.id)
            .limit(rounds)
        ).all()
        common = conn.execute(
            select(Person.forenames, Person.surname)
            .group_by(Person.forenames, Person.surname)
            .having(func.count() > 6)
            .limit(50)
        ).all()
    engine.dispose()
    asked = [f"{f.split()[0]} {s} {d:%d/%m/%Y}" for f, s, d in keepers]
    return asked, [f"{f} {s}" for f, s in common]


async def _rounds(url: str, rounds: int) -> tuple[dict[str, list[float]], dict[str, Counter[str]]]:
    asked, common = _people(url, rounds)
    db = Database(url, audit_key=settings_for(url).load_audit_key())
    times: dict[str, list[float]] = defaultdict(list)
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    rng = random.Random(7)
    try:
        for n, question in enumerate(asked):
            officer = Caller(actor=f"tg:{800000 + n}", role="officer", telegram_user_id=800000 + n)
            said = [("question", question), ("his car", "his car"), ("is he wanted", "is he wanted")]
            said += [("who lives there", "who lives there"), ("shortlist", rng.choice(common))]
            said += [("more", "more"), ("the second one", "the second one")]
            for step, text in said:
                started = time.perf_counter()
                result = await answer(db, officer, text)
                times[step].append((time.perf_counter() - started) * 1000)
                outcomes[step][result.outcome] += 1
    finally:
        await db.dispose()
    return times, outcomes


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        if backend == "postgresql" and not PG_ADMIN:
            print("postgresql: skipped (no PostgreSQL URL configured)")
            continue
        url = ensure_database(backend, args.persons, 1)
        times, outcomes = asyncio.run(_rounds(url, args.rounds))
        print(f"\n{backend}, {args.persons:,} persons, {args.rounds} rounds (ms)")
        print(f"{'step':<18} {'p50':>7} {'p95':>7}  outcomes")
        for step in STEPS:
            said = ", ".join(f"{k} {v}" for k, v in outcomes[step].most_common())
            print(f"{step:<18} {statistics.median(times[step]):7.1f} {_p95(times[step]):7.1f}  {said}")


if __name__ == "__main__":
    main()
