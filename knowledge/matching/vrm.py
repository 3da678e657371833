"""UK vehicle registration marks: recognising real formats and the misreadings officers make."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

__all__ = [
    "MAX_SUBSTITUTIONS",
    "compact_vrm",
    "is_distinctive_vrm",
    "normalise_vrm",
    "plate_readings",
    "vrm_variants",
]

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

# Characters read or typed for one another: the confusion sets ANPR systems match on. Within a set
# the first pairs are typing slips (I/1, O/0), the rest misreadings of a plate at night or over the
# radio, so at the same number of substitutions a slip ranks first.
_CONFUSION_SETS = ("0ODQ", "1I", "2Z", "5S", "8B", "6G")
_SLIPS = frozenset({("I", "1"), ("1", "I"), ("O", "0"), ("0", "O")})
_CONFUSABLE = {c: [o for o in group if o != c] for group in _CONFUSION_SETS for c in group}
MAX_SUBSTITUTIONS = 2
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


@lru_cache(maxsize=4096)  # the parser tries each group of words, often the same ones
def plate_readings(text: str, max_substitutions: int = MAX_SUBSTITUTIONS) -> tuple[tuple[str, int], ...]:
    """Every reading of a mark within `max_substitutions` confusions that fits a UK format, with its
    number of substitutions: fewest first, then slips before misreadings, then the commoner format."""
    raw = compact_vrm(text)
    if not 1 <= len(raw) <= 7 or not raw.isalnum() or not raw.isascii():
        return ()
    places = [k for k, char in enumerate(raw) if char in _CONFUSABLE]
    scored: dict[str, tuple[int, int, int]] = {}
    for count in range(min(max_substitutions, len(places)) + 1):
        for chosen in itertools.combinations(places, count):
            for swaps in itertools.product(*(_CONFUSABLE[raw[k]] for k in chosen)):
                chars = list(raw)
                for k, char in zip(chosen, swaps, strict=True):
                    chars[k] = char
                candidate = "".join(chars)
                kind = _format_of(candidate)
                if kind is not None and candidate not in scored:
                    misreads = sum((raw[k], c) not in _SLIPS for k, c in zip(chosen, swaps, strict=True))
                    scored[candidate] = (count, misreads, _RANK[kind])
    return tuple((vrm, scored[vrm][0]) for vrm in sorted(scored, key=lambda vrm: (*scored[vrm], vrm)))


def vrm_variants(text: str) -> list[str]:
    """Return the readings of a mark worth searching for, the most likely first (at most 16)."""
    return [vrm for vrm, _ in plate_readings(text)[:_MAX_VARIANTS]]
