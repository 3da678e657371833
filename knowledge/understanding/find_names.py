"""A person's name in an officer's words: the best-introduced run of name words.

A name is taken only where something introduces it ("on", "for", "called", the start of the
message) or closes it (the end, a keyword, a slot), so prose and descriptions stay out.
"""

from __future__ import annotations

from knowledge.understanding.keywords import ALSO_FORENAMES, ALSO_SURNAMES, KEYWORDS, guarded_keyword
from knowledge.understanding.tokens import Token

__all__ = ["find_name", "read_name_position"]

# Words skipped when looking for what introduces a name or follows it: "a check on a mr John Smith".
_TRANSPARENT = frozenset(
    {"a", "an", "the", "mr", "mrs", "ms", "miss", "dr", "male", "female", "one", "bloke", "guy", "lad"}
    | {"woman", "man", "girl", "boy", "fella", "youth", "kid", "chap"}
)
# Surname particles: "jose de la cruz" has the surname "de la cruz", "sean o brien" has "o brien".
_PARTICLES = frozenset(
    {"de", "da", "di", "del", "della", "van", "von", "der", "den", "le", "la", "du", "ap", "mac", "mc", "o"}
    | {"ó", "ni", "ní", "nic", "ua"}
)
_NAME_CUES = frozenset(
    {"on", "for", "named", "called", "re", "about", "check", "is", "person", "nominal", "to", "of", "if"}
    | {"pnc", "run", "chk", "checks", "trace", "search", "find", "up", "lookup", "subject"}
)


def _neighbours(tokens: list[Token], k: int) -> tuple[Token | None, Token | None]:
    return (tokens[k - 1] if k else None), (tokens[k + 1] if k + 1 < len(tokens) else None)


def _is_name(token: Token | None) -> bool:
    return token is not None and token.kind == "name"


def read_name_position(tokens: list[Token]) -> None:
    """Settle words whose reading depends on their place next to a name.

    "david check" and "reg smith": such keywords next to a name are names too. "persn john smith":
    a typo of a keyword that is also within a typo of a surname (Pearson) is the keyword only
    where it opens a name.
    """
    for k, token in enumerate(tokens):
        prev, nxt = _neighbours(tokens, k)
        if token.kind == "name" and not _is_name(prev) and _is_name(nxt):
            if keyword := guarded_keyword(token.lower):
                token.kind, token.word, token.intent = "keyword", keyword, KEYWORDS[keyword]
            continue
        if token.kind not in {"keyword", "filler"} or token.lower != token.word:
            continue
        lone_forename = _is_name(prev) and (k < 2 or tokens[k - 2].kind != "name") and not _is_name(nxt)
        comma_first = nxt is not None and nxt.kind == "comma" and k + 2 < len(tokens)
        comma_first = comma_first and tokens[k + 2].kind == "name"
        inside_name = token.lower in _PARTICLES and _is_name(prev)
        if inside_name or (token.word in ALSO_SURNAMES and (lone_forename or comma_first)) or (
            token.word in ALSO_FORENAMES and _is_name(nxt) and not _is_name(prev)
        ):
            token.kind = "name"


def _runs(tokens: list[Token]) -> list[tuple[list[Token], bool, int, int]]:
    """Runs of name words as (words, surname first, evidence before, evidence after).

    Evidence before: 2 after a name cue ("on", "for", "called"), 1 at the start or after a keyword.
    Evidence after: 1 when only fillers stand between it and the end, a slot, a keyword or a comma.
    """
    runs: list[tuple[list[Token], bool, int, int]] = []
    k = 0
    while k < len(tokens):
        if tokens[k].kind != "name":
            k += 1
            continue
        back = k - 1
        while back >= 0 and tokens[back].word in _TRANSPARENT:
            back -= 1
        prev = tokens[back] if back >= 0 else None
        before = 2 if prev and prev.word in _NAME_CUES else int(prev is None or prev.kind == "keyword")
        run, surname_first = [tokens[k]], False
        k += 1
        if k + 1 < len(tokens) and tokens[k].kind == "comma" and tokens[k + 1].kind == "name":
            surname_first, k = True, k + 1
        while k < len(tokens) and tokens[k].kind == "name":
            run.append(tokens[k])
            k += 1
        ahead = k
        while ahead < len(tokens) and tokens[ahead].kind == "filler":
            ahead += 1
        after = int(ahead == len(tokens) or tokens[ahead].kind in {"slot", "keyword", "comma"})
        runs.append((run, surname_first, before, after))
    return runs


def find_name(tokens: list[Token], other_slots: bool) -> dict[str, str]:
    """Forenames and surname from the best-evidenced run of name words, or nothing if unconvincing."""
    runs = [r for r in _runs(tokens) if len(r[0]) <= 4 and any(t.lower not in _PARTICLES for t in r[0])]
    if not runs:
        return {}
    words, surname_first, before, after = max(runs, key=lambda r: r[2] + r[3])
    # Next to a registration mark, an address or a reference, stray words are descriptions
    # ("london"), so a name there needs more evidence; so does prose.
    if before + after < (2 if other_slots else 1) or (before == 0 and len(runs) > 1):
        return {}
    raw = [t.text.strip("'`-*") for t in words]
    # PNC style "SMITH John": the surname in capitals before a forename in title case.
    if len(raw) > 1 and raw[0].isupper() and len(raw[0]) > 1 and all(w.istitle() for w in raw[1:]):
        surname_first = True
    if surname_first:
        surname, forenames = raw[:1], raw[1:]
    else:
        cut = len(raw) - 1
        while cut > 0 and raw[cut - 1].lower() in _PARTICLES:
            cut -= 1
        surname, forenames = raw[cut:], raw[:cut]
    slots = {"surname": " ".join(surname).lower()}
    if forenames:
        slots["forenames"] = " ".join(forenames).lower()
    return slots
