"""What every console request passes through: security headers, the session, the form's CSRF token.

One middleware and one response hook, so that no page can forget a check: a page is public only by
being listed in PUBLIC, and every answer gets HEADERS.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web

from knowledge.access import console_links
from knowledge.access.step_up import Policy
from knowledge.access.users import Enrolment
from knowledge.errors import DatabaseUnavailable
from knowledge.store import audit
from knowledge.store.database import Database, unavailable
from knowledge.vanishing.port import Delete

__all__ = [
    "ADMIN", "DB", "PUBLIC", "SESSION", "SETTINGS", "ConsoleSettings", "cookie_name", "guard", "page_context",
    "record", "secure_headers", "see_other", "signed_out",
]  # fmt: skip

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

DB = web.AppKey("db", Database)
ADMIN = web.RequestKey("admin", Enrolment)  # the signed-in admin, and their session's secret
SESSION = web.RequestKey("session", str)
PUBLIC = frozenset({"index", "login", "login_form", "static"})  # route names needing no session

# Nothing from another site, no script at all, no framing, forms only to ourselves.
CSP = (
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'; img-src 'self' data:; style-src 'self'"
)
STALE_FORM = "This form has expired or did not come from this console; reload the page and try again."
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a sign-in link's token must never leave in a Referer
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


NO_STEP_UP = Policy(on=False)


@dataclass(frozen=True)
class ConsoleSettings:
    """What the console needs to know of its deployment."""

    public_url: str | None
    bot_username: str | None  # for invite links; None shows the code to send instead
    step_up: Policy = NO_STEP_UP  # the shift unlock, for the users' second-factor status
    # Deletes a message through the Bot API, for the wipe that comes with a revocation; None (no token
    # here) leaves the deletions to the running bot, which makes them within a second.
    delete: Delete | None = None

    @property
    def secure(self) -> bool:
        """Over https the cookie is Secure, and takes the __Host- prefix: only this host, path /, Secure."""
        return urlsplit(self.public_url).scheme == "https" if self.public_url else False


SETTINGS = web.AppKey("settings", ConsoleSettings)


def cookie_name(secure: bool) -> str:
    return "__Host-beatline-console" if secure else "beatline-console"


def _own_origin(request: web.Request, settings: ConsoleSettings) -> str:
    if settings.public_url:
        parts = urlsplit(settings.public_url)
        return f"{parts.scheme}://{parts.netloc}"
    return f"{request.scheme}://{request.host}"


def page_context(request: web.Request) -> dict[str, object]:
    """What every template may use: the signed-in admin, the CSRF token for its forms, the page's path."""
    token = request.get(SESSION)
    return {"admin": request.get(ADMIN), "csrf": console_links.csrf_token(token) if token else "",
            "path": request.path}  # fmt: skip


def _from_elsewhere(request: web.Request, settings: ConsoleSettings) -> bool:
    """Whether the browser says a form came from another site; behind the CSRF token, not instead of it.

    Under Referrer-Policy no-referrer a browser sends `Origin: null` even for our own forms, so the
    browser's Sec-Fetch-Site decides where it is sent; Origin where it is a real origin.
    """
    site = request.headers.get("Sec-Fetch-Site", "same-origin")
    origin = request.headers.get("Origin", "null")
    return site not in ("same-origin", "none") or origin not in ("null", _own_origin(request, settings))


def _page(request: web.Request, template: str, status: int, **context: object) -> web.Response:
    """A page the guard answers with itself, before (or instead of) the page asked for."""
    return aiohttp_jinja2.render_template(
        template, request, {**page_context(request), **context}, status=status
    )


def see_other(location: str) -> web.Response:
    """After a form: on to a page by GET, so a reload does not send the form again."""
    return web.Response(status=303, headers={"Location": location})


def signed_out(request: web.Request) -> web.Response:
    return _page(request, "signed_out.html", 401)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A live admin session for every page not in PUBLIC; the CSRF token and our origin on every POST."""
    try:
        return await _checked(request, handler)
    except ConnectionResetError:
        raise  # the browser went away mid-download: nobody to tell
    except DatabaseUnavailable:
        return _page(request, "problem.html", 503, problem=DatabaseUnavailable().args[0])
    except Exception as exc:
        if not unavailable(exc):
            raise
        log.warning("console: database unavailable: %s", type(exc).__name__)
        return _page(request, "problem.html", 503, problem=DatabaseUnavailable().args[0])


async def secure_headers(request: web.Request, response: web.StreamResponse) -> None:
    """On every answer, streamed downloads and aiohttp's own errors included, as it is prepared."""
    response.headers.update(HEADERS)


async def _checked(request: web.Request, handler: Handler) -> web.StreamResponse:
    settings = request.config_dict[SETTINGS]
    if request.method not in ("GET", "HEAD") and _from_elsewhere(request, settings):
        return _page(request, "problem.html", 403, problem="That form was sent from another site.")
    route = request.match_info.route.name
    if route in PUBLIC:
        return await handler(request)
    token = request.cookies.get(cookie_name(settings.secure), "")
    admin: Enrolment | None = (
        await console_links.session_admin(request.config_dict[DB], token) if token else None
    )
    if admin is None:
        return signed_out(request)
    request[ADMIN], request[SESSION] = admin, token
    if request.method == "POST":
        form = await request.post()
        given = form.get("csrf")
        if not isinstance(given, str) or not console_links.csrf_valid(token, given):
            return _page(request, "problem.html", 403, problem=STALE_FORM)
    return await handler(request)


async def record(
    request: web.Request, outcome: str, *, query: str, intent: str, record_ids: list[str] | None = None
) -> None:
    """Audit what this admin was shown or did, as the same act in chat is audited; before the reply."""
    db = request.config_dict[DB]
    async with db.sessions() as session, session.begin():
        await audit.record(
            session, console_links.web_caller(request[ADMIN]), query=query, intent=intent, outcome=outcome,
            record_ids=record_ids or [],
        )  # fmt: skip
