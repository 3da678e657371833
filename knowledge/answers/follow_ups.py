"""Follow-ups answered from the conversation: "more" pages the last list, "2" picks from it, "his car"
opens the last subject's vehicles.

Each is read in the answer's snapshot and goes through the same audited path as any question
(`dispatch.answer`): what a follow-up shows is listed in its own audit entry before it is returned. A
pick is only ever from the lines the officer was shown, and "he" only ever a record already shown to
this user, so a follow-up can reach nothing a question could not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from knowledge.answers import addresses, incidents, persons, render, vehicles
from knowledge.answers.conversation import Conversation
from knowledge.answers.disclosure import GONE, Disclosed, Draft, Listing
from knowledge.records.port import Records
from knowledge.records.read_model import PersonRecord
from knowledge.store.vocabulary import Outcome, RecordKind
from knowledge.understanding.follow_ups import FollowUp, Refers
from knowledge.understanding.intents import Intent

__all__ = ["ALL_AT_ONCE", "NOTHING_TO_FOLLOW", "answer_follow_up"]

ALL_AT_ONCE = 30  # "show all": the rest of a list, this many at most in one message
NOTHING_TO_FOLLOW = (
    "Ask me about someone first: a name with a date of birth, a number plate or an address. "
    "Then 'more', a number from the list, or 'his car' follows it."
)
WHOLE_LIST = "That was the whole list. Send its number to open one, or ask again."
WHICH_ONE = "Which one? Send its number from the list."
NO_LIST = "There is no list to choose from: the last answer was one record. Say 'more' for more on it."
MOVED_ON = "That list is not the last one you were shown. Say 'more' for the next of that, or ask again."
NOT_A_PERSON = "That was not a person. Ask me about someone by name and date of birth."

_Open = Callable[[Records, str, bool], Awaitable[Draft]]
_OPEN: dict[RecordKind, tuple[Intent, _Open]] = {
    RecordKind.PERSON: (Intent.PERSON_CHECK, persons.open_person),
    RecordKind.VEHICLE: (Intent.VEHICLE_CHECK, vehicles.open_vehicle),
    RecordKind.ADDRESS: (Intent.ADDRESS_CHECK, addresses.open_address),
    RecordKind.INCIDENT: (Intent.INCIDENT_LOOKUP, incidents.open_incident),
}


async def answer_follow_up(records: Records, follow_up: FollowUp, said: Conversation) -> Draft:
    """What the follow-up means after what this user was last shown; nothing, if they were shown nothing."""
    refers, listing, last = follow_up.refers, said.listing, said.last or said.subject
    if refers is Refers.MORE:  # more of a list just shown, else more on the one record last shown
        refers = Refers.NEXT if last is None or (said.listed_last and _unshown(listing)) else Refers.DETAIL
    if refers in (Refers.NEXT, Refers.ALL, Refers.PICK):
        if listing is None:
            return _asked(NO_LIST if last else NOTHING_TO_FOLLOW)
        if refers is Refers.PICK:
            return await _pick(records, follow_up, listing)
        return await _paged(records, follow_up, listing)
    if refers is Refers.DETAIL and last is not None:
        return await _open(records, last, detail=True)
    if said.subject is None:
        return _asked(WHICH_ONE if listing else NOTHING_TO_FOLLOW)
    return await _about(records, refers, said.subject)


def _unshown(listing: Listing | None) -> bool:
    return listing is not None and listing.shown < len(listing.records)


async def _paged(records: Records, follow_up: FollowUp, listing: Listing) -> Draft:
    """The next page, or the rest ("show all"), of the list the officer is paging now."""
    if follow_up.number and follow_up.number != listing.shown:  # a Next button under an older list
        return _asked(MOVED_ON)
    if not _unshown(listing):
        return _asked(WHOLE_LIST)
    kind = listing.records[listing.shown].kind
    count = ALL_AT_ONCE if follow_up.refers is Refers.ALL else persons.SHORTLIST
    if kind is RecordKind.PERSON:
        draft = await persons.listed_people(records, listing, count)
    elif kind is RecordKind.VEHICLE:
        draft = await vehicles.listed_vehicles(records, listing, count)
    else:  # address lists are shown whole
        return _asked(WHOLE_LIST)
    draft.intent = _OPEN[kind][0]
    return draft


def _asked(reply: str) -> Draft:
    return Draft(Outcome.NEEDS_MORE, reply)


async def _open(records: Records, record: Disclosed, *, detail: bool = False) -> Draft:
    if record.kind not in _OPEN:  # a warrant is shown on its person
        return Draft(Outcome.NOT_FOUND, GONE)
    intent, open_record = _OPEN[record.kind]
    draft = await open_record(records, record.id, detail)
    draft.intent = intent
    return draft


async def _pick(records: Records, follow_up: FollowUp, listing: Listing) -> Draft:
    """One of the lines the officer was shown, by its number or by the date of birth on it."""
    shown = listing.records[: listing.shown]
    if follow_up.born:
        return await _born(records, follow_up.born, shown)
    number = len(shown) if follow_up.number == -1 else follow_up.number
    if 1 <= number <= len(shown):
        return await _open(records, shown[number - 1])
    if number <= len(listing.records):
        return _asked(f"Only {len(shown)} of the list have been shown. Say 'more' to see the next.")
    return _asked(f"The list has {len(listing.records)}. Send a number from 1 to {len(shown)}.")


async def _born(records: Records, born: str, shown: tuple[Disclosed, ...]) -> Draft:
    people = [r for r in shown if r.kind is RecordKind.PERSON]
    if not people:
        return _asked(WHICH_ONE)
    entries = await records.shortlist_entries([p.id for p in people])
    numbers = [
        n
        for n, record in enumerate(shown, start=1)
        if (entry := entries.get(record.id)) and entry.date_of_birth and _born_on(entry.date_of_birth, born)
    ]
    when = f"in {born}" if len(born) == 4 else f"on {render.uk_date(dt.date.fromisoformat(born))}"
    if len(numbers) == 1:
        return await _open(records, shown[numbers[0] - 1])
    if numbers:
        said = ", ".join(map(str, numbers))
        return _asked(f"{len(numbers)} of those shown were born {when}: numbers {said}. Send one of them.")
    return _asked(f"None of the {len(shown)} shown was born {when}.")


def _born_on(dob: dt.date, born: str) -> bool:
    return dob.year == int(born) if len(born) == 4 else dob.isoformat() == born


async def _about(records: Records, refers: Refers, subject: Disclosed) -> Draft:
    """The subject's vehicles, address, household or warrants; a vehicle's "he" is its keeper."""
    person_id = subject.id if subject.kind is RecordKind.PERSON else None
    if subject.kind is RecordKind.VEHICLE:
        if refers is Refers.VEHICLES:
            return await _open(records, subject)
        vehicle = await records.vehicle(subject.id)
        if vehicle is None:
            return Draft(Outcome.NOT_FOUND, GONE)
        if vehicle.keeper is None:
            return Draft(Outcome.ANSWERED, f"No keeper is recorded for {vehicle.vrm}.", [subject])
        person_id = vehicle.keeper.id
    if subject.kind is RecordKind.ADDRESS and refers in (Refers.ADDRESS, Refers.RESIDENTS):
        return await _open(records, subject)
    if person_id is None:
        return _asked(NOT_A_PERSON)
    if refers is Refers.WANTED:
        draft = await persons.open_person(records, person_id, False, focus_warrants=True)
        draft.intent = Intent.WARRANT_CHECK
        return draft
    person = await records.person(person_id, incidents=0)
    if person is None:
        return Draft(Outcome.NOT_FOUND, GONE)
    if refers is Refers.VEHICLES:
        return await _vehicles_of(records, person)
    if person.address is None:
        return _named(person, "No address is recorded for {name}.", Intent.ADDRESS_CHECK)
    return await _open(records, Disclosed(RecordKind.ADDRESS, person.address.id))


async def _vehicles_of(records: Records, person: PersonRecord) -> Draft:
    """The vehicles a person keeps: the one, or a list to choose from."""
    if not person.vehicles:
        return _named(person, "No vehicle is recorded with {name} as keeper.", Intent.VEHICLE_CHECK)
    if len(person.vehicles) == 1:
        return await _open(records, Disclosed(RecordKind.VEHICLE, person.vehicles[0].vrm))
    name = render.field(render.surname_first(person.forenames, person.surname))
    draft = vehicles.vehicle_list(list(person.vehicles), f"Vehicles kept by {name} ({person.id})")
    draft.records.append(Disclosed(RecordKind.PERSON, person.id))
    draft.intent = Intent.VEHICLE_CHECK
    return draft


def _named(person: PersonRecord, sentence: str, intent: Intent) -> Draft:
    """A sentence that names the person (so it is a disclosure of them) and says what is not recorded."""
    name = render.field(f"{render.surname_first(person.forenames, person.surname)} ({person.id})")
    draft = Draft(Outcome.ANSWERED, sentence.format(name=name), [Disclosed(RecordKind.PERSON, person.id)])
    draft.intent = intent
    return draft
