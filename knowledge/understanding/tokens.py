"""The words of a query as the parser sees them: each classified once, then consumed by slots.

Slots found in the raw text (references, postcodes, dates) are masked first, so no later step
reuses their characters; the masked stretch becomes one "slot" token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.understanding.keywords import KEYWORDS, vocabulary_word

__all__ = ["MASK", "NAME_PARTICLES", "Token", "consume", "is_name_word", "mask", "tokenise"]

MASK = "\x00"  # clean_text removes control characters, so this never comes from the officer
_TOKEN = re.compile(r"\x00+|,|[^\s\x00,.!?;:()\[\]{}\"]+")
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
_CONSONANTS = re.compile(r"[bcdfghjklmnpqrstvwxz]{6}")  # Armstrong has five in a row
# Five neighbouring keys of one keyboard row: key-mash, never a name.
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_MASH = re.compile("|".join(row[i : i + 5] for row in _ROWS for i in range(len(row) - 4)))
_HOUSE_NUMBER = re.compile(r"\d{1,4}[a-z]?", re.IGNORECASE)
# Surname particles: "jose de la cruz" has the surname "de la cruz", "tony mc carthy" has "mc carthy".
NAME_PARTICLES = frozenset(
    {"de", "da", "di", "del", "della", "van", "von", "der", "den", "le", "la", "du", "ap", "mac", "mc", "o"}
    | {"ó", "ni", "ní", "nic", "ua"}
)
# How a description gives sex and ethnicity, never a name: IC1-IC9 codes, "m/ic1", "w/m".
_DESCRIPTOR = re.compile(r"(?:[mf]/)?ic[1-9]|[wba]/[mf]", re.IGNORECASE)


@dataclass
class Token:
    """A word of the query; kind changes as slots consume it."""

    text: str
    start: int
    lower: str  # lower case, without surrounding quotes
    word: str = ""  # the vocabulary word it stands for (typo corrected), else lower
    kind: str = "other"  # slot, comma, keyword, filler, name, number or other
    intent: str = ""


def is_name_word(word: str) -> bool:
    """Letters with inner apostrophes or hyphens, pronounceable: never digits, wildcards or key-mash."""
    if not all(c.isalpha() or c in "'-" for c in word):  # \w also admits combining marks alone
        return False
    if not _NAME_WORD.fullmatch(word) or len(word) > 30 or _CONSONANTS.search(word) or _KEY_MASH.search(word):
        return False
    # A vowel-less word of three or more letters is usually a name typed in a hurry ("clrk", "hrt").
    return len(word) == 1 or len(word) >= 3 or not word.isascii() or any(v in word for v in "aeiouy")


def _classify(match: re.Match[str]) -> Token:
    lower = match[0].strip("'`-*").lower()
    token = Token(match[0], match.start(), lower, lower)
    if lower.startswith(MASK):
        token.kind = "slot"
    elif lower == ",":
        token.kind = "comma"
    elif _DESCRIPTOR.fullmatch(lower):
        token.kind, token.word = "filler", "descriptor"
    elif vocab := vocabulary_word(lower):
        token.word, token.intent = vocab, KEYWORDS.get(vocab, "")
        token.kind = "keyword" if token.intent else "filler"
    elif lower in NAME_PARTICLES or is_name_word(lower):
        token.kind = "name"
    elif _HOUSE_NUMBER.fullmatch(lower):
        token.kind = "number"
    return token


def tokenise(text: str) -> list[Token]:
    return [_classify(m) for m in _TOKEN.finditer(text)]


def mask(text: str, start: int, end: int) -> str:
    """Blank out a found slot, keeping every other character at its place for later spans."""
    return text[:start] + MASK * (end - start) + text[end:]


def consume(tokens: list[Token]) -> None:
    for token in tokens:
        token.kind = "slot"
