"""Briefings: what a sergeant may send, to whom and when, and the list they follow them by.

`knowledge.briefings.engine` delivers and `knowledge.briefings.acknowledgements` follows up; this
module holds the rules. A sergeant briefs their own team, an admin a chosen team or every team
("*"). Recipients are the active members of that team except the sender, fixed when sending starts,
so a briefing scheduled for 06:45 reaches whoever is on the team at 06:45. Over-long text is refused
rather than split: one briefing is one message with one Acknowledge button, so "acknowledged" never
means "read part one of three".
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, String, Subquery, and_, case, func, or_, select, update

from knowledge.access.users import Enrolment, team_members
from knowledge.briefings.statuses import BriefingStatus, CopyStatus
from knowledge.errors import BeatlineError, NotAllowed
from knowledge.matching.clean import utf16_length
from knowledge.store.database import Database, utc
from knowledge.store.schema import Briefing, BriefingDelivery

__all__ = [
    "ALL_TEAMS",
    "LONDON",
    "MAX_LENGTH",
    "BriefingView",
    "Request",
    "cancel",
    "check_text",
    "choose_team",
    "confirm",
    "create_draft",
    "get",
    "managed",
    "next_occurrence",
    "parse_request",
    "recent",
]

ALL_TEAMS = "*"
LONDON = ZoneInfo("Europe/London")
# Telegram's 4096 less room for the header (sender, team, a reminder line) and "Acknowledged 06:52".
MAX_LENGTH = 3700
TEAM_LENGTH = cast(String, Briefing.__table__.c.team.type).length or 0  # the column's, as PostgreSQL holds it
_AT = re.compile(r"at\s+(\d{1,2})[:.](\d{2})(?:\s+|$)", re.IGNORECASE)
_TEAM = re.compile(r"team=(\S+)(?:\s+|$)", re.IGNORECASE)
_ALL = re.compile(r"all(?:\s+|$)", re.IGNORECASE)


@dataclass(frozen=True)
class BriefingView:
    id: int
    sender_id: int
    team: str
    text: str
    status: BriefingStatus
    created_at: dt.datetime
    send_at: dt.datetime | None
    recipients: int  # copies meant to reach someone (revoked officers skipped are not counted)
    acked: int


@dataclass(frozen=True)
class Request:
    """What `/brief [at HH:MM] [team=B | all] TEXT` asked for."""

    text: str
    team: str | None  # None: the sender's own
    at: tuple[int, int] | None  # hour and minute on the London clock; None: now


def parse_request(args: str, *, role: str) -> Request:
    """Split the options off the front of /brief's text; only a time that cannot exist is refused.

    "all" is an option for admins only: a sergeant's "all units be aware…" is the briefing itself.
    """
    rest, team, at = args.strip(), None, None
    while True:
        if at is None and (found := _AT.match(rest)):
            hour, minute = int(found[1]), int(found[2])
            if hour > 23 or minute > 59:
                raise BeatlineError(
                    f"{found[1]}:{found[2]} is not a time; use the 24-hour clock, as in 06:45."
                )
            at = (hour, minute)
        elif team is None and (found := _TEAM.match(rest)):
            team = found[1]
        elif team is None and role == "admin" and (found := _ALL.match(rest)):
            team = ALL_TEAMS
        else:
            return Request(rest, team, at)
        rest = rest[found.end() :]


def _has_controls(text: str, *, allowed: str = "") -> bool:
    # Cs: a lone surrogate cannot be stored or sent; it is refused like a control character.
    return any(unicodedata.category(char) in ("Cc", "Cs") and char not in allowed for char in text)


def check_text(text: str) -> str:
    """The briefing text, stripped; refused with a sentence when empty, too long for one message, or
    holding control characters (PostgreSQL cannot store a NUL, and officers cannot see the others)."""
    text = text.strip()
    if not text:
        raise BeatlineError(
            "A briefing needs some text, for example: /brief Red Ford Focus AB12CDE seen on Mill Lane."
        )
    if _has_controls(text, allowed="\n\r\t"):
        raise BeatlineError(
            "A briefing cannot contain control characters (a NUL, for example); type the text again."
        )
    length = utf16_length(text)  # as Telegram counts
    if length > MAX_LENGTH:
        raise BeatlineError(
            f"A briefing can be at most {MAX_LENGTH:,} characters and this one is {length:,}; "
            "shorten it or send it as two briefings."
        )
    return text


def choose_team(sender: Enrolment, requested: str | None) -> str:
    """The team a briefing goes to: a sergeant's own; an admin's choice, else their own."""
    if requested is not None and (len(requested) > TEAM_LENGTH or _has_controls(requested)):
        raise BeatlineError(f"A team name is at most {TEAM_LENGTH} characters, with no control characters.")
    if sender.role == "sergeant":
        if requested is not None and requested != sender.team:
            raise NotAllowed(
                f"Sergeants brief their own team ({sender.team or 'none'}); ask an admin for others."
            )
        if not sender.team:
            raise BeatlineError(
                "You are not in a team, so there is nobody to brief; ask an admin to set your team."
            )
        return sender.team
    if sender.role != "admin":
        raise NotAllowed("Only sergeants and admins can send briefings.")
    team = requested or sender.team
    if not team:
        raise BeatlineError("Choose a team: /brief team=B TEXT, or /brief all TEXT for every team.")
    return team


def next_occurrence(hour: int, minute: int, now: dt.datetime) -> dt.datetime:
    """The next HH:MM on the London clock after now (today if still ahead, else tomorrow), in UTC."""
    local_now = now.astimezone(LONDON)
    at = dt.datetime.combine(local_now.date(), dt.time(hour, minute), tzinfo=LONDON)
    if at <= local_now:
        at = dt.datetime.combine(
            local_now.date() + dt.timedelta(days=1), dt.time(hour, minute), tzinfo=LONDON
        )
    return at.astimezone(dt.UTC)


def _may_manage(viewer: Enrolment, briefing: Briefing) -> bool:
    return (
        viewer.role == "admin"
        or briefing.sender_id == viewer.telegram_id
        or (viewer.role == "sergeant" and bool(viewer.team) and briefing.team == viewer.team)
    )


def _counts() -> Subquery:
    """Per briefing: copies meant to arrive, and how many were acknowledged."""
    return (
        select(
            BriefingDelivery.briefing_id,
            func.sum(case((BriefingDelivery.status != CopyStatus.SKIPPED, 1), else_=0)).label("recipients"),
            func.count(BriefingDelivery.acked_at).label("acked"),
        )
        .group_by(BriefingDelivery.briefing_id)
        .subquery()
    )


def _view_query() -> Select[Briefing, int, int]:
    counts = _counts()
    return select(
        Briefing, func.coalesce(counts.c.recipients, 0), func.coalesce(counts.c.acked, 0)
    ).outerjoin(counts, counts.c.briefing_id == Briefing.id)


def _view(briefing: Briefing, recipients: int, acked: int) -> BriefingView:
    return BriefingView(
        briefing.id, briefing.sender_id, briefing.team, briefing.text, BriefingStatus(briefing.status),
        utc(briefing.created_at), utc(briefing.send_at) if briefing.send_at else None, recipients, acked,
    )  # fmt: skip


async def create_draft(
    db: Database, sender: Enrolment, text: str, *, team: str | None = None, send_at: dt.datetime | None = None
) -> tuple[BriefingView, int]:
    """A draft for the sender to preview, with how many officers it would reach now."""
    text = check_text(text)
    team = choose_team(sender, team)
    reach = [m for m in await team_members(db, team) if m.telegram_id != sender.telegram_id]
    if not reach:
        where = "No team has" if team == ALL_TEAMS else f"Team {team} has no"
        raise BeatlineError(f"{where} other active members, so there is nobody to brief.")
    now = dt.datetime.now(dt.UTC)
    async with db.sessions() as session, session.begin():
        briefing = Briefing(
            sender_id=sender.telegram_id,
            team=team,
            text=text,
            status=BriefingStatus.DRAFT,
            created_at=now,
            send_at=send_at,
        )
        session.add(briefing)
    return _view(briefing, 0, 0), len(reach)


async def confirm(
    db: Database, briefing_id: int, sender_id: int, *, progress_chat_id: int, progress_message_id: int
) -> BriefingView | None:
    """Turn the sender's draft into a scheduled briefing (due now unless timed); None if it was not a draft.

    The status check is in the UPDATE itself, so Send pressed twice, even in two processes, sends once.
    """
    async with db.sessions() as session, session.begin():
        result = await session.execute(
            update(Briefing)
            .where(
                Briefing.id == briefing_id,
                Briefing.sender_id == sender_id,
                Briefing.status == BriefingStatus.DRAFT,
            )
            .values(
                status=BriefingStatus.SCHEDULED,
                send_at=func.coalesce(Briefing.send_at, dt.datetime.now(dt.UTC)),
                progress_chat_id=progress_chat_id,
                progress_message_id=progress_message_id,
            )
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return None
        row = (await session.execute(_view_query().where(Briefing.id == briefing_id))).one()
    return _view(*row)


async def cancel(db: Database, briefing_id: int, viewer: Enrolment) -> bool:
    """Cancel a draft or a scheduled briefing that has not started; False once it is sending or gone."""
    briefing = await managed(db, briefing_id, viewer)
    async with db.sessions() as session, session.begin():
        result = await session.execute(
            update(Briefing)
            .where(
                Briefing.id == briefing.id,
                Briefing.status.in_((BriefingStatus.DRAFT, BriefingStatus.SCHEDULED)),
            )
            .values(status=BriefingStatus.CANCELLED)
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _allowed(briefing: Briefing | None, viewer: Enrolment) -> Briefing:
    if briefing is None or not _may_manage(viewer, briefing):
        raise NotAllowed("That briefing is not one of yours.")
    return briefing


async def managed(db: Database, briefing_id: int, viewer: Enrolment) -> Briefing:
    """The briefing, if the viewer sent it, leads its team or is an admin; NotAllowed otherwise."""
    async with db.reads() as session:
        return _allowed(await session.get(Briefing, briefing_id), viewer)


async def get(db: Database, briefing_id: int, viewer: Enrolment) -> BriefingView:
    """One briefing with its counts, if the viewer may manage it."""
    async with db.reads() as session:
        row = (await session.execute(_view_query().where(Briefing.id == briefing_id))).one_or_none()
    briefing, recipients, acked = row if row is not None else (None, 0, 0)
    return _view(_allowed(briefing, viewer), recipients, acked)


async def recent(db: Database, viewer: Enrolment, *, limit: int = 10) -> list[BriefingView]:
    """The newest briefings the viewer may follow, newest first; drafts and cancelled ones are left out."""
    stmt = _view_query().where(Briefing.status.not_in((BriefingStatus.DRAFT, BriefingStatus.CANCELLED)))
    if viewer.role != "admin":
        stmt = stmt.where(
            or_(
                Briefing.sender_id == viewer.telegram_id,
                and_(Briefing.team == viewer.team, Briefing.team != ""),
            )
        )
    async with db.reads() as session:
        rows = await session.execute(
            stmt.order_by(Briefing.created_at.desc(), Briefing.id.desc()).limit(limit)
        )
        return [_view(*row) for row in rows]
