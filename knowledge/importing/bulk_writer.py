"""Bulk upserts for an import, batch by batch, inside the import's one transaction.

Rows arrive checked, in `TABLES` column order. A background thread writes full batches in
foreign-key order while the importer goes on checking, so the two machine cores share the work:
on SQLite each batch is one `INSERT ... SELECT ... FROM json_each(?) ... ON CONFLICT DO UPDATE`,
which runs entirely inside SQLite without holding Python's GIL; on PostgreSQL it is a `COPY` into a
temporary table and one `INSERT ... SELECT ... ON CONFLICT DO UPDATE`. The importer stops writing
at the first problem and rolls the transaction back, so a rejected import leaves nothing behind.

A large first load (a batch fills while the tables are empty) drops the empty tables' secondary
indexes and builds each one once its table is complete: one sort is far cheaper than a million
random index insertions (at a million persons the SQLite writes take a third less CPU), and the
build runs on the writing thread while the importer checks the next file. DDL is transactional on
both backends, so a rolled-back import gets its indexes back. A load into tables that already hold
rows keeps their indexes, since rebuilding them would cost more than the rows being added.
"""

from __future__ import annotations

import json
import queue
import threading
from typing import Any

from sqlalchemy import Column, Connection, MetaData, Table, bindparam, func, literal_column, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, DropIndex, Index

from knowledge.store.schema import Base

__all__ = ["TABLES", "BatchWriter"]

# Every table an import writes, in foreign-key order, with the column order of the rows it is given.
TABLES: dict[str, tuple[str, ...]] = {
    "addresses": (
        "id",
        "line1",
        "town",
        "postcode",
        "latitude",
        "longitude",
        "markers",
        "postcode_key",
        "house_number",
        "street_key",
        "street_code",
    ),
    "persons": ("id", "forenames", "surname", "date_of_birth", "sex", "aliases", "markers", "address_id"),
    "person_keys": ("key", "person_id"),
    "vehicles": ("vrm", "make", "model", "colour", "keeper_id", "markers"),
    "incidents": ("ref", "occurred_at", "category", "address_id", "summary"),
    "incident_persons": ("incident_ref", "person_id", "role"),
    "warrants": ("ref", "person_id", "offence", "issued_on", "court", "status"),
}
# A re-imported person's keys and a re-imported incident's links replace the old ones.
_REPLACES = {"persons": ("person_keys", "person_id"), "incidents": ("incident_persons", "incident_ref")}
_BATCH = 20_000
# Compact, and without the cycle check plain rows never need: this runs holding the GIL.
_to_json = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


def _upsert(dialect: Any, table: Table, rows: Any) -> str:
    """SQL for `INSERT INTO table SELECT rows ON CONFLICT (primary key) DO UPDATE`."""
    make = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
    statement = make(table).from_select(TABLES[table.name], rows)
    keys = [c.name for c in table.primary_key.columns]
    updates = {c: statement.excluded[c] for c in TABLES[table.name] if c not in keys}
    statement = (
        statement.on_conflict_do_update(index_elements=keys, set_=updates)
        if updates
        else statement.on_conflict_do_nothing(index_elements=keys)
    )
    return str(statement.compile(dialect=dialect))


def _from_json(columns: tuple[str, ...], ordered: bool) -> Any:
    # WHERE true: SQLite needs it to tell an upsert's ON CONFLICT from a join's ON.
    each = func.json_each(bindparam("rows")).table_valued("value")
    values = [each.c.value.op("->>")(literal_column(str(i))) for i in range(len(columns))]
    rows = select(*values).where(true())
    return rows.order_by(*(literal_column(str(i + 1)) for i in range(len(columns)))) if ordered else rows


Rows = list[tuple[Any, ...]]
# What the writing thread does with one flush: rows to upsert per table, then indexes to build.
Job = tuple[list[tuple[str, Rows]], list[Index]]


