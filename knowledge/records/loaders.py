"""Read side of the records store: whole records as frozen dataclasses (`read_model`), ready to summarise.

Sessions are owned by the caller (answers/); these functions only read through the one they are given.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.records.read_model import (
    AddressRecord,
    IncidentAt,
    IncidentRecord,
    Involved,
    Involvement,
    MarkerInfo,
    PersonRecord,
    Resident,
    ShortlistEntry,
    VehicleHit,
    VehicleRecord,
    WarrantInfo,
)
from knowledge.store.schema import Address, Incident, IncidentPerson, Marker, Person, Vehicle, Warrant

__all__ = [
    "address_record",
    "incidents_at",
    "load_address",
    "load_incident",
    "load_person",
    "load_vehicle",
    "marker_vocabulary",
    "markers_of",
    "residents",
    "shortlist_entries",
]

_VOCABULARY_TTL = 60.0  # seconds: a marker code a force adds shows on answers within a minute
_vocabularies: dict[str, tuple[float, dict[str, MarkerInfo]]] = {}


async def marker_vocabulary(session: AsyncSession) -> dict[str, MarkerInfo]:
    """The marker table, read at most once a minute per database: it is on every answer's path."""
    where = str(session.get_bind().engine.url)
    cached = _vocabularies.get(where)
    if cached and time.monotonic() - cached[0] < _VOCABULARY_TTL:
        return cached[1]
    rows = await session.scalars(select(Marker))
    vocabulary = {m.code: MarkerInfo(m.code, m.label, m.severity) for m in rows}
    _vocabularies[where] = (time.monotonic(), vocabulary)
    return vocabulary


def markers_of(codes: str, vocabulary: dict[str, MarkerInfo]) -> tuple[MarkerInfo, ...]:
    """The markers a record's ';'-separated codes name, most severe first; unknown codes are left out."""
    found = [vocabulary[c] for c in codes.split(";") if c in vocabulary]
    return tuple(sorted(found, key=lambda m: (-m.severity, m.code)))


def address_record(row: Address | None, vocabulary: dict[str, MarkerInfo]) -> AddressRecord | None:
    """The frozen record of an address row (for records/ only: rows do not leave it)."""
    if row is None:
        return None
    return AddressRecord(
        row.id,
        row.line1,
        row.town,
        row.postcode,
        markers_of(row.markers, vocabulary),
        row.latitude,
        row.longitude,
    )


async def load_address(session: AsyncSession, address_id: str) -> AddressRecord | None:
    vocabulary = await marker_vocabulary(session)
    return address_record(await session.get(Address, address_id), vocabulary)


_PERSON_COLUMNS = (
    Person.id, Person.forenames, Person.surname, Person.date_of_birth, Person.sex, Person.aliases,
    Person.markers, Address.id.label("address_id"), Address.line1, Address.town, Address.postcode,
    Address.markers.label("address_markers"), Address.latitude, Address.longitude,
    Warrant.ref, Warrant.offence, Warrant.issued_on, Warrant.court, Warrant.status,
)  # fmt: skip


KEPT_VEHICLES = 20  # vehicles loaded with a person, the flagged first: a fleet's keeper has more


async def load_person(
    session: AsyncSession, person_id: str, *, incidents: int = 5, vehicles: bool = True
) -> PersonRecord | None:
    """A person with markers, warrants, last known address, the newest incidents and (`vehicles`) the
    vehicles they keep.

    Every round trip costs about a millisecond here: the person and address, outer-joined to their
    warrants and to the newest `incidents` (a row for each pair: a person has a few warrants at most,
    so a few dozen rows), come in one query of plain rows, the vehicles in one more, so a keeper inside
    a vehicle answer is loaded without their other vehicles.
    """
    newest = (
        select(
            Incident.ref.label("incident_ref"), Incident.occurred_at, Incident.category, IncidentPerson.role
        )
        .join(IncidentPerson, IncidentPerson.incident_ref == Incident.ref)
        .where(IncidentPerson.person_id == person_id)
        .order_by(Incident.occurred_at.desc())
        .limit(incidents)
        .subquery()
    )
    rows = (
        await session.execute(
            select(
                *_PERSON_COLUMNS,
                newest.c.incident_ref,
                newest.c.occurred_at,
                newest.c.category,
                newest.c.role,
            )
            .outerjoin(Address, Address.id == Person.address_id)
            .outerjoin(Warrant, Warrant.person_id == Person.id)
            .outerjoin(newest, true())
            .where(Person.id == person_id)
        )
    ).all()
    if not rows:
        return None
    person = rows[0]
    vocabulary = await marker_vocabulary(session)
    warrants = {r.ref: WarrantInfo(r.ref, r.offence, r.issued_on, r.court, r.status) for r in rows if r.ref}
    involved = {
        r.incident_ref: Involvement(r.incident_ref, r.occurred_at, r.category, r.role)
        for r in rows
        if r.incident_ref
    }
    address = None
    if person.address_id is not None:
        address = AddressRecord(
            person.address_id, person.line1, person.town, person.postcode,
            markers_of(person.address_markers, vocabulary), person.latitude, person.longitude,
        )  # fmt: skip
    return PersonRecord(
        id=person.id,
        forenames=person.forenames,
        surname=person.surname,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        aliases=tuple(a for a in person.aliases.split(";") if a),
        markers=markers_of(person.markers, vocabulary),
        warrants=tuple(
            sorted(warrants.values(), key=lambda w: (w.status != "ACTIVE", -w.issued_on.toordinal()))
        ),
        address=address,
        incidents=tuple(sorted(involved.values(), key=lambda i: i.occurred_at, reverse=True)),
        vehicles=await _kept_vehicles(session, person_id, vocabulary) if vehicles else (),
    )


