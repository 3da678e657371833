"""The words an officer reads: one place that turns records into short, safety-first plain text.

Officer-safety information always comes first (WANTED, then markers by severity), and the first
answer fits a phone screen; `detail=True` is the follow-up with everything else. The text is plain:
the Telegram layer escapes it once, the terminal prints it as it is.

Record text is data. Every string a record holds is made a `field` before it is placed (one line,
visible characters only: whatever the import, another system or a hand-edited database put there),
and every line starts with words of ours ("Name:", "⚠ WANTED", "Summary:"), never with a record's
text, so no record can forge a warning, a heading or a line of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import fields, is_dataclass, replace
from typing import TypeVar, cast

from knowledge.matching.clean import clean_text
from knowledge.records.read_model import (
    AddressRecord,
    IncidentAt,
    IncidentRecord,
    MarkerInfo,
    PersonRecord,
    Resident,
    ShortlistEntry,
    VehicleHit,
    VehicleRecord,
)

__all__ = [
    "CONFIRM_WARRANT",
    "RECENT_INCIDENTS",
    "address_summary",
    "field",
    "incident_summary",
    "marker_labels",
    "person_line",
    "person_summary",
    "shortlist",
    "shortlist_name",
    "shows",
    "surname_first",
    "uk_date",
    "vehicle_summary",
]

SCREEN = 600  # characters that fit a phone screen without scrolling
RECENT_INCIDENTS = 3  # incidents on a person's first answer; the detail shows all loaded
KEPT_VEHICLES = 3  # vehicles on a person's first answer; the detail shows all loaded
FIELD_CHARS = 2000  # the longest text one field of a record shows (an incident's narrative)
_MORE = "(More detail: ask for more.)"
# A warrant on record may have been executed or withdrawn since the last import.
CONFIRM_WARRANT = "Confirm any warrant with control before arrest."
T = TypeVar("T")


def field(text: str, max_chars: int = FIELD_CHARS) -> str:
    """Record text as a reply may show it: one line, no controls or direction marks, bounded.

    The same cleaning as an officer's question (`knowledge.matching.clean.clean_text`). A value that did not
    come through the import can be any size, so no more of it is read than could be shown.
    """
    return clean_text(text[: max_chars * 4], max_chars)


def _as_data(value: T) -> T:
    """A record (or tuple or list of them) with every string in it made a `field`."""
    if isinstance(value, str):
        return cast(T, field(value))
    if isinstance(value, tuple | list):
        return cast(T, type(value)(_as_data(item) for item in value))
    if is_dataclass(value) and not isinstance(value, type):
        return cast(T, replace(value, **{f.name: _as_data(getattr(value, f.name)) for f in fields(value)}))
    return value


def shows(reply: str, record_id: str) -> bool:
    """Whether a reply names a record by its id, as every line about a linked record does: "(P000123)"."""
    return f"({field(record_id)})" in reply


def uk_date(value: dt.date | None) -> str:
    """Day-first, as officers write dates; "unknown" when the record has none."""
    return value.strftime("%d/%m/%Y") if value else "unknown"


def marker_labels(markers: Sequence[MarkerInfo], *, first: str = "") -> str:
    """Labels most severe first (the `first` code before all), whatever order the record holds them in."""
    ordered = sorted(markers, key=lambda m: (m.code != first, -m.severity))
    return " · ".join(m.label.upper() for m in ordered)


def _address_line(address: AddressRecord) -> str:
    return f"{address.line1}, {address.town} {address.postcode}"


def _person_warnings(wanted: bool, markers: Sequence[MarkerInfo]) -> str:
    """WANTED, then the markers by severity: what a person named inside another answer carries."""
    return " · ".join(["WANTED"] * wanted + ([marker_labels(markers)] if markers else []))


def surname_first(forenames: str, surname: str) -> str:
    """A name as records and officers write it: "QUENNELL, Tobias"."""
    return f"{surname.upper()}, {forenames}"


def person_line(forenames: str, surname: str, dob: dt.date | None) -> str:
    return f"{surname_first(forenames, surname)} — born {uk_date(dob)}"


def _fit(lines: list[str], limit: int = SCREEN) -> str:
    # Drop whole lines from the end (least important last) rather than cutting one mid-word.
    if len("\n".join(lines)) <= limit:
        return "\n".join(lines)
    kept: list[str] = []
    for line in lines:
        # Leave room for the note, so the answer with it still fits.
        if len("\n".join([*kept, line, _MORE])) > limit and kept:
            break
        kept.append(line)
    return "\n".join([*kept, _MORE])


def _warning_lines(person: PersonRecord) -> list[str]:
    lines = []
    for warrant in person.active_warrants:
        lines.append(f"⚠ WANTED — {warrant.offence} ({warrant.court}, warrant {warrant.ref})")
    if person.active_warrants:
        lines.append(CONFIRM_WARRANT)
    markers = [m for m in person.markers if m.code != "MISSING"]
    if markers:
        lines.append(f"⚠ Warnings: {marker_labels(markers)}")
    if any(m.code == "MISSING" for m in person.markers):
        lines.append("⚠ MISSING PERSON")
    return lines


_NO_WARNINGS = "No warnings, no active warrant."


def person_summary(person: PersonRecord, *, detail: bool = False, focus_warrants: bool = False) -> str:
    """Warrants and warnings, then who they are, where they live and what they were last involved in."""
    person = _as_data(person)
    lines = _warning_lines(person)
    home_markers = person.address.markers if person.address else ()
    if person.address and home_markers:  # where the officer may go: up with the person's own dangers
        lines.append(f"⚠ At their last known address, {person.address.line1}: {marker_labels(home_markers)}")
    if not person.active_warrants and not person.markers:
        lines.append("No warnings on the person, no active warrant." if home_markers else _NO_WARNINGS)
    lines.append(f"Name: {person_line(person.forenames, person.surname, person.date_of_birth)} ({person.id})")
    if focus_warrants and not person.active_warrants:
        lines.append("Not wanted: no active warrant.")
    if person.address:
        lines.append(f"Last known address: {_address_line(person.address)}")
    if person.vehicles:
        kept = person.vehicles if detail else person.vehicles[:KEPT_VEHICLES]
        others = f" and {len(person.vehicles) - len(kept)} more" if len(person.vehicles) > len(kept) else ""
        lines.append(f"Keeper of: {'; '.join(_kept(v) for v in kept)}{others}")
    if person.incidents:
        shown = person.incidents if detail else person.incidents[:RECENT_INCIDENTS]
        recent = "; ".join(f"{uk_date(i.occurred_at.date())} {i.category} ({i.role})" for i in shown)
        lines.append(f"Recent: {recent}")
    if detail:
        if person.aliases:
            lines.append(f"Also known as: {'; '.join(person.aliases)}")
        for warrant in person.warrants:
            if warrant.status != "ACTIVE":
                lines.append(f"Warrant {warrant.ref} {warrant.status.lower()}: {warrant.offence}")
        return "\n".join(lines)
    return _fit(lines)


def _kept(vehicle: VehicleHit) -> str:
    warnings = f" ⚠ {marker_labels(vehicle.markers, first='STOLEN')}" if vehicle.markers else ""
    return f"{vehicle.vrm} {vehicle.colour} {vehicle.make} {vehicle.model}{warnings}"


def _vehicle_lines(vehicle: VehicleRecord) -> list[str]:
    lines = []
    if vehicle.markers:
        lines.append(f"⚠ {marker_labels(vehicle.markers, first='STOLEN')}")
    lines.append(f"Vehicle {vehicle.vrm}: {vehicle.colour} {vehicle.make} {vehicle.model}")
    return lines


def vehicle_detail(vehicle: VehicleRecord, keeper: PersonRecord | None) -> str:
    """More on a vehicle: the vehicle, then its keeper in full (aliases, incidents, past warrants)."""
    lines = _vehicle_lines(_as_data(vehicle))
    if keeper is None:
        return "\n".join([*lines, "Keeper: none recorded."])
    keeper_lines = person_summary(keeper, detail=True).splitlines()
    return "\n".join([*lines, "Keeper:", *(f"  {line}" for line in keeper_lines)])


def vehicle_summary(vehicle: VehicleRecord) -> str:
    """Vehicle markers (STOLEN first), the vehicle, then the keeper checked like a person."""
    vehicle = _as_data(vehicle)
    lines = _vehicle_lines(vehicle)
    keeper = vehicle.keeper
    if keeper is None:
        lines.append("Keeper: none recorded.")
    else:
        lines.append(
            f"Keeper: {person_line(keeper.forenames, keeper.surname, keeper.date_of_birth)} ({keeper.id})"
        )
        warnings = _warning_lines(keeper)
        lines.extend(f"  {w}" for w in warnings) if warnings else lines.append("  Keeper: no warnings.")
        if keeper.address:
            lines.append(f"  Address: {_address_line(keeper.address)}")
            if keeper.address.markers:  # where the officer may go next: its dangers under it
                lines.append(f"  ⚠ At that address: {marker_labels(keeper.address.markers)}")
    return _fit(lines)


def address_summary(
    address: AddressRecord,
    incidents: Sequence[IncidentAt],
    people: Sequence[Resident],
    *,
    detail: bool = False,
    more_people: bool = False,
) -> str:
    """Address warnings, the flagged people linked to it, the last incidents there, then everyone else.

    `more_people`: more are linked than `people` holds (the flagged come first, so if all of those
    shown are flagged, those not shown may be too, and the count says "or more").

    Danger first wherever a person appears: each linked person on a line of their own with their WANTED
    and markers, and the flagged counted at the top and listed under the address, before the incidents,
    so that a busy history cannot push them off the first screen.
    """
    address, incidents, people = _as_data(address), _as_data(incidents), _as_data(people)
    flagged = [p for p in people if p.wanted or p.markers]
    others = [p for p in people if not (p.wanted or p.markers)]
    lines = []
    if address.markers:
        lines.append(f"⚠ {marker_labels(address.markers)}")
    if flagged:
        confirm = f" — {CONFIRM_WARRANT}" if any(p.wanted for p in flagged) else ""
        at_least = " or more" if more_people and not others else ""
        lines.append(f"⚠ Linked people with warnings: {len(flagged)}{at_least}{confirm}")
    lines.append(f"Address: {_address_line(address)} ({address.id})")
    lines.extend(_resident_line(p) for p in flagged)
    if incidents:
        lines.append("Last incidents:")
        for incident in incidents:
            summary = incident.summary
            one_line = summary if detail or len(summary) <= 60 else summary[:57] + "…"
            lines.append(f"• {uk_date(incident.occurred_at.date())} {incident.category}: {one_line}")
    else:
        lines.append("No incidents recorded here.")
    if others:
        lines.append("Other linked people:" if flagged else "Linked people:")
        lines.extend(_resident_line(p) for p in others)
    if more_people:
        lines.append("More linked people than these: ask for more.")
    return "\n".join(lines) if detail else _fit(lines)


def _resident_line(person: Resident) -> str:
    warnings = _person_warnings(person.wanted, person.markers)
    said = f"{person_line(person.forenames, person.surname, person.date_of_birth)} ({person.id})"
    return f"  ⚠ {said}: {warnings}" if warnings else f"  {said}"


def incident_summary(incident: IncidentRecord, *, detail: bool = False) -> str:
    """What happened, where (with the place's warnings), the narrative and who was involved."""
    incident = _as_data(incident)
    lines = [f"Incident {incident.ref} — {incident.category}, {incident.occurred_at:%d/%m/%Y %H:%M}"]
    if incident.address:
        lines.append(f"At: {_address_line(incident.address)}")
        if incident.address.markers:
            lines.append(f"⚠ {marker_labels(incident.address.markers)}")
    # Who was involved before the narrative: a long summary must not push a party's warnings off screen.
    for person in sorted(incident.people, key=lambda p: not (p.wanted or p.markers)):
        said = f"{person.role}: {surname_first(person.forenames, person.surname)} ({person.id})"
        warnings = _person_warnings(person.wanted, person.markers)
        lines.append(f"⚠ {said}: {warnings}" if warnings else f"• {said}")
    if any(person.wanted for person in incident.people):
        lines.append(CONFIRM_WARRANT)
    lines.append(f"Summary: {incident.summary}")
    return "\n".join(lines) if detail else _fit(lines)


def shortlist_name(entry: ShortlistEntry) -> str:
    """A shortlisted person's name, marked ⚠ if they are wanted or carry any marker."""
    mark = "⚠ " if entry.wanted or entry.markers else ""
    return mark + surname_first(field(entry.forenames), field(entry.surname))


def shortlist(heading: str, entries: Sequence[ShortlistEntry], *, numbers: Sequence[int] = ()) -> str:
    """A numbered list to choose from, each entry naming its WANTED and every marker, most severe first.

    A later page of the same list gives its `numbers` on the whole list, so "9" is the ninth line shown.
    """
    entries = _as_data(entries)
    lines = [heading]
    if any(entry.wanted for entry in entries):
        lines.append(CONFIRM_WARRANT)
    for number, entry in zip(numbers or range(1, len(entries) + 1), entries, strict=True):
        town = f", {entry.town}" if entry.town else ""
        warnings = _person_warnings(entry.wanted, entry.markers)
        said = f"{shortlist_name(entry)} — born {uk_date(entry.date_of_birth)}{town} ({entry.id})"
        lines.append(f"{number}. {said}: {warnings}" if warnings else f"{number}. {said}")
    lines.append("Choose one of them, or ask again with a date of birth.")
    return "\n".join(lines)
