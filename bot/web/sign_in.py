"""Signing in by a one-time link, and out: the console's only public pages.

Opening a link only shows a button; the link is used when the button is pressed (a POST), so a link
preview or a browser's prefetch cannot use it up.
"""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.web.guard import ADMIN, DB, SESSION, SETTINGS, cookie_name, see_other
from knowledge.access import console_links

__all__ = ["register"]


async def index(request: web.Request) -> web.Response:
    """The front page: to the users page when signed in, else how to sign in."""
    settings = request.config_dict[SETTINGS]
    token = request.cookies.get(cookie_name(settings.secure), "")
    if token and await console_links.session_admin(request.config_dict[DB], token):
        return see_other("/console/users")
    return aiohttp_jinja2.render_template("signed_out.html", request, {})


async def login_form(request: web.Request) -> web.Response:
    """The link's page: one button that signs in with the link's token."""
    token = request.query.get("token", "")[:100]
    return aiohttp_jinja2.render_template("login.html", request, {"token": token})


async def login(request: web.Request) -> web.Response:
    """Use the link: a session cookie and on to the users page, or a refusal that says what to do."""
    settings = request.config_dict[SETTINGS]
    form = await request.post()
    token = form.get("token")
    try:
        opened = await console_links.sign_in(request.config_dict[DB], token if isinstance(token, str) else "")
    except console_links.LinkRefused as refused:
        return aiohttp_jinja2.render_template("problem.html", request, {"problem": str(refused)}, status=403)
    response = see_other("/console/users")
    # No expiry of its own: the server ends the session after SESSION_IDLE, whatever the browser keeps.
    response.set_cookie(cookie_name(settings.secure), opened.token, path="/", httponly=True,
                        samesite="Strict", secure=settings.secure)  # fmt: skip
    return response


async def logout(request: web.Request) -> web.Response:
    """End the session now, here and in the database."""
    settings = request.config_dict[SETTINGS]
    await console_links.sign_out(request.config_dict[DB], request[SESSION], request[ADMIN])
    response = see_other("/console/")
    response.del_cookie(cookie_name(settings.secure), path="/")
    return response


def register(app: web.Application) -> None:
    app.router.add_get("/", index, name="index")
    app.router.add_get("/login", login_form, name="login_form")
    app.router.add_post("/login", login, name="login")
    app.router.add_post("/logout", logout, name="logout")
