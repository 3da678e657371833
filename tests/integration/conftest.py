"""Fixtures for the audit log's tests: one database per backend for a module, a fresh log per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, delete, update

from knowledge.store import audit
from knowledge.store.audit import GENESIS
from knowledge.store.database import upgrade_schema
from tests.integration.insider import HEAD, LOG, as_insider
from tests.support.keys import AUDIT_KEY
from tests.support.postgres import fresh_postgres


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def audit_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database on each backend, shared by a module: a new PostgreSQL database costs seconds."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('audit') / 'beatline.db'}"
        return
    yield from fresh_postgres(request.getfixturevalue("postgres_admin_url"))


def _empty_log(conn: Connection) -> None:
    conn.execute(delete(LOG))
    conn.execute(update(HEAD).values(seq=0, last_hash=GENESIS, keyed_from=None, mac=None))


@pytest.fixture
def audit_url(audit_database: str) -> str:
    """The module's database with an empty audit log, sealed as `beatline init-db` leaves a new one."""
    upgrade_schema(audit_database)  # also brings back the latest schema if a test stepped it down
    as_insider(audit_database, _empty_log)
    audit.seal(audit_database, AUDIT_KEY)
    return audit_database
