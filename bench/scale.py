"""Person search at ten million: persons imported in two steps, measured after each, on PostgreSQL.

    .venv/bin/python -m bench.scale [--persons 10000000] [--first 2000000] [--queries 400]

Writes persons.csv for PERSONS synthetic persons (the demo generator's people, drawn one at a time,
so memory stays flat; no addresses, vehicles or incidents: the search reads persons and their keys
only) in two parts, the first FIRST persons and the rest, cached in bench/out/. Imports the first
part with `beatline import` into a fresh PostgreSQL database, runs `bench/search.py` on it directly
and through the gateway, then imports the rest and runs it again. Each import and each measurement
runs in a process of its own, so every peak RSS printed is that step's alone.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from faker import Faker
from sqlalchemy import create_engine, text

from bench.search import OUT, PG_ADMIN, machine, settings_for
from bot.cli import init_db
from knowledge.demo.pools import Pools
from knowledge.importing.csv_files import COLUMNS
from knowledge.store.database import sync_url

ROOT = Path(__file__).resolve().parent.parent


def write_parts(persons: int, first: int, seed: int) -> tuple[Path, Path]:
    """persons.csv in two folders: the first `first` persons, and the rest; kept once written."""
    where = OUT / f"scale-{persons}-{first}-{seed}"
    parts = (where / "part1", where / "part2")
    if (where / "complete").exists():
        return parts
    started = time.perf_counter()
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    pools = Pools(faker, random.Random(seed), addresses=1)
    for part in parts:
        part.mkdir(parents=True, exist_ok=True)
    streams = [(part / "persons.csv").open("w", encoding="utf-8", newline="") for part in parts]
    writers = [csv.DictWriter(s, fieldnames=COLUMNS["persons.csv"], lineterminator="\n") for s in streams]
    for writer in writers:
        writer.writeheader()
    for n in range(1, persons + 1):
        writers[n > first].writerow(pools.person(f"P{n:06d}", ""))
    for stream in streams:
        stream.close()
    (where / "complete").touch()
    print(f"  wrote {persons:,} persons in {time.perf_counter() - started:.0f} s", flush=True)
    return parts


def fresh_database(persons: int) -> str:
    name = f"beatline_bench_scale_{persons}"
    admin = create_engine(sync_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    init_db(settings_for(url))
    return url


def run(*command: str, url: str) -> None:
    """A step in a process of its own, timed, with its peak RSS (GNU time's %M) printed."""
    started = time.perf_counter()
    subprocess.run(
        ["/usr/bin/time", "-f", "  peak RSS %M kB, %U s user, %S s sys", sys.executable, *command],
        env={**os.environ, "BEATLINE_DATABASE_URL": url},
        cwd=ROOT,
        check=True,
    )
    print(f"  wall {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--first", type=int, default=2_000_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--brute", type=int, nargs=2, default=(20, 5), help="brute-force queries at each size"
    )
    args = parser.parse_args()
    print(f"machine: {machine()}", flush=True)
    part1, part2 = write_parts(args.persons, args.first, args.seed)
    url = fresh_database(args.persons)
    for size, part, brute in ((args.first, part1, args.brute[0]), (args.persons, part2, args.brute[1])):
        print(f"\n== import up to {size:,} persons (load average {os.getloadavg()[0]:.1f}) ==", flush=True)
        run("-m", "bot.cli", "import", str(part), url=url)
        print(f"\n== search at {size:,} persons (load average {os.getloadavg()[0]:.1f}) ==", flush=True)
        run("-m", "bench.search", "--url", url, "--persons", str(size), "--queries", str(args.queries),
            "--brute", str(brute), "--via", "both", "--seed", str(args.seed), url=url)  # fmt: skip


if __name__ == "__main__":
    main()
