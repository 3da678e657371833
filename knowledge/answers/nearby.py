"""What is around a shared location: flagged addresses and recent incidents within 250 m.

An officer arriving somewhere shares their location to learn of a dangerous dog or a firearms marker
before knocking. The addresses come from `knowledge.records.places` (a bounding box on the indexed
latitude/longitude, then the exact great-circle distance). Like every disclosure, the answer goes
through the one audited path.
"""

from __future__ import annotations

from knowledge.access.reason_choices import DEFAULT_RULE, ReasonRule
from knowledge.answers import check_reason
from knowledge.answers.disclosure import (
    DATABASE_ERRORS,
    Answer,
    Choice,
    Disclosed,
    Draft,
    audited,
    database_down,
    drafted,
)
from knowledge.answers.render import field, marker_labels
from knowledge.records.port import Records, RecordsSource
from knowledge.store.audit import Caller
from knowledge.store.database import Database
from knowledge.store.vocabulary import Outcome, RecordKind
from knowledge.understanding.intents import Intent

__all__ = ["RADIUS_M", "answer_location"]

RADIUS_M = 250.0
SHOWN = 6  # flagged addresses and incidents each: a phone screen, nearest or newest first
INTENT = Intent.ADDRESS_CHECK


async def _look_around(records: Records, lat: float, lon: float) -> Draft:
    near = await records.addresses_within(lat, lon, RADIUS_M)
    flagged = [(d, a, marker_labels(a.markers)) for d, a in near if a.markers][:SHOWN]
    incidents = await records.incidents_at([a.id for _, a in near], limit=SHOWN)
    if not flagged and not incidents:
        return Draft(Outcome.NOT_FOUND, f"Nothing flagged and no incidents recorded within {RADIUS_M:.0f} m.")
    lines = [f"Within {RADIUS_M:.0f} m of you:"]
    lines += [field(f"⚠ {labels} — {a.line1}, {a.postcode} ({a.id}), {d:.0f} m") for d, a, labels in flagged]
    if not flagged:
        lines.append("No flagged addresses.")
    if incidents:
        lines.append("Recent incidents:")
        lines += [field(f"• {i.occurred_at:%d/%m/%Y} {i.category} ({i.ref})") for i in incidents]
    disclosed = [Disclosed(RecordKind.ADDRESS, a.id) for _, a, _ in flagged]
    disclosed += [Disclosed(RecordKind.INCIDENT, i.ref) for i in incidents]
    choices = [Choice(field(f"{a.line1}, {a.postcode}"), RecordKind.ADDRESS, a.id) for _, a, _ in flagged]
    return Draft(Outcome.ANSWERED, "\n".join(lines), disclosed, choices)


async def answer_location(
    db: Database,
    caller: Caller,
    lat: float,
    lon: float,
    *,
    records: RecordsSource | None = None,
    rule: ReasonRule = DEFAULT_RULE,
) -> Answer:
    """Flagged addresses (nearest first) and the newest incidents within RADIUS_M, audited; a check
    like any other, so made under the asker's current reason or not at all."""
    query = f"location {lat:.5f},{lon:.5f}"
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return Answer(INTENT, Outcome.NEEDS_MORE, "That location is not on the map; share it again.")
    try:
        code = await check_reason.recorded_under(db, caller, "", INTENT, rule)
    except DATABASE_ERRORS as exc:
        return database_down(INTENT, exc)
    if isinstance(code, Draft):
        return await audited(db, caller, query, INTENT, "", lambda _: drafted(code))
    return await audited(db, caller, query, INTENT, code, lambda view: _look_around(view, lat, lon), records)
