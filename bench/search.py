"""Person search at scale, measured through the answer function, against a brute-force rapidfuzz scan.

    .venv/bin/python -m bench.search [--persons 1000000] [--queries 400] [--backend sqlite|postgresql|both]
        [--via database|gateway|both]

Builds (once, cached in bench/out/) a database of synthetic persons, draws target people at random,
and asks for each the way an officer would: sometimes a nickname, sometimes a typo, with and without
a date of birth. Prints recall and latency for our staged search and for a brute-force scan of every
name, plus the peak resident memory of our path. `--via gateway` asks the same questions through the
HTTP records gateway, with `beatline records-api` over the same database in a child process on this
machine and Beatline's own database (audit only) a fresh SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from rapidfuzz import fuzz, process
from sqlalchemy import create_engine, func, select, text

from bot.cli import init_db
from bot.settings import Settings
from knowledge.answers.disclosure import Answer
from knowledge.answers.dispatch import answer
from knowledge.matching.nicknames import _GROUPS
from knowledge.matching.scoring import PersonQuery
from knowledge.records.gateway import Gateway, GatewayConfig
from knowledge.records.port import Asking, RecordsSource
from knowledge.records.sql_store import SqlStore
from knowledge.store.audit import Caller
from knowledge.store.database import Database, sync_url
from knowledge.store.schema import Person

OUT = Path(__file__).resolve().parent / "out"
PG_ADMIN = os.environ.get("BEATLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BENCH_CALLER = Caller(actor="bench:search", role="admin", channel="cli")
TODAY = dt.date(2026, 11, 25)
GATEWAY_TOKEN = "bench-search-token"


def machine() -> str:
    model = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {model}, {mem:.0f} GiB RAM, Python {platform.python_version()}"


def ensure_database(backend: str, persons: int, seed: int) -> str:
    """A loaded database URL, built only when the cached one is missing or has another size."""
    OUT.mkdir(exist_ok=True)
    if backend == "sqlite":
        url = f"sqlite:///{OUT / f'search-{persons}-{seed}.db'}"
    else:
        name = f"beatline_bench_search_{persons}_{seed}"
        admin = create_engine(sync_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    init_db(settings_for(url))
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        have = conn.execute(select(func.count()).select_from(Person)).scalar_one()
    engine.dispose()
    if have != persons:
        started = time.perf_counter()
        print(f"  loading {persons:,} synthetic persons into {backend}…", flush=True)
        # A child process, so that generating a million rows does not count in our peak memory.
        subprocess.run(
            [sys.executable, "-m", "bot.cli", "demo-data", "--persons", str(persons), "--seed", str(seed)],
            env={**os.environ, "BEATLINE_DATABASE_URL": url},
            cwd=Path(__file__).resolve().parent.parent,
            check=True,
        )
        print(f"  loaded in {time.perf_counter() - started:.1f} s", flush=True)
    return url


def settings_for(url: str) -> Settings:
    """This environment's settings, for the bench database: its audit key is found as `beatline` finds it."""
    return Settings.from_env({**os.environ, "BEATLINE_DATABASE_URL": url})


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip: a dropped, doubled, swapped or wrong letter (never the first letter)."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "double", "swap", "wrong"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice("aeiou") + word[i + 1 :]


NICKNAMES = {canonical: variants.split() for canonical, variants in _GROUPS.items()}


def officer_words(forenames: str, surname: str, rng: random.Random) -> tuple[str, str, str]:
    """How an officer might say this name: (forename, surname, kind of variation)."""
    first = forenames.split()[0].lower()
    last = surname.lower()
    roll = rng.random()
    if roll < 0.2 and first in NICKNAMES:
        return rng.choice(NICKNAMES[first]), last, "nickname"
    if roll < 0.4:
        return typo(first, rng), last, "forename typo"
    if roll < 0.6:
        return first, typo(last, rng), "surname typo"
    return first, last, "as recorded"


def date_words(dob: dt.date, rng: random.Random) -> str:
    return rng.choice(
        (
            f"{dob.day}/{dob.month}/{dob.year % 100:02d}",
            f"{dob:%d.%m.%Y}",
            f"{dob.day} {dob:%B %Y}",
            f"{dob:%d/%m/%Y}",
        )
    )


def _spoken(forenames: str, surname: str) -> tuple[str, str]:
    return forenames.split()[0].lower() if forenames else "", surname.lower()


