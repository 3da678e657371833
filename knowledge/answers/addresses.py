"""Address checks: the address a house and street or a postcode name, its warnings, history and people."""

from __future__ import annotations

from knowledge.answers import render
from knowledge.answers.disclosure import Choice, Disclosed, Draft
from knowledge.records.port import Records
from knowledge.records.read_model import AddressQuery
from knowledge.store.vocabulary import Outcome, RecordKind
from knowledge.understanding.parse import ParsedQuery

__all__ = ["check_address", "open_address"]

SUMMARY_ROWS, DETAIL_ROWS = 5, 20  # incidents and residents shown on the first answer, on More


async def check_address(records: Records, parsed: ParsedQuery) -> Draft:
    slots = parsed.slots
    query = AddressQuery(
        postcode=str(slots["postcode"]) if "postcode" in slots else None,
        house_number=str(slots["house_number"]) if "house_number" in slots else None,
        street=str(slots["street"]) if "street" in slots else None,
        flat=parsed.flat or None,
    )
    if not (query.postcode or query.street):
        return Draft(Outcome.NEEDS_MORE, "Which address? Give a house number and street, or a postcode.")
    found = await records.find_addresses(query)
    if not found:
        return Draft(Outcome.NOT_FOUND, "No address on record matches that.")
    if len(found) > 1:
        options = [Choice(render.field(f"{a.line1}, {a.postcode}"), RecordKind.ADDRESS, a.id) for a in found]
        reply = "Which address?\n" + "\n".join(
            f"{n}. ⚠ {c.label} ({render.field(c.id)}): {render.marker_labels(a.markers)}"
            if a.markers
            else f"{n}. {c.label} ({render.field(c.id)})"
            for n, (c, a) in enumerate(zip(options, found, strict=True), 1)
        )
        return Draft(Outcome.AMBIGUOUS, reply, [Disclosed(RecordKind.ADDRESS, a.id) for a in found], options)
    return await open_address(records, found[0].id, detail=False)


async def open_address(records: Records, address_id: str, detail: bool) -> Draft:
    """One address: its warnings, the newest incidents there and who lives there; more of both on More."""
    address = await records.address(address_id)
    if address is None:
        return Draft(Outcome.NOT_FOUND, "That address is no longer on record.")
    rows = DETAIL_ROWS if detail else SUMMARY_ROWS
    incidents = await records.incidents_at([address.id], limit=rows)
    people = await records.residents(address.id, limit=rows)
    reply = render.address_summary(address, incidents, people, detail=detail)
    disclosed = [Disclosed(RecordKind.ADDRESS, address.id)]
    disclosed += [Disclosed(RecordKind.INCIDENT, i.ref) for i in incidents]
    disclosed += [Disclosed(RecordKind.PERSON, p.id) for p in people]
    more = None if detail else Disclosed(RecordKind.ADDRESS, address.id)
    return Draft(Outcome.ANSWERED, reply, disclosed, more=more)
