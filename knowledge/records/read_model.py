"""The read model: records as answers see them, frozen, with no ORM row in them.

Loaded by `knowledge.records.loaders` and `search`; rendered by `knowledge.answers.render`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = [
    "AddressHit",
    "AddressQuery",
    "AddressRecord",
    "IncidentAt",
    "IncidentRecord",
    "Involved",
    "Involvement",
    "MarkerInfo",
    "PersonRecord",
    "Resident",
    "ShortlistEntry",
    "VehicleHit",
    "VehicleRecord",
    "WarrantInfo",
]


@dataclass(frozen=True)
class MarkerInfo:
    code: str
    label: str
    severity: int


@dataclass(frozen=True)
class WarrantInfo:
    ref: str
    offence: str
    issued_on: dt.date
    court: str
    status: str


@dataclass(frozen=True)
class AddressRecord:
    id: str
    line1: str
    town: str
    postcode: str
    markers: tuple[MarkerInfo, ...]
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Involvement:
    """One incident as it touches a person: when, what, and in which role."""

    ref: str
    occurred_at: dt.datetime
    category: str
    role: str


@dataclass(frozen=True)
class PersonRecord:
    id: str
    forenames: str
    surname: str
    date_of_birth: dt.date | None
    sex: str
    aliases: tuple[str, ...]
    markers: tuple[MarkerInfo, ...]
    warrants: tuple[WarrantInfo, ...]  # active ones first
    address: AddressRecord | None
    incidents: tuple[Involvement, ...]  # newest first
    vehicles: tuple[VehicleHit, ...] = ()  # those they are the keeper of, the flagged first

    @property
    def active_warrants(self) -> tuple[WarrantInfo, ...]:
        return tuple(w for w in self.warrants if w.status == "ACTIVE")


@dataclass(frozen=True)
class VehicleRecord:
    vrm: str
    make: str
    model: str
    colour: str
    markers: tuple[MarkerInfo, ...]
    keeper: PersonRecord | None


@dataclass(frozen=True)
class Involved:
    """One person as an incident involves them, with what an officer must know of them now."""

    id: str
    forenames: str
    surname: str
    role: str
    wanted: bool = False  # an active warrant
    markers: tuple[MarkerInfo, ...] = ()


@dataclass(frozen=True)
class IncidentRecord:
    ref: str
    occurred_at: dt.datetime
    category: str
    summary: str
    address: AddressRecord | None
    people: tuple[Involved, ...]  # by role, then surname


@dataclass(frozen=True)
class IncidentAt:
    """One incident as an address's history lists it."""

    ref: str
    occurred_at: dt.datetime
    category: str
    summary: str


@dataclass(frozen=True)
class Resident:
    """One person whose last known address is the one asked about, with what an officer must know."""

    id: str
    forenames: str
    surname: str
    date_of_birth: dt.date | None
    wanted: bool = False  # an active warrant
    markers: tuple[MarkerInfo, ...] = ()


@dataclass(frozen=True)
class ShortlistEntry:
    """Just enough to tell look-alikes apart (name, date of birth, town), and what each one carries."""

    id: str
    forenames: str
    surname: str
    date_of_birth: dt.date | None
    town: str
    wanted: bool = False  # an active warrant
    markers: tuple[MarkerInfo, ...] = ()


@dataclass(frozen=True)
class VehicleHit:
    """A vehicle as a list of marks to choose from shows it: the mark, what it is, its warnings."""

    vrm: str
    make: str
    model: str
    colour: str
    markers: tuple[MarkerInfo, ...]


@dataclass(frozen=True)
class AddressHit:
    """An address as a list to choose from shows it, with its warnings: a list is an answer too."""

    id: str
    line1: str
    postcode: str
    markers: tuple[MarkerInfo, ...] = ()
    house_number: str = ""


@dataclass(frozen=True)
class AddressQuery:
    postcode: str | None = None
    house_number: str | None = None
    street: str | None = None
    flat: str | None = None
    town: str | None = None  # narrows a street of many towns to that town's, when it has one
