"""Shared fixtures: a fresh, migrated database on each backend, its audit log sealed with the tests' key.

`db_url` runs a test on SQLite and on PostgreSQL. PostgreSQL tests skip with a reason when no server
answers, except in CI (CI=true), where a missing server is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.keys import init_db
from tests.support.postgres import IN_CI, PG_ADMIN_URL, fresh_postgres, postgres_unavailable


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    reason = postgres_unavailable()
    if reason:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return PG_ADMIN_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A migrated, empty database URL on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'beatline.db'}"
        init_db(url)
        yield url
        return
    admin_url = request.getfixturevalue("postgres_admin_url")
    for url in fresh_postgres(admin_url):
        init_db(url)
        yield url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A migrated SQLite database for tests that need only one backend."""
    url = f"sqlite:///{tmp_path / 'beatline.db'}"
    init_db(url)
    return url