async def _kept_vehicles(
    session: AsyncSession, person_id: str, vocabulary: dict[str, MarkerInfo]
) -> tuple[VehicleHit, ...]:
    rows = await session.scalars(
        select(Vehicle)
        .where(Vehicle.keeper_id == person_id)
        .order_by((Vehicle.markers != "").desc(), Vehicle.vrm)
        .limit(KEPT_VEHICLES)
    )
    kept = [VehicleHit(v.vrm, v.make, v.model, v.colour, markers_of(v.markers, vocabulary)) for v in rows]
    # The flagged first, most severe first, so that the few a summary shows are never the harmless.
    return tuple(sorted(kept, key=lambda v: (-max((m.severity for m in v.markers), default=0), v.vrm)))


async def load_vehicle(session: AsyncSession, vrm: str) -> VehicleRecord | None:
    vehicle = await session.get(Vehicle, vrm)
    if vehicle is None:
        return None
    vocabulary = await marker_vocabulary(session)
    keeper = (
        await load_person(session, vehicle.keeper_id, incidents=0, vehicles=False)
        if vehicle.keeper_id
        else None
    )
    return VehicleRecord(
        vehicle.vrm,
        vehicle.make,
        vehicle.model,
        vehicle.colour,
        markers_of(vehicle.markers, vocabulary),
        keeper,
    )


async def load_incident(session: AsyncSession, ref: str) -> IncidentRecord | None:
    incident = await session.get(Incident, ref)
    if incident is None:
        return None
    wanted = _wanted()
    people = await session.execute(
        select(Person.id, Person.surname, Person.forenames, IncidentPerson.role, Person.markers, wanted)
        .join(IncidentPerson, IncidentPerson.person_id == Person.id)
        .where(IncidentPerson.incident_ref == ref)
        .order_by(IncidentPerson.role, Person.surname)
    )
    vocabulary = await marker_vocabulary(session)
    address = await load_address(session, incident.address_id) if incident.address_id else None
    return IncidentRecord(
        incident.ref,
        incident.occurred_at,
        incident.category,
        incident.summary,
        address,
        tuple(
            Involved(pid, forenames, surname, role, bool(is_wanted), markers_of(codes, vocabulary))
            for pid, surname, forenames, role, codes, is_wanted in people
        ),
    )


async def incidents_at(session: AsyncSession, address_ids: Sequence[str], limit: int = 5) -> list[IncidentAt]:
    """The newest incidents at any of these addresses."""
    if not address_ids:
        return []
    rows = await session.execute(
        select(Incident.ref, Incident.occurred_at, Incident.category, Incident.summary)
        .where(Incident.address_id.in_(address_ids))
        .order_by(Incident.occurred_at.desc(), Incident.ref)
        .limit(limit)
    )
    return [IncidentAt(*row) for row in rows]


async def shortlist_entries(session: AsyncSession, person_ids: Sequence[str]) -> dict[str, ShortlistEntry]:
    """Each person of a shortlist with their WANTED and markers: a list never hides what one carries."""
    wanted = _wanted()
    rows = await session.execute(
        select(
            Person.id,
            Person.forenames,
            Person.surname,
            Person.date_of_birth,
            Address.town,
            Person.markers,
            wanted,
        )
        .outerjoin(Address, Address.id == Person.address_id)
        .where(Person.id.in_(person_ids))
    )
    vocabulary = await marker_vocabulary(session)
    return {
        row.id: ShortlistEntry(
            row.id,
            row.forenames,
            row.surname,
            row.date_of_birth,
            row.town or "",
            bool(row.wanted),
            markers_of(row.markers, vocabulary),
        )
        for row in rows
    }


OFFICER_SAFETY = 3  # marker severity: a risk to the officer (violent, weapons…)


async def safety_flagged(session: AsyncSession, person_ids: Sequence[str]) -> set[str]:
    """Those of person_ids who are wanted or carry an officer-safety marker: never hidden by a shortlist.

    One query: those with a marker or an active warrant, then the markers' severity from the vocabulary.
    """
    if not person_ids:
        return set()
    vocabulary = await marker_vocabulary(session)
    danger = {code for code, marker in vocabulary.items() if marker.severity >= OFFICER_SAFETY}
    wanted = _wanted()
    rows = await session.execute(
        select(Person.id, Person.markers, wanted).where(
            Person.id.in_(person_ids), or_(Person.markers != "", wanted)
        )
    )
    return {row.id for row in rows if row.wanted or danger.intersection(row.markers.split(";"))}


def _wanted() -> Any:
    """A column saying whether the person of the row has an active warrant."""
    return (
        select(Warrant.person_id)
        .where(Warrant.person_id == Person.id, Warrant.status == "ACTIVE")
        .exists()
        .label("wanted")
    )


async def residents(session: AsyncSession, address_id: str, limit: int = 5) -> list[Resident]:
    """Who lives there, the wanted and the marked first, so that the few shown are never the harmless."""
    wanted = _wanted()
    rows = await session.execute(
        select(Person.id, Person.forenames, Person.surname, Person.date_of_birth, Person.markers, wanted)
        .where(Person.address_id == address_id)
        .order_by(wanted.desc(), (Person.markers != "").desc(), Person.surname, Person.id)
        .limit(limit)
    )
    vocabulary = await marker_vocabulary(session)
    return [
        Resident(
            r.id, r.forenames, r.surname, r.date_of_birth, bool(r.wanted), markers_of(r.markers, vocabulary)
        )
        for r in rows
    ]
