"""The answer function: officer's words in, the reply and the records it disclosed out.

Every channel (Telegram, `beatline ask`, `beatline chat`) calls `answer` or `answer_record`, and both
commit exactly one audit entry, listing what the reply shows, before the reply is returned: nothing is
disclosed unaudited.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.access.reasons import reason_code
from knowledge.access.roles import ROLES, help_text
from knowledge.answers import render
from knowledge.errors import BeatlineError
from knowledge.matching.record_ids import audit_token
from knowledge.matching.scoring import DobMatch, PersonQuery, ScoredPerson
from knowledge.records import loaders, search
from knowledge.store import audit
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from knowledge.store.schema import Vehicle
from knowledge.understanding.parse import ParsedQuery, parse

__all__ = [
    "DATABASE_DOWN",
    "Answer",
    "Choice",
    "Disclosed",
    "Draft",
    "answer",
    "answer_record",
    "audited",
]

log = logging.getLogger(__name__)

SHORTLIST = 6
SUMMARY_INCIDENTS, DETAIL_INCIDENTS = 5, 20  # a person's incidents loaded for a summary, for More
FLAG_CHECKS = 500  # candidates checked for warrants and warnings before a shortlist is cut


@dataclass(frozen=True)
class Disclosed:
    kind: str  # person | vehicle | address | incident | warrant
    id: str
    score: float = 100.0


@dataclass(frozen=True)
class Choice:
    """One option of a shortlist: what to show on a button and which record it opens."""

    label: str
    kind: str
    id: str


@dataclass(frozen=True)
class Answer:
    intent: str
    outcome: str
    reply: str
    records: tuple[Disclosed, ...] = ()
    choices: tuple[Choice, ...] = ()
    more: Disclosed | None = None  # the record a "More" follow-up would detail

    def to_json(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "outcome": self.outcome,
            "reply": self.reply,
            "records": [{"kind": r.kind, "id": r.id, "score": r.score} for r in self.records],
        }


@dataclass
class Draft:
    """An answer being built, before its audit entry is written.

    `counted` are records the reply does not show but whose flags it counts ("2 not shown are
    wanted"): not disclosed records, but the audit names them as counted:person:ID all the same.
    """

    outcome: str
    reply: str
    records: list[Disclosed] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    more: Disclosed | None = None
    counted: list[Disclosed] = field(default_factory=list)


_ASK = "a name with a date of birth, a number plate, an address or an incident reference"
SMALL_TALK_REPLIES = {
    "greeting": f"Hello. Send me {_ASK} to check.",
    "thanks": "You're welcome. Stay safe.",
    "farewell": "Bye. Stay safe.",
    "acknowledged": "OK.",
    "chat": f"I can only help with checks: {_ASK}. Send 'help' for examples.",
}
DATABASE_DOWN = "The records system is not answering right now. Try again in a minute; nothing was looked up."


async def answer(
    db: Database, caller: Caller, text: str, *, reason: str = "", today: dt.date | None = None
) -> Answer:
    """Understand the question, look it up, summarise, and audit what was disclosed."""
    today = today or dt.date.today()
    parsed = parse(text, today=today)
    try:
        code = reason_code(reason)
    except BeatlineError as unknown:
        refusal = Draft("needs_reason", str(unknown))
        return await audited(db, caller, text, parsed.intent, "", lambda _: _drafted(refusal))
    return await audited(db, caller, text, parsed.intent, code, lambda s: _route(s, caller, parsed, today))


async def answer_record(
    db: Database, caller: Caller, kind: str, record_id: str, *, detail: bool, query: str = ""
) -> Answer:
    """Open one record chosen from a shortlist, or its detail ("More")."""
    intent = {"person": "person_check", "vehicle": "vehicle_check", "address": "address_check"}.get(
        kind, "incident_lookup"
    )
    label = query or f"{'more on' if detail else 'open'} {kind} {record_id}"
    return await audited(db, caller, label, intent, "", lambda s: _open(s, caller, kind, record_id, detail))


NOT_ENROLLED = "Sorry, you are not enrolled to use Beatline."


async def audited(
    db: Database,
    caller: Caller,
    text: str,
    intent: str,
    reason: str,
    work: Callable[[AsyncSession], Awaitable[Draft]],
) -> Answer:
    """Run `work`, then write its audit entry: the single path of every disclosure.

    `work` only reads, in a snapshot that holds no write lock; the audit entry is a short transaction of
    its own, committed before the answer is returned, so nothing is disclosed unaudited. Strangers are
    refused here, before any record is read; a database that went away is one sentence.
    """
    try:
        if caller.role not in ROLES:
            draft = Draft("denied", NOT_ENROLLED)
        else:
            async with db.reads() as session, session.begin():
                draft = await work(session)
        async with db.sessions() as session, session.begin():
            await audit.record(
                session,
                caller,
                query=text,
                intent=intent,
                outcome=draft.outcome,
                record_ids=[f"{r.kind}:{audit_token(r.id)}" for r in draft.records]
                + [f"counted:{r.kind}:{audit_token(r.id)}" for r in draft.counted],
                reason=reason,
            )
    except (OperationalError, DBAPIError, PoolTimeout, OSError) as exc:
        log.warning("database unavailable while answering: %s", type(exc).__name__)
        return Answer(intent, "error", DATABASE_DOWN)
    return Answer(intent, draft.outcome, draft.reply, tuple(draft.records), tuple(draft.choices), draft.more)


async def _drafted(draft: Draft) -> Draft:
    """A draft decided before any record is read."""
    return draft


async def _route(session: AsyncSession, caller: Caller, parsed: ParsedQuery, today: dt.date) -> Draft:
    if parsed.problems:
        return Draft("needs_more", " ".join(parsed.problems))
    slots = parsed.slots
    if parsed.intent in ("person_check", "warrant_check"):
        return await _person(session, parsed, today)
    if parsed.intent == "vehicle_check":
        return await _vehicle(session, parsed.vrm_as_typed or str(slots.get("vrm", "")) or parsed.partial_vrm)
    if parsed.intent == "address_check":
        return await _address(session, parsed)
    if parsed.intent == "incident_lookup":
        return await _incident(session, str(slots.get("incident_ref", "")), detail=False)
    if parsed.intent == "help":
        return Draft("answered", help_text(caller.role))
    if parsed.small_talk:
        return Draft("answered", SMALL_TALK_REPLIES[parsed.small_talk])
    return Draft(
        "not_found",
        "Sorry, I did not understand that. Try a name with a date of birth, a number plate, an address "
        "or an incident reference — or send 'help'.",
    )


def _person_query(parsed: ParsedQuery) -> PersonQuery:
    slots = parsed.slots
    dob = slots.get("dob")
    return PersonQuery(
        forenames=str(slots.get("forenames", "")),
        surname=str(slots.get("surname", "")),
        dob=dt.date.fromisoformat(str(dob)) if dob else None,
        birth_year=int(slots["birth_year"]) if "birth_year" in slots else None,
        age=int(slots["age"]) if "age" in slots else None,
        age_range=parsed.age_range,
    )


async def _person(session: AsyncSession, parsed: ParsedQuery, today: dt.date) -> Draft:
    """The person the name and dates describe, trying the name's other readings if the first finds no one.

    "smith john 3/4/85" is read forename first only if lists of names make that likelier; when the
    likelier reading matches no record well, the next is tried, and the reply says how it was read.
    """
    query = _person_query(parsed)
    if not query.surname:
        return Draft(
            "needs_more", "Who should I check? Give a forename and surname, ideally with a date of birth."
        )
    if not query.forenames and query.dob is None:
        # A birth year or an age alone cannot single anyone out among a surname's thousands.
        return Draft("needs_more", f"What is {query.surname.upper()}'s forename or full date of birth?")
    focus = parsed.intent == "warrant_check"
    best, strength = await _person_match(session, query, today, focus)
    for reading in parsed.alternatives:
        if strength == _CONFIDENT:
            break
        other = replace(query, forenames=reading.get("forenames", ""), surname=reading["surname"])
        if not other.forenames and other.dob is None:
            continue
        draft, found = await _person_match(session, other, today, focus)
        if found > strength:
            named = f"{other.surname.upper()}, {other.forenames.title()}".rstrip(", ")
            draft.reply = f"Read as {named}.\n{draft.reply}"
            best, strength = draft, found
    return best


_NOBODY, _CLOSEST, _CONFIDENT = 0, 1, 2


async def _person_match(
    session: AsyncSession, query: PersonQuery, today: dt.date, focus: bool
) -> tuple[Draft, int]:
    """The answer for one reading of the name, and how well the records bear that reading out."""
    ranked = await search.find_persons(session, query, today)
    if query.dob is not None:
        exact = [p for p in ranked if p.dob is DobMatch.EXACT and p.name_score >= 80]
        if len(exact) == 1:
            return await _one_person(session, exact[0], focus), _CONFIDENT
        if exact:
            heading = f"{len(exact)} people match that name and date of birth:"
            return await _shortlist(session, exact, heading), _CONFIDENT
        close = [p for p in ranked if p.score >= 80 and p.name_score >= 85]
        if close:
            heading = "No exact match on that date of birth. Closest records:"
            return await _shortlist(session, close, heading), _CLOSEST
        return Draft("not_found", "No record matches that name and date of birth."), _NOBODY
    plausible = [p for p in ranked if p.score >= search.CONVINCING]
    if not plausible:
        return Draft("not_found", "No record matches that name. A date of birth would help."), _NOBODY
    if len(plausible) == 1 and plausible[0].score >= 90:
        return await _one_person(session, plausible[0], focus), _CONFIDENT
    heading = "One possible match:" if len(plausible) == 1 else f"{len(plausible)} possible matches:"
    return await _shortlist(session, plausible, heading), _CONFIDENT


async def _one_person(session: AsyncSession, hit: ScoredPerson, focus_warrants: bool) -> Draft:
    person = await loaders.load_person(session, hit.person_id, incidents=SUMMARY_INCIDENTS)
    assert person is not None  # found by search in this same transaction
    reply = render.person_summary(person, focus_warrants=focus_warrants)
    disclosed = _person_disclosures(person, score=hit.score, detail=False)
    return Draft("answered", reply, disclosed, more=_more_on(person))


def _more_on(person: loaders.PersonRecord) -> Disclosed | None:
    """A More button only if the detail would show something the summary did not."""
    may_have_more_incidents = len(person.incidents) >= SUMMARY_INCIDENTS  # only that many were loaded
    detail_adds = render.person_summary(person, detail=True) != render.person_summary(person)
    return Disclosed("person", person.id) if may_have_more_incidents or detail_adds else None


def _person_disclosures(
    person: loaders.PersonRecord, *, score: float = 100.0, detail: bool
) -> list[Disclosed]:
    """Every record a person summary shows, so that the audit lists exactly what the officer saw."""
    disclosed = [Disclosed("person", person.id, score)]
    disclosed += [
        Disclosed("warrant", w.ref) for w in (person.warrants if detail else person.active_warrants)
    ]
    if person.address:
        disclosed.append(Disclosed("address", person.address.id))
    shown = person.incidents if detail else person.incidents[: render.RECENT_INCIDENTS]
    disclosed += [Disclosed("incident", i.ref) for i in shown]
    return disclosed


async def _shortlist(session: AsyncSession, hits: list[ScoredPerson], heading: str) -> Draft:
    """The best matches to choose from; among equally good ones, the wanted and dangerous come first.

    Names tie often (two dozen John Smiths all score 100), and a list cut to six must not silently leave
    out the one who is wanted: flagged people go first within a score, are marked ⚠, and any left out
    are counted in the heading so the officer knows to narrow the search.
    """
    flagged = await loaders.safety_flagged(session, [hit.person_id for hit in hits[:FLAG_CHECKS]])
    hits = sorted(hits, key=lambda h: (-h.score, h.person_id not in flagged, h.person_id))
    shown = hits[:SHORTLIST]
    people = await loaders.shortlist_entries(session, [hit.person_id for hit in shown])
    options, choices, disclosed = [], [], []
    for hit in shown:
        person = people[hit.person_id]
        name = f"{'⚠ ' if person.id in flagged else ''}{person.surname.upper()}, {person.forenames}"
        options.append((person.id, name, person.date_of_birth, person.town))
        label = render.field(f"{name} {render.uk_date(person.date_of_birth)}")
        choices.append(Choice(label, "person", person.id))
        disclosed.append(Disclosed("person", person.id, hit.score))
    hidden = [Disclosed("person", hit.person_id) for hit in hits[SHORTLIST:] if hit.person_id in flagged]
    if len(hits) > len(shown):
        at_least = "at least " if len(hits) > FLAG_CHECKS else ""  # only so many were checked
        warn = f"; {at_least}{len(hidden)} not shown are wanted or carry warnings" if hidden else ""
        heading = f"{heading.rstrip(':')} (showing {len(shown)}{warn}):"
    if flagged:
        heading = "⚠ marks people who are wanted or carry officer-safety warnings.\n" + heading
    return Draft("ambiguous", render.shortlist(heading, options), disclosed, choices, counted=hidden)


async def _vehicle(session: AsyncSession, vrm: str) -> Draft:
    """The vehicle a mark is; failing an exact match, the one or few its misreadings are; failing
    those, for the start of a mark ("PH71"), the vehicles whose marks start so."""
    if not vrm:
        return Draft("needs_more", "Which registration? Send it like AB12 CDE.")
    hits = await search.find_vehicles(session, vrm)
    likeliest = [vehicle for vehicle, confusions in hits if confusions == hits[0][1]] if hits else []
    if not likeliest and _PARTIAL_MARK.fullmatch(vrm):
        likeliest = await search.vehicles_starting(session, vrm, SHORTLIST + 1)
        if len(likeliest) > 1:
            return await _vehicle_list(session, likeliest, f"Vehicles whose mark starts {vrm}")
    if not likeliest:
        return Draft("not_found", f"No vehicle found for {vrm}.")
    if len(likeliest) > 1:
        return await _vehicle_list(session, likeliest, f"No exact match for {vrm}. It may be")
    record = await loaders.load_vehicle(session, likeliest[0].vrm)
    assert record is not None
    reply = render.vehicle_summary(record)
    if record.vrm != vrm:
        reply = f"No exact match for {vrm}; showing {record.vrm}.\n" + reply
    disclosed = [Disclosed("vehicle", record.vrm)]
    if record.keeper:
        disclosed += _person_disclosures(record.keeper, detail=False)
    # More on a vehicle is its keeper in full; with no keeper there is nothing more.
    more = Disclosed("vehicle", record.vrm) if record.keeper else None
    return Draft("answered", reply, disclosed, more=more)


_PARTIAL_MARK = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z]{0,2}")


async def _vehicle_list(session: AsyncSession, vehicles: list[Vehicle], heading: str) -> Draft:
    """Marks to choose from, each with its own warnings: none is left unmarked because it is a list."""
    vocabulary = await loaders.marker_vocabulary(session)
    shown, lines, choices = vehicles[:SHORTLIST], [], []
    for n, vehicle in enumerate(shown, start=1):
        codes = [c for c in vehicle.markers.split(";") if c in vocabulary]
        markers = sorted((vocabulary[c] for c in codes), key=lambda m: -m.severity)
        warning = f"⚠ {' · '.join(m.label.upper() for m in markers)} — " if markers else ""
        label = f"{vehicle.vrm}: {vehicle.colour} {vehicle.make} {vehicle.model}"
        lines.append(f"{n}. {warning}{label}")
        choices.append(Choice(label, "vehicle", vehicle.vrm))
    more = f" (the first {len(shown)})" if len(vehicles) > len(shown) else ""
    reply = "\n".join([f"{heading}{more}:", *lines, "Choose one, or send the full mark."])
    return Draft("ambiguous", reply, [Disclosed("vehicle", v.vrm) for v in shown], choices)


async def _vehicle_detail(session: AsyncSession, vrm: str) -> Draft:
    record = await loaders.load_vehicle(session, vrm)
    if record is None:
        return Draft("not_found", "That record is no longer available.")
    keeper, disclosed = None, [Disclosed("vehicle", record.vrm)]
    if record.keeper:
        keeper = await loaders.load_person(session, record.keeper.id, incidents=DETAIL_INCIDENTS)
    if keeper:
        disclosed += _person_disclosures(keeper, detail=True)
    return Draft("answered", render.vehicle_detail(record, keeper), disclosed)


async def _address(session: AsyncSession, parsed: ParsedQuery) -> Draft:
    slots = parsed.slots
    query = search.AddressQuery(
        postcode=str(slots["postcode"]) if "postcode" in slots else None,
        house_number=str(slots["house_number"]) if "house_number" in slots else None,
        street=str(slots["street"]) if "street" in slots else None,
        flat=parsed.flat or None,
    )
    if not (query.postcode or query.street):
        return Draft("needs_more", "Which address? Give a house number and street, or a postcode.")
    found = await search.find_addresses(session, query)
    if not found:
        return Draft("not_found", "No address on record matches that.")
    if len(found) > 1:
        options = [Choice(render.field(f"{a.line1}, {a.postcode}"), "address", a.id) for a in found]
        reply = "Which address?\n" + "\n".join(
            f"{n}. {c.label} ({render.field(c.id)})" for n, c in enumerate(options, 1))
        return Draft("ambiguous", reply, [Disclosed("address", a.id) for a in found], options)
    return await _address_detail(session, found[0].id, detail=False)


async def _address_detail(session: AsyncSession, address_id: str, *, detail: bool) -> Draft:
    address = await loaders.load_address(session, address_id)
    if address is None:
        return Draft("not_found", "That address is no longer on record.")
    incidents = await loaders.incidents_at(session, [address.id], limit=20 if detail else 5)
    people = await loaders.residents(session, address.id, limit=20 if detail else 5)
    reply = render.address_summary(
        address,
        [(i.occurred_at, i.category, i.summary) for i in incidents],
        [(p.id, p.forenames, p.surname, p.date_of_birth) for p in people],
        detail=detail,
    )
    disclosed = [Disclosed("address", address.id)]
    disclosed += [Disclosed("incident", i.ref) for i in incidents]
    disclosed += [Disclosed("person", p.id) for p in people]
    return Draft("answered", reply, disclosed, more=None if detail else Disclosed("address", address.id))


async def _incident(session: AsyncSession, ref: str, *, detail: bool) -> Draft:
    if not ref:
        return Draft("needs_more", "Which incident reference?")
    incident = await loaders.load_incident(session, ref)
    if incident is None:
        return Draft("not_found", f"No incident found with reference {ref}.")
    disclosed = [Disclosed("incident", incident.ref)]
    if incident.address:
        disclosed.append(Disclosed("address", incident.address.id))
    disclosed += [Disclosed("person", pid) for pid, _, _ in incident.people]
    reply = render.incident_summary(incident, detail=detail)
    return Draft("answered", reply, disclosed, more=None if detail else Disclosed("incident", incident.ref))


async def _open(session: AsyncSession, caller: Caller, kind: str, record_id: str, detail: bool) -> Draft:
    if kind == "person":
        person = await loaders.load_person(
            session, record_id, incidents=DETAIL_INCIDENTS if detail else SUMMARY_INCIDENTS
        )
        if person is None:
            return Draft("not_found", "That record is no longer available.")
        disclosed = _person_disclosures(person, detail=detail)
        reply = render.person_summary(person, detail=detail)
        return Draft("answered", reply, disclosed, more=None if detail else _more_on(person))
    if kind == "vehicle":
        return await (_vehicle_detail(session, record_id) if detail else _vehicle(session, record_id))
    if kind == "address":
        return await _address_detail(session, record_id, detail=detail)
    if kind == "incident":
        return await _incident(session, record_id, detail=detail)
    return Draft("not_found", "That record is no longer available.")
