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


def vehicle_list(
    vehicles: list[VehicleHit], heading: str, *, listed: Listing | None = None, count: int = SHORTLIST
) -> Draft:
    """Marks to choose from, each with its own warnings: none is left unmarked because it is a list.

    `listed` is the list a later page continues ("more"): numbering goes on from where it stopped.
    """
    before = listed.shown if listed else 0
    total = len(listed.records) if listed else len(vehicles)
    shown, lines, choices = vehicles[:count], [], []
    for n, vehicle in enumerate(shown, start=before + 1):
        labels = render.marker_labels(vehicle.markers)
        warning = f"⚠ {labels} — " if labels else ""
        label = render.field(f"{vehicle.vrm}: {vehicle.colour} {vehicle.make} {vehicle.model}")
        lines.append(f"{n}. {warning}{label}")
        choices.append(Choice(label, RecordKind.VEHICLE, vehicle.vrm))
    more = f" (the first {len(shown)}; say 'more' for the next)" if total > before + len(shown) else ""
    if listed and before:
        more = f" ({before + 1}–{before + len(shown)} of {total})"
    reply = "\n".join([f"{heading}{more}:", *lines, "Choose one, or send the full mark."])
    listed_all = listed.records if listed else tuple(Disclosed(RecordKind.VEHICLE, v.vrm) for v in vehicles)
    disclosed = [Disclosed(RecordKind.VEHICLE, v.vrm) for v in shown]
    listing = Listing(listed_all, before + len(shown))
    return Draft(Outcome.AMBIGUOUS, reply, disclosed, choices, listing=listing)


async def listed_vehicles(records: Records, listing: Listing, count: int) -> Draft:
    """The next `count` vehicles of a list already given, each read afresh (one gone since is left out)."""
    page = listing.records[listing.shown : listing.shown + count]
    found = [await records.vehicle(v.id) for v in page]
    vehicles = [VehicleHit(v.vrm, v.make, v.model, v.colour, v.markers) for v in found if v is not None]
    if not vehicles:
        return Draft(Outcome.NOT_FOUND, GONE)
    return vehicle_list(vehicles, "Vehicles", listed=listing, count=count)


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
