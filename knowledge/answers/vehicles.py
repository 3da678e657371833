"""Vehicle checks: the vehicle a mark is, the few its misreadings may be, or those a partial mark starts."""

from __future__ import annotations

import re

from knowledge.answers import render
from knowledge.answers.disclosure import GONE, Choice, Disclosed, Draft, Listing
from knowledge.answers.persons import DETAIL_INCIDENTS, SHORTLIST, person_disclosures
from knowledge.records.port import Records
from knowledge.records.read_model import VehicleHit
from knowledge.store.vocabulary import Outcome, RecordKind
from knowledge.understanding.parse import ParsedQuery

__all__ = ["LISTED", "check_vehicle", "listed_vehicles", "open_vehicle", "vehicle_list"]

_PARTIAL_MARK = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z]{0,2}")
LISTED = 60  # marks a partial mark lists at most: six at a time, "more" for the next


async def check_vehicle(records: Records, parsed: ParsedQuery) -> Draft:
    """The mark as typed, else the slot's likeliest reading, else the start of a mark."""
    vrm = parsed.vrm_as_typed or str(parsed.slots.get("vrm", "")) or parsed.partial_vrm
    return await _vehicle(records, vrm)


async def open_vehicle(records: Records, vrm: str, detail: bool) -> Draft:
    """One vehicle chosen from a list, or its detail ("More": the keeper in full)."""
    return await (_vehicle_detail(records, vrm) if detail else _vehicle(records, vrm))


async def _vehicle(records: Records, vrm: str) -> Draft:
    """The vehicle a mark is; failing an exact match, the one or few its misreadings are; failing
    those, for the start of a mark ("PH71"), the vehicles whose marks start so."""
    if not vrm:
        return Draft(Outcome.NEEDS_MORE, "Which registration? Send it like AB12 CDE.")
    hits = await records.find_vehicles(vrm)
    likeliest = [vehicle for vehicle, confusions in hits if confusions == hits[0][1]] if hits else []
    if not likeliest and _PARTIAL_MARK.fullmatch(vrm):
        likeliest = await records.vehicles_starting(vrm, LISTED)
        if len(likeliest) > 1:
            return vehicle_list(likeliest, f"Vehicles whose mark starts {vrm}")
    if not likeliest:
        return Draft(Outcome.NOT_FOUND, f"No vehicle found for {vrm}.")
    if len(likeliest) > 1:
        return vehicle_list(likeliest, f"No exact match for {vrm}. It may be")
    record = await records.vehicle(likeliest[0].vrm)
    if record is None:  # found by search in this same snapshot, so only a broken store gets here
        return Draft(Outcome.NOT_FOUND, GONE)
    reply = render.vehicle_summary(record)
    if record.vrm != vrm:
        reply = f"No exact match for {vrm}; showing {record.vrm}.\n" + reply
    disclosed = [Disclosed(RecordKind.VEHICLE, record.vrm)]
    if record.keeper:
        disclosed += person_disclosures(record.keeper, detail=False)
    # More on a vehicle is its keeper in full; with no keeper there is nothing more.
    more = Disclosed(RecordKind.VEHICLE, record.vrm) if record.keeper else None
    return Draft(Outcome.ANSWERED, reply, disclosed, more=more)


def vehicle_list(vehicles: list[VehicleHit], heading: str) -> Draft:
    """Marks to choose from, each with its own warnings: none is left unmarked because it is a list.

    The whole list goes to the conversation, so that "more" shows the next six.
    """
    shown = vehicles[:SHORTLIST]
    more = f" (the first {len(shown)}; say 'more' for the next)" if len(vehicles) > len(shown) else ""
    draft = _numbered(list(enumerate(shown, start=1)), f"{heading}{more}:")
    draft.listing = Listing(tuple(Disclosed(RecordKind.VEHICLE, v.vrm) for v in vehicles), len(shown))
    return draft


async def listed_vehicles(records: Records, listing: Listing, count: int) -> Draft:
    """The next `count` vehicles of a list already given, each read afresh, numbered as on the whole list
    (one gone since is left out, and the others keep their numbers)."""
    page = listing.records[listing.shown : listing.shown + count]
    found = [(n, await records.vehicle(v.id)) for n, v in enumerate(page, start=listing.shown + 1)]
    hits = [(n, VehicleHit(v.vrm, v.make, v.model, v.colour, v.markers)) for n, v in found if v is not None]
    if not hits:
        return Draft(Outcome.NOT_FOUND, GONE)
    last = listing.shown + len(page)
    draft = _numbered(hits, f"Vehicles {listing.shown + 1}–{last} of {len(listing.records)}:")
    draft.listing = Listing(listing.records, last)
    return draft


def _numbered(vehicles: list[tuple[int, VehicleHit]], heading: str) -> Draft:
    lines, choices = [], []
    for n, vehicle in vehicles:
        labels = render.marker_labels(vehicle.markers)
        warning = f"⚠ {labels} — " if labels else ""
        label = render.field(f"{vehicle.vrm}: {vehicle.colour} {vehicle.make} {vehicle.model}")
        lines.append(f"{n}. {warning}{label}")
        choices.append(Choice(label, RecordKind.VEHICLE, vehicle.vrm))
    reply = "\n".join([heading, *lines, "Choose one, or send the full mark."])
    disclosed = [Disclosed(RecordKind.VEHICLE, v.vrm) for _, v in vehicles]
    return Draft(Outcome.AMBIGUOUS, reply, disclosed, choices)


async def _vehicle_detail(records: Records, vrm: str) -> Draft:
    record = await records.vehicle(vrm)
    if record is None:
        return Draft(Outcome.NOT_FOUND, GONE)
    keeper, disclosed = None, [Disclosed(RecordKind.VEHICLE, record.vrm)]
    if record.keeper:
        keeper = await records.person(record.keeper.id, incidents=DETAIL_INCIDENTS)
    if keeper:
        disclosed += person_disclosures(keeper, detail=True)
    return Draft(Outcome.ANSWERED, render.vehicle_detail(record, keeper), disclosed)
