"""The console's aiohttp application: its routes, templates (autoescaped) and static files.

Served under PREFIX, on the webhook server's port (`BEATLINE_CONSOLE=on`) or alone (`beatline console`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.web import audit_pages, briefing_pages, insight_pages, sign_in, user_pages
from bot.web.guard import DB, SETTINGS, ConsoleSettings, guard, page_context, secure_headers
from knowledge.store.database import Database

__all__ = ["PREFIX", "console_app", "mount"]

PREFIX = "/console"
_HERE = Path(__file__).parent


async def _context(request: web.Request) -> dict[str, Any]:
    return page_context(request)


def console_app(db: Database, settings: ConsoleSettings) -> web.Application:
    """The console, to be mounted at PREFIX."""
    app = web.Application(middlewares=[guard], client_max_size=256 * 1024)
    app[DB], app[SETTINGS] = db, settings
    app.on_response_prepare.append(secure_headers)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(_HERE / "templates"),
        autoescape=True,  # every page, whatever its name: user names and queries are hostile text
        undefined=jinja2.StrictUndefined,
        context_processors=[_context],
    )
    app.router.add_static("/static", _HERE / "static", name="static")
    sign_in.register(app)
    user_pages.register(app)
    audit_pages.register(app)
    briefing_pages.register(app)
    insight_pages.register(app)
    return app


def mount(parent: web.Application, db: Database, settings: ConsoleSettings) -> None:
    """Serve the console at PREFIX on `parent`; the bare prefix redirects to the console's front page."""

    async def to_front(request: web.Request) -> web.Response:
        raise web.HTTPFound(PREFIX + "/")

    parent.router.add_get(PREFIX, to_front)
    parent.add_subapp(PREFIX, console_app(db, settings))