def draw_targets(url: str, n: int, seed: int) -> tuple[list[Person], set[str]]:
    """n random persons, and the ids of those whose spoken name (first forename and surname) is
    distinctive: held by at most 3 people, so that a top-10 without a date of birth is meaningful."""
    engine = create_engine(sync_url(url))
    rng = random.Random(seed)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(Person)).scalar_one()
        ids = [f"P{rng.randrange(1, total + 1):06d}" for _ in range(n * 2)]
        rows = conn.execute(select(Person).where(Person.id.in_(ids))).all()
        surnames = {r.surname for r in rows}
        same_surname = select(Person.forenames, Person.surname).where(Person.surname.in_(surnames))
        counts = Counter(_spoken(f, s) for f, s in conn.execute(same_surname))
    engine.dispose()
    people = [r for r in rows if r.date_of_birth][:n]
    distinctive = {p.id for p in people if counts[_spoken(p.forenames, p.surname)] <= 3}
    return people, distinctive


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


async def timed(
    db: Database, records: RecordsSource, text: str, cpu: list[float], wall: list[float]
) -> Answer:
    """One answer, its wall time and the CPU this process spent on it (all threads), in ms.

    The CPU time is what to compare between versions on a shared machine: other jobs on the cores
    stretch the wall time of every query, not the work each one does.
    """
    started, cpu_started = time.perf_counter(), time.process_time()
    result = await answer(db, BENCH_CALLER, text, today=TODAY, records=records)
    wall.append((time.perf_counter() - started) * 1000)
    cpu.append((time.process_time() - cpu_started) * 1000)
    return result


async def measure(
    url: str, people: list[Person], distinctive: set[str], seed: int, api: str | None = None
) -> dict[str, object]:
    """Our path on the database at `url`; through the records API at `api` when given, with
    Beatline's own (audit-only) database at `url` then."""
    rng = random.Random(seed + 1)
    db = Database(url, audit_key=settings_for(url).load_audit_key())
    records: RecordsSource = Gateway(GatewayConfig(api, GATEWAY_TOKEN)) if api else SqlStore(db)
    with_dob, without, cpu_dob, cpu_without = [], [], [], []
    hits_dob = answered = hits_top10 = hits_answer_list = 0
    kinds: Counter[str] = Counter()
    misses: list[str] = []
    queries: list[tuple[str, str, str, str | None]] = []
    for person in people:
        first, last, kind = officer_words(person.forenames, person.surname, rng)
        kinds[kind] += 1
        said_dob = date_words(person.date_of_birth, rng)
        text_dob = rng.choice(("check {n} dob {d}", "any warnings on {n} born {d}", "{n} {d}")).format(
            n=f"{first} {last}", d=said_dob
        )
        result = await timed(db, records, text_dob, cpu_dob, with_dob)
        first_id = result.records[0].id if result.records else None
        hits_dob += first_id == person.id
        answered += result.outcome == "answered" and first_id == person.id
        if first_id != person.id and len(misses) < 8:
            misses.append(f"{text_dob!r} -> {result.outcome} {first_id} (wanted {person.id})")
        queries.append((person.id, f"{first} {last}", kind, person.date_of_birth.isoformat()))
        if person.id in distinctive:
            text_name = f"check {first} {last}"
            result = await timed(db, records, text_name, cpu_without, without)
            hits_answer_list += person.id in {r.id for r in result.records}
            async with records.view(Asking("", "bench")) as view:
                ranked = await view.find_persons(PersonQuery(forenames=first, surname=last), TODAY)
            found = person.id in {r.person_id for r in ranked[:10]}
            hits_top10 += found
            if not found and len(misses) < 16:
                wanted = f"{person.id} {person.forenames} {person.surname}"
                misses.append(f"{text_name!r} -> not in top 10 (wanted {wanted})")
    await records.close()
    await db.dispose()
    return {
        "with_dob": with_dob, "without": without, "cpu_dob": cpu_dob, "cpu_without": cpu_without,
        "top1": hits_dob / len(people),
        "answered_outright": answered / len(people), "top10": hits_top10 / max(1, len(without)),
        "in_reply": hits_answer_list / max(1, len(without)), "kinds": kinds, "misses": misses,
        "queries": queries, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }  # fmt: skip


def brute_force(
    url: str, queries: list[tuple[str, str, str, str | None]], distinctive: set[str], limit: int
) -> dict[str, float]:
    """Score every name with rapidfuzz for each query: the baseline ours must beat."""
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        rows = conn.execute(select(Person.id, Person.forenames, Person.surname, Person.date_of_birth)).all()
    engine.dispose()
    names = [f"{r.forenames} {r.surname}".lower() for r in rows]
    dobs = [r.date_of_birth.isoformat() if r.date_of_birth else "" for r in rows]
    ids = [r.id for r in rows]
    times, top10, top1_dob, named = [], 0, 0, 0
    for target, said, _kind, dob in queries[:limit]:
        started = time.perf_counter()
        best = process.extract(said, names, scorer=fuzz.WRatio, limit=100)
        times.append((time.perf_counter() - started) * 1000)
        if target in distinctive:  # top-10 is judged on the same people as ours
            named += 1
            top10 += target in {ids[i] for _, _, i in best[:10]}
        same_dob = [ids[i] for _, _, i in best if dobs[i] == dob]
        top1_dob += bool(same_dob) and same_dob[0] == target
    n = max(1, min(limit, len(queries)))
    top10_rate = top10 / max(1, named)
    return {"p50": pct(times, 50), "p95": pct(times, 95), "top10": top10_rate, "top1_dob": top1_dob / n}


