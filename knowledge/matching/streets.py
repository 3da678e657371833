"""Street keys: the same normal form for "221b Baker St" in a query and "221B Baker Street" on record."""

from __future__ import annotations

import re

import jellyfish

from knowledge.matching.names import normalise_name

__all__ = ["ABBREVIATIONS", "expand_street", "split_address_line", "street_code"]

ABBREVIATIONS = {
    "st": "street",
    "str": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "cl": "close",
    "cres": "crescent",
    "cresc": "crescent",
    "dr": "drive",
    "gdns": "gardens",
    "pl": "place",
    "sq": "square",
    "ter": "terrace",
    "terr": "terrace",
    "ct": "court",
    "gr": "grove",
    "gro": "grove",
    "pk": "park",
    "hwy": "highway",
    "mt": "mount",
    "blvd": "boulevard",
    "wy": "way",
    "pde": "parade",
    "est": "estate",
}

_HOUSE = re.compile(r"^(?:flat|apartment|apt|unit)?\s*(\d+[a-z]?)\b[\s,]*(.*)$", re.IGNORECASE)


def expand_street(text: str) -> str:
    """Lower-case street name with a trailing abbreviation spelled out (st -> street)."""
    words = normalise_name(text).split()
    if words and words[-1] in ABBREVIATIONS:
        words[-1] = ABBREVIATIONS[words[-1]]
    return " ".join(words)


def split_address_line(line1: str) -> tuple[str, str]:
    """(house number upper case, street key) from a first address line such as 'Flat 3, 12a High St'."""
    text = line1.strip()
    # "Flat 3, 12 High Street": the house number is the last number before the street words.
    parts = [p.strip() for p in text.split(",") if p.strip()]
    candidate = parts[-1] if parts else text
    match = _HOUSE.match(candidate)
    if match:
        return match.group(1).upper(), expand_street(match.group(2))
    return "", expand_street(candidate)


def street_code(street_key: str) -> str:
    """A phonetic code of the street name without its type, so 'Bakr Street' meets 'Baker Street'."""
    words = street_key.split()
    core = words[:-1] if len(words) > 1 and words[-1] in ABBREVIATIONS.values() else words
    return jellyfish.metaphone("".join(core))[:40] if core else ""
