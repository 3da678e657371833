"""Finding records from what an officer typed: block candidates through indexed keys, then rank.

Persons: candidates come from the union of phonetic name keys (names.py) and date-of-birth variants
(exact, day/month swapped, year +/- 1); rapidfuzz and date agreement rank them (scoring.py). A
soundex + initial key widens the net only when the first pass finds nothing near-perfect.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process
from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.matching.names import name_keys
from knowledge.matching.postcodes import normalise_outward, normalise_postcode
from knowledge.matching.scoring import PersonQuery, ScoredPerson, score_person
from knowledge.matching.streets import expand_street, street_code
from knowledge.matching.vrm import plate_readings
from knowledge.records.loaders import marker_vocabulary, markers_of
from knowledge.records.read_model import AddressHit, AddressQuery, VehicleHit
from knowledge.store.schema import Address, Person, PersonKey, Vehicle

__all__ = [
    "dob_variants",
    "find_addresses",
    "find_persons",
    "find_vehicles",
    "flagged_in",
    "vehicles_starting",
]

MAX_CANDIDATES = 3000
NEAR_PERFECT = 95.0


def dob_variants(dob: dt.date) -> list[dt.date]:
    """The dates an officer or a record may have meant: exact, day/month swapped, a year either side."""
    found = [dob]
    if dob.day <= 12 and dob.day != dob.month:
        found.append(dob.replace(day=dob.month, month=dob.day))
    for years in (-1, 1):
        with contextlib.suppress(ValueError):  # 29 February has no twin a year away
            found.append(dob.replace(year=dob.year + years))
    return found


# Only what scoring reads: whole ORM objects for thousands of candidates cost more than the search.
_COLUMNS = (Person.id, Person.forenames, Person.surname, Person.date_of_birth, Person.aliases)


async def _by_keys(session: AsyncSession, keys: set[int]) -> list[Row[Any]]:
    if not keys:
        return []
    stmt = (
        select(*_COLUMNS)
        .join(PersonKey, PersonKey.person_id == Person.id)
        .where(PersonKey.key.in_(keys))
        .distinct()
        .limit(MAX_CANDIDATES)
    )
    return list(await session.execute(stmt))


async def _born_on(session: AsyncSession, dates: list[dt.date]) -> list[Row[Any]]:
    return list(await session.execute(select(*_COLUMNS).where(Person.date_of_birth.in_(dates))))


def _plausible_surnames(query: PersonQuery, people: dict[str, Row[Any]]) -> list[Row[Any]]:
    """A C-speed first cut on the surname alone, so full scoring runs on tens, not hundreds."""
    if len(people) <= 50 or not query.surname:
        return list(people.values())
    surnames = {pid: p.surname for pid, p in people.items() if not p.aliases}
    near = process.extract(
        query.surname, surnames, scorer=fuzz.ratio, processor=default_process, score_cutoff=55, limit=None
    )
    keep = {key for _, _, key in near}
    return [p for pid, p in people.items() if pid in keep or p.aliases]


def _rank(query: PersonQuery, people: dict[str, Row[Any]], today: dt.date) -> list[ScoredPerson]:
    scored = (score_person(query, p, today) for p in _plausible_surnames(query, people))
    return sorted(scored, key=lambda s: (-s.score, s.person_id))


async def find_persons(session: AsyncSession, query: PersonQuery, today: dt.date) -> list[ScoredPerson]:
    """Every candidate worth showing, best first.

    With a date of birth, the date block holds everyone who could be answered, so the name keys are
    read only when it finds no one (a record without a date, or a date wrongly recorded). Without
    one, the soundex + initial key widens the net when the phonetic keys find no near-perfect match:
    a typo can change both phonetic codes of a name, but rarely its soundex and initial. (Widening
    whenever fewer than ten near-perfect matches were found cost p95 57 ms for no gain in recall.)
    """
    people: dict[str, Row[Any]] = {}
    if query.dob is not None:
        people.update((p.id, p) for p in await _born_on(session, dob_variants(query.dob)))
        ranked = _rank(query, people, today)
        if (ranked and ranked[0].name_score >= 80) or not query.forenames:
            return ranked
    if not query.forenames:  # name keys pair surname and forename: there is nothing more to look up
        return _rank(query, people, today)
    kinds = "S" if len(query.forenames.split()[0]) == 1 else "MN"
    people.update(
        (p.id, p) for p in await _by_keys(session, name_keys(query.forenames, query.surname, kinds))
    )
    ranked = _rank(query, people, today)
    widen = query.dob is None and "S" not in kinds
    if widen and (not ranked or ranked[0].name_score < NEAR_PERFECT):
        people.update(
            (p.id, p) for p in await _by_keys(session, name_keys(query.forenames, query.surname, "S"))
        )
        ranked = _rank(query, people, today)
    return ranked


async def _vehicle_hits(session: AsyncSession, rows: Sequence[Vehicle]) -> list[VehicleHit]:
    vocabulary = await marker_vocabulary(session) if rows else {}
    return [VehicleHit(v.vrm, v.make, v.model, v.colour, markers_of(v.markers, vocabulary)) for v in rows]


async def find_vehicles(session: AsyncSession, vrm: str) -> list[tuple[VehicleHit, int]]:
    """The vehicles a mark may be, as (vehicle, confusions it took), the likeliest first.

    The mark itself, then its readings with up to two of the confusions ANPR systems allow (0/O/D/Q,
    1/I, 2/Z, 5/S, 8/B, 6/G): a hundred or so primary-key look-ups in one query at most.
    """
    readings = dict(plate_readings(vrm))
    readings.setdefault(vrm, 0)
    rank = {reading: n for n, reading in enumerate(sorted(readings, key=lambda r: (readings[r], r != vrm)))}
    rows = await session.scalars(select(Vehicle).where(Vehicle.vrm.in_(readings)))
    found = await _vehicle_hits(session, list(rows))
    return sorted(((v, readings[v.vrm]) for v in found), key=lambda hit: rank[hit[0].vrm])


async def vehicles_starting(session: AsyncSession, start: str, limit: int) -> list[VehicleHit]:
    """Vehicles whose mark starts with what the officer caught ("PH71"): a range on the primary key."""
    end = start[:-1] + chr(ord(start[-1]) + 1)
    stmt = select(Vehicle).where(Vehicle.vrm >= start, Vehicle.vrm < end).order_by(Vehicle.vrm).limit(limit)
    return await _vehicle_hits(session, list(await session.scalars(stmt)))


async def find_addresses(session: AsyncSession, query: AddressQuery, limit: int = 8) -> list[AddressHit]:
    """Addresses by postcode, house number and fuzzy street, best first.

    A house number with no letter that is on record only with one ("221" for 221B) finds those: the
    answer says what it assumed. A town narrows the street to that town's addresses if it has any.
    """
    street = expand_street(query.street) if query.street else ""
    stmt = select(Address)
    if query.postcode:
        stmt = stmt.where(Address.postcode_key == query.postcode.replace(" ", ""))
    elif street:
        code = street_code(street)
        if not code:
            return []
        stmt = stmt.where(Address.street_code == code)
    else:
        return []
    rows = await _at_number(session, stmt, query.house_number.upper() if query.house_number else None)
    if query.flat:  # the flat asked for, if it is on record; the building's addresses if not
        flat = re.compile(rf"^\s*flat\s+{re.escape(query.flat)}\b", re.IGNORECASE)
        rows = [a for a in rows if flat.match(a.line1)] or rows
    if street:
        rows = [a for a in rows if fuzz.ratio(a.street_key, street) >= 75]
        rows.sort(key=lambda a: (-fuzz.ratio(a.street_key, street), a.id))
    else:
        rows.sort(key=lambda a: (a.street_key, a.house_number, a.id))
    if query.town:
        town = default_process(query.town)
        rows = [a for a in rows if fuzz.ratio(default_process(a.town), town) >= 85] or rows
    vocabulary = await marker_vocabulary(session) if rows else {}
    return [
        AddressHit(a.id, a.line1, a.postcode, markers_of(a.markers, vocabulary), a.house_number)
        for a in rows[:limit]
    ]


AREA_SCAN = 2000  # flagged addresses read for an area before the most severe are picked


async def flagged_in(session: AsyncSession, area: str, limit: int) -> list[AddressHit]:
    """The flagged addresses of a postcode ("NW1 6XE"), a district ("NW1") or a town, most severe first.

    A district is a range on the indexed postcode key, then checked whole (NW1 is not NW10); a town is
    compared case-blind, which reads every flagged address: a rare question, and it pays for it.
    """
    flagged = select(Address).where(Address.markers != "")
    if postcode := normalise_postcode(area):
        stmt, keep = flagged.where(Address.postcode_key == postcode.replace(" ", "")), None
    elif district := normalise_outward(area):
        stmt = flagged.where(Address.postcode_key >= district, Address.postcode_key < district + "~")
        keep = district
    else:
        stmt, keep = flagged.where(func.lower(Address.town) == area.lower()), None
    rows = [
        a
        for a in await session.scalars(stmt.limit(AREA_SCAN))
        if keep is None or a.postcode.split()[0] == keep
    ]
    vocabulary = await marker_vocabulary(session) if rows else {}
    hits = [
        AddressHit(a.id, a.line1, a.postcode, markers_of(a.markers, vocabulary), a.house_number) for a in rows
    ]
    hits = [hit for hit in hits if hit.markers]  # codes the vocabulary no longer holds are no warning
    hits.sort(key=lambda h: (-max(m.severity for m in h.markers), h.postcode, h.line1, h.id))
    return hits[:limit]


_LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]


async def _at_number(session: AsyncSession, stmt: Any, number: str | None) -> list[Address]:
    """The addresses at that house number; for a bare number none has, those with a letter after it."""
    if number is None:
        return list(await session.scalars(stmt.limit(MAX_CANDIDATES)))
    house = func.upper(Address.house_number)
    rows = list(await session.scalars(stmt.where(house == number).limit(MAX_CANDIDATES)))
    if rows or not number.isdigit():
        return rows
    lettered = [number + letter for letter in _LETTERS]
    return list(await session.scalars(stmt.where(house.in_(lettered)).limit(MAX_CANDIDATES)))
