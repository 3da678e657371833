"""Registration marks in an officer's words, and the description of the vehicle around them.

A mark may be typed across words ("ab12 cde", "Y H 15 NBN"). Next to a mark, words such as
"silver astra" describe the vehicle; many are also surnames (Silver, Ford, Brown), so they are
set aside only in a query that gives a mark, and only when no other name word sits with them.
"""

from __future__ import annotations

import itertools

from knowledge.matching.vrm import is_distinctive_vrm, normalise_vrm, vrm_variants
from knowledge.understanding.tokens import Token

__all__ = ["find_vrm", "set_aside_descriptions"]

_DESCRIPTIONS = frozenset(
    (
        # colours and finishes
        "black", "white", "silver", "grey", "gray", "red", "blue", "green", "yellow", "orange", "purple",
        "brown", "gold", "maroon", "beige", "bronze", "navy", "pink", "dark", "light", "metallic", "matt",
        # body types
        "hatchback", "hatch", "saloon", "estate", "coupe", "convertible", "suv", "pickup", "minibus",
        "scooter", "moped", "taxi", "cab", "tipper", "flatbed", "camper", "motorhome", "caravan",
        # makes
        "ford", "vauxhall", "volkswagen", "audi", "mercedes", "merc", "benz", "toyota",
        "nissan", "honda", "peugeot", "citroen", "renault", "kia", "hyundai", "skoda", "seat", "fiat",
        "mini", "land", "range", "rover", "jaguar", "volvo", "mazda", "suzuki", "dacia", "tesla", "lexus",
        "porsche", "subaru", "mitsubishi", "alfa", "romeo", "jeep", "saab", "yamaha", "kawasaki",
        "ducati", "triumph", "iveco", "daf", "scania", "isuzu", "cupra", "polestar",
        # common models
        "fiesta", "focus", "mondeo", "kuga", "galaxy", "ka", "puma", "ranger", "transit", "connect",
        "corsa", "astra", "insignia", "vectra", "zafira", "mokka", "vivaro", "golf", "polo", "passat",
        "tiguan", "caddy", "transporter", "sprinter", "vito", "yaris", "corolla", "aygo", "prius",
        "micra", "qashqai", "juke", "navara", "civic", "jazz", "clio", "megane", "kangoo", "sportage",
        "picanto", "ceed", "tucson", "octavia", "fabia", "superb", "ibiza", "leon", "punto", "panda",
        "evoque", "discovery", "defender", "sandero", "duster", "swift", "berlingo", "partner",
    )
)


def find_vrm(tokens: list[Token], vehicle_context: bool) -> tuple[str, list[Token]] | None:
    """The first registration mark and the tokens it was read from."""
    alone = all(t.kind in {"other", "number", "name"} for t in tokens)
    # Current, prefix and suffix marks are taken anywhere; a dateless mark (A1, 221B) looks too
    # much like a house number or a word, so it needs a vehicle word or to stand alone.
    for distinctive_only in (True, False):
        for i in range(len(tokens)):
            for n in range(min(7, len(tokens) - i), 0, -1):
                group = tokens[i : i + n]
                # Words are not parts of a mark, but a lone letter may be: "plate A 1".
                if any(t.kind in {"keyword", "filler", "slot", "comma"} and len(t.lower) > 1 for t in group):
                    continue
                compact = "".join(t.lower for t in group).replace("-", "")
                if len(compact) > 7 or not compact.isascii() or not compact.isalnum() or compact.isalpha():
                    continue
                vrm = normalise_vrm(compact)
                if vrm is None and vehicle_context:  # "AB I2 CDE": a misreading, in a vehicle question
                    vrm = next((v for v in vrm_variants(compact) if is_distinctive_vrm(v)), None)
                if vrm and (is_distinctive_vrm(vrm) or (not distinctive_only and (vehicle_context or alone))):
                    return vrm, group
    return None


def set_aside_descriptions(tokens: list[Token]) -> None:
    """Make fillers of name words that together only describe a vehicle ("a silver astra")."""
    for is_name, run in itertools.groupby(tokens, key=lambda t: t.kind == "name"):
        words = list(run)
        if is_name and all(t.lower in _DESCRIPTIONS for t in words):
            for token in words:
                token.kind = "filler"
