"""The briefings page: each recent briefing's acknowledgements, who is outstanding, and Remind.

The same knowledge/briefings functions as /briefings and its buttons; a Remind queues the copies,
and the bot's delivery engine (polling every second, in whichever process runs it) sends them.
"""

from __future__ import annotations

import re

import aiohttp_jinja2
from aiohttp import web

from bot.web.guard import ADMIN, DB, record
from knowledge.access.console_links import CHANNEL
from knowledge.briefings import acknowledgements, drafts
from knowledge.briefings.statuses import BriefingStatus
from knowledge.errors import BeatlineError

__all__ = ["register"]

SHOWN = 20


async def _page(request: web.Request, *, notice: str = "", problem: str = "") -> web.Response:
    db, admin = request.config_dict[DB], request[ADMIN]
    views = await drafts.recent(db, admin, limit=SHOWN)
    rows = [(view, await acknowledgements.outstanding(db, view.id, admin)) for view in views]
    # Briefings name suspects: showing them is audited as /briefings is.
    await record(request, "answered", query="console briefings", intent="briefing_list",
                 record_ids=[f"briefing:{v.id}" for v in views])  # fmt: skip
    context = {"rows": rows, "notice": notice, "problem": problem, "sent": BriefingStatus.SENT}
    return aiohttp_jinja2.render_template("briefings.html", request, context, status=400 if problem else 200)


async def show(request: web.Request) -> web.Response:
    return await _page(request)


async def remind(request: web.Request) -> web.Response:
    """Send the briefing again to those who have not acknowledged it, and to nobody else."""
    form = await request.post()
    raw = form.get("briefing_id")
    if not isinstance(raw, str) or not re.fullmatch(r"[0-9]{1,12}", raw):
        return await _page(request, problem="Choose a briefing from the list.")
    briefing_id = int(raw)
    try:
        count = await acknowledgements.remind(
            request.config_dict[DB], briefing_id, request[ADMIN],
            progress_chat_id=None, progress_message_id=None, channel=CHANNEL,
        )  # fmt: skip
    except BeatlineError as exc:
        return await _page(request, problem=str(exc))
    return await _page(request, notice=f"Briefing #{briefing_id}: {count} to be reminded.")


def register(app: web.Application) -> None:
    app.router.add_get("/briefings", show, name="briefings")
    app.router.add_post("/briefings/remind", remind, name="briefings_remind")
