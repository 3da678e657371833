"""Which way round a name was typed when nothing in the message says so.

A comma or a surname in capitals settles it ("SMITH, John", "SMITH John"). Without them, lists of
common British forenames and surnames make one order likelier: "smith john" and "fox nicole" are
surname first, "john smith" is not. The lists only rank the two readings; the other one is always
offered as well, so that the records decide when the lists do not know a name.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from knowledge.matching.names import normalise_name
from knowledge.matching.nicknames import has_nicknames

__all__ = ["is_forename", "is_surname", "order_evidence"]


def _key(word: str) -> str:
    return normalise_name(word).replace(" ", "")


@cache
def _listed(kind: str) -> frozenset[str]:
    text = files("knowledge.understanding").joinpath("data", f"{kind}.txt").read_text(encoding="utf-8")
    return frozenset(_key(line) for line in text.splitlines() if line and not line.startswith("#"))


def is_forename(word: str) -> bool:
    key = _key(word)
    return key in _listed("forenames") or has_nicknames(key)


def is_surname(word: str) -> bool:
    """A listed surname, or a double-barrelled one whose every part is ("hart-king")."""
    parts = [p for p in word.split("-") if p]
    if len(parts) > 1:
        return all(is_surname(part) for part in parts)
    return _key(word) in _listed("surnames")


def order_evidence(first: str, last: str) -> tuple[int, int]:
    """How far the lists support each order of a name: (forename first, surname first), 0 to 2 each."""
    return is_forename(first) + is_surname(last), is_surname(first) + is_forename(last)
