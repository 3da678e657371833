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


AREA_SHOWN = 10  # flagged addresses of an area on one answer, the most severe first


async def check_address(records: Records, parsed: ParsedQuery) -> Draft:
    if parsed.area:
        return await _flagged_in(records, parsed.area)
    slots = parsed.slots
    query = AddressQuery(
        postcode=str(slots["postcode"]) if "postcode" in slots else None,
        house_number=str(slots["house_number"]) if "house_number" in slots else None,
        street=str(slots["street"]) if "street" in slots else None,
        flat=parsed.flat or None,
        town=parsed.town or None,
    )
    if not (query.postcode or query.street):
        return Draft(Outcome.NEEDS_MORE, "Which address? Give a house number and street, or a postcode.")
    found = await records.find_addresses(query)
    if not found:
        return Draft(Outcome.NOT_FOUND, "No address on record matches that.")
    # "221 baker street" when only 221B is on record: say what was assumed, never answer it silently.
    assumed = ""
    if query.house_number and all(a.house_number.upper() != query.house_number.upper() for a in found):
        numbers = ", ".join(dict.fromkeys(render.field(a.house_number) for a in found))
        said = "showing" if len(found) == 1 else "found"
        assumed = f"No number {render.field(query.house_number.upper())} on record there; {said} {numbers}.\n"
    if len(found) > 1:
        options = [Choice(render.field(f"{a.line1}, {a.postcode}"), RecordKind.ADDRESS, a.id) for a in found]
        reply = f"{assumed}Which address?\n" + "\n".join(
            f"{n}. ⚠ {c.label} ({render.field(c.id)}): {render.marker_labels(a.markers)}"
            if a.markers
            else f"{n}. {c.label} ({render.field(c.id)})"
            for n, (c, a) in enumerate(zip(options, found, strict=True), 1)
        )
        return Draft(Outcome.AMBIGUOUS, reply, [Disclosed(RecordKind.ADDRESS, a.id) for a in found], options)
    draft = await open_address(records, found[0].id, detail=False)
    draft.reply = assumed + draft.reply
    return draft


async def _flagged_in(records: Records, area: str) -> Draft:
    """An area's flagged addresses, each with its markers, to open for its history and people."""
    found = await records.flagged_in(area, AREA_SHOWN + 1)
    where = render.field(area, 60)
    if not found:
        return Draft(Outcome.NOT_FOUND, f"No flagged addresses on record in {where}.")
    shown = found[:AREA_SHOWN]
    more = f" (the {AREA_SHOWN} most severe; there are more)" if len(found) > AREA_SHOWN else ""
    lines = [f"⚠ Flagged addresses in {where}{more}:"]
    options = []
    for n, hit in enumerate(shown, 1):
        option = Choice(render.field(f"{hit.line1}, {hit.postcode}"), RecordKind.ADDRESS, hit.id)
        lines.append(f"{n}. ⚠ {option.label} ({render.field(hit.id)}): {render.marker_labels(hit.markers)}")
        options.append(option)
    lines.append("Choose one for its history and who is linked to it.")
    disclosed = [Disclosed(RecordKind.ADDRESS, hit.id) for hit in shown]
    return Draft(Outcome.ANSWERED, "\n".join(lines), disclosed, options)


async def open_address(records: Records, address_id: str, detail: bool) -> Draft:
    """One address: its warnings, the newest incidents there and who lives there; more of both on More."""
    address = await records.address(address_id)
    if address is None:
        return Draft(Outcome.NOT_FOUND, "That address is no longer on record.")
    rows = DETAIL_ROWS if detail else SUMMARY_ROWS
    incidents = await records.incidents_at([address.id], limit=rows)
    people = await records.residents(address.id, limit=rows + 1)  # one more: to know there are more
    more_people, people = len(people) > rows, people[:rows]
    reply = render.address_summary(address, incidents, people, detail=detail, more_people=more_people)
    disclosed = [Disclosed(RecordKind.ADDRESS, address.id)]
    # The first screen drops whole lines from its end: of the incidents, the first so many are shown.
    bullets = sum(line.startswith("• ") for line in reply.splitlines())
    disclosed += [Disclosed(RecordKind.INCIDENT, i.ref) for i in incidents[:bullets]]
    # A person the first screen had no room for is not disclosed; if flagged, the count names them.
    disclosed += [Disclosed(RecordKind.PERSON, p.id) for p in people if render.shows(reply, p.id)]
    counted = [
        Disclosed(RecordKind.PERSON, p.id)
        for p in people
        if (p.wanted or p.markers) and not render.shows(reply, p.id)
    ]
    more = None if detail else Disclosed(RecordKind.ADDRESS, address.id)
    return Draft(Outcome.ANSWERED, reply, disclosed, more=more, counted=counted)
