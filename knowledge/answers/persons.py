"""Person and warrant checks: the person a name and dates describe, or a shortlist to choose from.

A warrant check is a person check that says plainly whether the person is wanted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from knowledge.answers import render
from knowledge.answers.disclosure import GONE, Choice, Disclosed, Draft, Listing
from knowledge.matching.scoring import CONVINCING, DobMatch, PersonQuery, ScoredPerson
from knowledge.records.port import Records
from knowledge.records.read_model import PersonRecord, ShortlistEntry
from knowledge.store.vocabulary import Outcome, RecordKind
from knowledge.understanding.intents import Intent
from knowledge.understanding.parse import ParsedQuery

__all__ = [
    "DETAIL_INCIDENTS",
    "SHORTLIST",
    "SUMMARY_INCIDENTS",
    "check_person",
    "listed_people",
    "open_person",
    "person_disclosures",
]

SHORTLIST = 6
SUMMARY_INCIDENTS, DETAIL_INCIDENTS = 5, 20  # a person's incidents loaded for a summary, for More
FLAG_CHECKS = 500  # candidates checked for warrants and warnings before a shortlist is cut


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


async def check_person(records: Records, parsed: ParsedQuery, today: dt.date) -> Draft:
    """The person the name and dates describe, trying the name's other readings if the first finds no one.

    "smith john 3/4/85" is read forename first only if lists of names make that likelier; when the
    likelier reading matches no record well, the next is tried, and the reply says how it was read.
    """
    query = _person_query(parsed)
    if not query.surname:
        ask = "Who should I check? Give a forename and surname, ideally with a date of birth."
        return Draft(Outcome.NEEDS_MORE, ask)
    if not query.forenames and query.dob is None:
        # A birth year or an age alone cannot single anyone out among a surname's thousands.
        return Draft(Outcome.NEEDS_MORE, f"What is {query.surname.upper()}'s forename or full date of birth?")
    focus = parsed.intent is Intent.WARRANT_CHECK
    best, strength = await _person_match(records, query, today, focus)
    for reading in parsed.alternatives:
        if strength == _CONFIDENT:
            break
        other = replace(query, forenames=reading.get("forenames", ""), surname=reading["surname"])
        if not other.forenames and other.dob is None:
            continue
        draft, found = await _person_match(records, other, today, focus)
        if found > strength:
            named = render.surname_first(other.forenames.title(), other.surname).rstrip(", ")
            draft.reply = f"Read as {named}.\n{draft.reply}"
            best, strength = draft, found
    return best


_NOBODY, _CLOSEST, _CONFIDENT = 0, 1, 2


async def _person_match(
    records: Records, query: PersonQuery, today: dt.date, focus: bool
) -> tuple[Draft, int]:
    """The answer for one reading of the name, and how well the records bear that reading out."""
    ranked = await records.find_persons(query, today)
    if query.dob is not None:
        exact = [p for p in ranked if p.dob is DobMatch.EXACT and p.name_score >= 80]
        if len(exact) == 1:
            return await _one_person(records, exact[0], focus), _CONFIDENT
        if exact:
            heading = f"{len(exact)} people match that name and date of birth:"
            return await _shortlist(records, exact, heading), _CONFIDENT
        close = [p for p in ranked if p.score >= 80 and p.name_score >= 85]
        if close:
            heading = "No exact match on that date of birth. Closest records:"
            return await _shortlist(records, close, heading), _CLOSEST
        return Draft(Outcome.NOT_FOUND, "No record matches that name and date of birth."), _NOBODY
    plausible = [p for p in ranked if p.score >= CONVINCING]
    if not plausible:
        return Draft(Outcome.NOT_FOUND, "No record matches that name. A date of birth would help."), _NOBODY
    if len(plausible) == 1 and plausible[0].score >= 90:
        return await _one_person(records, plausible[0], focus), _CONFIDENT
    heading = "One possible match:" if len(plausible) == 1 else f"{len(plausible)} possible matches:"
    return await _shortlist(records, plausible, heading), _CONFIDENT


async def _one_person(records: Records, hit: ScoredPerson, focus_warrants: bool) -> Draft:
    person = await records.person(hit.person_id, incidents=SUMMARY_INCIDENTS)
    if person is None:  # found by search in this same snapshot, so only a broken store gets here
        return Draft(Outcome.NOT_FOUND, GONE)
    reply = render.person_summary(person, focus_warrants=focus_warrants)
    disclosed = person_disclosures(person, score=hit.score, detail=False)
    return Draft(Outcome.ANSWERED, reply, disclosed, more=_more_on(person))


async def open_person(
    records: Records, person_id: str, detail: bool, *, focus_warrants: bool = False
) -> Draft:
    """One person chosen from a shortlist, or their detail ("More"); `focus_warrants` for "is he wanted"."""
    person = await records.person(person_id, incidents=DETAIL_INCIDENTS if detail else SUMMARY_INCIDENTS)
    if person is None:
        return Draft(Outcome.NOT_FOUND, GONE)
    disclosed = person_disclosures(person, detail=detail)
    reply = render.person_summary(person, detail=detail, focus_warrants=focus_warrants)
    return Draft(Outcome.ANSWERED, reply, disclosed, more=None if detail else _more_on(person))


def _more_on(person: PersonRecord) -> Disclosed | None:
    """A More button only if the detail would show something the summary did not."""
    may_have_more_incidents = len(person.incidents) >= SUMMARY_INCIDENTS  # only that many were loaded
    detail_adds = render.person_summary(person, detail=True) != render.person_summary(person)
    return Disclosed(RecordKind.PERSON, person.id) if may_have_more_incidents or detail_adds else None


def person_disclosures(person: PersonRecord, *, score: float = 100.0, detail: bool) -> list[Disclosed]:
    """Every record a person summary shows, so that the audit lists exactly what the officer saw."""
    disclosed = [Disclosed(RecordKind.PERSON, person.id, score)]
    disclosed += [
        Disclosed(RecordKind.WARRANT, w.ref) for w in (person.warrants if detail else person.active_warrants)
    ]
    if person.address:
        disclosed.append(Disclosed(RecordKind.ADDRESS, person.address.id))
    kept = person.vehicles if detail else person.vehicles[: render.KEPT_VEHICLES]
    disclosed += [Disclosed(RecordKind.VEHICLE, v.vrm) for v in kept]
    shown = person.incidents if detail else person.incidents[: render.RECENT_INCIDENTS]
    disclosed += [Disclosed(RecordKind.INCIDENT, i.ref) for i in shown]
    return disclosed


async def _shortlist(records: Records, hits: list[ScoredPerson], heading: str) -> Draft:
    """The best matches to choose from; among equally good ones, the wanted and dangerous come first.

    Names tie often (two dozen John Smiths all score 100), and a list cut to six must not silently leave
    out the one who is wanted: flagged people go first within a score, each line names its WANTED and
    markers, and any wanted or dangerous left out are counted so the officer knows to narrow the search.
    The whole ranked list goes to the conversation, so that "more" shows the next six in the same order.
    """
    flagged = await records.safety_flagged([hit.person_id for hit in hits[:FLAG_CHECKS]])
    hits = sorted(hits, key=lambda h: (-h.score, h.person_id not in flagged, h.person_id))
    shown = hits[:SHORTLIST]
    entries, choices, disclosed, _ = await _rows(
        records, [Disclosed(RecordKind.PERSON, h.person_id, h.score) for h in shown], first=1
    )
    hidden = [
        Disclosed(RecordKind.PERSON, hit.person_id) for hit in hits[SHORTLIST:] if hit.person_id in flagged
    ]
    if len(hits) > len(shown):
        at_least = "at least " if len(hits) > FLAG_CHECKS else ""  # only so many were checked
        warn = f"; {at_least}{len(hidden)} not shown are wanted or carry warnings" if hidden else ""
        heading = f"{heading.rstrip(':')} (showing {len(shown)}{warn}; say 'more' for the next):"
    if any(p.wanted or p.markers for p in entries):
        heading = f"{_MARKED}\n{heading}"
    listed = tuple(Disclosed(RecordKind.PERSON, h.person_id, h.score) for h in hits)
    reply = render.shortlist(heading, entries)
    return Draft(
        Outcome.AMBIGUOUS, reply, disclosed, choices, counted=hidden, listing=Listing(listed, len(shown))
    )


_MARKED = "⚠ marks people who are wanted or carry warnings, named on their line."


async def listed_people(records: Records, listing: Listing, count: int) -> Draft:
    """The next `count` people of a shortlist already given, numbered as they stand on the whole list."""
    page = listing.records[listing.shown : listing.shown + count]
    first, last, total = listing.shown + 1, listing.shown + len(page), len(listing.records)
    entries, choices, disclosed, numbers = await _rows(records, list(page), first=first)
    flagged = await records.safety_flagged([p.id for p in listing.records[last:]])
    rest = [p for p in listing.records[last:] if p.id in flagged]
    heading = f"Matches {first}–{last} of {total}"
    if rest:
        heading += f" ({len(rest)} after these are wanted or carry warnings)"
    heading += ":" if last == total else " (say 'more' for the next, 'show all' for the rest):"
    if any(p.wanted or p.markers for p in entries):
        heading = f"{_MARKED}\n{heading}"
    reply = render.shortlist(heading, entries, numbers=numbers)
    counted = [Disclosed(RecordKind.PERSON, p.id) for p in rest]
    return Draft(
        Outcome.AMBIGUOUS, reply, disclosed, choices, counted=counted, listing=Listing(listing.records, last)
    )


async def _rows(
    records: Records, shown: list[Disclosed], *, first: int
) -> tuple[list[ShortlistEntry], list[Choice], list[Disclosed], list[int]]:
    """The people of one page of a shortlist: an entry, a button and a disclosure each, and each one's
    number on the whole list (`first` is the page's first)."""
    people = await records.shortlist_entries([p.id for p in shown])
    entries, choices, disclosed, numbers = [], [], [], []
    for number, hit in enumerate(shown, start=first):
        person = people.get(hit.id)
        if person is None:  # gone since the list was made (a follow-up minutes later): left out
            continue
        label = render.field(f"{render.shortlist_name(person)} {render.uk_date(person.date_of_birth)}")
        entries.append(person)
        choices.append(Choice(label, RecordKind.PERSON, person.id))
        disclosed.append(Disclosed(RecordKind.PERSON, person.id, hit.score))
        numbers.append(number)
    return entries, choices, disclosed, numbers
