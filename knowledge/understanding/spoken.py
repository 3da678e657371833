"""Registration marks read out as words: the phonetic alphabet, digits, "oh" and "double".

"alpha bravo one two charlie delta echo", "a b one two c d e" and "whiskey golf zulu one oh" are
written as the characters they stand for before the parser looks for a mark. Only a run of at
least three such words that holds a spoken word, a letter and a digit, and makes a real UK mark,
is rewritten: "mike" or "victor" in a name, or "quick one", stay words.
"""

from __future__ import annotations

import re

from knowledge.matching.vrm import is_distinctive_vrm, normalise_vrm

__all__ = ["read_out"]

_NATO = {
    "alpha": "A", "alfa": "A", "bravo": "B", "charlie": "C", "delta": "D", "echo": "E", "foxtrot": "F",
    "golf": "G", "hotel": "H", "india": "I", "juliet": "J", "juliett": "J", "kilo": "K", "lima": "L",
    "mike": "M", "november": "N", "oscar": "O", "papa": "P", "quebec": "Q", "romeo": "R", "sierra": "S",
    "tango": "T", "uniform": "U", "victor": "V", "whiskey": "W", "whisky": "W", "x-ray": "X", "xray": "X",
    "yankee": "Y", "zulu": "Z",
}  # fmt: skip
_DIGITS = {
    "zero": "0", "oh": "0", "nought": "0", "nil": "0", "one": "1", "two": "2", "three": "3", "four": "4",
    "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9", "niner": "9",
}  # fmt: skip
_REPEATS = {"double": 2, "treble": 3, "triple": 3}
# A dot inside a word belongs to it ("d.o.b." is one word, never three letters); one at its end does not.
_WORD = re.compile(r"(?:[^\s,!?;:().]|\.(?=[^\s,!?;:().]))+")


def _unit(word: str) -> tuple[str, bool] | None:
    """The characters one word stands for, and whether it was a spoken word (not typed as is)."""
    lower = word.lower()
    if lower in _NATO or lower in _DIGITS:
        return _NATO.get(lower) or _DIGITS[lower], True
    if len(word) <= 3 and word.isascii() and word.isalnum():
        return word.upper(), False
    return None


Unit = tuple[int, int, str, bool]  # first word, last word + 1, characters, spoken


def _runs(words: list[re.Match[str]]) -> list[list[Unit]]:
    """Runs of consecutive read-out units; "double two" is one unit of two characters."""
    runs: list[list[Unit]] = []
    run: list[Unit] = []
    k = 0
    while k < len(words):
        repeat = _REPEATS.get(words[k][0].lower(), 1)
        unit = _unit(words[k + 1][0]) if repeat > 1 and k + 1 < len(words) else _unit(words[k][0])
        if unit is None or (repeat > 1 and len(unit[0]) != 1):
            runs, run, k = ([*runs, run] if run else runs), [], k + 1
            continue
        width = 2 if repeat > 1 else 1
        run.append((k, k + width, unit[0] * repeat, unit[1] or repeat > 1))
        k += width
    return [*runs, run] if run else runs


def _mark(units: list[Unit]) -> str | None:
    chars = "".join(u[2] for u in units)
    if len(units) < 3 or not any(u[3] for u in units) or len(chars) > 7:
        return None
    if not any(c.isdigit() for c in chars) or chars.isdigit():
        return None
    vrm = normalise_vrm(chars)
    return vrm if vrm and (is_distinctive_vrm(vrm) or len(units) >= 4) else None


def read_out(text: str) -> tuple[str, list[str]]:
    """The text with each run of read-out characters that makes a registration mark written as the
    mark, and the marks so written.

    Each mark is padded with spaces to the length of the words it replaces, so that spans found in
    the text before keep their places.
    """
    words, marks = list(_WORD.finditer(text)), []
    for run in reversed(_runs(words)):
        # The longest stretch that makes a mark: "reg alpha ... echo pls" keeps neither "reg" nor "pls".
        spans = [(i, j) for i in range(len(run)) for j in range(i + 3, min(i + 7, len(run)) + 1)]
        spans.sort(key=lambda span: span[0] - span[1])  # a mark has at most seven characters
        for i, j in spans:
            if vrm := _mark(run[i:j]):
                start, end = words[run[i][0]].start(), words[run[j - 1][1] - 1].end()
                text = text[:start] + vrm.ljust(end - start) + text[end:]
                marks.append(vrm)
                break
    return text, marks
