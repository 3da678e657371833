"""UK vehicle registration marks: recognising real formats and the misreadings officers make."""

from __future__ import annotations

import itertools
import re

__all__ = ["compact_vrm", "is_distinctive_vrm", "normalise_vrm", "vrm_variants"]

# Ordered from the most to the least common on the road today, which is also the order in
# which an ambiguous reading is offered.
_PATTERNS: dict[str, re.Pattern[str]] = {
    # two letters, two digits, three letters (AB12CDE), since 2001
    "current": re.compile(r"[A-Z]{2}[0-9]{2}[A-Z]{3}"),
    # one letter, one to three digits, three letters (A123BCD), 1983-2001
    "prefix": re.compile(r"[A-Z][0-9]{1,3}[A-Z]{3}"),
    # three letters, one to three digits, one letter (ABC123D), 1963-1983
    "suffix": re.compile(r"[A-Z]{3}[0-9]{1,3}[A-Z]"),
    # three letters including I or Z, up to four digits (ABZ1234)
    "northern_ireland": re.compile(r"(?=[A-Z]{3}[0-9]{1,4}$)[A-Z]*[IZ][A-Z]*[0-9]{1,4}"),
    # one to three letters and one to four digits, either way round (A1, 123ABC)
    "dateless": re.compile(r"[A-Z]{1,3}[0-9]{1,4}|[0-9]{1,4}[A-Z]{1,3}"),
}
_RANK = {name: rank for rank, name in enumerate(_PATTERNS)}

# Characters read or typed for one another, with a cost: I/1 and O/0 are the classic
# typing slips; S/5 and B/8 are misreadings of a plate seen at night, so they rank later.
_CONFUSABLE = {"I": ("1", 1), "1": ("I", 1), "O": ("0", 1), "0": ("O", 1),
               "S": ("5", 2), "5": ("S", 2), "B": ("8", 2), "8": ("B", 2)}
_MAX_VARIANTS = 16
_SEPARATORS = re.compile(r"[\s\-.]+")


def compact_vrm(text: str) -> str:
    """The mark as stored and indexed: upper case, without spaces, hyphens or dots."""
    return _SEPARATORS.sub("", str(text)).upper()


def _format_of(vrm: str) -> str | None:
    """Name of the first format the compact mark fits, or None."""
    if not vrm.isascii():
        return None
    return next((name for name, pattern in _PATTERNS.items() if pattern.fullmatch(vrm)), None)


def normalise_vrm(text: str) -> str | None:
    """Return the mark upper case without spaces if it fits a UK format, so it can key a lookup."""
    vrm = compact_vrm(text)
    return vrm if len(vrm) <= 7 and _format_of(vrm) else None


def is_distinctive_vrm(vrm: str) -> bool:
    """True for current, prefix and suffix marks, which do not look like ordinary words or numbers."""
    return _format_of(compact_vrm(vrm)) in {"current", "prefix", "suffix"}


def vrm_variants(text: str) -> list[str]:
    """Return the readings of a mark worth searching for, the most likely first (at most 16)."""
    raw = compact_vrm(text)
    if not 1 <= len(raw) <= 7 or not raw.isalnum() or not raw.isascii():
        return []
    options = [[(char, 0)] + ([_CONFUSABLE[char]] if char in _CONFUSABLE else []) for char in raw]
    scored: dict[str, tuple[int, int]] = {}
    for combo in itertools.product(*options):
        candidate = "".join(char for char, _ in combo)
        kind = _format_of(candidate)
        if kind is not None:
            scored[candidate] = (sum(cost for _, cost in combo), _RANK[kind])
    return sorted(scored, key=lambda vrm: (*scored[vrm], vrm))[:_MAX_VARIANTS]
