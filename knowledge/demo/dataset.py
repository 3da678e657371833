"""Synthetic, deterministic records for the demo, the tests and the benchmarks; nobody in them is real.

The data is shaped like a force's: many John Smiths, spellings that differ between systems
(Mohammed/Muhammad, Smith/Smyth, McDonald/MacDonald), accents, aliases, every UK plate format and
a few officer-safety markers. Faker supplies pools of names and postcodes once; `random.Random`
samples from them, which is what lets a million persons be generated in seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Mapping, Sequence
from pathlib import Path

from faker import Faker

from knowledge.demo.pools import Pools
from knowledge.demo.showcase import SHOWCASE
from knowledge.importing.csv_files import COLUMNS
from knowledge.importing.importer import ImportReport, import_rows

__all__ = ["generate", "load_demo_data", "write_csv"]

Rows = dict[str, list[dict[str, str]]]
# A fixed "today" keeps the data identical from one day to the next for the same seed.
_TODAY = dt.datetime(2026, 11, 1, 23, 59)
_FIVE_YEARS = 5 * 365 * 24 * 60  # minutes


def generate(persons: int = 5000, seed: int = 1) -> Rows:
    """CSV-shaped rows for every import file, the same for the same persons and seed."""
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    rng = random.Random(seed)
    # The showcase records count towards every size, so --persons N gives exactly N persons.
    size = {name: len(rows) for name, rows in SHOWCASE.items()}
    pools = Pools(faker, rng, addresses=max(1, round(persons * 0.4) - size["addresses.csv"]))
    addresses = [pools.address(f"A{n:06d}") for n in range(1, pools.addresses + 1)]
    people = [
        pools.person(f"P{n:06d}", rng.choice(addresses)["id"] if rng.random() < 0.92 else "")
        for n in range(1, persons - size["persons.csv"] + 1)
    ]
    ids = [row["id"] for row in people] or [row["id"] for row in SHOWCASE["persons.csv"]]
    generated = {
        "addresses.csv": addresses,
        "persons.csv": people,
        "vehicles.csv": _vehicles(pools, rng, ids, round(persons * 0.3) - size["vehicles.csv"]),
        "incidents.csv": _incidents(pools, rng, ids, addresses, round(persons * 0.5) - size["incidents.csv"]),
        "warrants.csv": _warrants(pools, rng, ids, round(persons * 0.03) - size["warrants.csv"]),
    }
    return {name: [*rows, *SHOWCASE[name]] for name, rows in generated.items()}


def _vehicles(pools: Pools, rng: random.Random, ids: list[str], count: int) -> list[dict[str, str]]:
    seen = {row["vrm"] for row in SHOWCASE["vehicles.csv"]}
    rows: list[dict[str, str]] = []
    while len(rows) < count:
        vrm = pools.vrm()
        if vrm.replace(" ", "") in seen:
            continue
        seen.add(vrm.replace(" ", ""))
        make, model = rng.choice(pools.MAKES)
        rows.append(
            {
                "vrm": vrm,
                "make": make,
                "model": model,
                "colour": rng.choice(pools.COLOURS),
                "keeper_id": rng.choice(ids) if rng.random() < 0.95 else "",
                "markers": pools.markers("vehicle", 0.04),
            }
        )
    return rows


def _incidents(
    pools: Pools, rng: random.Random, ids: list[str], addresses: list[dict[str, str]], count: int
) -> list[dict[str, str]]:
    moments = sorted(_TODAY - dt.timedelta(minutes=rng.randrange(_FIVE_YEARS)) for _ in range(count))
    numbers: dict[int, int] = {}
    reserved = {row["ref"] for row in SHOWCASE["incidents.csv"]}
    rows: list[dict[str, str]] = []
    for moment in moments:
        numbers[moment.year] = numbers.get(moment.year, 0) + 1
        if f"INC-{moment.year}-{numbers[moment.year]:06d}" in reserved:
            numbers[moment.year] += 1
        category = rng.choice(pools.CATEGORIES)
        involved = rng.sample(ids, k=min(len(ids), rng.choices((1, 2, 3), (60, 30, 10))[0]))
        roles = [rng.choices(pools.ROLES, pools.ROLE_WEIGHTS)[0] for _ in involved]
        rows.append(
            {
                "ref": f"INC-{moment.year}-{numbers[moment.year]:06d}",
                "occurred_at": moment.isoformat(timespec="minutes"),
                "category": category,
                "address_id": rng.choice(addresses)["id"] if addresses and rng.random() < 0.85 else "",
                "summary": pools.summary(category),
                "persons": ";".join(f"{pid}:{role}" for pid, role in zip(involved, roles, strict=True)),
            }
        )
    return rows


def _warrants(pools: Pools, rng: random.Random, ids: list[str], count: int) -> list[dict[str, str]]:
    wanted = rng.sample(ids, k=min(count, len(ids)))
    return [
        {
            "ref": f"W{n:06d}",
            "person_id": pid,
            "offence": rng.choice(pools.OFFENCES),
            "issued_on": (_TODAY.date() - dt.timedelta(days=rng.randrange(6 * 365))).isoformat(),
            "court": rng.choice(pools.COURTS),
            "status": rng.choices(("ACTIVE", "EXECUTED", "WITHDRAWN"), (50, 35, 15))[0],
        }
        for n, pid in enumerate(wanted, start=1)
    ]


def write_csv(rows: Mapping[str, Sequence[Mapping[str, str]]], directory: Path) -> None:
    """Write each file's rows as the import reads them: UTF-8, header first."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in rows.items():
        with (directory / name).open("w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=COLUMNS[name], lineterminator="\n")
            writer.writeheader()
            writer.writerows(table)


def load_demo_data(url: str, persons: int = 5000, seed: int = 1) -> ImportReport:
    """Generate the demo records and import them through the ordinary import path."""
    return import_rows(url, generate(persons, seed))
