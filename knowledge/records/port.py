"""The records port: everything the answers read, whoever holds the records.

Two adapters implement it: the SQL store over Beatline's own database (`sql_store`) and the HTTP
gateway to a force's own records system (`gateway`); which one runs is decided once, at start-up.
The answers open one `Records` view per question, so that everything a reply shows is read as one
consistent look (a snapshot in SQL, one deadline over HTTP) and carries the asker's reason and id.
The port speaks the read model's frozen dataclasses, never ORM rows or JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from knowledge.matching.scoring import PersonQuery, ScoredPerson
from knowledge.records.read_model import (
    AddressHit,
    AddressQuery,
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

__all__ = ["Asking", "Records", "RecordsSource"]


@dataclass(frozen=True)
class Asking:
    """Who reads records and why: sent with every request to a force's system, as Nlets does."""

    reason: str  # a reason code, upper case, '' when none was given
    officer: str  # the officer's Telegram id, or the audit actor of another channel


class Records(Protocol):
    """One consistent view of the records, for one question."""

    async def find_persons(self, query: PersonQuery, today: dt.date) -> list[ScoredPerson]:
        """Every candidate worth showing, best first."""
        ...

    async def person(self, person_id: str, *, incidents: int) -> PersonRecord | None:
        """A person with markers, warrants, last known address and the newest `incidents`."""
        ...

    async def shortlist_entries(self, person_ids: Sequence[str]) -> dict[str, ShortlistEntry]: ...

    async def safety_flagged(self, person_ids: Sequence[str]) -> set[str]:
        """Those of person_ids who are wanted or carry an officer-safety marker."""
        ...

    async def find_vehicles(self, vrm: str) -> list[tuple[VehicleHit, int]]:
        """The vehicles a mark may be, as (vehicle, confusions it took), the likeliest first."""
        ...

    async def vehicles_starting(self, start: str, limit: int) -> list[VehicleHit]: ...

    async def vehicle(self, vrm: str) -> VehicleRecord | None: ...

    async def find_addresses(self, query: AddressQuery, limit: int = 8) -> list[AddressHit]: ...

    async def address(self, address_id: str) -> AddressRecord | None: ...

    async def flagged_in(self, area: str, limit: int) -> list[AddressHit]:
        """The flagged addresses of a postcode district ("NW1"), a postcode or a town, most severe first."""
        ...

    async def addresses_within(
        self, lat: float, lon: float, radius_m: float
    ) -> list[tuple[float, AddressRecord]]:
        """(distance in metres, address) for every address within radius_m, nearest first."""
        ...

    async def incidents_at(self, address_ids: Sequence[str], limit: int = 5) -> list[IncidentAt]: ...

    async def residents(self, address_id: str, limit: int = 5) -> list[Resident]: ...

    async def incident(self, ref: str) -> IncidentRecord | None: ...

    async def marker_vocabulary(self) -> dict[str, MarkerInfo]: ...


class RecordsSource(Protocol):
    """Where records come from, opened once per process."""

    def view(self, asking: Asking) -> AbstractAsyncContextManager[Records]:
        """One question's view; raises RecordsUnavailable when the records cannot be read in time."""
        ...

    async def close(self) -> None: ...
