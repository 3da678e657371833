"""The statistics and review pages: knowledge/review's figures, drawn as server-side SVG charts, and
the review's signals, each linking to the audit entries behind it.

Both show who checked what, so each view is audited, naming the users shown, as /stats and /review are.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web

from bot.web.charts import bar_chart
from bot.web.guard import DB, SETTINGS, record
from knowledge.review.read import read_review, read_statistics
from knowledge.review.review import UserReview

__all__ = ["register"]

MAX_DAYS = 366
_DAYS = re.compile(r"[0-9]{1,3}")


def _days(request: web.Request, default: int) -> int | None:
    """The days asked for, 1 to MAX_DAYS; None for anything else."""
    text = request.query.get("days", str(default))
    return int(text) if _DAYS.fullmatch(text) and 1 <= int(text) <= MAX_DAYS else None


def _refused(request: web.Request, template: str) -> web.Response:
    problem = f"The number of days is a whole number from 1 to {MAX_DAYS}."
    return aiohttp_jinja2.render_template(template, request, {"problem": problem, "days": 7}, status=400)


async def stats(request: web.Request) -> web.Response:
    """The checks of the last N London days: figures, and charts per day, team, outcome and reason."""
    days = _days(request, 7)
    if days is None:
        return _refused(request, "stats.html")
    figures = await read_statistics(request.config_dict[DB], days)
    shown = [f"user:{u.telegram_id}" for u in figures.busiest if u.telegram_id is not None]
    await record(request, "answered", query=f"console stats {days} days", intent="stats", record_ids=shown)
    charts = [
        bar_chart(f"Checks per day (London), {figures.checks} in {days} days",
                  [(f"{day:%d/%m}", n) for day, n in figures.per_day]),
        bar_chart("Checks per team", list(figures.per_team[:12])),
        bar_chart("By outcome", list(figures.by_outcome[:12])),
        bar_chart("By reason", [(reason or "none", n) for reason, n in figures.by_reason[:12]]),
    ]  # fmt: skip
    context = {"figures": figures, "charts": charts, "days": days}
    return aiohttp_jinja2.render_template("stats.html", request, context)


def _audit_link(user: UserReview, since: dt.datetime, **narrower: str) -> str:
    """The audit page filtered to the entries behind one signal of one user."""
    who = str(user.telegram_id) if user.telegram_id is not None else user.actor
    return "/console/audit?" + urlencode({"user": who, "since": f"{since:%Y-%m-%d}", **narrower})


def _signals(user: UserReview, since: dt.datetime) -> dict[str, object]:
    """Each signal of one user's review with the link to the audit entries behind it."""
    return {
        "checks": _audit_link(user, since),
        "denials": _audit_link(user, since, outcome="denied"),
        "rate_limited": _audit_link(user, since, outcome="rate_limited"),
        "lockouts": _audit_link(user, since, intent="lockout"),
        "bursts": [(b, _audit_link(user, b.start, until=f"{b.end:%Y-%m-%d}")) for b in user.bursts],
        "repeated": [(r, _audit_link(user, since, record=f"person:{r.person_id}")) for r in user.repeated],
    }


async def review(request: web.Request) -> web.Response:
    """What a supervisor reviews for the last N days, per user, each signal linked to its entries."""
    days = _days(request, 7)
    if days is None:
        return _refused(request, "review.html")
    shifts = request.config_dict[SETTINGS].step_up  # shifts as the bot enforces them
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    report = await read_review(request.config_dict[DB], since, step_up=shifts.on,
                               unlock_hours=shifts.unlock_for.total_seconds() / 3600)  # fmt: skip
    shown = [f"user:{u.telegram_id}" for u in report.users if u.telegram_id is not None]
    await record(request, "answered", query=f"console review {days} days", intent="review", record_ids=shown)
    rows = [(user, _signals(user, since)) for user in report.users]
    context = {"report": report, "rows": rows, "days": days}
    return aiohttp_jinja2.render_template("review.html", request, context)


def register(app: web.Application) -> None:
    app.router.add_get("/stats", stats, name="stats")
    app.router.add_get("/review", review, name="review")
