"""UK postcodes: the official shape, so an address search keys on one spelling of each."""

from __future__ import annotations

import re

__all__ = ["find_postcode", "normalise_postcode"]

# Royal Mail's rules: the first letter is never Q, V or X; the second never I, J or Z; the
# inward letters never C, I, K, M, O or V (they look like other characters when handwritten).
_OUTWARD = (
    r"(?:[A-PR-UWYZ][A-HK-Y]?[0-9]{1,2}"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
)
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_COMPACT = re.compile(rf"({_OUTWARD})({_INWARD})")
# Inside a sentence: any spacing between the halves, and no letter or digit glued to either end.
_IN_TEXT = re.compile(rf"(?<![^\W_])({_OUTWARD})\s*({_INWARD})(?![^\W_])", re.IGNORECASE)

Span = tuple[int, int]


def normalise_postcode(text: str) -> str | None:
    """Return the postcode as Royal Mail writes it (`NW1 6XE`), or None if it is not one."""
    match = _COMPACT.fullmatch("".join(str(text).split()).upper())
    return f"{match[1]} {match[2]}" if match and str(text).isascii() else None


def find_postcode(text: str) -> tuple[str, Span] | None:
    """Return the first postcode in a sentence, normalised, with where it was found."""
    for match in _IN_TEXT.finditer(text):
        # IGNORECASE lets a few non-ASCII letters (the Kelvin sign, long s) through; re-check.
        if postcode := normalise_postcode(match[0]):
            return postcode, match.span()
    return None
