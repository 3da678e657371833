"""Import benchmark: synthetic CSVs for N persons into a fresh SQLite file and a fresh PostgreSQL database.

    .venv/bin/python -m bench.import [--persons 1000000] [--seed 1] [--postgres URL | --no-postgres]

The CSVs are generated once per (persons, seed) and kept in bench/out/. Each import runs in its
own process so that its peak RSS is the import's alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from knowledge.demo.dataset import generate, write_csv
from knowledge.importing.importer import import_directory
from knowledge.store.database import sync_url, upgrade_schema

OUT = Path(__file__).with_name("out")
BENCH_DB = "beatline_bench_import"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def _in_child(function, *args):
    """Run one phase in a fresh process; returns its result, peak RSS in MB and CPU seconds."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_measured, function, *args).result()


def _measured(function, *args):
    result = function(*args)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return result, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def _generate(persons: int, seed: int, directory: Path) -> dict[str, int]:
    rows = generate(persons, seed)
    write_csv(rows, directory)
    (directory / "complete").touch()
    return {name: len(table) for name, table in rows.items()}


def _import(url: str, directory: Path) -> tuple[dict[str, int], float]:
    upgrade_schema(url)
    report = import_directory(url, directory)
    return report.counts, report.seconds


def _machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return f"{os.cpu_count()} CPUs ({model}), {ram:.1f} GB RAM, Python {platform.python_version()}"


def _report(backend: str, counts: dict[str, int], seconds: float, rss: float, cpu: float) -> None:
    # CPU seconds of the whole process (import threads, plus schema set-up): far above the wall
    # time means both cores worked; far below means the machine was busy with something else.
    rows = sum(counts.values())
    print(
        f"{backend:<11} {seconds:7.1f} s  {rows / seconds:>10,.0f} rows/s  peak RSS {rss:,.0f} MB"
        f"  CPU {cpu:.1f} s  load {os.getloadavg()[0]:.1f}"
    )


def _postgres(admin_url: str) -> str | None:
    try:
        engine = create_engine(
            sync_url(admin_url), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
        engine.dispose()
    except Exception as exc:  # any failure to reach the server only skips this backend
        print(f"postgresql  skipped: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
        return None
    return make_url(admin_url).set(database=BENCH_DB).render_as_string(hide_password=False)


def _drop_postgres(admin_url: str) -> None:
    engine = create_engine(sync_url(admin_url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    backends = parser.add_mutually_exclusive_group()
    backends.add_argument(
        "--postgres",
        default=DEFAULT_POSTGRES,
        metavar="URL",
        help="admin URL of a server on which to create the benchmark database",
    )
    backends.add_argument("--no-postgres", dest="postgres", action="store_const", const=None)
    args = parser.parse_args()

    print(f"machine     {_machine()}")
    directory = OUT / f"persons-{args.persons}-seed-{args.seed}"
    if (directory / "complete").exists():
        counts = {
            path.name: sum(1 for _ in path.open(encoding="utf-8")) - 1
            for path in sorted(directory.glob("*.csv"))
        }
        print(f"generation  cached in {directory.relative_to(OUT.parent.parent)}")
    else:
        started = time.perf_counter()
        counts, rss, _ = _in_child(_generate, args.persons, args.seed, directory)
        print(f"generation  {time.perf_counter() - started:7.1f} s  peak RSS {rss:,.0f} MB")
    for name, count in counts.items():
        print(f"  {name:<14} {count:>10,} rows")

    sqlite_file = OUT / "bench-import.db"
    for leftover in OUT.glob("bench-import.db*"):
        leftover.unlink()
    (counts, seconds), rss, cpu = _in_child(_import, f"sqlite:///{sqlite_file}", directory)
    _report("sqlite", counts, seconds, rss, cpu)
    print(f"  {sqlite_file.name}: {sqlite_file.stat().st_size / 1024**2:,.0f} MB")

    if args.postgres and (url := _postgres(args.postgres)):
        try:
            (counts, seconds), rss, cpu = _in_child(_import, url, directory)
            _report("postgresql", counts, seconds, rss, cpu)
        finally:
            _drop_postgres(args.postgres)


if __name__ == "__main__":
    main()
