"""Query understanding: what an officer typed, as an intent and the details it names.

Slots are taken out of the text one kind at a time, each masked once found so that no later
step reuses its characters: incident reference, postcode, dates, house number and street,
registration mark. The words that remain, less keywords and fillers, are the name. Only listed
keywords (typo-tolerant) and fillers are ever anything but a name word, and a name is taken only
where something introduces it, so an unusual surname is never mistaken for a keyword.

Incident references are upper case. A system prefix (INC, CAD, CRN, URN, CRIS, OCC) is joined
to its number by one hyphen whatever was typed between them, and separators inside the number
are kept without spaces: `cad 4521 / 25` -> `CAD-4521/25`, `CRN 01/123456/24` ->
`CRN-01/123456/24`. Our own refs get their serial zero-padded: `inc 2024 4512` ->
`INC-2024-004512`. After a bare cue ("ref", "incident", "log") the number alone is the
reference: `ref 4521/25` -> `4521/25`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from rapidfuzz import fuzz, process

from knowledge.dates import find_birth_details
from knowledge.postcode import find_postcode
from knowledge.streets import ABBREVIATIONS
from knowledge.text import clean_text
from knowledge.vrm import is_distinctive_vrm, normalise_vrm, vrm_variants

__all__ = ["INTENTS", "ParsedQuery", "parse"]

INTENTS = (
    "person_check", "vehicle_check", "address_check", "incident_lookup", "warrant_check", "help", "unknown"
)

# Words that say what the officer wants.
_INTENT_WORDS = {
    "warrant_check": "warrant warrants wanted",
    "vehicle_check": "vehicle vehicles veh plate plates numberplate reg registration vrm vrn car cars van "
    "motor motorbike bike lorry truck keeper keepers keeps kept owner owns insured insurance mot "
    "taxed anpr dvla drive drives driving stolen cloned",
    "address_check": "address addresses addy premises property postcode",
    "incident_lookup": "incident incidents log ref reference occurrence",
    "person_check": "person nominal named called male female individual",
    "help": "help commands usage examples instructions",
}
_KEYWORDS = {word: intent for intent, words in _INTENT_WORDS.items() for word in words.split()}
_FILLERS = frozenset(
    (
        "a", "an", "the", "any", "anything", "anyone", "anybody", "someone", "somebody", "on", "for", "of",
        "about", "re", "regarding", "to", "at", "in", "by", "with", "from", "and", "or", "is", "are",
        "was", "be", "been", "has", "have", "had", "got", "get", "do", "does", "did", "can", "could",
        "would", "will", "you", "u", "me", "i", "im", "we", "us", "our", "my", "your", "he", "she", "they",
        "him", "her", "them", "his", "it", "its", "this", "that", "these", "those", "there", "theres",
        "what", "whats", "who", "whos", "whose", "which", "where", "when", "how", "please", "pls", "plz",
        "ta", "thanks", "thank", "cheers", "mate", "sarge", "sir", "boss", "guv", "hi", "hello", "hey",
        "morning", "evening", "afternoon", "quick", "one", "just", "check", "checks", "checking", "chk",
        "run", "search", "lookup", "look", "up", "find", "pnc", "pncs", "show", "give", "tell",
        "know", "info", "information", "details", "detail", "markers", "marker", "warnings", "warning",
        "flags", "flag", "intel", "record", "records", "history", "historic", "trace", "traces", "result",
        "results", "need", "want", "like", "quickly", "urgent", "urgently", "name", "names", "dob",
        "birth", "date", "born", "aged", "age", "yrs", "years", "old", "yo", "also", "again", "now",
        "currently", "current", "pending", "outstanding", "active", "live", "known", "against", "under",
        "if", "yes", "ok", "okay", "test", "testing", "lol", "control", "go", "ahead", "possible", "poss",
        "same", "then", "out", "over", "let", "lets", "see", "previous", "previouses", "fta", "file",
        "private", "personalised", "no", "number", "registered", "linked", "belongs", "all", "hes", "shes",
        "theyre", "dont", "cant", "calls", "call", "callouts", "jobs", "attendances", "blah", "mr", "mrs",
        "ms", "miss", "dr", "here", "crime", "crimes", "bloke", "guy", "lad", "woman", "man", "girl", "boy",
        "fella", "youth", "kid", "chap", "hits", "hit", "status", "summary", "sightings", "report", "reports",
        "update", "updates", "happened", "officer", "safety", "firearms", "weapons", "violent",
        "violence", "drugs", "dangerous", "dog", "dogs", "vulnerable", "occupant", "mental", "health", "self",
        "harm", "suicidal", "escaper", "contagion", "explosives", "missing", "alleges", "risk", "pull",
        "bring", "fetch", "open", "surname", "forename", "forenames", "firstname",
    )
)
# Vocabulary words that are also names: read as a name when they sit in name position
# ("david check dob ...", "is reg smith wanted").
_ALSO_SURNAMES = frozenset({"check", "car", "guy", "kid"})
_ALSO_FORENAMES = frozenset({"reg", "will", "guy"})
# Typos are forgiven only for these: long words officers mistype, none of them within a typo of a
# common surname or forename (person ~ Pearson, keepers ~ Keevers, traces ~ Tracey are left out).
_FUZZY_TARGETS = (
    "warrant", "warrants", "wanted", "vehicle", "vehicles", "registration", "numberplate", "plate", "plates",
    "insurance", "motorbike", "address", "premises", "property", "postcode", "incident", "reference",
    "occurrence", "check", "anything", "warnings", "markers", "history", "please", "details", "information",
    "help",
)

_STREET_TYPES = frozenset(ABBREVIATIONS) | frozenset(ABBREVIATIONS.values()) | frozenset(
    (
        "way", "walk", "row", "mews", "hill", "green", "rise", "view", "vale", "wharf", "yard", "gate",
        "circus", "approach", "broadway", "chase", "croft", "embankment", "end", "fields", "heights",
        "meadow", "meadows", "parkway", "quay", "villas", "wynd",
    )
)
# Words skipped when looking for what introduces a name or follows it: "a check on a mr John Smith".
_TRANSPARENT = frozenset(
    {"a", "an", "the", "mr", "mrs", "ms", "miss", "dr", "male", "female", "one", "bloke", "guy", "lad"}
    | {"woman", "man", "girl", "boy", "fella", "youth", "kid", "chap"}
)
_STREET_WORDS = _STREET_TYPES | {"the"}  # "st" in "st john's road" has no vowel, so is no name word
_STREET_CUES = frozenset({"at", "address", "addy", "premises", "property", "history", "of"})
# Surname particles: "jose de la cruz" has the surname "de la cruz", "sean o brien" has "o brien".
_PARTICLES = frozenset(
    {"de", "da", "di", "del", "della", "van", "von", "der", "den", "le", "la", "du", "ap", "mac", "mc", "o"}
    | {"ó", "ni", "ní", "nic", "ua"}
)
_NAME_CUES = frozenset(
    {"on", "for", "named", "called", "re", "about", "check", "is", "person", "nominal", "to", "of", "if"}
    | {"pnc", "run", "chk", "checks", "trace", "search", "find", "up", "lookup", "subject"}
)

_REF_SYSTEM = re.compile(
    r"(?<![^\W_])(?P<prefix>inc|cad|crn|urn|cris|occ)[\s\-_:#.]*(?:no\.?\s*)?"
    r"(?P<number>\d{4}\s+\d{1,6}|\d+(?:\s*[/\-]\s*\d+)*)(?![^\W_])",
    re.IGNORECASE,
)
_REF_CUE = re.compile(
    r"(?<![^\W_])(?:incident|ref|reference|log|occurrence|crime)\s*(?:no\.?|number|#)?[\s:#]*"
    r"(?P<number>\d+(?:\s*[/\-]\s*\d+)+|\d{3,})(?![^\W_])",
    re.IGNORECASE,
)
_CODE = re.compile(
    r"\bselect\b.*\bfrom\b|\binsert\s+into\b|\bupdate\s+\w+\s+set\b|\bdelete\s+from\b|\bdrop\s+(?:table|database)\b"
    r"|\bunion\s+(?:all\s+)?select\b|--|/\*|\bor\s+'?\d+'?\s*=\s*'?\d+|<\s*/?\s*script|\b\w+\([^()]*\)",
    re.IGNORECASE,
)
_HELP_PHRASE = re.compile(
    r"^\s*\?+\s*$|^/(?:help|start)\b|\bwhat (?:can|do) (?:you|i) (?:do|ask)\b"
    r"|\bhow (?:do|does) (?:i|this|it)\b"
)
_MARKUP = re.compile(r"<[^<>]{0,40}>")
_MASK = "\x00"  # clean_text removes control characters, so this never comes from the officer
_TOKEN = re.compile(r"\x00+|,|[^\s\x00,.!?;:()\[\]{}\"]+")
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['\-][^\W\d_]+)*")
_CONSONANTS = re.compile(r"[bcdfghjklmnpqrstvwxz]{6}")  # Armstrong has five in a row
# Five neighbouring keys of one keyboard row: key-mash, never a name.
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_MASH = re.compile("|".join(row[i : i + 5] for row in _ROWS for i in range(len(row) - 4)))
_HOUSE_NUMBER = re.compile(r"\d{1,4}[a-z]?", re.IGNORECASE)
_SLOT_ORDER = (
    "forenames", "surname", "dob", "birth_year", "age", "vrm", "postcode", "house_number", "street",
    "incident_ref",
)


@dataclass(frozen=True)
class ParsedQuery:
    """One understood query: what the officer wants and the details given for it."""

    intent: str
    slots: Mapping[str, str | int] = field(default_factory=lambda: MappingProxyType({}))
    problems: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """The `beatline parse` JSON of the contract."""
        data: dict = {"intent": self.intent, "slots": dict(self.slots)}
        if self.problems:
            data["problems"] = list(self.problems)
        return data


@dataclass
class _Token:
    """A word of the query as the parser sees it; kind changes as slots consume it."""

    text: str
    start: int
    lower: str  # lower case, without surrounding quotes
    word: str = ""  # the vocabulary word it stands for (typo corrected), else lower
    kind: str = "other"  # slot, comma, keyword, filler, name, number or other
    intent: str = ""


def _vocabulary(word: str) -> str | None:
    """The keyword or filler a word stands for, tolerating typos in the words officers mistype."""
    word = word.replace("'", "")  # what's, i'm
    if word in _KEYWORDS or word in _FILLERS:
        return word
    if len(word) < 4 or not word.isascii():
        return None
    found = process.extractOne(word, _FUZZY_TARGETS, scorer=fuzz.ratio, score_cutoff=85)
    if found and abs(len(found[0]) - len(word)) <= 2:
        return found[0]
    # Two letters swapped ("hlep", "chekc") scores low on ratio but is the commonest slip.
    swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    return next((target for target in _FUZZY_TARGETS if target in swaps), None)


def _is_name_word(word: str) -> bool:
    """Letters with inner apostrophes or hyphens, pronounceable: never digits, wildcards or key-mash."""
    if not _NAME_WORD.fullmatch(word) or len(word) > 30 or _CONSONANTS.search(word) or _KEY_MASH.search(word):
        return False
    return len(word) == 1 or not word.isascii() or any(v in word for v in "aeiouy")


def _classify(match: re.Match[str]) -> _Token:
    lower = match[0].strip("'`-*").lower()
    token = _Token(match[0], match.start(), lower, lower)
    if lower.startswith(_MASK):
        token.kind = "slot"
    elif lower == ",":
        token.kind = "comma"
    elif vocab := _vocabulary(lower):
        token.word, token.intent = vocab, _KEYWORDS.get(vocab, "")
        token.kind = "keyword" if token.intent else "filler"
    elif _is_name_word(lower):
        token.kind = "name"
    elif _HOUSE_NUMBER.fullmatch(lower):
        token.kind = "number"
    return token


def _mask(text: str, start: int, end: int) -> str:
    """Blank out a found slot, keeping every other character at its place for later spans."""
    return text[:start] + _MASK * (end - start) + text[end:]


def _consume(tokens: list[_Token]) -> None:
    for token in tokens:
        token.kind = "slot"


def _number_before(tokens: list[_Token], postcode_start: int) -> dict[str, str]:
    """A house number given straight before a postcode: "12 NW1 6XE"."""
    for token, nxt in itertools.pairwise(tokens):
        if token.kind == "number" and nxt.kind == "slot" and nxt.start == postcode_start:
            token.kind = "slot"
            return {"house_number": token.word.upper()}
    return {}


def _incident_ref(text: str) -> tuple[str, tuple[int, int]] | None:
    """The first incident reference, normalised as the module docstring says, and its span."""
    if system := _REF_SYSTEM.search(text):
        prefix, number = system["prefix"].upper(), re.sub(r"\s*([/\-])\s*", r"\1", system["number"])
        if prefix == "INC" and (ours := re.fullmatch(r"(\d{4})[\s\-/]?(\d{1,6})", number)):
            number = f"{ours[1]}-{int(ours[2]):06d}"
        return f"{prefix}-{' '.join(number.split()).replace(' ', '-')}", system.span()
    if cue := _REF_CUE.search(text):
        return re.sub(r"\s+", "", cue["number"]), cue.span("number")
    return None


def _vrm(tokens: list[_Token], vehicle_context: bool) -> tuple[str, list[_Token]] | None:
    """The first registration mark, read across tokens ("ab12 cde", "Y H 15 NBN")."""
    alone = all(t.kind in {"other", "number", "name"} for t in tokens)
    # Current, prefix and suffix marks are taken anywhere; a dateless mark (A1, 221B) looks too
    # much like a house number or a word, so it needs a vehicle word or to stand alone.
    for distinctive_only in (True, False):
        for i in range(len(tokens)):
            for n in range(min(7, len(tokens) - i), 0, -1):
                group = tokens[i : i + n]
                # Words are not parts of a mark, but a lone letter may be: "plate A 1".
                if any(t.kind in {"keyword", "filler", "slot", "comma"} and len(t.lower) > 1 for t in group):
                    continue
                compact = "".join(t.lower for t in group).replace("-", "")
                if len(compact) > 7 or not compact.isascii() or not compact.isalnum() or compact.isalpha():
                    continue
                vrm = normalise_vrm(compact)
                if vrm is None and vehicle_context:  # "AB I2 CDE": a misreading, in a vehicle question
                    vrm = next((v for v in vrm_variants(compact) if is_distinctive_vrm(v)), None)
                if vrm and (is_distinctive_vrm(vrm) or (not distinctive_only and (vehicle_context or alone))):
                    return vrm, group
    return None


def _street(tokens: list[_Token]) -> tuple[dict[str, str], list[_Token]]:
    """House number and street, when a number or a cue such as "at" or "address" introduces them."""
    for j, suffix in enumerate(tokens):
        if j == 0 or suffix.lower not in _STREET_TYPES:
            continue
        i = j
        # Up to three words before the street type: "baker st", "st john's wood road", "the crescent".
        while i > 0 and j - i < 3 and (tokens[i - 1].kind == "name" or tokens[i - 1].lower in _STREET_WORDS):
            i -= 1
            if tokens[i].lower == "the":
                break
        before = tokens[i - 1] if i > 0 else None
        if i == j or before is None:
            continue
        # The officer's spelling, lower case, with only the street type spelled out ("st" -> "street").
        street = " ".join([*(t.lower for t in tokens[i:j]), ABBREVIATIONS.get(suffix.lower, suffix.lower)])
        if before.kind == "number":
            return {"house_number": before.word.upper(), "street": street}, tokens[i - 1 : j + 1]
        if before.word in _STREET_CUES:
            return {"street": street}, tokens[i : j + 1]
    return {}, []


def _promote_name_keywords(tokens: list[_Token]) -> None:
    """Read "david check" and "reg smith" as names: such keywords next to a name are names too."""
    for k, token in enumerate(tokens):
        if token.kind not in {"keyword", "filler"} or token.lower != token.word:
            continue
        prev, nxt = (tokens[k - 1] if k else None), (tokens[k + 1] if k + 1 < len(tokens) else None)
        lone_forename = prev is not None and prev.kind == "name" and (k < 2 or tokens[k - 2].kind != "name")
        lone_forename = lone_forename and (nxt is None or nxt.kind != "name")
        comma_first = nxt is not None and nxt.kind == "comma" and k + 2 < len(tokens)
        comma_first = comma_first and tokens[k + 2].kind == "name"
        inside_name = token.lower in _PARTICLES and prev is not None and prev.kind == "name"
        if inside_name or (token.word in _ALSO_SURNAMES and (lone_forename or comma_first)) or (
            token.word in _ALSO_FORENAMES and nxt is not None and nxt.kind == "name"
            and (prev is None or prev.kind != "name")
        ):
            token.kind = "name"


def _runs(tokens: list[_Token]) -> list[tuple[list[_Token], bool, int, int]]:
    """Runs of name words as (words, surname first, evidence before, evidence after).

    Evidence before: 2 after a name cue ("on", "for", "called"), 1 at the start or after a keyword.
    Evidence after: 1 when only fillers stand between it and the end, a slot, a keyword or a comma.
    """
    runs: list[tuple[list[_Token], bool, int, int]] = []
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


def _name(tokens: list[_Token], other_slots: bool) -> dict[str, str]:
    """Forenames and surname from the best-evidenced run of name words, or nothing if unconvincing."""
    runs = [r for r in _runs(tokens) if len(r[0]) <= 4 and any(t.lower not in _PARTICLES for t in r[0])]
    if not runs:
        return {}
    words, surname_first, before, after = max(runs, key=lambda r: r[2] + r[3])
    # Next to a registration mark, an address or a reference, stray words are descriptions
    # ("silver astra", "london"), so a name there needs more evidence; so does prose.
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


def _intent(keywords: set[str], slots: dict[str, str | int], has_name: bool, help_phrase: bool) -> str:
    """What the officer wants: a word that says so beats what the slots suggest."""
    address = {"postcode", "street", "house_number"} & slots.keys()
    person = has_name or {"dob", "birth_year", "age"} & slots.keys()
    if "incident_ref" in slots or "incident_lookup" in keywords:
        return "incident_lookup"
    # "how does this work" is a question about the bot; "help with john smith" is a query.
    if not slots.keys() - {"forenames", "surname"} and (help_phrase or ("help" in keywords and not has_name)):
        return "help"
    for intent, found in (
        ("warrant_check", "warrant_check" in keywords),
        ("vehicle_check", "vrm" in slots or "vehicle_check" in keywords),
        ("address_check", "address_check" in keywords or (address and not has_name)),
        ("person_check", person or "person_check" in keywords),
    ):
        if found:
            return intent
    return "unknown"


def parse(text: str, *, today: date | None = None) -> ParsedQuery:
    """Understand one officer's query; never raises, whatever the text."""
    today = today or date.today()
    text = _MARKUP.sub(" ", clean_text(text)).replace("’", "'").replace("‘", "'")
    if not text.strip() or _CODE.search(text):
        return ParsedQuery("unknown")
    slots: dict[str, str | int] = {}
    if ref := _incident_ref(text):
        slots["incident_ref"], text = ref[0], _mask(text, *ref[1])
    if postcode := find_postcode(text):
        slots["postcode"], text = postcode[0], _mask(text, *postcode[1])
    birth = find_birth_details(text, today=today)
    for span in birth.spans:
        text = _mask(text, *span)
    if birth.dob:
        slots["dob"] = birth.dob.isoformat()
    slots.update({k: v for k, v in (("birth_year", birth.birth_year), ("age", birth.age)) if v is not None})
    tokens = [_classify(m) for m in _TOKEN.finditer(text)]
    address, used = _street(tokens)
    slots.update(address)
    _consume(used)
    if found_vrm := _vrm(tokens, any(t.intent == "vehicle_check" for t in tokens)):
        slots["vrm"] = found_vrm[0]
        _consume(found_vrm[1])
    if postcode and "house_number" not in slots:
        slots.update(_number_before(tokens, postcode[1][0]))
    _promote_name_keywords(tokens)
    name = _name(tokens, bool(slots.keys() - {"dob", "birth_year", "age"}))
    slots.update(name)
    keywords = {t.intent for t in tokens if t.kind == "keyword"}
    intent = _intent(keywords, slots, bool(name), bool(_HELP_PHRASE.search(text.lower())))
    if intent == "help":
        slots = {}
    ordered = {key: slots[key] for key in _SLOT_ORDER if key in slots}
    return ParsedQuery(intent, MappingProxyType(ordered), birth.problems)
