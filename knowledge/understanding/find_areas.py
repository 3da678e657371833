"""An area asked about as a whole: "flagged addresses in NW1", "any flagged premises in romford".

The answer lists the flagged addresses of a postcode district, a full postcode or a town, so that an
officer heading into an area knows its dogs, firearms and officer-safety markers first.
"""

from __future__ import annotations

import re

from knowledge.matching.postcodes import normalise_outward, normalise_postcode

__all__ = ["find_area"]

_PLACES = r"(?:addresses|address|premises|properties|houses|places)"
_ASKED = re.compile(
    rf"\b(?:(?:flagged|marked|dangerous|risky|warning)\s+{_PLACES}|{_PLACES}\s+with\s+(?:warnings|markers|flags))"
    r"\s+(?:in|around|for|within)\s+(?:the\s+)?(?P<area>[^\W_][\w' \-]{0,40}?)"
    r"(?:\s+(?:area|please|pls|thanks|cheers))*\s*[?.!]*$",
    re.IGNORECASE,
)
_TOWN = re.compile(r"[^\W\d_]+(?:['\- ][^\W\d_]+){0,3}")


def find_area(text: str) -> str | None:
    """The area as records hold it: "NW1", "NW1 6XE", or a town in title case; None if none is asked."""
    match = _ASKED.search(text)
    if not match:
        return None
    area = match["area"].strip()
    if postcode := normalise_postcode(area):
        return postcode
    if outward := normalise_outward(area):
        return outward
    return area.title() if _TOWN.fullmatch(area) else None
