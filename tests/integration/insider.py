"""Honest entries, and what an insider with write access to the database, but not the audit key, does
to them: plain SQL by someone who knows the hash recipe (it is in the source), recomputing every
hash and the head, so that the plain SHA-256 chain alone calls the result intact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

from sqlalchemy import Connection, create_engine, delete, insert, select, text, update

from knowledge.store import audit
from knowledge.store.audit import GENESIS, Caller
from knowledge.store.database import Database, sync_url
from knowledge.store.schema import AuditEntry, AuditHead

OFFICER = Caller(actor="tg:1001", role="officer", telegram_user_id=1001, chat_id=1001, update_id=7)
LOG, HEAD = AuditEntry.__table__, AuditHead.__table__
HASHED = [column for column in LOG.c if column.name != "mac"]  # the columns of every version's log

Change = Callable[[Connection], object]


async def write(db: Database, n: int) -> None:
    """n entries, each in its own transaction, as answers write them."""
    for i in range(n):
        async with db.sessions() as session, session.begin():
            await audit.record(
                session, OFFICER, query=f"check plate AB{i:02d}CDE", intent="vehicle_check",
                outcome="answered", record_ids=[f"vehicle:AB{i:02d}CDE"],
            )  # fmt: skip


def write_without_the_key(conn: Connection, n: int = 3) -> None:
    """n entries as the version before the audit key writes them: no MAC, and the head moved on
    without one (a log from before the key, or a process of that version still running)."""
    after = conn.scalar(select(HEAD.c.seq)) or 0
    for id_ in range(after + 1, after + n + 1):
        conn.execute(insert(LOG).values(
            id=id_, at=dt.datetime.now(dt.UTC), actor="tg:1001", channel="telegram", query=f"check {id_}",
            intent="help", outcome="answered", reason="", record_ids="", prev_hash="", hash=f"{id_:064x}",
        ))  # fmt: skip
    rechain(conn, after + 1)


def as_insider(url: str, change: Change) -> None:
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        change(conn)
    engine.dispose()


def sql(statement: str) -> Change:
    return lambda conn: conn.execute(text(statement))


def rechain(conn: Connection, start: int) -> None:
    """Recompute every hash from entry `start` on, then point the head at the new end."""
    prev = conn.scalar(select(LOG.c.hash).where(LOG.c.id == start - 1)) or GENESIS
    rows = conn.execute(select(*HASHED).where(LOG.c.id >= start).order_by(LOG.c.id)).mappings().all()
    for row in rows:
        digest = audit._digest(SimpleNamespace(**{**row, "prev_hash": prev}))  # type: ignore[arg-type]
        conn.execute(update(LOG).where(LOG.c.id == row["id"]).values(prev_hash=prev, hash=digest))
        prev = digest
    last = conn.scalar(select(LOG.c.id).order_by(LOG.c.id.desc()).limit(1)) or 0
    conn.execute(update(HEAD).values(seq=last, last_hash=prev))


def drop_last(conn: Connection) -> None:
    """Of five entries, delete the last and set the head to the one before."""
    conn.execute(delete(LOG).where(LOG.c.id == 5))
    rechain(conn, 5)


def edit(conn: Connection) -> None:
    conn.execute(update(LOG).where(LOG.c.id == 3).values(query="nothing to see", record_ids=""))
    rechain(conn, 3)


def empty(conn: Connection) -> None:
    conn.execute(delete(LOG))
    rechain(conn, 1)


def renumber(conn: Connection) -> None:
    """Of five entries, delete the second and close the gap."""
    conn.execute(delete(LOG).where(LOG.c.id == 2))
    for n in (3, 4, 5):
        conn.execute(update(LOG).where(LOG.c.id == n).values(id=n - 1))
    rechain(conn, 2)
