"""/follow, /unfollow and /following: an officer's follows, each lapsing 90 days after it was made.

Following and unfollowing are audited in the same transaction as the change. A follow names the record
as the audit log does (`person:P000123`, `vehicle:AB12CDE`) and keeps its name as it was when followed,
so that an alert never has to read the record again. The record is looked up through the records
port, so a follow works the same whether records are Beatline's own or a force's system's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select

from knowledge.errors import BeatlineError
from knowledge.matching.clean import clean_text
from knowledge.matching.record_ids import audit_token, id_matcher
from knowledge.matching.vrm import normalise_vrm
from knowledge.records.port import Asking, Records, RecordsSource
from knowledge.records.sql_store import SqlStore
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database, utc
from knowledge.store.schema import Follow
from knowledge.store.vocabulary import Outcome, RecordKind

__all__ = ["LAPSE", "Followed", "follow", "following", "unfollow"]

LAPSE = dt.timedelta(days=90)
NOT_A_RECORD = (
    "There is no person or vehicle {shown} to follow. Send a person's id (as in an answer) or a plate."
)


@dataclass(frozen=True)
class Followed:
    kind: str
    record_id: str
    label: str
    expires_at: dt.datetime


def _followed(row: Follow) -> Followed:
    return Followed(row.kind, row.record_id, row.label, utc(row.expires_at))


async def _find(records: Records, text: str, kind: str | None) -> tuple[str, str, str] | None:
    """The person or vehicle (of `kind`, if given) that `text` names, as (kind, id, name), or None."""
    wanted = text.strip()
    if kind in (None, RecordKind.PERSON) and id_matcher(32)(wanted):
        person = await records.person(wanted, incidents=0)
        if person is not None:
            born = f", born {person.date_of_birth:%d/%m/%Y}" if person.date_of_birth else ""
            return RecordKind.PERSON, person.id, f"{person.surname.upper()}, {person.forenames}{born}"
    vrm = normalise_vrm(wanted) if kind in (None, RecordKind.VEHICLE) else None
    vehicle = await records.vehicle(vrm) if vrm else None
    if vehicle is not None:
        return (
            RecordKind.VEHICLE,
            vehicle.vrm,
            f"{vehicle.vrm}, {vehicle.colour} {vehicle.make} {vehicle.model}",
        )
    return None


async def follow(
    db: Database,
    caller: Caller,
    text: str,
    *,
    kind: str | None = None,
    records: RecordsSource | None = None,
    now: dt.datetime | None = None,
) -> Followed:
    """Follow the record `text` names for LAPSE from now (again, if followed already); audited.

    Raises BeatlineError in words when there is no such record (audited too: a follow by id is a look-up,
    and a run of them is how someone would probe which ids exist), or the records system is down.
    """
    follower = _follower(caller)
    now = now or dt.datetime.now(dt.UTC)
    async with (records or SqlStore(db)).view(Asking("", str(follower))) as view:
        found = await _find(view, text[:64], kind)
    if found is None:
        async with db.sessions() as session, session.begin():
            await audit.record(
                session, caller, query=f"follow {text}", intent="follow", outcome=Outcome.NOT_FOUND
            )
        raise BeatlineError(
            NOT_A_RECORD.format(shown=f"'{clean_text(text, 24)}'" if text.strip() else "named")
        )
    kind, record_id, label = found
    token, label = audit_token(record_id), clean_text(label, 200)
    async with db.sessions() as session, session.begin():
        row = await session.get(Follow, (follower, kind, token), with_for_update=True)
        if row is None:
            row = Follow(follower_id=follower, kind=kind, record_id=token)
            session.add(row)
        row.label, row.created_at, row.expires_at = label, now, now + LAPSE
        await audit.record(session, caller, query=f"follow {kind}:{token}", intent="follow",
                           outcome=Outcome.ANSWERED, record_ids=[f"{kind}:{token}"])  # fmt: skip
    return Followed(kind, token, label, now + LAPSE)


async def unfollow(db: Database, caller: Caller, text: str) -> Followed | None:
    """Stop following the record `text` names (a person's id or a plate); the follow ended, or None."""
    follower, wanted = _follower(caller), clean_text(text, 40)
    tokens = {audit_token(wanted), normalise_vrm(wanted) or ""} - {""}
    async with db.sessions() as session, session.begin():
        row = (
            await session.scalars(
                select(Follow).where(Follow.follower_id == follower, Follow.record_id.in_(tokens)).limit(1)
            )
        ).first()
        if row is None:
            return None
        ended = _followed(row)
        await session.execute(
            delete(Follow).where(
                Follow.follower_id == follower, Follow.kind == row.kind, Follow.record_id == row.record_id
            )
        )
        await audit.record(session, caller, query=f"unfollow {row.kind}:{row.record_id}", intent="unfollow",
                           outcome=Outcome.ANSWERED, record_ids=[f"{row.kind}:{row.record_id}"])  # fmt: skip
    return ended


async def following(db: Database, caller: Caller, *, now: dt.datetime | None = None) -> list[Followed]:
    """The caller's follows that have not lapsed, the soonest to lapse first."""
    now = now or dt.datetime.now(dt.UTC)
    async with db.reads() as session:
        rows = await session.scalars(
            select(Follow)
            .where(Follow.follower_id == _follower(caller), Follow.expires_at > now)
            .order_by(Follow.expires_at)
        )
        return [_followed(row) for row in rows]


def _follower(caller: Caller) -> int:
    if caller.telegram_user_id is None:
        raise BeatlineError("Only a Telegram user can follow a record: alerts are sent in Telegram.")
    return caller.telegram_user_id
