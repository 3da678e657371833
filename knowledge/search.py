"""Finding records from what an officer typed: block candidates through indexed keys, then rank.

Persons: candidates come from the union of phonetic name keys (names.py) and date-of-birth variants
(exact, day/month swapped, year +/- 1); rapidfuzz and date agreement rank them (scoring.py). A
soundex + initial key widens the net only when the first pass finds nothing convincing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.models import Address, Person, PersonKey, Vehicle
from knowledge.names import name_keys
from knowledge.scoring import PersonQuery, ScoredPerson, score_person
from knowledge.streets import expand_street, street_code
from knowledge.vrm import vrm_variants

__all__ = ["CONVINCING", "AddressQuery", "dob_variants", "find_addresses", "find_persons", "find_vehicle"]

MAX_CANDIDATES = 3000
CONVINCING = 85.0


def dob_variants(dob: dt.date) -> list[dt.date]:
    """The dates an officer or a record may have meant: exact, day/month swapped, a year either side."""
    found = [dob]
    if dob.day <= 12 and dob.day != dob.month:
        found.append(dob.replace(day=dob.month, month=dob.day))
    for years in (-1, 1):
        with contextlib.suppress(ValueError):  # 29 February has no twin a year away
            found.append(dob.replace(year=dob.year + years))
    return found


async def _ids_by_keys(session: AsyncSession, keys: set[int]) -> set[str]:
    if not keys:
        return set()
    rows = await session.scalars(
        select(PersonKey.person_id).where(PersonKey.key.in_(keys)).limit(MAX_CANDIDATES)
    )
    return set(rows)


async def _rows(session: AsyncSession, where) -> list[Person]:  # type: ignore[no-untyped-def]
    return list(await session.scalars(select(Person).where(where).limit(MAX_CANDIDATES)))


def _rank(query: PersonQuery, people: list[Person], today: dt.date) -> list[ScoredPerson]:
    scored = (score_person(query, p, today) for p in people)
    return sorted(scored, key=lambda s: (-s.score, s.person_id))


async def find_persons(session: AsyncSession, query: PersonQuery, today: dt.date) -> list[ScoredPerson]:
    """Every candidate worth showing, best first."""
    people: dict[str, Person] = {}
    if query.dob is not None:
        for person in await _rows(session, Person.date_of_birth.in_(dob_variants(query.dob))):
            people[person.id] = person
    if query.forenames:
        kinds = "S" if len(query.forenames.split()[0]) == 1 else "MN"
        ids = await _ids_by_keys(session, name_keys(query.forenames, query.surname, kinds)) - people.keys()
        if ids:
            for person in await _rows(session, Person.id.in_(ids)):
                people[person.id] = person
    ranked = _rank(query, list(people.values()), today)
    if query.forenames and (not ranked or ranked[0].score < CONVINCING):
        wider = await _ids_by_keys(session, name_keys(query.forenames, query.surname, "S")) - people.keys()
        if wider:
            more = await _rows(session, Person.id.in_(wider))
            ranked = _rank(query, list(people.values()) + more, today)
    return ranked


async def find_vehicle(session: AsyncSession, vrm: str) -> tuple[Vehicle | None, str]:
    """The vehicle for a VRM, trying I/1 and O/0 confusions; returns (vehicle, the VRM that matched)."""
    variants = vrm_variants(vrm) or [vrm]
    rows = {v.vrm: v for v in await session.scalars(select(Vehicle).where(Vehicle.vrm.in_(variants)))}
    for candidate in variants:
        if candidate in rows:
            return rows[candidate], candidate
    return None, variants[0]


@dataclass(frozen=True)
class AddressQuery:
    postcode: str | None = None
    house_number: str | None = None
    street: str | None = None


async def find_addresses(session: AsyncSession, query: AddressQuery, limit: int = 8) -> list[Address]:
    """Addresses by postcode, house number and fuzzy street, best first."""
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
    if query.house_number:
        stmt = stmt.where(func.upper(Address.house_number) == query.house_number.upper())
    rows = list(await session.scalars(stmt.limit(MAX_CANDIDATES)))
    if street:
        rows = [a for a in rows if fuzz.ratio(a.street_key, street) >= 75]
        rows.sort(key=lambda a: (-fuzz.ratio(a.street_key, street), a.id))
    else:
        rows.sort(key=lambda a: (a.street_key, a.house_number, a.id))
    return rows[:limit]
