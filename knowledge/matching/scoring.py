"""How alike a recorded person is to what the officer said: pure functions, 0-100.

Names are compared with rapidfuzz (Indel ratio and Jaro-Winkler averaged, a bonus when the metaphone
codes agree), forenames through nickname groups, and the date of birth by kind of agreement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Protocol

import jellyfish
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

from knowledge.matching.names import comparable, normalise_name, split_full_name
from knowledge.matching.nicknames import forename_groups

__all__ = [
    "CONVINCING",
    "DobMatch",
    "PersonQuery",
    "ScoredPerson",
    "dob_match",
    "name_similarity",
    "score_person",
]


CONVINCING = 85.0  # a score at which a name alone is worth showing


class DobMatch(Enum):
    EXACT = "exact"
    SWAPPED = "day and month swapped"
    NEAR = "a year out"
    YEAR = "same year"
    DIFFERENT = "different"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PersonQuery:
    forenames: str = ""
    surname: str = ""
    dob: dt.date | None = None
    birth_year: int | None = None
    age: int | None = None
    age_range: tuple[int, int] | None = None  # an estimate: "about 40" is 35 to 45


class PersonRow(Protocol):
    id: str
    forenames: str
    surname: str
    date_of_birth: dt.date | None
    aliases: str


@dataclass(frozen=True)
class ScoredPerson:
    person_id: str
    score: float
    name_score: float
    dob: DobMatch


_metaphone = lru_cache(maxsize=65536)(jellyfish.metaphone)


def _word_similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    base = (fuzz.ratio(a, b) + 100 * JaroWinkler.normalized_similarity(a, b)) / 2
    if _metaphone(a) == _metaphone(b):
        base += 8
    return min(base, 99.0)


def _forename_similarity(said: str, recorded: str) -> float:
    said_first = said.split()[0] if said else ""
    names = recorded.split()
    if not said_first or not names:
        return 0.0
    if len(said_first) == 1:  # an initial
        return 85.0 if names[0].startswith(said_first) else (70.0 if recorded.startswith(said_first) else 0.0)
    best = 0.0
    for position, name in enumerate(names):
        penalty = 0 if position == 0 else 8  # a middle name is a weaker match than a first name
        if forename_groups(said_first) & forename_groups(name):
            score = 100.0 if said_first == name else 94.0
        else:
            score = _word_similarity(said_first, name)
        best = max(best, score - penalty)
    return best


@lru_cache(maxsize=65536)  # names repeat: the same (query, name) pair is scored once
def name_similarity(query: PersonQuery, forenames: str, surname: str) -> float:
    """0-100 for one recorded name against the officer's words."""
    said_surname = comparable("".join(normalise_name(query.surname).split()))
    rec_surname = comparable("".join(normalise_name(surname).split()))
    sur = _word_similarity(said_surname, rec_surname)
    parts = normalise_name(surname).split()
    if len(parts) > 1:  # double-barrelled: either half may be what the officer knows them by
        sur = max(sur, *(_word_similarity(said_surname, comparable(p)) - 5 for p in parts))
    if not query.forenames:
        return sur
    fore = _forename_similarity(normalise_name(query.forenames), normalise_name(forenames))
    return 0.55 * sur + 0.45 * fore


def dob_match(query: PersonQuery, recorded: dt.date | None, today: dt.date) -> DobMatch:
    if recorded is None:
        return DobMatch.UNKNOWN
    if query.dob is not None:
        said = query.dob
        if said == recorded:
            return DobMatch.EXACT
        if (said.day, said.month, said.year) == (recorded.month, recorded.day, recorded.year):
            return DobMatch.SWAPPED
        if (said.day, said.month) == (recorded.day, recorded.month) and abs(said.year - recorded.year) == 1:
            return DobMatch.NEAR
        return DobMatch.DIFFERENT
    if query.birth_year is None and query.age_range is not None:
        low, high = query.age_range
        age = today.year - recorded.year - ((today.month, today.day) < (recorded.month, recorded.day))
        if low <= age <= high:
            return DobMatch.YEAR
        return DobMatch.NEAR if low - 1 <= age <= high + 1 else DobMatch.DIFFERENT
    year = query.birth_year
    if year is None and query.age is not None:
        year = (
            today.year - query.age - (1 if (recorded.month, recorded.day) > (today.month, today.day) else 0)
        )
    if year is None:
        return DobMatch.UNKNOWN
    if recorded.year == year:
        return DobMatch.YEAR
    return DobMatch.NEAR if abs(recorded.year - year) == 1 else DobMatch.DIFFERENT


_DOB_POINTS = {
    DobMatch.EXACT: 100.0,
    DobMatch.SWAPPED: 80.0,
    DobMatch.NEAR: 75.0,
    DobMatch.YEAR: 95.0,
    DobMatch.DIFFERENT: 0.0,
}


def score_person(query: PersonQuery, person: PersonRow, today: dt.date) -> ScoredPerson:
    """The best of the recorded name and the aliases, blended with date-of-birth agreement."""
    name = name_similarity(query, person.forenames, person.surname)
    for alias in filter(None, person.aliases.split(";")):
        name = max(name, name_similarity(query, *split_full_name(alias)) - 2)
    match = dob_match(query, person.date_of_birth, today)
    said_a_date = query.dob is not None or query.birth_year is not None or query.age is not None
    ignore_dob = not said_a_date or match is DobMatch.UNKNOWN
    score = name if ignore_dob else 0.6 * name + 0.4 * _DOB_POINTS[match]
    return ScoredPerson(person.id, round(score, 1), round(name, 1), match)