def report(backend: str, ours: dict[str, object]) -> None:
    with_dob, without = ours["with_dob"], ours["without"]
    cpu_dob, cpu_without = ours["cpu_dob"], ours["cpu_without"]
    assert isinstance(with_dob, list) and isinstance(without, list)
    assert isinstance(cpu_dob, list) and isinstance(cpu_without, list)
    print(f"\n== {backend} ==")
    print(f"query variations: {dict(ours['kinds'])}")  # type: ignore[call-overload]
    print(f"with date of birth ({len(with_dob)} queries): top-1 {ours['top1']:.3f} "
          f"(answered outright {ours['answered_outright']:.3f}); "
          f"p50 {pct(with_dob, 50):.1f} ms, p95 {pct(with_dob, 95):.1f} ms; "
          f"CPU p50 {pct(cpu_dob, 50):.1f} ms, p95 {pct(cpu_dob, 95):.1f} ms")  # fmt: skip
    if without:
        print(f"name only, distinctive names ({len(without)} queries): top-10 {ours['top10']:.3f} "
              f"(in the reply {ours['in_reply']:.3f}); "
              f"p50 {pct(without, 50):.1f} ms, p95 {pct(without, 95):.1f} ms; "
              f"CPU p50 {pct(cpu_without, 50):.1f} ms, p95 {pct(cpu_without, 95):.1f} ms")  # fmt: skip
    print(f"peak resident memory of our path: {ours['rss_mb']:.0f} MB")
    for miss in ours["misses"]:  # type: ignore[attr-defined]
        print(f"  miss: {miss}")


def report_brute(brute: dict[str, float], ours: dict[str, object]) -> None:
    with_dob = ours["with_dob"]
    assert isinstance(with_dob, list)
    print(f"brute-force rapidfuzz WRatio over every name: "
          f"p50 {brute['p50']:.0f} ms, p95 {brute['p95']:.0f} ms, "
          f"top-10 {brute['top10']:.3f}, top-1 with date of birth {brute['top1_dob']:.3f}")  # fmt: skip
    print(f"speed-up (p50 with dob, last path measured): {brute['p50'] / pct(with_dob, 50):.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--brute", type=int, default=100, help="queries to run through the brute-force scan")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--via", choices=("database", "gateway", "both"), default="database")
    parser.add_argument(
        "--url", help="a database already loaded (bench/scale.py): --persons and --backend unused"
    )
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"persons: {args.persons:,}; queries: {args.queries}")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    paths = ("database", "gateway") if args.via == "both" else (args.via,)
    for backend in backends if not args.url else (args.url.split(":", 1)[0],):
        url = args.url or ensure_database(backend, args.persons, args.seed)
        people, distinctive = draw_targets(url, args.queries, args.seed)
        for path in paths:
            if path == "database":
                ours = asyncio.run(measure(url, people, distinctive, args.seed))
            else:
                ours = through_gateway(url, people, distinctive, args.seed)
            report(f"{backend}, {path}", ours)
        if args.brute:
            brute = brute_force(url, ours["queries"], distinctive, args.brute)  # type: ignore[arg-type]
            report_brute(brute, ours)


def through_gateway(url: str, people: list[Person], distinctive: set[str], seed: int) -> dict[str, object]:
    """`measure` through `beatline records-api` over `url`, run in a child process on this machine."""
    env = {**os.environ, "BEATLINE_DATABASE_URL": url, "BEATLINE_RECORDS_TOKEN": GATEWAY_TOKEN,
           "BEATLINE_LOG_LEVEL": "WARNING"}  # fmt: skip
    child = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "records-api", "--port", "0"],
        env=env, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        api = child.stdout.readline().rsplit(" ", 1)[-1].strip()
        own = f"sqlite:///{OUT / 'search-gateway-own.db'}"
        Path(own.removeprefix("sqlite:///")).unlink(missing_ok=True)
        init_db(settings_for(own))
        ours = asyncio.run(measure(own, people, distinctive, seed, api))
    finally:
        child.terminate()
        child.wait(30)
    api_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak resident memory of the records API process (largest child so far): {api_rss:.0f} MB")
    return ours


if __name__ == "__main__":
    main()
