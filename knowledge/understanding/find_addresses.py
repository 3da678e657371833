"""House number and street in an officer's words: "history at 221b baker st", "12 NW1 6XE".

A street is read only where a house number or a cue such as "at" or "address" introduces it,
so "any markers on jane street" stays a name. A flat is read first, from the raw text: "flat 2,
221b baker st", "flat 4 at 12 high road" and the shorthand "23/65 nicholson street" (flat 23 of
number 65), so that the house number left behind is the building's.
"""

from __future__ import annotations

import itertools
import re

from knowledge.matching.streets import ABBREVIATIONS
from knowledge.understanding.tokens import Token

__all__ = ["STREET_TYPES", "find_flat", "find_street", "number_before", "street_reading", "town_after"]

STREET_TYPES = (
    frozenset(ABBREVIATIONS)
    | frozenset(ABBREVIATIONS.values())
    | frozenset(
        (
            "way",
            "walk",
            "row",
            "mews",
            "hill",
            "green",
            "rise",
            "view",
            "vale",
            "wharf",
            "yard",
            "gate",
            "circus",
            "approach",
            "broadway",
            "chase",
            "croft",
            "embankment",
            "end",
            "fields",
            "heights",
            "meadow",
            "meadows",
            "parkway",
            "quay",
            "villas",
            "wynd",
        )
    )
)
_STREET_WORDS = STREET_TYPES | {"the"}  # "st" in "st john's road" has no vowel, so is no name word
_NUMBER = r"\d{1,4}[a-z]?"
_STREET_AHEAD = rf"(?=\s*{_NUMBER}\s+(?:[^\W\d][\w'\-]*\s+){{1,3}}(?:{'|'.join(sorted(STREET_TYPES))})\b)"
_FLAT_WORD = r"\b(?:flat|apartment|apt|unit)\s*(?:no\.?\s*)?"
_FLAT = [
    re.compile(rf"{_FLAT_WORD}(?P<flat>{_NUMBER})\s*,?\s*(?:at\s+|of\s+)?(?=\d)", re.I),  # flat 2, 221b
    re.compile(rf"(?<![\w/])(?P<flat>{_NUMBER})\s*/{_STREET_AHEAD}", re.I),  # 23/65 nicholson street
]
_STREET_CUES = frozenset({"at", "address", "addy", "premises", "property", "history", "of"})


def find_flat(text: str) -> tuple[str, tuple[int, int]] | None:
    """The flat number (upper case) and the stretch that gave it, leaving the house number after it."""
    for form in _FLAT:
        if match := form.search(text):
            return match["flat"].upper(), match.span()
    return None


def find_street(tokens: list[Token]) -> tuple[dict[str, str], list[Token]]:
    """House number and street, and the tokens they used; nothing without a number or a cue."""
    for j, suffix in enumerate(tokens):
        if j == 0 or suffix.lower not in STREET_TYPES:
            continue
        i = j
        # Up to three words before the street type: "baker st", "st john's wood road", "the crescent".
        while i > 0 and j - i < 3 and (tokens[i - 1].kind == "name" or tokens[i - 1].lower in _STREET_WORDS):
            i -= 1
            if tokens[i].lower == "the":
                break
        before = tokens[i - 1] if i > 0 else None
        if i == j or before is None:
            continue
        # The officer's spelling, lower case, with only the street type spelled out ("st" -> "street").
        street = " ".join([*(t.lower for t in tokens[i:j]), ABBREVIATIONS.get(suffix.lower, suffix.lower)])
        if before.kind == "number":
            return {"house_number": before.word.upper(), "street": street}, tokens[i - 1 : j + 1]
        if before.word in _STREET_CUES:
            return {"street": street}, tokens[i : j + 1]
    return {}, []


def town_after(tokens: list[Token], street: list[Token]) -> tuple[str, list[Token]]:
    """A town named straight after the street ("5 high st croydon", "baker street, london"), up to
    two words, and the tokens it used: it narrows the streets of that name, and is never a name."""
    if not street:
        return "", []
    after = tokens.index(street[-1]) + 1
    while after < len(tokens) and (tokens[after].kind == "comma" or tokens[after].lower == "in"):
        after += 1
    words = []
    for token in tokens[after : after + 2]:
        if token.kind != "name":
            break
        words.append(token)
    return " ".join(t.lower for t in words), words


# Street types that are seldom a name: "baker street" alone may be the street, "jo green" is a name.
_STREET_NOT_NAME = frozenset(
    {"street", "road", "avenue", "crescent", "drive", "gardens", "terrace", "mews", "parade", "square"}
    | {"boulevard", "embankment", "broadway", "approach", "highway", "villas"}
)


def street_reading(tokens: list[Token]) -> dict[str, str]:
    """The street (and town after it) that name-like words may be: "baker street", "high road romford".

    Only the words of a name are read, and only when a street type seldom a name ends up to three of
    them; the answer tries it when the name finds no one of that exact name.
    """
    words = [t for t in tokens if t.kind == "name"]
    for n, token in enumerate(words):
        if token.lower in _STREET_NOT_NAME and 1 <= n <= 3 and len(words) - n - 1 <= 2:
            after = " ".join(t.lower for t in words[n + 1 :])
            return {"street": " ".join(t.lower for t in words[: n + 1])} | ({"town": after} if after else {})
    return {}


def number_before(tokens: list[Token], postcode_start: int) -> dict[str, str]:
    """A house number given straight before a postcode ("12 NW1 6XE"), consuming its token."""
    for token, nxt in itertools.pairwise(tokens):
        if token.kind == "number" and nxt.kind == "slot" and nxt.start == postcode_start:
            token.kind = "slot"
            return {"house_number": token.word.upper()}
    return {}
