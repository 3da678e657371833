"""The synthetic demo records: deterministic, realistic enough to exercise search, and importable."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from knowledge.demo.dataset import generate, load_demo_data, write_csv
from knowledge.importing.csv_files import COLUMNS
from knowledge.importing.importer import import_directory
from knowledge.matching.postcodes import normalise_postcode
from knowledge.matching.vrm import normalise_vrm

FORMATS = {
    "current": re.compile(r"[A-Z]{2}[0-9]{2}[A-Z]{3}"),
    "prefix": re.compile(r"[A-Z][0-9]{1,3}[A-Z]{3}"),
    "suffix": re.compile(r"[A-Z]{3}[0-9]{1,3}[A-Z]"),
    "northern_ireland": re.compile(r"[A-Z]{3}[0-9]{1,4}"),
    "dateless": re.compile(r"[A-Z]{1,3}[0-9]{1,4}|[0-9]{1,4}[A-Z]{1,3}"),
}


@pytest.fixture(scope="module")
def demo() -> dict[str, list[dict[str, str]]]:
    return generate(5000, seed=1)


def test_the_same_seed_gives_the_same_rows_and_another_seed_does_not():
    assert generate(300, seed=7) == generate(300, seed=7)
    assert generate(300, seed=7) != generate(300, seed=8)


def test_rows_have_exactly_the_import_columns_and_plausible_sizes(demo):
    for name, rows in demo.items():
        assert all(tuple(row) == COLUMNS[name] for row in rows), name
    sizes = {name: len(rows) for name, rows in demo.items()}
    assert sizes == {
        "addresses.csv": 2000,
        "persons.csv": 5000,
        "vehicles.csv": 1500,
        "incidents.csv": 2500,
        "warrants.csv": 150,
    }
    assert demo["persons.csv"][0]["id"] == "P000001" and demo["warrants.csv"][0]["ref"] == "W000001"


def test_names_have_the_duplicates_and_variants_real_records_have(demo):
    persons = demo["persons.csv"]
    names = Counter((row["forenames"], row["surname"]) for row in persons)
    assert names[("John", "Smith")] >= 5
    forenames = {row["forenames"].split()[0] for row in persons}
    surnames = {row["surname"] for row in persons}
    assert len(forenames & {"Mohammed", "Muhammad", "Mohamed", "Mohammad"}) >= 2
    assert len(forenames & {"Catherine", "Kathryn", "Katherine"}) >= 2
    assert {"John", "Jon"} <= forenames and {"Smith", "Smyth"} <= surnames
    assert {"McDonald", "MacDonald", "O'Brien"} <= surnames
    assert any("-" in surname for surname in surnames)
    assert any(not name.isascii() for name in forenames | surnames)
    with_aliases = sum(bool(row["aliases"]) for row in persons) / len(persons)
    assert 0.07 < with_aliases < 0.13
    assert any(re.fullmatch(r"[A-Z]\. \S+", alias) for row in persons for alias in row["aliases"].split(";"))


def test_every_uk_plate_format_appears_and_every_plate_is_valid(demo):
    plates = [row["vrm"] for row in demo["vehicles.csv"]]
    assert all(normalise_vrm(plate) for plate in plates)
    seen = {
        next(kind for kind, pattern in FORMATS.items() if pattern.fullmatch(plate.replace(" ", "")))
        for plate in plates
    }
    assert seen == set(FORMATS)
    assert any(re.fullmatch(r"[0-9]{1,4} [A-Z]{1,3}", plate) for plate in plates)  # "1234 AB"


def test_addresses_are_in_london_with_valid_postcodes(demo):
    for row in demo["addresses.csv"]:
        assert normalise_postcode(row["postcode"]) == row["postcode"]
        assert 51.28 <= float(row["latitude"]) <= 51.69 and -0.51 <= float(row["longitude"]) <= 0.33
    assert any(row["line1"].startswith("Flat ") for row in demo["addresses.csv"])


def test_markers_and_warrants_come_at_plausible_rates(demo):
    def rate(name: str) -> float:
        rows = demo[name]
        return sum(bool(row["markers"]) for row in rows) / len(rows)

    assert 0.05 < rate("persons.csv") < 0.11
    assert 0.01 < rate("addresses.csv") < 0.05
    assert 0.02 < rate("vehicles.csv") < 0.06
    statuses = Counter(row["status"] for row in demo["warrants.csv"])
    assert statuses["ACTIVE"] > statuses["EXECUTED"] > statuses["WITHDRAWN"] > 0
    assert all(re.fullmatch(r"INC-\d{4}-\d{6}", row["ref"]) for row in demo["incidents.csv"])


def test_demo_data_loads_on_each_backend(db_url):
    report = load_demo_data(db_url, persons=500, seed=3)
    assert report.counts == {
        "addresses.csv": 200,
        "persons.csv": 500,
        "vehicles.csv": 150,
        "incidents.csv": 250,
        "warrants.csv": 15,
    }


def test_demo_csv_files_import_like_the_demo_itself(sqlite_url, tmp_path):
    write_csv(generate(200, seed=2), tmp_path)
    assert import_directory(sqlite_url, tmp_path).counts["persons.csv"] == 200
