"""Name normalisation and the blocking keys that make fuzzy person search a few indexed look-ups.

A person is keyed under several phonetic codes of (surname, first forename), for the name on the
record and for every alias, and for every nickname group the forename belongs to. A query computes
the same keys; any shared key makes a person a candidate, and rapidfuzz then ranks the candidates.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import jellyfish

from knowledge.matching.nicknames import forename_groups

__all__ = [
    "comparable",
    "name_keys",
    "normalise_name",
    "person_keys",
    "split_full_name",
    "surname_forms",
]

_APOSTROPHES = "'’‘`´"
_NOT_LETTER = re.compile(r"[^a-z ]+")


def normalise_name(text: str) -> str:
    """Lower case ASCII letters and single spaces: accents folded, apostrophes dropped, hyphens spaced."""
    folded = unicodedata.normalize("NFKD", text)
    if (
        not folded.isascii()
    ):  # most names are plain ASCII: skip the per-character pass (a bulk import's hot spot)
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = folded.lower()
    for mark in _APOSTROPHES:
        folded = folded.replace(mark, "")
    return " ".join(_NOT_LETTER.sub(" ", folded).split())


def comparable(name: str) -> str:
    """A normalised name with Mac/Mc unified, for string similarity (MacDonald ~ McDonald)."""
    return " ".join("mc" + w[3:] if w.startswith("mac") and len(w) > 5 else w for w in name.split())


def surname_forms(surname: str) -> list[str]:
    """The joined surname and, for double-barrelled names, each part (Smith-Jones is found as Jones)."""
    parts = normalise_name(surname).split()
    if not parts:
        return []
    forms = ["".join(parts)]
    if len(parts) > 1:
        forms.extend(p for p in parts if len(p) > 1)
    return forms


def split_full_name(full: str) -> tuple[str, str]:
    """Split an alias such as 'Johnny Smith' or 'J. Smyth' into (forenames, surname)."""
    words = full.replace(".", " ").split()
    if not words:
        return "", ""
    return " ".join(words[:-1]), words[-1]


@lru_cache(maxsize=65536)
def _codes(word: str) -> tuple[str, str, str]:
    return jellyfish.metaphone(word), jellyfish.nysiis(word), jellyfish.soundex(word)


def _hash(text: str) -> int:
    # 8-byte signed keys keep the index small and fast compared with text keys.
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


def name_keys(forenames: str, surname: str, kinds: str = "MNS") -> set[int]:
    """Blocking keys for one name.

    M and N pair the metaphone and NYSIIS codes of the surname with those of each forename group;
    S pairs the surname's soundex with the forename's initial, for "J Smith" and mangled forenames.
    """
    first = normalise_name(forenames).split()
    return set(_keys(first[0], surname, kinds)) if first else set()


@lru_cache(maxsize=1 << 18)
def _keys(forename: str, surname: str, kinds: str) -> frozenset[int]:
    # Keyed on the first forename alone (the only one keys depend on): names repeat so much that a
    # bulk import works out each (forename, surname) pair once, not once per person.
    keys: set[int] = set()
    groups = forename_groups(forename) if len(forename) > 1 else frozenset()
    for sf in surname_forms(surname):
        s_meta, s_nysiis, s_soundex = _codes(sf)
        if "S" in kinds:
            keys.add(_hash(f"S|{s_soundex}|{forename[0]}"))
        for group in groups:
            g_meta, g_nysiis, _ = _codes(group)
            if "M" in kinds:
                keys.add(_hash(f"M|{s_meta}|{g_meta}"))
            if "N" in kinds:
                keys.add(_hash(f"N|{s_nysiis}|{g_nysiis}"))
    return frozenset(keys)


def person_keys(forenames: str, surname: str, aliases: Iterable[str] = ()) -> set[int]:
    """All blocking keys of a person: the recorded name and every alias."""
    keys = name_keys(forenames, surname)
    for alias in aliases:
        keys |= name_keys(*split_full_name(alias))
    return keys
