"""Shared fixtures: a fresh, migrated database on each backend, its audit log sealed with the tests' key.

`db_url` runs a test on SQLite and on PostgreSQL. PostgreSQL tests skip with a reason when no server
answers, except in CI (CI=true), where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from knowledge.store.database import sync_url
from tests.support.keys import init_db

PG_ADMIN_URL = os.environ.get("BEATLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_unavailable() -> str | None:
    try:
        engine = create_engine(sync_url(PG_ADMIN_URL), connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception as exc:
        where = make_url(PG_ADMIN_URL).render_as_string(hide_password=True)
        return f"PostgreSQL not reachable at {where}: {exc}"
    return None


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    reason = _postgres_unavailable()
    if reason:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    return PG_ADMIN_URL


def fresh_postgres(admin_url: str) -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    name = f"beatline_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(sync_url(admin_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
