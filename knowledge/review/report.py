"""Statistics and the review as plain text (the terminal, Telegram) and as an HTML page.

The HTML goes through jinja2 with autoescaping on for every value, so a user's name or a record id
that holds markup shows as text; the template is a file beside this module.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from knowledge.review.periods import LONDON
from knowledge.review.review import Review, UserReview
from knowledge.review.statistics import Statistics

__all__ = ["review_html", "review_json", "review_text", "statistics_text", "user_line"]


def _local(at: dt.datetime) -> str:
    return f"{at.astimezone(LONDON):%d/%m/%Y %H:%M}"


def _row(pairs: tuple[tuple[str, int], ...]) -> str:
    return " · ".join(f"{key or 'none'} {n}" for key, n in pairs) or "none"


def _who(actor: str, telegram_id: int | None, name: str, team: str) -> str:
    if telegram_id is None:
        return actor
    return f"{name or 'no name'} (Telegram id {telegram_id}, team {team or '—'})"


def statistics_text(stats: Statistics) -> str:
    """The figures of `stats`, a line each."""
    first, last = stats.per_day[0][0], stats.per_day[-1][0]
    busiest = "; ".join(f"{_who(u.actor, u.telegram_id, u.name, u.team)} {u.checks}" for u in stats.busiest)
    times = (
        f"p50 {stats.p50_ms} ms, p95 {stats.p95_ms} ms ({stats.timed} answers timed)"
        if stats.timed
        else "no answer timed yet"
    )
    return "\n".join([
        f"Checks {first:%d/%m/%Y}–{last:%d/%m/%Y} (London days): {stats.checks}",
        "Per day: " + " · ".join(f"{day:%d/%m} {n}" for day, n in stats.per_day),
        f"Per team: {_row(stats.per_team)}",
        f"By intent: {_row(stats.by_intent)}",
        f"By outcome: {_row(stats.by_outcome)}",
        f"By reason: {_row(stats.by_reason)}",
        f"Busiest: {busiest or 'nobody'}",
        f"Answer time: {times}",
    ])  # fmt: skip


def user_line(user: UserReview) -> str:
    """One user's review on one line."""
    shift = "no shift data" if user.outside_shift is None else f"{user.outside_shift} outside shifts"
    bursts = ", ".join(f"{b.checks} from {_local(b.start)}" for b in user.bursts) or "none"
    repeated = ", ".join(f"{r.person_id} ×{r.checks}" for r in user.repeated) or "none"
    return (
        f"{_who(user.actor, user.telegram_id, user.name, user.team)}: {user.checks} checks, "
        f"{user.denials} denials, {user.lockouts} lock-outs, {user.rate_limited} rate-limit refusals, "
        f"{shift}; bursts: {bursts}; same person ≥3 in 7 days: {repeated}; "
        f"follows triggered: {user.follows_triggered}"
    )


def review_text(report: Review, *, flagged_only: bool = False) -> str:
    """The review, a user a line, those with something to look into first."""
    shown = [u for u in report.users if u.flagged or not flagged_only]
    heading = f"Review {_local(report.since)} – {_local(report.until)} (London): {len(report.users)} users"
    if flagged_only:
        heading += f", {len(shown)} with something to look into"
    return "\n".join(
        [heading, *(f"• {user_line(u)}" for u in shown)] if shown else [heading, "Nothing to review."]
    )


def review_json(report: Review) -> str:
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2)


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("knowledge.review", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def review_html(report: Review) -> str:
    """The review as a self-contained HTML page: no script, nothing loaded from anywhere."""
    return _templates().get_template("report.html").render(report=report, local=_local)
