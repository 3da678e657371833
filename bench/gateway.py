"""The held-out corpus through the records gateway: every answer compared with the database's own.

    .venv/bin/python -m bench.gateway [--part held_out|dev] [--backend sqlite|postgresql]

Builds a fresh database of the demo data the corpus was written against (5,000 persons, seed 1),
starts `beatline records-api` over it in a child process on this machine, and asks every question
twice: with the records read from the database (the SQL store) and through the HTTP gateway, from
a Beatline database that holds no records. Prints how many answers differ (outcome, reply, records
disclosed, buttons: any difference counts) and the wall time of each path.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.make_corpus import TODAY
from bench.search import PG_ADMIN, machine, pct, settings_for
from bench.understanding import PARTS, load
from bot.cli import init_db
from bot.operator import console_caller
from knowledge.answers.dispatch import answer
from knowledge.demo.dataset import load_demo_data
from knowledge.records.gateway import Gateway, GatewayConfig
from knowledge.store.database import Database

TOKEN = "bench-gateway-token"


@contextlib.contextmanager
def records_api(url: str) -> Iterator[str]:
    """`beatline records-api` over `url` in a child process; its base URL while the block runs."""
    env = {
        **os.environ,
        "BEATLINE_DATABASE_URL": url,
        "BEATLINE_RECORDS_TOKEN": TOKEN,
        "BEATLINE_LOG_LEVEL": "WARNING",
    }
    child = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "records-api", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # "records API listening on http://127.0.0.1:PORT"
        yield line.rsplit(" ", 1)[-1].strip()
    finally:
        child.terminate()
        child.wait(10)


async def compare(records_url: str, own_url: str, api: str, items: list[dict[str, object]]) -> None:
    caller = console_caller()
    records_db = Database(records_url, audit_key=settings_for(records_url).load_audit_key())
    own = Database(own_url, audit_key=settings_for(own_url).load_audit_key())
    gateway = Gateway(GatewayConfig(api, TOKEN, timeout=3.0))
    direct_ms, gateway_ms, differ = [], [], []
    try:
        for item in items:
            text = str(item["text"])
            started = time.perf_counter()
            direct = await answer(records_db, caller, text, today=TODAY)
            middle = time.perf_counter()
            through = await answer(own, caller, text, today=TODAY, records=gateway)
            direct_ms.append((middle - started) * 1000)
            gateway_ms.append((time.perf_counter() - middle) * 1000)
            seen = [(r.outcome, r.reply, r.records, r.choices, r.more) for r in (direct, through)]
            if seen[0] != seen[1]:
                differ.append(f"{item['id']} {text!r}: {direct.outcome} / {through.outcome}")
    finally:
        await gateway.close()
        await records_db.dispose()
        await own.dispose()
    print(f"questions: {len(items)}; answers that differ: {len(differ)}")
    for line in differ[:20]:
        print(f"  differs: {line}")
    for name, times in (("database", direct_ms), ("gateway", gateway_ms)):
        print(f"{name:>8}: p50 {pct(times, 50):.1f} ms, p95 {pct(times, 95):.1f} ms, max {max(times):.0f} ms")


def _database(backend: str, tmp: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'{name}.db'}"
    from sqlalchemy import create_engine, text

    from knowledge.store.database import sync_url

    database = f"beatline_bench_gateway_{name}"
    admin = create_engine(sync_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + database


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=PARTS, default="held_out")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        records_url = _database(args.backend, Path(tmp), "records")
        own_url = _database(args.backend, Path(tmp), "own")
        init_db(settings_for(records_url))
        init_db(settings_for(own_url))
        load_demo_data(records_url)
        with records_api(records_url) as api:
            asyncio.run(compare(records_url, own_url, api, load(args.part)))


if __name__ == "__main__":
    main()