class BatchWriter:
    """Buffers rows per table and has a background thread upsert them in batches."""

    def __init__(self, connection: Connection, filling: set[str]) -> None:
        """`filling`: the tables this import writes (only theirs may have indexes dropped and rebuilt)."""
        self.dialect = connection.dialect
        self.counts = dict.fromkeys(TABLES, 0)
        self._pending: dict[str, Rows] = {name: [] for name in TABLES}
        self._connection = connection
        driver: Any = connection.connection.driver_connection
        self._driver = driver
        tables = {name: Base.metadata.tables[name] for name in TABLES}
        filled = {
            name: connection.execute(select(table).limit(1)).first() is not None
            for name, table in tables.items()
        }
        # A first import into empty tables has no old keys or links to replace: skip the deletes.
        self._replacing = {owner: filled[owner] for owner in _REPLACES}
        self._empty = [tables[name] for name in TABLES if name in filling and not filled[name]]
        self._deferred: dict[str, list[Index]] | None = None  # decided by the first flush
        self._complete: list[str] = []
        if self.dialect.name == "postgresql":
            stages = self._create_stages(connection, tables)
            self._sql = {
                name: _upsert(self.dialect, table, select(stages[name])) for name, table in tables.items()
            }
        else:
            # This session only: a large page cache keeps the indexes being filled in memory, and
            # index builds sort in memory. NORMAL is WAL's safe level: a power cut may lose the
            # import's transaction but never corrupts the file (this connection would default to FULL).
            for pragma in ("cache_size=-262144", "temp_store=MEMORY", "synchronous=NORMAL"):
                driver.execute(f"PRAGMA {pragma}")
            # The sqlite3 module only opens a transaction before DML; dropping an index must not
            # commit on its own, or a rejected import would lose it.
            if not driver.in_transaction:
                driver.execute("BEGIN")
            # Search keys are hashes, so they arrive in random order: sorted, a batch's insertions
            # walk the primary key's B-tree once instead of jumping about (a sixth less CPU).
            self._sql = {
                name: _upsert(self.dialect, table, _from_json(TABLES[name], name == "person_keys"))
                for name, table in tables.items()
            }
        self._jobs: queue.Queue[Job | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="import-writer", daemon=True)
        self._thread.start()

    @staticmethod
    def _create_stages(connection: Connection, tables: dict[str, Table]) -> dict[str, Table]:
        metadata = MetaData()
        stages = {
            name: Table(
                f"stage_{name}",
                metadata,
                *(Column(c, table.columns[c].type) for c in TABLES[name]),
                prefixes=["TEMPORARY"],
                postgresql_on_commit="DROP",
            )
            for name, table in tables.items()
        }
        metadata.create_all(connection)
        return stages

    def add(self, table: str, row: tuple[Any, ...]) -> bool:
        """Queue one row; True when a batch is full and it is time to `flush`."""
        pending = self._pending[table]
        pending.append(row)
        return len(pending) >= _BATCH

    def extend(self, table: str, rows: Rows) -> None:
        """Queue rows that belong to the row just added (a person's keys, an incident's links)."""
        self._pending[table].extend(rows)

    def complete(self, *tables: str) -> None:
        """No more rows will come for these tables (empty names ignored): their indexes may be built."""
        self._complete.extend(tables)

    def flush(self) -> None:
        """Hand every pending row to the writing thread, in foreign-key order."""
        self._raise_if_failed()
        if self._deferred is None:  # the first flush: nothing has been written yet
            large = any(len(rows) >= _BATCH for rows in self._pending.values())
            self._deferred = self._drop_indexes() if large else {}
        writes = [(name, rows) for name, rows in self._pending.items() if rows]
        builds = [index for name in self._complete for index in self._deferred.pop(name, [])]
        self._pending, self._complete = {name: [] for name in TABLES}, []
        for name, rows in writes:
            self.counts[name] += len(rows)
        if writes or builds:
            self._jobs.put((writes, builds))

    def _drop_indexes(self) -> dict[str, list[Index]]:
        dropped = {
            table.name: sorted(table.indexes, key=lambda index: str(index.name)) for table in self._empty
        }
        for indexes in dropped.values():
            for index in indexes:
                self._connection.execute(DropIndex(index))
        return dropped

    def finish(self) -> None:
        """Wait until everything handed over is written; the connection is free again after this."""
        self._jobs.put(None)
        self._thread.join()
        self._raise_if_failed()

    def wait(self) -> None:
        """Wait for the writing thread to catch up, so the connection can answer a query."""
        self._jobs.join()
        self._raise_if_failed()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                if self._error is None:
                    writes, builds = job
                    for name, rows in writes:
                        self._write(name, rows)
                    for index in builds:
                        self._execute(str(CreateIndex(index).compile(dialect=self.dialect)))
            except BaseException as exc:  # handed to the importer's thread, which raises it
                self._error = exc
            finally:
                self._jobs.task_done()
        self._jobs.task_done()

    def _execute(self, sql: str) -> None:
        if self.dialect.name == "postgresql":
            with self._driver.cursor() as cursor:
                cursor.execute(sql)
        else:
            self._driver.execute(sql)

    def _write(self, name: str, rows: Rows) -> None:
        replaced = name in _REPLACES and self._replacing[name]
        if self.dialect.name == "postgresql":
            with self._driver.cursor() as cursor:
                if replaced:
                    child, column = _REPLACES[name]
                    ids = [row[0] for row in rows]
                    cursor.execute(f"DELETE FROM {child} WHERE {column} = ANY(%s)", (ids,))
                with cursor.copy(f"COPY stage_{name} ({', '.join(TABLES[name])}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cursor.execute(self._sql[name])
                cursor.execute(f"TRUNCATE stage_{name}")
            return
        if replaced:
            child, column = _REPLACES[name]
            owners = _to_json([row[0] for row in rows])
            self._driver.execute(
                f"DELETE FROM {child} WHERE {column} IN (SELECT value FROM json_each(?))", (owners,)
            )
        self._driver.execute(self._sql[name], (_to_json(rows),))
