"""The users page: search, enrol, change role or team, revoke, invites and authenticator secrets shown
as QR codes, and lock-outs released.

Each action calls the same knowledge/access function as its chat command, with the admin as the
caller on the console's channel, so it is refused, recorded and audited exactly as in chat.
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp_jinja2
import segno
from aiohttp import web
from markupsafe import Markup

from bot.web.guard import ADMIN, DB, SETTINGS, record
from knowledge.access import authenticator, invites, step_up, users
from knowledge.access.console_links import web_caller
from knowledge.access.roles import ROLES
from knowledge.errors import BeatlineError
from knowledge.matching.clean import clean_text
from knowledge.vanishing.wipe import wipe

__all__ = ["register"]

MAX_SEARCH = 60


def _field(form: Mapping[str, object], name: str, most: int = 200) -> str:
    """A text field as sent, cut; '' for a missing one or a file where text belongs."""
    value = form.get(name)
    return value[:most] if isinstance(value, str) else ""


def _matches(user: users.Enrolment, words: list[str]) -> bool:
    seen = f"{user.telegram_id} {user.name} {user.role} {user.team} {user.status}".casefold()
    return all(word in seen for word in words)


async def _page(
    request: web.Request,
    *,
    notice: str = "",
    problem: str = "",
    invite: Mapping[str, object] | None = None,
    secret: Mapping[str, object] | None = None,
) -> web.Response:
    search = clean_text(request.query.get("q", ""), MAX_SEARCH)
    db = request.config_dict[DB]
    everyone = await users.list_users(db)
    shown = [u for u in everyone if _matches(u, search.casefold().split())]
    async with db.reads() as session:
        factors = await step_up.second_factors(
            session, [u.telegram_id for u in shown], request.config_dict[SETTINGS].step_up
        )
    # Who the officers are is itself a disclosure: the view is audited as /users is.
    await record(request, "answered", query=f"console users{' ' + search if search else ''}", intent="admin")
    context = {"users": shown, "factors": factors, "total": len(everyone), "q": search, "roles": ROLES,
               "notice": notice, "problem": problem, "invite": invite, "secret": secret}  # fmt: skip
    return aiohttp_jinja2.render_template("users.html", request, context, status=400 if problem else 200)


async def show(request: web.Request) -> web.Response:
    return await _page(request)


def _telegram_id(text: str) -> int:
    return users.parse_telegram_id(text.strip())


async def enrol(request: web.Request) -> web.Response:
    """Enrol a user, or change an enrolled one's role, team or name: /allow's work."""
    form = await request.post()
    try:
        who = await users.enrol(
            request.config_dict[DB], _telegram_id(_field(form, "telegram_id")), _field(form, "role"),
            team=_field(form, "team"), name=_field(form, "name"), by=web_caller(request[ADMIN]),
        )  # fmt: skip
    except BeatlineError as exc:
        return await _page(request, problem=str(exc))
    team = f" in team {who.team}" if who.team else ""
    return await _page(request, notice=f"{who.telegram_id} is enrolled as {who.role}{team}.")


async def revoke(request: web.Request) -> web.Response:
    """Revoke a user at once and wipe their chat: /revoke's work."""
    form = await request.post()
    db = request.config_dict[DB]
    try:
        telegram_id = _telegram_id(_field(form, "telegram_id"))
        revoked = await users.revoke(db, telegram_id, by=web_caller(request[ADMIN]))
    except BeatlineError as exc:
        return await _page(request, problem=str(exc))
    if not revoked:
        return await _page(request, problem=f"{telegram_id} is not an active user.")
    wiped = await wipe(db, telegram_id, request.config_dict[SETTINGS].delete)  # a private chat's id is theirs
    return await _page(
        request, notice=f"{telegram_id} is revoked; their next message will be refused. {wiped.sentence()}"
    )


async def invite(request: web.Request) -> web.Response:
    """A one-time invite, as /invite makes, shown as a link and a QR code to scan from this screen."""
    form = await request.post()
    role, team = _field(form, "role"), _field(form, "team")
    try:
        code = await invites.create_invite(
            request.config_dict[DB], role, team=team, by=web_caller(request[ADMIN])
        )
    except BeatlineError as exc:
        return await _page(request, problem=str(exc))
    username = request.config_dict[SETTINGS].bot_username
    link = f"https://t.me/{username}?start={code}" if username else ""
    shown: dict[str, object] = {
        "role": role.lower(), "team": team, "link": link, "code": code, "qr": _qr(link or f"/start {code}")
    }  # fmt: skip
    return await _page(request, notice=f"One-time invite as {role.lower()}, valid 48 hours.", invite=shown)


async def authenticator_secret(request: web.Request) -> web.Response:
    """A new authenticator secret for a user, as `beatline users totp` issues it, shown once as a QR code
    for the admin to let the officer scan in person; the old one stops working at once."""
    form = await request.post()
    try:
        telegram_id = _telegram_id(_field(form, "telegram_id"))
        issued = await authenticator.issue(
            request.config_dict[DB], telegram_id, by=web_caller(request[ADMIN])
        )
    except BeatlineError as exc:
        return await _page(request, problem=str(exc))
    shown: dict[str, object] = {"telegram_id": telegram_id, "qr": _qr(issued.uri)}
    return await _page(request, notice=f"A new authenticator secret for {telegram_id}.", secret=shown)


async def release(request: web.Request) -> web.Response:
    """Let a locked-out user try codes again: /release's work."""
    form = await request.post()
    try:
        telegram_id = _telegram_id(_field(form, "telegram_id"))
        released = await step_up.release(request.config_dict[DB], telegram_id, by=web_caller(request[ADMIN]))
    except BeatlineError as exc:
        return await _page(request, problem=str(exc))
    if not released:
        return await _page(request, problem=f"{telegram_id} is not locked out.")
    return await _page(request, notice=f"{telegram_id} may try codes again; they still have to unlock.")


def _qr(text: str) -> Markup:
    # segno writes the SVG from our own text alone (a link or an otpauth URI): safe in the page as it is.
    return Markup(segno.make(text, error="m").svg_inline(scale=5, dark="#111", light="#fff"))


def register(app: web.Application) -> None:
    app.router.add_get("/users", show, name="users")
    app.router.add_post("/users/enrol", enrol, name="users_enrol")
    app.router.add_post("/users/revoke", revoke, name="users_revoke")
    app.router.add_post("/users/invite", invite, name="users_invite")
    app.router.add_post("/users/authenticator", authenticator_secret, name="users_authenticator")
    app.router.add_post("/users/release", release, name="users_release")
