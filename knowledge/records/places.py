"""Records near a point: the addresses within a radius, nearest first.

A bounding box on the indexed latitude/longitude, then the exact great-circle distance.
"""

from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.records.loaders import address_record, marker_vocabulary
from knowledge.records.read_model import AddressRecord
from knowledge.store.schema import Address

__all__ = ["addresses_within", "distance_m"]

EARTH_RADIUS_M = 6_371_000.0
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


async def addresses_within(
    session: AsyncSession, lat: float, lon: float, radius_m: float
) -> list[tuple[float, AddressRecord]]:
    """(distance in metres, address) for every address within radius_m, nearest first."""
    dlat = radius_m / METRES_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    rows = await session.scalars(
        select(Address).where(
            Address.latitude.between(lat - dlat, lat + dlat),
            Address.longitude.between(lon - dlon, lon + dlon),
        )
    )
    vocabulary = await marker_vocabulary(session)
    near = []
    for row in rows:
        distance = distance_m(lat, lon, row.latitude or 0.0, row.longitude or 0.0)
        record = address_record(row, vocabulary)
        if distance <= radius_m and record is not None:
            near.append((distance, record))
    return sorted(near, key=lambda pair: (pair[0], pair[1].id))
