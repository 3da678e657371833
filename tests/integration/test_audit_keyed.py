"""The keyed chain's limits, and how checkpoints kept elsewhere and the seal cover them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, create_engine, delete, event, insert, select, update

from knowledge.errors import AuditUnusable
from knowledge.store import audit, audit_check
from knowledge.store.audit_key import AuditKey
from knowledge.store.database import Database, _alembic_config, sync_url
from tests.integration.insider import HEAD, LOG, as_insider, drop_last, rechain, write, write_without_the_key
from tests.support.keys import AUDIT_KEY, init_db


async def test_an_entry_appended_after_the_head_was_moved_back_keeps_the_proof(audit_url: str) -> None:
    # The bot writes on as soon as the head is moved back: that write must not launder the deletion.
    db = Database(audit_url, audit_key=AUDIT_KEY)
    await write(db, 5)
    as_insider(audit_url, drop_last)
    await write(db, 1)
    result = await audit_check.verify(db)
    await db.dispose()
    assert "entry 5: its MAC does not match" in "\n".join(result.problems)


def _dump(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = create_engine(sync_url(url))
    with engine.connect() as conn:
        copy = {t.name: [dict(r) for r in conn.execute(select(t)).mappings()] for t in (LOG, HEAD)}
    engine.dispose()
    return copy


def _restore(copy: dict[str, list[dict[str, Any]]]) -> Callable[[Connection], None]:
    def put_back(conn: Connection) -> None:
        conn.execute(delete(LOG))
        conn.execute(insert(LOG), copy[LOG.name])
        conn.execute(update(HEAD).values(**copy[HEAD.name][0]))

    return put_back


async def test_a_rollback_to_an_older_copy_is_caught_by_a_checkpoint(audit_url: str) -> None:
    db = Database(audit_url, audit_key=AUDIT_KEY)
    await write(db, 3)
    older = _dump(audit_url)  # the insider's copy, MACs and all
    await write(db, 2)
    kept_elsewhere = await audit_check.checkpoint(db)
    as_insider(audit_url, _restore(older))
    alone, held = await audit_check.verify(db), await audit_check.verify(db, [kept_elsewhere])
    await db.dispose()
    assert alone.ok and alone.checked == 3  # the key alone cannot tell a state it really signed from now
    assert not held.ok
    assert "saw entry 5, but the log now ends at entry 3: it was rolled back or cut short" in held.problems[0]


async def test_a_log_unsealed_and_sealed_again_is_caught(audit_url: str) -> None:
    db = Database(audit_url, audit_key=AUDIT_KEY)
    await write(db, 3)
    kept_elsewhere = await audit_check.checkpoint(db)
    as_insider(audit_url, lambda conn: conn.execute(update(HEAD).values(keyed_from=None, mac=None)))
    assert "not sealed" in " ".join((await audit_check.verify(db)).problems)
    with pytest.raises(AuditUnusable, match="seal was removed after entries had been signed"):
        audit.seal(audit_url, AUDIT_KEY)  # init-db does not launder it
    as_insider(audit_url, lambda conn: conn.execute(update(LOG).values(mac=None)))
    # Every MAC gone, it looks like a log from before the key: init-db will not seal it on its own...
    with pytest.raises(AuditUnusable, match="holds 3 entries but no seal"):
        audit.seal(audit_url, AUDIT_KEY)
    # ...only a person who decides so, and a checkpoint kept elsewhere still catches it.
    assert audit.seal(audit_url, AUDIT_KEY, entries_before_the_key=True) == 3
    alone, held = await audit_check.verify(db), await audit_check.verify(db, [kept_elsewhere])
    await db.dispose()
    assert alone.ok and alone.unkeyed == 3  # said, but only a checkpoint knows it used to be otherwise
    assert not held.ok and "the log was sealed again" in held.problems[0]


async def test_a_checkpoint_changed_by_hand_is_refused(audit_url: str) -> None:
    db = Database(audit_url, audit_key=AUDIT_KEY)
    await write(db, 3)
    mark = await audit_check.checkpoint(db)
    moved = audit_check.Checkpoint(2, mark.hash, mark.keyed_from, mark.at, mark.mac, where="marks:1")
    result = await audit_check.verify(db, [mark, moved])
    await db.dispose()
    assert result.checkpoints == 1
    assert result.problems[-1] == (
        "marks:1: this checkpoint was not made with this audit key: it is forged, or from another"
    )


async def test_another_key_is_told_apart_from_tampering(audit_url: str) -> None:
    db = Database(audit_url, audit_key=AUDIT_KEY)
    await write(db, 3)
    other = Database(audit_url, audit_key=AuditKey.generate())
    result = await audit_check.verify(other)
    for refused in (audit.check_key(other), audit_check.checkpoint(other)):
        with pytest.raises(AuditUnusable, match="not the one the audit log was sealed with"):
            await refused
    with pytest.raises(AuditUnusable, match="not the one the audit log was sealed with"):
        audit.seal(audit_url, AuditKey.generate())
    await other.dispose()
    await db.dispose()
    assert result.problems == ("This audit key is not the one the audit log was sealed with.",)


async def test_a_key_check_changed_by_hand_is_told_from_another_key(audit_url: str) -> None:
    db = Database(audit_url, audit_key=AUDIT_KEY)
    await write(db, 2)
    as_insider(audit_url, lambda conn: conn.execute(update(HEAD).values(key_check="0" * 64)))
    result = await audit_check.verify(db)
    with pytest.raises(AuditUnusable, match="not the one the audit log was sealed with"):
        await audit.check_key(db)  # no process starts: the insider can stop the bot, not hide an edit
    await db.dispose()
    assert result.problems == ("The audit log's key check was changed, though this key signed the log.",)


async def test_entries_from_before_the_key_are_reported_as_hash_chained_only(audit_url: str) -> None:
    command.downgrade(_alembic_config(audit_url), "0003")  # a log written by the version before the key
    as_insider(audit_url, write_without_the_key)
    with pytest.raises(AuditUnusable, match="holds 3 entries but no seal"):
        init_db(audit_url)  # the schema is upgraded, but sealing entries that exist is a person's call
    assert audit.seal(audit_url, AUDIT_KEY, entries_before_the_key=True) == 3  # `beatline audit seal`
    db = Database(audit_url, audit_key=AUDIT_KEY)
    await write(db, 2)
    before = await audit_check.verify(db)
    as_insider(audit_url, _edit_the_first_and_rechain)
    after = await audit_check.verify(db)
    await db.dispose()
    assert before.ok and (before.checked, before.unkeyed) == (5, 3)
    # Once sealed, the old entries are held by the keyed ones after them: rewriting them shows.
    assert not after.ok and "entry 4: its MAC does not match" in "\n".join(after.problems)


def _edit_the_first_and_rechain(conn: Connection) -> None:
    conn.execute(update(LOG).where(LOG.c.id == 1).values(query="nothing to see"))
    rechain(conn, 1)


async def test_verify_reads_one_state_while_the_bot_writes_on(audit_url: str) -> None:
    # An entry committed between verify's read of the head and its read of the entries is not a break.
    db = Database(audit_url, audit_key=AUDIT_KEY)
    await write(db, 2)
    writer = create_engine(sync_url(audit_url))

    def commit_one_more(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().startswith("SELECT") and "FROM audit_log" in statement:
            with writer.begin() as other:
                other.execute(insert(LOG).values(
                    id=3, at=dt.datetime.now(dt.UTC), actor="tg:1", channel="telegram", outcome="answered",
                    prev_hash="x", hash="y",
                ))  # fmt: skip

    event.listen(db.engine.sync_engine, "before_cursor_execute", commit_one_more)
    result = await audit_check.verify(db)
    event.remove(db.engine.sync_engine, "before_cursor_execute", commit_one_more)
    writer.dispose()
    await db.dispose()
    assert result.ok and result.checked == 2, result.problems


async def test_an_old_version_writing_on_during_the_upgrade_is_reported_and_does_not_stop_the_new(
    audit_url: str,
) -> None:
    db = Database(audit_url, audit_key=AUDIT_KEY)
    await write(db, 2)
    as_insider(audit_url, write_without_the_key)  # a process of the previous version, still running
    await audit.check_key(db)  # a new process starts all the same
    assert audit.seal(audit_url, AUDIT_KEY) is None  # and the next release's init-db passes
    with pytest.raises(AuditUnusable, match=r"head does not match its MAC.+No checkpoint was made"):
        await audit_check.checkpoint(db)  # a checkpoint would vouch for entries nobody signed
    await write(db, 1)
    result = await audit_check.verify(db)
    await db.dispose()
    assert result.problems == tuple(
        f"entry {n}: carries no MAC though written after the key was introduced: it was written without "
        "the key (by a process of the version before it, still running during the upgrade, or by hand)"
        for n in (3, 4, 5)
    )
