"""One database per process: the async engine, its sessions, and the schema upgrade.

URLs follow the contract (`sqlite:///beatline.db`, `postgresql://...`); the driver is chosen here so that
users never have to name one. SQLite runs in WAL mode with a busy timeout so that the bot, the CLI
and an import can share one file.

Every wait on the database is bounded by `timeout` (BEATLINE_DB_TIMEOUT): SQLite's busy timeout, the
wait for a pooled connection, and on PostgreSQL the connect, each statement and each answer from the
server (`knowledge/postgres.py`). A database that stops answering then costs a question an apology
rather than the bot its pool, and the next question after it answers again is served as usual.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from knowledge.errors import BeatlineError, DatabaseUnavailable

if TYPE_CHECKING:
    from knowledge.store.audit_key import AuditKey

__all__ = [
    "DEFAULT_TIMEOUT",
    "Database",
    "async_url",
    "audit_key_of",
    "schema_problem",
    "sync_url",
    "unavailable",
    "upgrade_schema",
    "utc",
]

DEFAULT_TIMEOUT = 5.0  # seconds; an officer at a roadside should not wait longer for an apology

_MIGRATIONS = Path(__file__).with_name("migrations")
_AUDIT_KEY = "beatline.audit_key"  # the key's name in a writing session's info


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise BeatlineError(
            "BEATLINE_DATABASE_URL is not a database URL (examples: sqlite:///beatline.db, "
            "postgresql://user@host/beatline)."
        ) from None


# The driver per backend: asyncio ones for the bot, blocking ones for Alembic and bulk imports.
_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}
_SYNC_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}


def _with_driver(url: str, drivers: dict[str, str]) -> URL:
    parsed = _parse(url)
    driver = drivers.get(parsed.get_backend_name())
    return parsed if driver is None else parsed.set(drivername=driver)


def async_url(url: str) -> URL:
    """The URL with an asyncio driver: aiosqlite for SQLite, psycopg for PostgreSQL."""
    return _with_driver(url, _ASYNC_DRIVERS)


def sync_url(url: str) -> URL:
    """The URL with a blocking driver, for Alembic and bulk imports."""
    return _with_driver(url, _SYNC_DRIVERS)


def utc(at: dt.datetime) -> dt.datetime:
    """An aware UTC time; SQLite hands back naive ones, which were written as UTC."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def unavailable(error: BaseException) -> bool:
    """True if the error means the database could not be reached or did not answer in time."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, OperationalError | InterfaceError | PoolTimeout | OSError | DatabaseUnavailable)


def _tune_sqlite(engine: Engine, *, writes: bool, timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        # First, so that even the pragmas below wait their turn.
        cursor.execute(f"PRAGMA busy_timeout={max(1, round(timeout * 1000))}")
        cursor.execute("PRAGMA journal_mode=WAL")  # init-db sets it; this covers a file made otherwise
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()
        # We emit BEGIN ourselves (below): the driver's own deferred BEGIN would let two transactions
        # read, then fail at once with "database is locked" when both try to write.
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A writer takes the write lock up front, so busy_timeout queues it instead of failing it; a
        # reader takes a snapshot, which WAL lets it read while a writer writes.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _engine(url: URL, timeout: float) -> AsyncEngine:
    if url.get_backend_name() == "sqlite":
        # Each SQLite connection has its own page cache: reuse the warmest one rather than rotate.
        return create_async_engine(url, pool_use_lifo=True, pool_timeout=timeout)
    if url.get_backend_name() != "postgresql":
        return create_async_engine(url, pool_timeout=timeout)
    from knowledge.store import postgres

    # Connections are pinged before use and renewed after half an hour, so one that a firewall or a
    # restarted server dropped while it sat in the pool is replaced rather than handed to a question.
    # The creator reads the engine's dialect, so that connections are made with SQLAlchemy's own
    # parameters for this URL; it runs only once the engine exists.
    engine: AsyncEngine = create_async_engine(
        url,
        async_creator=lambda: postgres.connect(engine.dialect, url, timeout),
        pool_size=10,
        max_overflow=10,
        pool_timeout=timeout,
        pool_pre_ping=True,
        pool_recycle=1800,
    )
    event.listen(engine.sync_engine, "handle_error", postgres.fail_fast_when_silent)
    return engine


class Database:
    """The async engine and its session factories, created once and passed down.

    `sessions` is for work that writes, and only for that: on SQLite it holds the process's one writer
    connection and the file's write lock for as long as it is open. `reads` is for work that only
    reads: on SQLite its transactions do not take the write lock, so a search of a million records or
    an export of the audit log never holds up another process's audit entry or update claim. SQLite's
    writers in this process queue for their one connection first come first served, rather than in
    SQLite's busy handler, which polls with sleeps and lets a newcomer overtake a writer that has
    waited for seconds.

    `audit_key` signs the audit log (knowledge/audit.py). Only a process that writes or checks the log
    needs it; each writing session carries it in its `info`, so the writer finds it without a global.
    """

    def __init__(
        self, url: str, *, timeout: float = DEFAULT_TIMEOUT, audit_key: AuditKey | None = None
    ) -> None:
        self.audit_key = audit_key
        aurl = async_url(url)
        self.is_sqlite = aurl.get_backend_name() == "sqlite"
        # On SQLite, `engine` is the readers' engine (deferred BEGIN); writes go through `sessions`.
        self.engine: AsyncEngine = _engine(aurl, timeout)
        self._writer = self.engine
        if self.is_sqlite:
            _tune_sqlite(self.engine.sync_engine, writes=False, timeout=timeout)
            # A writer queues at most twice SQLite's busy timeout for this process's one writer connection,
            # then the caller is told the database is not answering rather than kept waiting.
            self._writer = create_async_engine(aurl, pool_size=1, max_overflow=0, pool_timeout=2 * timeout)
            _tune_sqlite(self._writer.sync_engine, writes=True, timeout=timeout)
        self.sessions = async_sessionmaker(self._writer, expire_on_commit=False, info={_AUDIT_KEY: audit_key})
        self.reads = async_sessionmaker(self.engine, expire_on_commit=False)

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._writer is not self.engine:
            await self._writer.dispose()


def audit_key_of(session: AsyncSession) -> AuditKey | None:
    """The audit key of the Database whose `sessions` made this session; None for a reading session."""
    key: AuditKey | None = session.info.get(_AUDIT_KEY)
    return key


def _alembic_config(url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["url"] = sync_url(url)
    return config


def _revisions(url: str) -> tuple[str | None, str | None]:
    """The database's schema revision and the latest one this code knows."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    engine = create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
    return current, ScriptDirectory.from_config(_alembic_config(url)).get_current_head()


def upgrade_schema(url: str) -> None:
    """Apply every Alembic migration; safe to run again. Raises unless the database is then at head."""
    from alembic import command

    command.upgrade(_alembic_config(url), "head")
    if _parse(url).database in (None, "", ":memory:"):
        return  # a new connection would open another, empty, in-memory database
    # Checked, not assumed: a migration whose transaction was silently rolled back once passed as done.
    current, head = _revisions(url)
    if current != head:
        raise BeatlineError(f"The database schema did not reach the latest version (it is at {current}).")


def schema_problem(url: str) -> str | None:
    """None if the database has this version's schema; otherwise what to do, in one sentence."""
    current, head = _revisions(url)
    if current == head:
        return None
    if current is None:
        return "The database has no Beatline schema yet; run 'beatline init-db' first."
    return "The database schema is older than this version of Beatline; run 'beatline init-db' to upgrade it."
