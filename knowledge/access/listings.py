"""What /whoami, /users and /audit show: one text for Telegram and `beatline chat`, so they cannot drift.

Listing users or the audit log is itself a disclosure: each listing is audited (the audit entries it
showed named as audit:ID) in the same step that reads it, whichever channel asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.access import users
from knowledge.access.users import Enrolment
from knowledge.matching.clean import clean_text
from knowledge.store import audit, audit_export
from knowledge.store.audit import Caller
from knowledge.store.database import Database

__all__ = ["Listing", "audit_listing", "operator_card", "user_listing", "whoami_card"]


@dataclass(frozen=True)
class Listing:
    text: str
    shows_records: bool  # what Telegram sends protected


def whoami_card(who: Enrolment) -> str:
    return f"Telegram id: {who.telegram_id}\nRole: {who.role}\nTeam: {who.team or '—'}"


def operator_card(caller: Caller) -> str:
    """/whoami at the terminal: the console operator has no Telegram id, only the audit name."""
    return f"Console operator: {caller.actor}\nRole: {caller.role}\nTeam: —"


async def _audited(db: Database, caller: Caller, query: str, record_ids: list[str]) -> None:
    async with db.sessions() as session, session.begin():
        await audit.record(
            session, caller, query=query, intent="admin", outcome="answered", record_ids=record_ids
        )


async def user_listing(db: Database, caller: Caller, query: str) -> Listing:
    """Everyone enrolled or revoked, with role, team and who last changed them."""
    lines = [
        f"{u.telegram_id} · {u.role} · {u.team or '—'} · {u.status} · {u.name or 'no name'} · "
        f"by {u.changed_by} {u.changed_at:%d/%m/%Y}"
        for u in await users.list_users(db)
    ]
    await _audited(db, caller, query, [])
    return Listing("\n".join(lines) or "Nobody is enrolled yet.", shows_records=True)


async def audit_listing(db: Database, caller: Caller, query: str, telegram_id: int | None) -> Listing:
    """The newest audit entries, for everyone or one user; the entries shown are named in the audit."""
    entries = await audit_export.recent(db, telegram_user_id=telegram_id)
    lines = [
        clean_text(
            f"#{e.id} {e.at:%d/%m %H:%M} {e.actor} {e.intent or '-'} {e.outcome}: {e.query[:60]}"
            + (f" [{e.record_ids[:80]}]" if e.record_ids else "")
        )
        for e in entries
    ]
    await _audited(db, caller, query, [f"audit:{e.id}" for e in entries])
    return Listing("\n".join(lines) or "No audit entries yet.", shows_records=True)
