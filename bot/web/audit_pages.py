"""The audit page: the log filtered by user, dates, outcome and record; its chain and checkpoints
checked; the filtered view exported as CSV or JSON lines.

Reading the log is a disclosure like /audit: which entries were shown, and what was exported, is
itself audited before the page is returned.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import aiohttp_jinja2
from aiohttp import web
from multidict import MultiMapping

from bot.web.guard import DB, record
from knowledge.access import users
from knowledge.errors import BeatlineError
from knowledge.matching.clean import clean_text
from knowledge.store import audit_check, audit_export
from knowledge.store.audit_filter import AuditFilter, find
from knowledge.store.vocabulary import Outcome

__all__ = ["register"]

SHOWN = 100
MAX_CHECKPOINTS = 100_000  # characters of pasted checkpoint lines
NOT_CHECKPOINTS = "Each line pasted must be a checkpoint from 'beatline audit checkpoint'."


def _date(text: str, what: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), tzinfo=dt.UTC)
    except ValueError:
        raise BeatlineError(f"The {what} date is a date like 2026-12-01.") from None


_FIELDS = ("user", "since", "until", "outcome", "intent", "record")
_NOTHING_TYPED = dict.fromkeys(_FIELDS, "")
_ACTOR = re.compile(r"[a-z-]+:\S{1,70}")  # how the log names who acted: tg:<id>, console:<os user>


def _filter(query: MultiMapping[str]) -> tuple[AuditFilter, dict[str, str]]:
    """The filter the query string asks for, and its fields as typed (cleaned) to show back in the form."""
    typed = {name: clean_text(query.get(name, ""), 80) for name in _FIELDS}
    until = _date(typed["until"], "'to'")
    who = typed["user"]
    named = _ACTOR.fullmatch(who) is not None  # e.g. console:alice, who has no Telegram id
    view = AuditFilter(
        telegram_user_id=users.parse_telegram_id(who) if who and not named else None,
        actor=who if named else "",
        since=_date(typed["since"], "'from'"),
        until=until + dt.timedelta(days=1) if until else None,  # "to" a date includes that day
        outcome=typed["outcome"],
        intent=typed["intent"],
        record_id=typed["record"],
    )
    return view, typed


def _described(typed: dict[str, str]) -> str:
    return " ".join(f"{name}={value}" for name, value in typed.items() if value) or "everything"


def _render(request: web.Request, status: int = 200, **given: object) -> web.Response:
    """The audit page; what is not given is empty."""
    context = {"entries": [], "typed": _NOTHING_TYPED, "problem": "", "outcomes": _OUTCOMES, "verified": None}
    return aiohttp_jinja2.render_template("audit.html", request, {**context, **given}, status=status)


async def show(request: web.Request) -> web.Response:
    try:
        view, typed = _filter(request.query)
    except BeatlineError as exc:
        return _render(request, 400, problem=str(exc))
    entries = await find(request.config_dict[DB], view, limit=SHOWN)
    await record(request, "answered", query=f"console audit {_described(typed)}", intent="admin",
                 record_ids=[f"audit:{e.id}" for e in entries])  # fmt: skip
    query = urlencode({name: value for name, value in typed.items() if value})
    return _render(request, entries=entries, typed=typed, shown=SHOWN, query=query)


_OUTCOMES = sorted({*(o.value for o in Outcome), "enrolled", "changed", "revoked", "created", "queued",
                    "issued", "signed_in", "signed_out"})  # fmt: skip


async def export(request: web.Request) -> web.StreamResponse:
    """The filtered view as a file: CSV (inert in a spreadsheet) or JSON lines."""
    fmt = "csv" if request.query.get("format") == "csv" else "jsonl"
    try:
        view, typed = _filter(request.query)
    except BeatlineError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    await record(request, "answered", query=f"console audit export {fmt} of {_described(typed)}",
                 intent="audit_export")  # fmt: skip
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    response = web.StreamResponse(headers={
        "Content-Type": "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8",
        "Content-Disposition": f'attachment; filename="beatline-audit-{stamp}.{fmt}"',
    })  # fmt: skip
    await response.prepare(request)
    async for chunk in audit_export.export(request.config_dict[DB], since=None, fmt=fmt, view=view):
        await response.write(chunk.encode())
    await response.write_eof()
    return response


async def verify(request: web.Request) -> web.Response:
    """Check the whole chain, and hold it to any checkpoints pasted in (one JSON line each)."""
    form = await request.post()
    pasted = form.get("checkpoints")
    lines = pasted[:MAX_CHECKPOINTS].splitlines() if isinstance(pasted, str) else []
    try:
        marks = [audit_check.Checkpoint.from_json(line, where=f"line {n}")
                 for n, line in enumerate(lines, 1) if line.strip()]  # fmt: skip
    except ValueError:
        return _render(request, 400, problem=NOT_CHECKPOINTS)
    result = await audit_check.verify(request.config_dict[DB], marks)
    said = f"console audit verify: {result.checked} entries, {len(marks)} checkpoints"
    await record(request, "answered" if result.ok else "error", intent="audit_verify", query=said)
    return _render(request, verified=result)


async def checkpoint(request: web.Request) -> web.Response:
    """A signed checkpoint of the head, to keep away from the database (audit_check.checkpoint)."""
    mark = await audit_check.checkpoint(request.config_dict[DB])
    await record(
        request, "created", intent="audit_checkpoint", query=f"console audit checkpoint of entry {mark.seq}"
    )
    return web.Response(
        text=mark.to_json() + "\n", content_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="beatline-checkpoint-{mark.seq}.jsonl"'},
    )  # fmt: skip


def register(app: web.Application) -> None:
    app.router.add_get("/audit", show, name="audit")
    app.router.add_get("/audit/export", export, name="audit_export")
    app.router.add_post("/audit/verify", verify, name="audit_verify")
    app.router.add_post("/audit/checkpoint", checkpoint, name="audit_checkpoint")
