"""Incident lookups: one incident by its reference, where it happened and who was involved."""

from __future__ import annotations

from knowledge.answers import render
from knowledge.answers.disclosure import Disclosed, Draft
from knowledge.records.port import Records
from knowledge.store.vocabulary import Outcome, RecordKind
from knowledge.understanding.parse import ParsedQuery

__all__ = ["check_incident", "open_incident"]


async def check_incident(records: Records, parsed: ParsedQuery) -> Draft:
    return await open_incident(records, str(parsed.slots.get("incident_ref", "")), detail=False)


async def open_incident(records: Records, ref: str, detail: bool) -> Draft:
    if not ref:
        return Draft(Outcome.NEEDS_MORE, "Which incident reference?")
    incident = await records.incident(ref)
    if incident is None:
        return Draft(Outcome.NOT_FOUND, f"No incident found with reference {ref}.")
    disclosed = [Disclosed(RecordKind.INCIDENT, incident.ref)]
    if incident.address:
        disclosed.append(Disclosed(RecordKind.ADDRESS, incident.address.id))
    reply = render.incident_summary(incident, detail=detail)
    # A party the first screen had no room for is not disclosed; More lists everyone.
    disclosed += [Disclosed(RecordKind.PERSON, p.id) for p in incident.people if render.shows(reply, p.id)]
    counted = [
        Disclosed(RecordKind.PERSON, p.id)
        for p in incident.people
        if (p.wanted or p.markers) and not render.shows(reply, p.id)
    ]
    more = None if detail else Disclosed(RecordKind.INCIDENT, incident.ref)
    return Draft(Outcome.ANSWERED, reply, disclosed, more=more, counted=counted)
