"""Cleaning of officer input: the one place that decides which characters a query may contain.

And the one measure of text length as Telegram counts it.
"""

from __future__ import annotations

import unicodedata

__all__ = ["clean_text", "utf16_length"]

# Categories that carry no visible text: controls, formatting (zero-width, bidi overrides,
# BOM), surrogates, private use and unassigned code points. Bidi controls can make a
# message read differently on screen than in the log, so none of them survives.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def _visible(text: str) -> str:
    """Turn every kind of whitespace into a space and drop invisible characters."""
    out = []
    for char in text:
        if char.isspace():
            out.append(" ")
        elif unicodedata.category(char) not in _INVISIBLE:
            out.append(char)
    return "".join(out)


def _clean_once(text: str, max_chars: int) -> str:
    # Dropping a zero-width joiner can bring a base letter and its accent together, so
    # the text is normalised after filtering, and filtered again in case NFKC produced
    # something new.
    text = _visible(unicodedata.normalize("NFKC", _visible(text)))
    return " ".join(text.split())[: max(max_chars, 0)].rstrip()


def clean_text(text: str, max_chars: int = 500) -> str:
    """Return text safe to match and log: NFKC, visible characters only, single spaces, bounded."""
    if not isinstance(text, str):
        return ""
    if text.isascii() and text.isprintable():
        # Nothing to normalise or drop (the only whitespace is the space): what the passes below
        # would return, at C speed. Imports clean millions of such values.
        return " ".join(text.split())[: max(max_chars, 0)].rstrip()
    cleaned = _clean_once(text, max_chars)
    # Truncation can split a letter from its combining accent; another pass makes
    # clean_text idempotent, which callers rely on when they clean twice. Bounded, so a
    # pathological string costs a few passes, never a hang.
    for _ in range(3):
        again = _clean_once(cleaned, max_chars)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


def utf16_length(text: str) -> int:
    """The length Telegram counts and limits: UTF-16 code units, so an emoji counts two."""
    # surrogatepass: a lone surrogate (never valid text, but a forged update can carry one) counts as
    # the one unit it is instead of raising.
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2
