"""What is around a shared location: flagged addresses and recent incidents within 250 m.

An officer arriving somewhere shares their location to learn of a dangerous dog or a firearms marker
before knocking. The search is a bounding box on the indexed latitude/longitude, then the exact
great-circle distance. Like every disclosure, the answer is audited in the same transaction as the read.
"""

from __future__ import annotations

import math

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.answers.disclosure import Answer, Choice, Disclosed, Draft, audited
from knowledge.answers.render import field, marker_labels
from knowledge.records.loaders import marker_vocabulary, markers_of
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from knowledge.store.schema import Address, Incident
from knowledge.store.vocabulary import Outcome, RecordKind
from knowledge.understanding.intents import Intent

__all__ = ["RADIUS_M", "answer_location", "distance_m"]

RADIUS_M = 250.0
EARTH_RADIUS_M = 6_371_000.0
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
SHOWN = 6  # flagged addresses and incidents each: a phone screen, nearest or newest first
INTENT = Intent.ADDRESS_CHECK


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


async def _within(session: AsyncSession, lat: float, lon: float) -> list[tuple[float, Address]]:
    dlat = RADIUS_M / METRES_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    rows = await session.scalars(
        select(Address).where(Address.latitude.between(lat - dlat, lat + dlat),
                              Address.longitude.between(lon - dlon, lon + dlon))
    )  # fmt: skip
    near = [(distance_m(lat, lon, a.latitude or 0.0, a.longitude or 0.0), a) for a in rows]
    return sorted(((d, a) for d, a in near if d <= RADIUS_M), key=lambda pair: (pair[0], pair[1].id))


async def _look_around(session: AsyncSession, lat: float, lon: float) -> Draft:
    near = await _within(session, lat, lon)
    vocabulary = await marker_vocabulary(session)
    labelled = ((d, a, marker_labels(markers_of(a.markers, vocabulary))) for d, a in near)
    flagged = [(d, a, labels) for d, a, labels in labelled if labels][:SHOWN]
    incidents = []
    if near:
        incidents = list(await session.scalars(
            select(Incident).where(Incident.address_id.in_([a.id for _, a in near]))
            .order_by(Incident.occurred_at.desc(), Incident.ref).limit(SHOWN)
        ))  # fmt: skip
    if not flagged and not incidents:
        return Draft(Outcome.NOT_FOUND, f"Nothing flagged and no incidents recorded within {RADIUS_M:.0f} m.")
    lines = [f"Within {RADIUS_M:.0f} m of you:"]
    lines += [field(f"⚠ {labels} — {a.line1}, {a.postcode} ({a.id}), {d:.0f} m") for d, a, labels in flagged]
    if not flagged:
        lines.append("No flagged addresses.")
    if incidents:
        lines.append("Recent incidents:")
        lines += [field(f"• {i.occurred_at:%d/%m/%Y} {i.category} ({i.ref})") for i in incidents]
    disclosed = [Disclosed(RecordKind.ADDRESS, a.id) for _, a, _ in flagged] + [
        Disclosed(RecordKind.INCIDENT, i.ref) for i in incidents
    ]
    choices = [Choice(field(f"{a.line1}, {a.postcode}"), RecordKind.ADDRESS, a.id) for _, a, _ in flagged]
    return Draft(Outcome.ANSWERED, "\n".join(lines), disclosed, choices)


async def answer_location(db: Database, caller: Caller, lat: float, lon: float) -> Answer:
    """Flagged addresses (nearest first) and the newest incidents within RADIUS_M, audited."""
    query = f"location {lat:.5f},{lon:.5f}"
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return Answer(INTENT, Outcome.NEEDS_MORE, "That location is not on the map; share it again.")
    return await audited(db, caller, query, INTENT, "", lambda session: _look_around(session, lat, lon))
