"""Follow-ups: words that mean something only after an answer ("more", "the second one", "his car").

A message is a follow-up only when the whole of it is one, so "more" pages a shortlist but "check
thomas more" is a name, and "his car ab12cde" is a vehicle check. Three shapes:

- paging: `more`, `next`, `the rest`, `show all`, `details`;
- picking from the list shown: `9`, `no. 2`, `the second one`, `the last one`, `the one born in 85`;
- a pronoun and a topic about the last subject: `his car`, `what vehicles does he have`,
  `her address`, `who lives there`, `is he wanted`, `any warrants for her`.

Pure, like the rest of understanding/: what "he" is, is for the conversation (knowledge/answers) to say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from knowledge.understanding.dates import find_birth_details, full_year

__all__ = ["MAX_PICK", "FollowUp", "Refers", "find_follow_up"]

MAX_PICK = 999  # a number above this is a year or a reference, never a place on a list


class Refers(StrEnum):
    """What a follow-up asks of the conversation; each value is what `beatline parse` prints."""

    MORE = "more"  # more of the list, or more on the one record just shown
    NEXT = "next"  # the next page of the list
    ALL = "all"  # the rest of the list at once
    DETAIL = "detail"  # everything on the record just shown
    PICK = "pick"  # one of the list, by its number or its date of birth
    VEHICLES = "vehicles"  # the subject's vehicles (a person's as keeper)
    ADDRESS = "address"  # the subject's address
    RESIDENTS = "residents"  # who lives at the subject's address
    WANTED = "wanted"  # whether the subject (or a vehicle's keeper) is wanted


@dataclass(frozen=True)
class FollowUp:
    refers: Refers
    number: int = 0  # PICK: the place on the list, 1 first, -1 the last; NEXT by button: how far it was shown
    born: str = ""  # PICK by birth: "1985" or "1985-04-03"

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"refers": self.refers}
        return data | {key: value for key, value in (("number", self.number), ("born", self.born)) if value}


_ORDINAL_WORDS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
)
_CARDINAL_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS = {word: n for n, word in enumerate(_ORDINAL_WORDS.split(), 1)}
_NUMBER_WORDS |= {word: n for n, word in enumerate(_CARDINAL_WORDS.split(), 1)}
_NUMBER_WORDS |= {"last": -1, "final": -1}  # not "top": "top man" is thanks

# Words around a follow-up that change nothing: a greeting or a call sign before, thanks after.
_LEAD = (
    r"(?:(?:ok|okay|right|so|and|yes|yeah|cheers|thanks|great|what about|how about|then|hi|hiya|hey|hello"
    r"|morning|evening|afternoon|control|sarge|guv|boss|quick one|pls|please|can i get|can you|could you"
    r"|can i have)\s*[.,:\-]*\s+)*"
)
_TAIL = (
    r"(?:\s+(?:please|pls|plz|thanks|thank you|thx|ta|cheers|mate|then|again|too|now|asap"
    r"|when you can))*"
)
_SHOW = (
    r"(?:(?:can you |could you |can i |could i |let me |i want to |i'd like to )?"
    r"(?:show|give|send|list|see|get|have|go to|display|open)(?: me| us)?\s+)?"
)
_WHAT = r"(?:any |some |the |a few )?"
_PHRASES: tuple[tuple[Refers, str], ...] = (
    (
        Refers.MORE,
        rf"{_SHOW}{_WHAT}more(?: (?:results|names|people|ones|matches|of them|options))?|(?:got )?any more|m",
    ),
    (
        Refers.NEXT,
        rf"{_SHOW}{_WHAT}(?:next(?: (?:page|ones?|few|lot|six|results|names|batch))?|others|other ones"
        r"|rest(?: of them| of the list)?)|keep going|carry on|go on|page 2|next please",
    ),
    (
        Refers.ALL,
        rf"{_SHOW}(?:them )?all(?: of them| (?:the )?(?:results|names|people|matches|options))?"
        rf"|{_SHOW}(?:the )?(?:full|whole|complete|entire) list|{_SHOW}everyone|{_SHOW}every one",
    ),
    (
        Refers.DETAIL,
        rf"{_SHOW}(?:(?:more|full|all the|the full|all) )?(?:details?|info|information|record)"
        r"(?: (?:on|for|about) (?:him|her|them|that|it|that one|this one))?|tell me more"
        r"(?: (?:about|on) (?:him|her|them|that|it))?|everything|the lot|more detail|more info",
    ),
)
_COMPILED = tuple((refers, re.compile(pattern)) for refers, pattern in _PHRASES)

_PICK_VERB = (
    r"(?:(?:i'?ll |i want |i'd like |let'?s )?"
    r"(?:pick|choose|select|open|take|want|go with|show me|show|give me|check|that'?s|its|it's)\s+)?"
)
_PICKED = (
    r"(?:\s+(?:one|person|guy|bloke|man|woman|lad|girl|result|match|option|name|entry|record|please"
    r"|on the list|in the list))*"
)
_NUMBERED = re.compile(
    rf"{_PICK_VERB}(?:the |number |no\.? ?|num |nr |option |choice |result |#)?"
    rf"(?P<n>\d{{1,3}})(?:st|nd|rd|th)?(?: one)?{_PICKED}"
)
_NUMBERING = ("number ", "option ", "choice ")
_WORDED = re.compile(
    rf"{_PICK_VERB}(?:the |number |no\.? ?|option |choice |result )?(?P<word>[a-z]+){_PICKED}"
)
_BORN = re.compile(
    rf"{_PICK_VERB}(?:the )?(?:(?:one|person|guy|bloke|man|woman|lad|girl|him|her)\s+)?"
    r"(?:who was |who's |whos |thats |that's |that was )?"
    r"(?:born|dob|d\.o\.b\.?|b\.?)\s*(?:in |on |:\s*)?(?P<when>[\w/.\- ]+?)"
)
# "the 85 one": a year, not a place on a list (which rarely reaches 30).
_YEAR_ONE = re.compile(rf"{_PICK_VERB}the (?P<year>(?:19|20)\d\d|[3-9]\d) (?:one|person|guy|bloke|man|woman)")

# Pronoun follow-ups: every word is a reference, a topic word or a word that only joins them.
_REFERENCE_WORDS = (
    "he she him her his hers they them their theirs that this there same person guy bloke man woman "
    "lad girl fella subject male female chap"
)
_REFERENCES = frozenset(_REFERENCE_WORDS.split())
_TOPICS = {
    Refers.VEHICLES: "car cars vehicle vehicles van vans motor motors wheels drive drives driving bike "
    "bikes motorbike motorbikes lorry truck plate plates reg regs keeper registered own owns",
    Refers.ADDRESS: "address addresses live lives living home stay stays staying reside resides where "
    "located flat house adress addres",
    Refers.WANTED: "wanted warrant warrants outstanding warants warrnts",
    Refers.RESIDENTS: "who anyone anybody else occupants occupant residents resident people household",
}
_TOPIC_OF = {word: refers for refers, words in _TOPICS.items() for word in words.split()}
_JOINING_WORDS = (
    "a an the is it its it's are was were be am i do does did have has had got get what whats what's "
    "which any anything some for on at to of in with about how check show tell give me us known "
    "there's isn't can could please pls and also so then too ok okay right now currently under name "
    "see list all from by still"
)
_JOINING = frozenset(_JOINING_WORDS.split())
_WORDS = re.compile(r"[a-z]+(?:'[a-z]+)?")
_ADDRESS_WORDS = frozenset(_TOPICS[Refers.ADDRESS].split()) | {"there"}
_RESIDENT_ASKS = frozenset({"who", "anyone", "anybody", "else", "occupants", "occupant", "residents"})
_RESIDENT_ASKS |= {"resident", "people", "household"}


def find_follow_up(text: str, *, today: date) -> FollowUp | None:
    """The follow-up the whole message is, or None when it says anything more than a follow-up."""
    lower = re.sub(r"[?!,;]+|\.+$|\.(?=\s)", " ", text.lower().replace("’", "'")).strip()
    lower = re.sub(r"\s+", " ", lower)
    bare = re.sub(rf"^{_LEAD}", "", lower)
    bare = re.sub(rf"{_TAIL}$", "", bare).strip()
    if not bare or len(bare) > 80:
        return None
    for refers, pattern in _COMPILED:
        if pattern.fullmatch(bare):
            return FollowUp(refers)
    return _pick(bare, today) or _about_subject(bare)


def _pick(text: str, today: date) -> FollowUp | None:
    if year := _YEAR_ONE.fullmatch(text):
        return FollowUp(Refers.PICK, born=str(full_year(year["year"], today)))
    if (numbered := _NUMBERED.fullmatch(text)) and 0 < int(numbered["n"]) <= MAX_PICK:
        return FollowUp(Refers.PICK, number=int(numbered["n"]))
    # "one", "no one", "the one" are a count or a turn of phrase; "number one", "option one" pick.
    worded = _WORDED.fullmatch(text)
    if (
        worded
        and worded["word"] in _NUMBER_WORDS
        and (worded["word"] != "one" or text.startswith(_NUMBERING))
    ):
        return FollowUp(Refers.PICK, number=_NUMBER_WORDS[worded["word"]])
    if born := _BORN.fullmatch(text):
        when = born["when"].strip()
        details = find_birth_details(f"born {when}", today=today)
        if details.dob is not None and details.spans and _whole(details.spans, len(when) + 5):
            return FollowUp(Refers.PICK, born=details.dob.isoformat())
        if re.fullmatch(r"(?:19|20)?\d\d", when):
            return FollowUp(Refers.PICK, born=str(full_year(when, today)))
    return None


def _whole(spans: tuple[tuple[int, int], ...], length: int) -> bool:
    """True if the date found covers everything after "born " (nothing else was said)."""
    return any(start <= 5 and end >= length for start, end in spans)


def _about_subject(text: str) -> FollowUp | None:
    """ "his car", "is she wanted", "who lives there": a reference to the last subject and one topic."""
    words = [word.removesuffix("'s") for word in _WORDS.findall(text)]
    if not words or len(words) > 12 or re.search(r"\d", text):
        return None
    if any(w not in _REFERENCES and w not in _TOPIC_OF and w not in _JOINING for w in words):
        return None
    if not _REFERENCES.intersection(words):
        return None
    topics = {_TOPIC_OF[w] for w in words if w in _TOPIC_OF and w not in _RESIDENT_ASKS}
    if _RESIDENT_ASKS.intersection(words) and (_ADDRESS_WORDS.intersection(words)):
        return FollowUp(Refers.RESIDENTS)
    for refers in (Refers.WANTED, Refers.VEHICLES, Refers.ADDRESS):
        if refers in topics:
            return FollowUp(refers)
    return None
