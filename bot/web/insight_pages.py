"""The statistics and review pages."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

__all__ = ["register"]


async def stats(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template("stats.html", request, {})


async def review(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template("review.html", request, {})


def register(app: web.Application) -> None:
    app.router.add_get("/stats", stats, name="stats")
    app.router.add_get("/review", review, name="review")
