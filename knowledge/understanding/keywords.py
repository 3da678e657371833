"""The words of a query that are never a name: keywords saying what is wanted, and fillers.

Only these listed words are ever anything but a name word, so an unusual surname is never
mistaken for a keyword. Typos are forgiven only for long words officers mistype that are not
within a typo of a common name; "person" is within a typo of Pearson and Peterson, so its typos
are forgiven only in keyword position (see `knowledge.understanding.find_names`).
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

__all__ = ["ALSO_FORENAMES", "ALSO_SURNAMES", "KEYWORDS", "guarded_keyword", "vocabulary_word"]

# Words that say what the officer wants.
_INTENT_WORDS = {
    "warrant_check": "warrant warrants wanted circulated",
    "vehicle_check": "vehicle vehicles veh plate plates numberplate reg regs registration vrm vrn car cars "
    "van motor motorbike bike lorry truck keeper keepers keeps kept owner owns insured insurance mot "
    "taxed anpr dvla drive drives driving stolen cloned",
    "address_check": "address addresses addy premises property postcode",
    "incident_lookup": "incident incidents log ref reference occurrence",
    "person_check": "person nominal named called male female individual",
    "help": "help commands usage examples instructions",
}
KEYWORDS = {word: intent for intent, words in _INTENT_WORDS.items() for word in words.split()}
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
        "bring", "fetch", "open", "surname", "forename", "forenames", "firstname", "hiya", "thx", "asap",
        "cheque", "cad", "approx", "approximately", "roughly", "around", "partial", "part", "starting",
        "something",
    )
)
# Vocabulary words that are also names: read as a name when they sit in name position
# ("david check dob ...", "is reg smith wanted").
ALSO_SURNAMES = frozenset({"check", "car", "guy", "kid"})
ALSO_FORENAMES = frozenset({"reg", "will", "guy"})
# Typos are forgiven only for these: long words officers mistype, none of them within a typo of a
# common surname or forename (person ~ Pearson, keepers ~ Keevers, traces ~ Tracey are left out).
_FUZZY_TARGETS = (
    "warrant", "warrants", "wanted", "vehicle", "vehicles", "registration", "numberplate", "plate", "plates",
    "insurance", "motorbike", "address", "premises", "property", "postcode", "incident", "reference",
    "occurrence", "check", "anything", "warnings", "markers", "history", "please", "details", "information",
    "help",
)
# Keywords within a typo of a common name, forgiven only in keyword position.
_GUARDED_TARGETS = ("person",)


def _one_slip(word: str, target: str) -> bool:
    """One letter dropped, changed or swapped with its neighbour; never one added (Pearson)."""
    if len(word) == len(target) - 1:
        return any(target[:i] + target[i + 1 :] == word for i in range(len(target)))
    if len(word) != len(target):
        return False
    differ = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
    if len(differ) != 2:
        return len(differ) == 1
    first, second = differ
    return second == first + 1 and (word[first], word[second]) == (target[second], target[first])


def vocabulary_word(word: str) -> str | None:
    """The keyword or filler a word stands for, tolerating typos in the words officers mistype."""
    word = word.replace("'", "")  # what's, i'm
    if word in KEYWORDS or word in _FILLERS:
        return word
    if len(word) < 4 or not word.isascii():
        return None
    found = process.extractOne(word, _FUZZY_TARGETS, scorer=fuzz.ratio, score_cutoff=85)
    if found and abs(len(found[0]) - len(word)) <= 2:
        return found[0]
    # Two letters swapped ("hlep", "chekc") scores low on ratio but is the commonest slip.
    swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    return next((target for target in _FUZZY_TARGETS if target in swaps), None)


def guarded_keyword(word: str) -> str | None:
    """The keyword a word may be a typo of, if it is one only when it stands where a keyword would."""
    return next((target for target in _GUARDED_TARGETS if len(word) >= 4 and _one_slip(word, target)), None)
