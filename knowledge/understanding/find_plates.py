"""Registration marks in an officer's words, and the description of the vehicle around them.

A mark may be typed across words ("ab12 cde", "Y H 15 NBN"). Next to a mark, words such as
"silver astra" describe the vehicle; many are also surnames (Silver, Ford, Brown), so they are
set aside only in a query that gives a mark, and only when no other name word sits with them.
"""

from __future__ import annotations

import itertools
import re

from knowledge.matching.vrm import is_distinctive_vrm, normalise_vrm, plate_readings
from knowledge.understanding.tokens import Token

__all__ = ["find_partial_vrm", "find_vrm", "find_vrms", "set_aside_descriptions"]

# The first half of a current mark and perhaps a letter or two more: what an officer caught of it.
_PARTIAL = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z]{0,2}")
_NOT_IN_MARKS = frozenset({"keyword", "filler", "comma"})
_PARTIAL_CUES = frozenset({"partial", "part", "starting", "starts", "begins", "something", "unknown"})

_DESCRIPTIONS = frozenset(
    (
        # colours and finishes
        "black",
        "white",
        "silver",
        "grey",
        "gray",
        "red",
        "blue",
        "green",
        "yellow",
        "orange",
        "purple",
        "brown",
        "gold",
        "maroon",
        "beige",
        "bronze",
        "navy",
        "pink",
        "dark",
        "light",
        "metallic",
        "matt",
        # body types
        "hatchback",
        "hatch",
        "saloon",
        "estate",
        "coupe",
        "convertible",
        "suv",
        "pickup",
        "minibus",
        "scooter",
        "moped",
        "taxi",
        "cab",
        "tipper",
        "flatbed",
        "camper",
        "motorhome",
        "caravan",
        # makes
        "ford",
        "vauxhall",
        "volkswagen",
        "audi",
        "mercedes",
        "merc",
        "benz",
        "toyota",
        "nissan",
        "honda",
        "peugeot",
        "citroen",
        "renault",
        "kia",
        "hyundai",
        "skoda",
        "seat",
        "fiat",
        "mini",
        "land",
        "range",
        "rover",
        "jaguar",
        "volvo",
        "mazda",
        "suzuki",
        "dacia",
        "tesla",
        "lexus",
        "porsche",
        "subaru",
        "mitsubishi",
        "alfa",
        "romeo",
        "jeep",
        "saab",
        "yamaha",
        "kawasaki",
        "ducati",
        "triumph",
        "iveco",
        "daf",
        "scania",
        "isuzu",
        "cupra",
        "polestar",
        # common models
        "fiesta",
        "focus",
        "mondeo",
        "kuga",
        "galaxy",
        "ka",
        "puma",
        "ranger",
        "transit",
        "connect",
        "corsa",
        "astra",
        "insignia",
        "vectra",
        "zafira",
        "mokka",
        "vivaro",
        "golf",
        "polo",
        "passat",
        "tiguan",
        "caddy",
        "transporter",
        "sprinter",
        "vito",
        "yaris",
        "corolla",
        "aygo",
        "prius",
        "micra",
        "qashqai",
        "juke",
        "navara",
        "civic",
        "jazz",
        "clio",
        "megane",
        "kangoo",
        "sportage",
        "picanto",
        "ceed",
        "tucson",
        "octavia",
        "fabia",
        "superb",
        "ibiza",
        "leon",
        "punto",
        "panda",
        "evoque",
        "discovery",
        "defender",
        "sandero",
        "duster",
        "swift",
        "berlingo",
        "partner",
        "model",
        "series",
        "class",
        "c-class",
        "cooper",
        "bmw",
        "mercedes-benz",
    )
)


def _compact(group: list[Token]) -> str | None:
    """The characters of a group of words that could be a mark, or None."""
    # Words are not parts of a mark, but a lone letter may be: "plate A 1".
    if any(t.kind == "slot" or (t.kind in _NOT_IN_MARKS and len(t.lower) > 1) for t in group):
        return None
    compact = "".join(t.lower for t in group).replace("-", "")
    if len(compact) > 7 or not compact.isascii() or not compact.isalnum():
        return None
    return compact


