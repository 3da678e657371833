"""A person's name in an officer's words: the best-introduced run of name words, and its readings.

A name is taken only where something introduces it ("on", "for", "called", the start of the
message) or closes it (the end, a keyword, a slot), so prose and descriptions stay out. A run of
words can often be read more than one way ("smith john", "nathan mitchell sutton"): the likelier
reading comes first and the others follow, for the search to try when the first finds nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.understanding.keywords import ALSO_FORENAMES, ALSO_SURNAMES, KEYWORDS, guarded_keyword
from knowledge.understanding.name_order import is_forename, is_surname, order_evidence
from knowledge.understanding.tokens import NAME_PARTICLES, Token

__all__ = ["find_names", "read_name_position"]

# Words skipped when looking for what introduces a name or follows it: "a check on a mr John Smith".
_TRANSPARENT = frozenset(
    {"a", "an", "the", "mr", "mrs", "ms", "miss", "dr", "male", "female", "one", "bloke", "guy", "lad"}
    | {"woman", "man", "girl", "boy", "fella", "youth", "kid", "chap", "descriptor"}
)
_PARTICLES = NAME_PARTICLES
# "white female", "asian male": a description of the person, once their name has been given.
_ETHNICITIES = frozenset({"white", "black", "asian", "mixed", "brown"})
_SEXES = frozenset({"male", "female", "man", "woman", "lad", "boy", "girl"})
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
    where it opens a name. "paula cameron white female": after a full name, "white" describes.
    """
    for k, token in enumerate(tokens):
        prev, nxt = _neighbours(tokens, k)
        if token.kind == "name" and not _is_name(prev) and _is_name(nxt):
            if keyword := guarded_keyword(token.lower):
                token.kind, token.word, token.intent = "keyword", keyword, KEYWORDS[keyword]
            continue
        if _describes(tokens, k):
            token.kind, token.word = "filler", "descriptor"
            continue
        if token.kind not in {"keyword", "filler"} or token.lower != token.word:
            continue
        lone_forename = _is_name(prev) and (k < 2 or tokens[k - 2].kind != "name") and not _is_name(nxt)
        comma_first = nxt is not None and nxt.kind == "comma" and k + 2 < len(tokens)
        comma_first = comma_first and tokens[k + 2].kind == "name"
        inside_name = token.lower in _PARTICLES and _is_name(prev)
        if (
            inside_name
            or (token.word in ALSO_SURNAMES and (lone_forename or comma_first))
            or (token.word in ALSO_FORENAMES and _is_name(nxt) and not _is_name(prev))
        ):
            token.kind = "name"


def _describes(tokens: list[Token], k: int) -> bool:
    """Whether tokens[k] describes the person rather than names them: "paula cameron, white female",
    "white male allan dunn" (a full name stands beside it), but not "john white male"."""
    token, (prev, nxt) = tokens[k], _neighbours(tokens, k)
    if token.kind != "name" or token.lower not in _ETHNICITIES or nxt is None or nxt.word not in _SEXES:
        return False
    named = [t for t in tokens[max(0, k - 3) : k] if t.kind != "comma"][-2:]
    follows = tokens[k + 2 : k + 4]
    return (len(named) == 2 and all(_is_name(t) for t in named)) or (
        not _is_name(prev) and len(follows) == 2 and all(_is_name(t) for t in follows)
    )


@dataclass
class _Run:
    """Name words in a row; `comma` is where the part after a comma starts (0: no comma)."""

    words: list[Token]
    comma: int
    before: int  # 2 after a name cue ("on", "for", "called"), 1 at the start or after a keyword
    after: int  # 1 when only fillers stand between it and the end, a slot, a keyword or a comma


def _comma_splits(words: list[Token]) -> bool:
    """Whether "WORDS, ..." reads as a surname before a comma: one word, two, or a particle's."""
    return len(words) <= 2 or (len(words) == 3 and words[0].lower in _PARTICLES)


def _runs(tokens: list[Token]) -> list[_Run]:
    runs: list[_Run] = []
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
        run, comma = [], 0
        while k < len(tokens):
            if tokens[k].kind == "name":
                run.append(tokens[k])
            elif (
                tokens[k].kind == "comma" and not comma and k + 1 < len(tokens)
                and tokens[k + 1].kind == "name" and _comma_splits(run)
            ):  # fmt: skip
                comma = len(run)
            else:
                break
            k += 1
        ahead = k
        while ahead < len(tokens) and tokens[ahead].kind == "filler":
            ahead += 1
        after = int(ahead == len(tokens) or tokens[ahead].kind in {"slot", "keyword", "comma"})
        runs.append(_Run(run, comma, before, after))
    return runs


def _slots(forenames: list[str], surname: list[str]) -> dict[str, str]:
    slots = {"surname": " ".join(surname).lower()}
    if forenames:
        slots["forenames"] = " ".join(forenames).lower()
    return slots


def _leading_surname(raw: list[str]) -> int:
    """How many words of a surname-first run are the surname: its particles and the word after."""
    cut = 0
    while cut < len(raw) - 1 and raw[cut].lower() in _PARTICLES:
        cut += 1
    return cut + 1


def _trailing_surname(raw: list[str]) -> int:
    """Where the surname of a forename-first run starts: the last word and the particles before it."""
    cut = len(raw) - 1
    while cut > 0 and raw[cut - 1].lower() in _PARTICLES:
        cut -= 1
    return cut


def _readings(run: _Run) -> list[dict[str, str]]:
    """Every plausible (forenames, surname) split of a run, the likeliest first."""
    raw = [t.text.strip("'`-*") for t in run.words]
    if run.comma:
        return [_slots(raw[run.comma :], raw[: run.comma])]
    lead, trail = _leading_surname(raw), _trailing_surname(raw)
    forward = _slots(raw[:trail], raw[trail:])
    reverse = _slots(raw[lead:], raw[:lead])
    # PNC style "SMITH John": the surname in capitals before a forename in title case.
    pnc = raw[0].isupper() and len(raw[0]) > 1 and all(w.istitle() for w in raw[1:])
    forward_support, reverse_support = order_evidence(" ".join(raw[:lead]), raw[-1])
    if pnc or raw[0].lower() in _PARTICLES:
        readings = [reverse]
    elif reverse_support > forward_support:
        readings = [reverse, forward] if forward_support else [reverse]
    else:
        readings = [forward, reverse] if reverse_support or forward_support == reverse_support else [forward]
    if len(raw) >= 3 and lead < len(raw) - 1:
        # A double-barrelled surname, hyphen missing: "heather hussain barton", "stevens porter susan".
        surname_first = readings[0] is reverse
        double = _slots(raw[lead + 1 :], raw[: lead + 1]) if surname_first else _slots(raw[:1], raw[1:])
        middle = raw[lead : lead + 1] if surname_first else raw[1:trail]
        readings.insert(0 if all(is_surname(w) and not is_forename(w) for w in middle) else 1, double)
    return [r for n, r in enumerate(readings) if r not in readings[:n]]


def find_names(tokens: list[Token], other_slots: bool) -> list[dict[str, str]]:
    """The readings of the best-evidenced run of name words, likeliest first; none if unconvincing."""
    runs = [r for r in _runs(tokens) if len(r.words) <= 4 and any(t.lower not in _PARTICLES for t in r.words)]
    if not runs:
        return []
    best = max(runs, key=lambda r: r.before + r.after)
    # Next to a registration mark, an address or a reference, stray words are descriptions
    # ("london"), so a name there needs more evidence; so does prose.
    if best.before + best.after < (2 if other_slots else 1) or (best.before == 0 and len(runs) > 1):
        return []
    return _readings(best)
