"""The words an officer reads: one place that turns records into short, safety-first plain text.

Officer-safety information always comes first (WANTED, then markers by severity), and the first
answer fits a phone screen; `detail=True` is the follow-up with everything else. The text is plain:
the Telegram layer escapes it once, the terminal prints it as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from knowledge.records import (
    AddressRecord,
    IncidentRecord,
    MarkerInfo,
    PersonRecord,
    VehicleRecord,
)

__all__ = [
    "RECENT_INCIDENTS",
    "address_summary",
    "incident_summary",
    "person_line",
    "person_summary",
    "shortlist",
    "uk_date",
    "vehicle_summary",
]

SCREEN = 600  # characters that fit a phone screen without scrolling
RECENT_INCIDENTS = 3  # incidents on a person's first answer; the detail shows all loaded
_MORE = "(More detail: ask for more.)"


def uk_date(value: dt.date | None) -> str:
    """Day-first, as officers write dates; "unknown" when the record has none."""
    return value.strftime("%d/%m/%Y") if value else "unknown"


def _markers(markers: Sequence[MarkerInfo], *, first: str = "") -> str:
    """Labels most severe first (the `first` code before all), whatever order the record holds them in."""
    ordered = sorted(markers, key=lambda m: (m.code != first, -m.severity))
    return " · ".join(m.label.upper() for m in ordered)


def _address_line(address: AddressRecord) -> str:
    return f"{address.line1}, {address.town} {address.postcode}"


def person_line(forenames: str, surname: str, dob: dt.date | None) -> str:
    return f"{surname.upper()}, {forenames} — born {uk_date(dob)}"


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
    markers = [m for m in person.markers if m.code != "MISSING"]
    if markers:
        lines.append(f"⚠ Warnings: {_markers(markers)}")
    if any(m.code == "MISSING" for m in person.markers):
        lines.append("⚠ MISSING PERSON")
    return lines


def person_summary(person: PersonRecord, *, detail: bool = False, focus_warrants: bool = False) -> str:
    """Warrants and warnings, then who they are, where they live and what they were last involved in."""
    lines = _warning_lines(person)
    if not lines:
        lines.append("No warnings, no active warrant.")
    lines.append(f"{person_line(person.forenames, person.surname, person.date_of_birth)} ({person.id})")
    if focus_warrants and not person.active_warrants:
        lines.append("Not wanted: no active warrant.")
    if person.address:
        lines.append(f"Last known address: {_address_line(person.address)}")
        if person.address.markers:
            lines.append(f"⚠ At that address: {_markers(person.address.markers)}")
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


def _vehicle_lines(vehicle: VehicleRecord) -> list[str]:
    lines = []
    if vehicle.markers:
        lines.append(f"⚠ {_markers(vehicle.markers, first='STOLEN')}")
    lines.append(f"{vehicle.vrm}: {vehicle.colour} {vehicle.make} {vehicle.model}")
    return lines


def vehicle_detail(vehicle: VehicleRecord, keeper: PersonRecord | None) -> str:
    """More on a vehicle: the vehicle, then its keeper in full (aliases, incidents, past warrants)."""
    lines = _vehicle_lines(vehicle)
    if keeper is None:
        return "\n".join([*lines, "Keeper: none recorded."])
    keeper_lines = person_summary(keeper, detail=True).splitlines()
    return "\n".join([*lines, "Keeper:", *(f"  {line}" for line in keeper_lines)])


def vehicle_summary(vehicle: VehicleRecord) -> str:
    """Vehicle markers (STOLEN first), the vehicle, then the keeper checked like a person."""
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
    return _fit(lines)


def address_summary(
    address: AddressRecord,
    incidents: Sequence[tuple[dt.datetime, str, str]],
    people: Sequence[tuple[str, str, str, dt.date | None]],
    *,
    detail: bool = False,
) -> str:
    """Address warnings, the last incidents there (date, category, one line) and who lives there."""
    lines = []
    if address.markers:
        lines.append(f"⚠ {_markers(address.markers)}")
    lines.append(f"{_address_line(address)} ({address.id})")
    if incidents:
        lines.append("Last incidents:")
        for occurred_at, category, summary in incidents:
            text = " ".join(summary.split())  # a narrative's own line breaks would split its bullet
            one_line = text if detail or len(text) <= 60 else text[:57] + "…"
            lines.append(f"• {uk_date(occurred_at.date())} {category}: {one_line}")
    else:
        lines.append("No incidents recorded here.")
    if people:
        names = "; ".join(f"{person_line(fn, sn, dob)} ({pid})" for pid, fn, sn, dob in people)
        lines.append(f"Linked people: {names}")
    return "\n".join(lines) if detail else _fit(lines)


def incident_summary(incident: IncidentRecord, *, detail: bool = False) -> str:
    lines = [f"{incident.ref} — {incident.category}, {incident.occurred_at:%d/%m/%Y %H:%M}"]
    if incident.address:
        lines.append(f"At: {_address_line(incident.address)}")
        if incident.address.markers:
            lines.append(f"⚠ {_markers(incident.address.markers)}")
    lines.append(incident.summary)
    for pid, name, role in incident.people:
        lines.append(f"• {role}: {name} ({pid})")
    return "\n".join(lines) if detail else _fit(lines)


def shortlist(heading: str, options: Sequence[tuple[str, str, dt.date | None, str]]) -> str:
    """A numbered list of (id, name, date of birth, town) for the officer to choose from."""
    lines = [heading]
    for number, (pid, name, dob, town) in enumerate(options, start=1):
        lines.append(f"{number}. {name} — born {uk_date(dob)}{', ' + town if town else ''} ({pid})")
    lines.append("Choose one of them, or ask again with a date of birth.")
    return "\n".join(lines)
