"""UK postcodes: the official shape, so an address search keys on one spelling of each."""

from __future__ import annotations

import re

__all__ = ["find_postcode", "in_a_postcode_area", "normalise_outward", "normalise_postcode"]

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

# Royal Mail's postcode areas, and the Crown Dependencies' (GY, JE, IM).
_AREA_CODES = (
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH "
    "EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME "
    "MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW "
    "SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"
)
_AREAS = frozenset(_AREA_CODES.split())


def normalise_postcode(text: str) -> str | None:
    """Return the postcode as Royal Mail writes it (`NW1 6XE`), or None if it is not one."""
    match = _COMPACT.fullmatch("".join(str(text).split()).upper())
    return f"{match[1]} {match[2]}" if match and str(text).isascii() else None


def normalise_outward(text: str) -> str | None:
    """The outward half of a postcode, a district ("nw1" -> "NW1"), or None if it is not one."""
    compact = "".join(str(text).split()).upper()
    return compact if re.fullmatch(_OUTWARD, compact) and compact.isascii() else None


def find_postcode(text: str) -> tuple[str, Span] | None:
    """Return the first postcode in a sentence, normalised, with where it was found."""
    for match in _IN_TEXT.finditer(text):
        # IGNORECASE lets a few non-ASCII letters (the Kelvin sign, long s) through; re-check.
        if postcode := normalise_postcode(match[0]):
            return postcode, match.span()
    return None


def in_a_postcode_area(postcode: str) -> bool:
    """Whether a postcode's letters name a real area: "KM64 6XE" has the shape but no such area."""
    return "".join(c for c in postcode.split()[0] if c.isalpha()) in _AREAS if postcode.strip() else False
