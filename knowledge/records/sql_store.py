"""The records port over Beatline's own database: each question reads in one snapshot.

A thin adapter: the staged search (`search`), the loaders (`loaders`) and `places` do the work; this
module only binds them to the reading session a question's view opens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.matching.scoring import PersonQuery, ScoredPerson
from knowledge.records import loaders, places, search
from knowledge.records.port import Asking, Records
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
from knowledge.store.database import Database

__all__ = ["SqlRecords", "SqlStore"]


class SqlRecords:
    """The records as one reading session sees them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find_persons(self, query: PersonQuery, today: dt.date) -> list[ScoredPerson]:
        return await search.find_persons(self.session, query, today)

    async def person(self, person_id: str, *, incidents: int) -> PersonRecord | None:
        return await loaders.load_person(self.session, person_id, incidents=incidents)

    async def shortlist_entries(self, person_ids: Sequence[str]) -> dict[str, ShortlistEntry]:
        return await loaders.shortlist_entries(self.session, person_ids)

    async def safety_flagged(self, person_ids: Sequence[str]) -> set[str]:
        return await loaders.safety_flagged(self.session, person_ids)

    async def find_vehicles(self, vrm: str) -> list[tuple[VehicleHit, int]]:
        return await search.find_vehicles(self.session, vrm)

    async def vehicles_starting(self, start: str, limit: int) -> list[VehicleHit]:
        return await search.vehicles_starting(self.session, start, limit)

    async def vehicle(self, vrm: str) -> VehicleRecord | None:
        return await loaders.load_vehicle(self.session, vrm)

    async def find_addresses(self, query: AddressQuery, limit: int = 8) -> list[AddressHit]:
        return await search.find_addresses(self.session, query, limit)

    async def flagged_in(self, area: str, limit: int) -> list[AddressHit]:
        return await search.flagged_in(self.session, area, limit)

    async def address(self, address_id: str) -> AddressRecord | None:
        return await loaders.load_address(self.session, address_id)

    async def addresses_within(
        self, lat: float, lon: float, radius_m: float
    ) -> list[tuple[float, AddressRecord]]:
        return await places.addresses_within(self.session, lat, lon, radius_m)

    async def incidents_at(self, address_ids: Sequence[str], limit: int = 5) -> list[IncidentAt]:
        return await loaders.incidents_at(self.session, address_ids, limit)

    async def residents(self, address_id: str, limit: int = 5) -> list[Resident]:
        return await loaders.residents(self.session, address_id, limit)

    async def incident(self, ref: str) -> IncidentRecord | None:
        return await loaders.load_incident(self.session, ref)

    async def marker_vocabulary(self) -> dict[str, MarkerInfo]:
        return await loaders.marker_vocabulary(self.session)


class SqlStore:
    """Records in Beatline's own database (the default deployment)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def view(self, asking: Asking) -> AbstractAsyncContextManager[Records]:
        return self._snapshot()

    @asynccontextmanager
    async def _snapshot(self) -> AsyncIterator[Records]:
        # A reading session holds no write lock, so a long search never delays an audit entry.
        async with self.db.reads() as session, session.begin():
            yield SqlRecords(session)

    async def close(self) -> None:
        """Nothing to close: the database is the process's, and closed with it."""
