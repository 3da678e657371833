"""Console sign-in on both backends: links used once, within 5 minutes, by admins only; sessions that
end when idle or when their admin's row changes; console actions audited on their own channel."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from knowledge.access import console_links, invites, users
from knowledge.access.console_links import LinkRefused
from knowledge.errors import BeatlineError, InviteRefused
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from knowledge.store.schema import AuditEntry, ConsoleLink, ConsoleSession
from tests.support.keys import AUDIT_KEY

ADMIN, ADMIN_2, OFFICER, NEWCOMER = 1, 2, 3, 4
TERMINAL = Caller(actor="console:test", role="admin", channel="cli")


@pytest.fixture
async def db(db_url: str):
    database = Database(db_url, audit_key=AUDIT_KEY)
    for telegram_id, role in ((ADMIN, "admin"), (ADMIN_2, "admin"), (OFFICER, "officer")):
        await users.enrol(database, telegram_id, role, team="north", by="test")
    yield database
    await database.dispose()


async def _entries(db: Database, intent: str) -> list[AuditEntry]:
    async with db.reads() as session:
        stmt = select(AuditEntry).where(AuditEntry.intent == intent).order_by(AuditEntry.id)
        return list(await session.scalars(stmt))


async def test_a_link_signs_its_admin_in_once_and_is_stored_only_hashed(db: Database) -> None:
    token = await console_links.issue_link(db, ADMIN, by=TERMINAL)
    async with db.reads() as session:
        stored = list(await session.scalars(select(ConsoleLink.token_hash)))
    assert len(token) == 43 and token not in stored and len(stored) == 1
    opened = await console_links.sign_in(db, token)
    assert opened.admin.telegram_id == ADMIN
    async with db.reads() as session:
        assert opened.token not in list(await session.scalars(select(ConsoleSession.token_hash)))
    with pytest.raises(LinkRefused) as refused:
        await console_links.sign_in(db, token)
    assert refused.value.why == "used already"
    assert (await console_links.session_admin(db, opened.token)).telegram_id == ADMIN  # type: ignore[union-attr]
    [issued] = await _entries(db, "console_link")
    assert (issued.actor, issued.outcome, issued.record_ids) == ("console:test", "issued", f"user:{ADMIN}")
    outcomes = [(e.outcome, e.channel, e.telegram_user_id) for e in await _entries(db, "console_sign_in")]
    assert outcomes == [("signed_in", "console-web", ADMIN), ("denied", "console-web", ADMIN)]


async def test_an_expired_link_and_an_unknown_one_are_refused_alike(db: Database) -> None:
    token = await console_links.issue_link(db, ADMIN, by=TERMINAL)
    async with db.sessions() as session, session.begin():
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        await session.execute(update(ConsoleLink).values(expires_at=past))
    with pytest.raises(LinkRefused) as expired:
        await console_links.sign_in(db, token)
    with pytest.raises(LinkRefused) as unknown:
        await console_links.sign_in(db, "x" * 43)
    assert expired.value.why == "expired" and unknown.value.why == "no such link"
    assert str(expired.value) == str(unknown.value)  # nobody learns which links exist
    assert [e.outcome for e in await _entries(db, "console_sign_in")] == ["denied"]  # unknown: not audited


async def test_only_an_active_admin_gets_a_link_or_signs_in_with_one(db: Database) -> None:
    with pytest.raises(BeatlineError, match="not an active admin"):
        await console_links.issue_link(db, OFFICER, by=TERMINAL)
    token = await console_links.issue_link(db, ADMIN_2, by=TERMINAL)
    await users.enrol(db, ADMIN_2, "officer", by="test")  # demoted before using the link
    with pytest.raises(LinkRefused) as refused:
        await console_links.sign_in(db, token)
    assert refused.value.why == "its admin is no longer an active admin"


@pytest.mark.parametrize("change", ["revoke", "demote", "demote and restore"])
async def test_a_session_ends_at_once_when_its_admins_row_changes(db: Database, change: str) -> None:
    opened = await console_links.sign_in(db, await console_links.issue_link(db, ADMIN_2, by=TERMINAL))
    assert await console_links.session_admin(db, opened.token) is not None
    if change == "revoke":
        await users.revoke(db, ADMIN_2, by="test")
    else:
        await users.enrol(db, ADMIN_2, "sergeant", by="test")
        if change == "demote and restore":
            await users.enrol(db, ADMIN_2, "admin", by="test")
    assert await console_links.session_admin(db, opened.token) is None
    async with db.reads() as session:
        assert list(await session.scalars(select(ConsoleSession))) == []  # ended, not merely refused


async def test_a_session_ends_after_thirty_idle_minutes_and_lives_while_used(db: Database) -> None:
    opened = await console_links.sign_in(db, await console_links.issue_link(db, ADMIN, by=TERMINAL))
    now = dt.datetime.now(dt.UTC)
    async with db.sessions() as session, session.begin():
        await session.execute(update(ConsoleSession).values(last_seen_at=now - dt.timedelta(minutes=29)))
    assert await console_links.session_admin(db, opened.token) is not None  # and that use renews it
    async with db.reads() as session:
        seen = await session.scalar(select(ConsoleSession.last_seen_at))
    assert seen is not None and seen.replace(tzinfo=dt.UTC) > now - dt.timedelta(seconds=5)
    async with db.sessions() as session, session.begin():
        await session.execute(update(ConsoleSession).values(last_seen_at=now - dt.timedelta(minutes=31)))
    assert await console_links.session_admin(db, opened.token) is None


def test_a_csrf_token_belongs_to_its_session_only() -> None:
    token = console_links.csrf_token("a" * 43)
    assert console_links.csrf_valid("a" * 43, token)
    assert not console_links.csrf_valid("b" * 43, token)
    assert not console_links.csrf_valid("a" * 43, "")
    assert not console_links.csrf_valid("a" * 43, "\udcff" + token[1:])


async def test_an_invite_made_in_the_console_obeys_the_chats_rules(db: Database) -> None:
    opened = await console_links.sign_in(db, await console_links.issue_link(db, ADMIN, by=TERMINAL))
    caller = console_links.web_caller(opened.admin)
    code = await invites.create_invite(db, "officer", team="south", by=caller)
    newcomer = Caller(actor=f"tg:{NEWCOMER}", role="", telegram_user_id=NEWCOMER)
    assert (await invites.redeem_invite(db, code, newcomer, "New Comer")).role == "officer"
    # An unused console invite dies with its issuer's right to issue it, as a chat invite does.
    unused = await invites.create_invite(db, "officer", by=caller)
    await users.revoke(db, ADMIN, by="test")
    with pytest.raises(InviteRefused):
        await invites.redeem_invite(db, unused, Caller(actor="tg:5", role="", telegram_user_id=5), "X")
    [made, _] = await _entries(db, "invite_create")
    assert (made.actor, made.channel) == (f"tg:{ADMIN}", "console-web")
