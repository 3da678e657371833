"""The answer function: officer's words in, the reply and the records it disclosed out.

Every channel (Telegram, `beatline ask`, `beatline chat`) calls `answer` or `answer_record`; both go
through the one audited path (`knowledge.answers.disclosure.audited`), so one audit entry listing what
the reply shows is committed before the reply is returned. A check asked as a Telegram user needs a
reason first (check_reason.py). Which module answers is a table from intent (a question) or record
kind (a record opened from a button) to its handler.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from types import MappingProxyType

from knowledge.access.reason_choices import DEFAULT_RULE, ReasonRule
from knowledge.access.roles import help_text
from knowledge.answers import (
    addresses,
    check_reason,
    conversation,
    follow_ups,
    incidents,
    persons,
    render,
    several,
    vehicles,
)
from knowledge.answers.disclosure import DATABASE_ERRORS, GONE, Answer, Draft, audited, database_down, drafted
from knowledge.errors import BeatlineError
from knowledge.follows.teamwork import teamwork_note
from knowledge.records.port import Records, RecordsSource
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from knowledge.store.vocabulary import Outcome, RecordKind
from knowledge.understanding.follow_ups import FollowUp, Refers
from knowledge.understanding.intents import Intent
from knowledge.understanding.parse import ParsedQuery, parse

__all__ = ["SMALL_TALK_REPLIES", "answer", "answer_record", "next_page"]

_ASK = "a name with a date of birth, a number plate, an address or an incident reference"
SMALL_TALK_REPLIES = {
    "greeting": f"Hello. Send me {_ASK} to check.",
    "thanks": "You're welcome. Stay safe.",
    "farewell": "Bye. Stay safe.",
    "acknowledged": "OK.",
    "chat": f"I can only help with checks: {_ASK}. Send 'help' for examples.",
}
NOT_UNDERSTOOD = (
    "Sorry, I did not understand that. Try a name with a date of birth, a number plate, an address "
    "or an incident reference — or send 'help'."
)


@dataclass(frozen=True)
class _Question:
    caller: Caller
    parsed: ParsedQuery
    today: dt.date
    rule: ReasonRule
    now: dt.datetime


async def _with_teamwork(db: Database, caller: Caller, draft: Draft, teamwork: bool) -> Draft:
    """A person answer says whether other officers checked that person lately (BEATLINE_TEAMWORK).

    Read from the audit log in Beatline's own database, wherever the records come from.
    """
    # Not under a reply in sections (several subjects, not followable): it would read as the last one's.
    if teamwork and draft.outcome == Outcome.ANSWERED and draft.records and draft.followable:
        first = draft.records[0]
        if first.kind == RecordKind.PERSON:
            async with db.reads() as session, session.begin():
                note = await teamwork_note(session, caller, first.id, dt.datetime.now(dt.UTC))
            draft.reply = f"{draft.reply}\n{note}" if note else draft.reply
    return draft


async def _help(_: Records, question: _Question) -> Draft:
    asked = question.rule.required and question.caller.telegram_user_id is not None
    return Draft(Outcome.ANSWERED, help_text(question.caller.role, reasons=asked))


async def _unknown(_: Records, question: _Question) -> Draft:
    if question.parsed.small_talk:
        return Draft(Outcome.ANSWERED, SMALL_TALK_REPLIES[question.parsed.small_talk])
    return Draft(Outcome.NOT_FOUND, NOT_UNDERSTOOD)


_BY_INTENT: dict[Intent, Callable[[Records, _Question], Awaitable[Draft]]] = {
    Intent.PERSON_CHECK: lambda s, q: _person_or_street(s, q),
    Intent.WARRANT_CHECK: lambda s, q: persons.check_person(s, q.parsed, q.today),
    Intent.VEHICLE_CHECK: lambda s, q: vehicles.check_vehicle(s, q.parsed),
    Intent.ADDRESS_CHECK: lambda s, q: addresses.check_address(s, q.parsed),
    Intent.INCIDENT_LOOKUP: lambda s, q: incidents.check_incident(s, q.parsed),
    Intent.HELP: _help,
    Intent.UNKNOWN: _unknown,
}


async def _person_or_street(records: Records, question: _Question) -> Draft:
    """A name, unless no one has that exact name and it is also a street on record ("baker street")."""
    parsed = question.parsed
    draft = await persons.check_person(records, parsed, question.today)
    exact = any(r.kind == RecordKind.PERSON and r.score >= 100 for r in draft.records)
    if not parsed.street_reading or exact:
        return draft
    reading = dict(parsed.street_reading)
    street = ParsedQuery(
        Intent.ADDRESS_CHECK, MappingProxyType({"street": reading["street"]}), town=reading.get("town", "")
    )
    place = await addresses.check_address(records, street)
    if place.outcome is Outcome.NOT_FOUND:
        return draft
    said = render.field(", ".join(reading.values())).upper()  # "BAKER STREET, CAMDEN"
    place.reply = f"Read as a street: {said}.\n{place.reply}"
    return place


_Open = Callable[[Records, str, bool], Awaitable[Draft]]
_BY_KIND: dict[str, tuple[Intent, _Open]] = {
    RecordKind.PERSON: (Intent.PERSON_CHECK, persons.open_person),
    RecordKind.VEHICLE: (Intent.VEHICLE_CHECK, vehicles.open_vehicle),
    RecordKind.ADDRESS: (Intent.ADDRESS_CHECK, addresses.open_address),
    RecordKind.INCIDENT: (Intent.INCIDENT_LOOKUP, incidents.open_incident),
}


async def answer(
    db: Database,
    caller: Caller,
    text: str,
    *,
    reason: str = "",
    today: dt.date | None = None,
    records: RecordsSource | None = None,
    teamwork: bool = True,
    rule: ReasonRule = DEFAULT_RULE,
    now: dt.datetime | None = None,
) -> Answer:
    """Understand the question (or follow-up), look it up in `records` (those in `db` if None),
    summarise, and audit what was disclosed.

    What the answer showed is kept as this user's conversation (`conversation.remembering`), so that
    "more", "the second one" or "his car" can follow it, whichever process gets the next message. A
    follow-up shows records as a check does, so it needs a reason as a check does.
    """
    today = today or dt.date.today()
    now = now or dt.datetime.now(dt.UTC)
    parsed = None
    try:
        given = await check_reason.given_reason(db, text, reason)
        parsed = parse(given.question, today=today)
        follows = parsed.follow_up is not None
        code = await check_reason.recorded_under(db, caller, given.code, parsed.intent, rule, follows=follows)
    except BeatlineError as unknown:
        refusal = Draft(Outcome.NEEDS_REASON, str(unknown))
        intent = parse(text, today=today).intent
        return await audited(db, caller, text, intent, "", lambda _: drafted(refusal))
    except DATABASE_ERRORS as exc:
        return database_down(parsed.intent if parsed else Intent.UNKNOWN, exc)
    if isinstance(code, Draft):
        return await audited(db, caller, text, parsed.intent, "", lambda _: drafted(code))
    if given.code and not given.question:
        noted = check_reason.noted(code, caller, rule)
        return await audited(db, caller, text, parsed.intent, code, lambda _: drafted(noted))
    question = _Question(caller, parsed, today, rule, now)
    keeps = parsed.follow_up is not None and parsed.follow_up.refers is not Refers.PICK
    remember = conversation.remembering(caller, now, follows=follows, keeps_subject=keeps)

    async def work(view: Records) -> Draft:
        return await _with_teamwork(db, caller, await _route(db, view, question), teamwork)

    return await audited(db, caller, text, parsed.intent, code, work, records, remember=remember)


async def _route(db: Database, records: Records, question: _Question) -> Draft:
    parsed = question.parsed
    if parsed.follow_up:
        return await _follow(db, records, question.caller, parsed.follow_up, question.now)
    if len(parsed.subjects) > 1:  # "ab12 cde and nl72 byd": each answered, in one reply and one audit entry
        drafts = [await _route_one(records, replace(question, parsed=subject)) for subject in parsed.subjects]
        return several.combine(parsed.subjects, drafts, parsed.subjects_left_out)
    return await _route_one(records, question)


async def _route_one(records: Records, question: _Question) -> Draft:
    if question.parsed.problems:
        return Draft(Outcome.NEEDS_MORE, " ".join(question.parsed.problems))
    return await _BY_INTENT[question.parsed.intent](records, question)


async def answer_record(
    db: Database,
    caller: Caller,
    kind: str,
    record_id: str,
    *,
    detail: bool,
    query: str = "",
    reason: str = "",
    records: RecordsSource | None = None,
    teamwork: bool = True,
    rule: ReasonRule = DEFAULT_RULE,
    now: dt.datetime | None = None,
) -> Answer:
    """Open one record chosen from a shortlist, or its detail ("More"), under the asker's reason; a tap
    is a follow-up as words are."""
    intent, open_record = _BY_KIND.get(kind, (Intent.INCIDENT_LOOKUP, _gone))
    label = query or f"{'more on' if detail else 'open'} {kind} {record_id}"

    async def work(view: Records) -> Draft:
        return await _with_teamwork(db, caller, await open_record(view, record_id, detail), teamwork)

    return await _tapped(db, caller, label, intent, work, reason, records, rule, now)


async def next_page(
    db: Database,
    caller: Caller,
    shown: int,
    *,
    reason: str = "",
    records: RecordsSource | None = None,
    rule: ReasonRule = DEFAULT_RULE,
    now: dt.datetime | None = None,
) -> Answer:
    """The next page of the shortlist a Next button was sent under: the follow-up "next", tapped."""
    now = now or dt.datetime.now(dt.UTC)
    follow_up = FollowUp(Refers.NEXT, number=shown)
    work: Callable[[Records], Awaitable[Draft]] = lambda r: _follow(db, r, caller, follow_up, now)  # noqa: E731
    return await _tapped(db, caller, "next (button)", Intent.UNKNOWN, work, reason, records, rule, now)


async def _tapped(
    db: Database,
    caller: Caller,
    label: str,
    intent: Intent,
    work: Callable[[Records], Awaitable[Draft]],
    reason: str,
    records: RecordsSource | None,
    rule: ReasonRule,
    now: dt.datetime | None,
) -> Answer:
    """A button's answer, under the asker's reason (a tap shows records as a check does)."""
    try:
        given = (await check_reason.given_reason(db, "", reason)).code
        code = await check_reason.recorded_under(db, caller, given, intent, rule, follows=True)
    except BeatlineError as unknown:
        refusal = Draft(Outcome.NEEDS_REASON, str(unknown))
        return await audited(db, caller, label, intent, "", lambda _: drafted(refusal))
    except DATABASE_ERRORS as exc:
        return database_down(intent, exc)
    if isinstance(code, Draft):
        return await audited(db, caller, label, intent, "", lambda _: drafted(code))
    remember = conversation.remembering(caller, now or dt.datetime.now(dt.UTC), follows=True)
    return await audited(db, caller, label, intent, code, work, records, remember=remember)


async def _follow(
    db: Database, records: Records, caller: Caller, follow_up: FollowUp, now: dt.datetime
) -> Draft:
    """A follow-up: what this user was last shown, from Beatline's own database, then the records."""
    said = await conversation.recall(db, caller, now)
    return await follow_ups.answer_follow_up(records, follow_up, said)


async def _gone(_: Records, record_id: str, detail: bool) -> Draft:
    """A kind of record no button opens (a warrant is shown on its person)."""
    return Draft(Outcome.NOT_FOUND, GONE)
