"""Databases loaded once per test module: generated records with known ones on top, on each backend."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import pytest

from knowledge.demo.dataset import load_demo_data
from knowledge.importing.importer import import_rows
from tests.support.keys import init_db
from tests.support.postgres import fresh_postgres


def loaded_database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    rows: Mapping[str, Sequence[Mapping[str, str]]],
    *,
    persons: int,
    seed: int,
) -> Iterator[str]:
    """For a module fixture parametrised by backend: generated records with `rows` on top, loaded once."""
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('loaded') / 'beatline.db'}"])
    else:
        urls = fresh_postgres(request.getfixturevalue("postgres_admin_url"))
    for url in urls:
        init_db(url)
        load_demo_data(url, persons=persons, seed=seed)
        import_rows(url, rows)
        yield url
