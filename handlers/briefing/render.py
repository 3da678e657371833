"""What sergeants and officers read about briefings, as plain text; `handlers.format.html` escapes it.

Times are shown on the London clock, the one the shift runs on, whatever the server's zone.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

from knowledge.briefings.acknowledgements import Recipient
from knowledge.briefings.copies import Withdrawn
from knowledge.briefings.drafts import ALL_TEAMS, LONDON, BriefingView
from knowledge.briefings.port import Outgoing, Progress
from knowledge.briefings.statuses import BriefingStatus, CopyStatus

__all__ = [
    "acknowledged_line",
    "clock",
    "copy_text",
    "list_text",
    "outstanding_text",
    "preview_text",
    "progress_text",
    "queued_text",
    "withdrawn_text",
]

_STATUS = MappingProxyType(
    {
        CopyStatus.BLOCKED: "has blocked Beatline",
        CopyStatus.FAILED: "delivery not confirmed",
        CopyStatus.PENDING: "queued",
    }
)


def clock(at: dt.datetime) -> str:
    """06:52, London time."""
    return at.astimezone(LONDON).strftime("%H:%M")


def _when(at: dt.datetime, now: dt.datetime) -> str:
    day = at.astimezone(LONDON).date()
    if day == now.astimezone(LONDON).date():
        return clock(at)
    return f"{at.astimezone(LONDON):%d/%m} {clock(at)}"


def _audience(team: str) -> str:
    return "all teams" if team == ALL_TEAMS else f"team {team}"


def preview_text(view: BriefingView, reach: int, now: dt.datetime) -> str:
    """The sergeant's preview: who it goes to, when, and the text exactly as officers will see it."""
    officers = "1 officer" if reach == 1 else f"{reach} officers"
    when = f"at {_when(view.send_at, now)}" if view.send_at else "as soon as you press Send"
    return f"Preview of a briefing to {_audience(view.team)} ({officers}), sent {when}:\n\n{view.text}"


def queued_text(view: BriefingView, now: dt.datetime) -> str:
    """What the preview becomes once Send is pressed."""
    if view.send_at and view.send_at > now + dt.timedelta(seconds=5):
        return f"Briefing #{view.id} to {_audience(view.team)} is scheduled for {_when(view.send_at, now)}."
    return f"Briefing #{view.id} to {_audience(view.team)}: sending…"


def copy_text(outgoing: Outgoing) -> str:
    """One officer's copy of the briefing."""
    sender = outgoing.sender_name or "your sergeant"
    lines = ["Reminder: please read and acknowledge this briefing."] if outgoing.reminder else []
    lines += [f"Briefing from {sender} to {_audience(outgoing.team)}", "", outgoing.text]
    return "\n".join(lines)


def acknowledged_line(at: dt.datetime) -> str:
    return f"✅ Acknowledged {clock(at)}"


def progress_text(progress: Progress) -> str:
    """The sergeant's progress message: sent n of N while sending, then the outcome."""
    tally, number, team = progress.tally, progress.briefing_id, progress.team
    if not progress.finished:
        return f"Briefing #{number} to {_audience(team)}: sent {tally.sent} of {tally.total}…"
    if tally.total == 0:
        return f"Briefing #{number}: nobody on {_audience(team)} is enrolled now, so it went to no one."
    lines = [f"Briefing #{number} delivered to {tally.sent} of {tally.total} officers."]
    if tally.blocked:
        lines.append(f"{tally.blocked} of them have blocked Beatline and cannot receive it.")
    if tally.failed:
        lines.append(
            f"{tally.failed} could not be confirmed as delivered; Remind in /briefings tries them again."
        )
    lines.append("/briefings shows who has acknowledged.")
    return "\n".join(lines)


def withdrawn_text(withdrawn: Withdrawn) -> str:
    """The author's note when a briefing they may no longer send fell due and was cancelled."""
    return (
        f"Briefing #{withdrawn.briefing_id} to {_audience(withdrawn.team)} was due but has not been sent: "
        f"{withdrawn.reason}"
    )


def _summary(view: BriefingView, now: dt.datetime) -> str:
    first_line = view.text.splitlines()[0]
    gist = first_line if len(first_line) <= 40 else first_line[:39] + "…"
    if view.status == BriefingStatus.SCHEDULED and view.send_at:
        state = f"scheduled for {_when(view.send_at, now)}"
    else:
        state = f"{view.acked}/{view.recipients} acknowledged" + (
            " (sending)" if view.status == BriefingStatus.SENDING else ""
        )
    sent = _when(view.send_at or view.created_at, now)
    return f"#{view.id} {sent} {_audience(view.team)}: {state} — {gist}"


def list_text(views: list[BriefingView], now: dt.datetime) -> str:
    """/briefings: the recent briefings, one line each with acknowledged/recipients."""
    if not views:
        return "No briefings yet. /brief TEXT sends one to your team."
    lines = ["Recent briefings (acknowledged/recipients):", *(_summary(v, now) for v in views)]
    return "\n".join([*lines, "", "Choose one to see who has not acknowledged yet."])


def outstanding_text(view: BriefingView, people: list[Recipient]) -> str:
    """Who has not acknowledged a briefing yet, and why some cannot."""
    if not people:
        return f"Briefing #{view.id}: everyone has acknowledged ({view.acked}/{view.recipients})."
    lines = [f"Briefing #{view.id}: {len(people)} of {view.recipients} not acknowledged yet:"]
    for person in people:
        note = f" — {_STATUS[person.status]}" if person.status in _STATUS else ""
        lines.append(f"• {person.name or 'no name'} ({person.telegram_id}){note}")
    return "\n".join(lines)