def _reading(group: list[Token], compact: str, vehicle_context: bool) -> str | None:
    # Letters alone are a word, unless a vehicle question reads one typed as a mark ("plate AWSGNJY").
    if compact.isalpha() and not (vehicle_context and len(group) == 1 and len(compact) >= 6):
        return None
    if compact.isalpha() and group[0].lower in _DESCRIPTIONS:
        return None
    if vrm := normalise_vrm(compact):
        return vrm
    # "AB I2 CDE", "8D51 5MR": a mark misread. Taken in a vehicle question, or outside one when the
    # word is as long as only a mark is and mixes letters and digits.
    if vehicle_context or (len(compact) >= 6 and not compact.isdigit()):
        return next((v for v, _ in plate_readings(compact) if is_distinctive_vrm(v)), None)
    return None


def find_vrm(tokens: list[Token], vehicle_context: bool) -> tuple[str, list[Token]] | None:
    """The first registration mark and the tokens it was read from."""
    alone = all(t.kind in {"other", "number", "name"} for t in tokens)
    described = _described(tokens)
    vehicle_context = vehicle_context or described
    partial_cue = any(t.lower in _PARTIAL_CUES for t in tokens)
    # Current, prefix and suffix marks are taken anywhere; a dateless mark (A1, 221B) looks too
    # much like a house number or a word, so it needs a vehicle word or to stand alone; and next to
    # a description or "partial", PH71 is the start of a current mark, not a dateless one.
    for distinctive_only in (True, False):
        for i in range(len(tokens)):
            for n in range(min(7, len(tokens) - i), 0, -1):
                group = tokens[i : i + n]
                compact = _compact(group)
                if compact is None or (vrm := _reading(group, compact, vehicle_context)) is None:
                    continue
                # "part reg sh53 red skoda": said to be partial, the colour does not end the mark.
                if partial_cue and group[-1].lower in _DESCRIPTIONS:
                    continue
                if is_distinctive_vrm(vrm):
                    return vrm, group
                start_of_a_mark = described and _PARTIAL.fullmatch(vrm)
                if not distinctive_only and (vehicle_context or alone) and not start_of_a_mark:
                    return vrm, group
    return None


def find_vrms(tokens: list[Token], vehicle_context: bool) -> list[tuple[str, list[Token]]]:
    """Every registration mark, in the order given, each with the tokens it was read from (consumed)."""
    found: list[tuple[str, list[Token]]] = []
    # Once one mark is found, the message is about vehicles: "FKZ 6154 and wr06rwk" has two.
    while len(found) < 8 and (mark := find_vrm(tokens, vehicle_context or bool(found))):
        found.append(mark)
        for token in mark[1]:
            token.kind = "slot"
    return sorted(found, key=lambda mark: mark[1][0].start)


def find_partial_vrm(tokens: list[Token]) -> tuple[str, list[Token]] | None:
    """The start of a current mark ("ph71", "ph71 a") given with a description or as partial."""
    if not _described(tokens):
        return None
    for i in range(len(tokens)):
        for n in range(min(3, len(tokens) - i), 0, -1):
            group = tokens[i : i + n]
            if (compact := _compact(group)) and _PARTIAL.fullmatch(compact.upper()):
                return compact.upper(), group
    return None


def _described(tokens: list[Token]) -> bool:
    """Whether a vehicle is described ("silver ford", "grey vauxhall corsa") or a mark said to be partial.

    One such word is not enough: Brown, Ford and Silver are surnames too.
    """
    if any(t.lower in _PARTIAL_CUES for t in tokens):
        return True
    return sum(t.lower in _DESCRIPTIONS for t in tokens if t.kind in {"name", "other"}) >= 2


def set_aside_descriptions(tokens: list[Token]) -> None:
    """Make fillers of name words that together only describe a vehicle ("a silver astra")."""
    for is_name, run in itertools.groupby(tokens, key=lambda t: t.kind == "name"):
        words = list(run)
        if is_name and all(t.lower in _DESCRIPTIONS for t in words):
            for token in words:
                token.kind = "filler"
