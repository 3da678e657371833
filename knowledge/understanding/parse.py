"""Query understanding: what an officer typed, as an intent and the details it names.

Slots are taken out of the text one kind at a time, each masked or consumed once found so that no
later step reuses its characters: marks read out as words are written as marks first, then the
incident reference, postcode, flat, dates, house number and street, registration marks. The words
that remain, less keywords, fillers and a vehicle's description, are the name.

Beyond the contract's slots, a parsed query says what else it found (`to_json` adds these keys
only when there is something to say): the other readings of an ambiguous name, every mark of a
message that gives several, a partial mark, a flat, the range an estimated age stands for, each
subject of a message that names several (up to five), what kind of small talk it is, and the follow-up
("more", "the second one", "his car") a message is, which only the conversation can resolve.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType

from knowledge.matching.clean import clean_text
from knowledge.matching.postcodes import find_postcode, in_a_postcode_area
from knowledge.matching.vrm import compact_vrm, is_distinctive_vrm, plate_readings
from knowledge.understanding.dates import find_birth_details
from knowledge.understanding.find_addresses import (
    find_flat,
    find_street,
    number_before,
    street_reading,
    town_after,
)
from knowledge.understanding.find_areas import find_area
from knowledge.understanding.find_names import find_names, read_name_position
from knowledge.understanding.find_plates import find_partial_vrm, find_vrms, set_aside_descriptions
from knowledge.understanding.find_refs import find_incident_ref
from knowledge.understanding.follow_ups import FollowUp, Refers, find_follow_up
from knowledge.understanding.intents import Intent
from knowledge.understanding.smalltalk import small_talk
from knowledge.understanding.spoken import read_out
from knowledge.understanding.tokens import Token, consume, mask, tokenise

__all__ = ["INTENTS", "MAX_SUBJECTS", "ParsedQuery", "parse"]

INTENTS = tuple(Intent)  # the contract's intents, as `beatline parse` writes them
MAX_SUBJECTS = 5

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
_SLOT_ORDER = (
    "forenames",
    "surname",
    "dob",
    "birth_year",
    "age",
    "vrm",
    "postcode",
    "house_number",
    "street",
    "incident_ref",
)
# Where one subject of a message ends and the next begins: "X 3/4/85 and Y 5/6/90", "AB12CDE, NL72BYD".
_JOINERS = re.compile(r"\s*(?:[,;&+]|\b(?:and|also|then|plus)\b)\s*", re.IGNORECASE)
_MAX_PIECES = 3 * MAX_SUBJECTS  # more pieces than that is prose or noise, read as one message
# A follow-up's intent, as `beatline parse` prints it: the contract's intents, never a new one.
_FOLLOW_UP_INTENT = {
    Refers.VEHICLES: Intent.VEHICLE_CHECK,
    Refers.ADDRESS: Intent.ADDRESS_CHECK,
    Refers.RESIDENTS: Intent.ADDRESS_CHECK,
    Refers.WANTED: Intent.WARRANT_CHECK,
}
_ONE_SUBJECT = ({"dob"}, {"vrm"}, {"incident_ref"}, {"postcode"}, {"house_number", "street"})


@dataclass(frozen=True)
class ParsedQuery:
    """One understood query: what the officer wants and the details given for it."""

    intent: Intent
    slots: Mapping[str, str | int] = field(default_factory=lambda: MappingProxyType({}))
    problems: tuple[str, ...] = ()
    alternatives: tuple[Mapping[str, str], ...] = ()  # other readings of the name, likeliest first
    vrm_as_typed: str = ""  # the mark as typed, when the slot is the likeliest reading of a misread one
    vrms: tuple[str, ...] = ()  # every mark, when the message gives more than one
    partial_vrm: str = ""  # the start of a mark ("PH71"), when that is all the officer has
    flat: str = ""
    town: str = ""  # a town after the street, which narrows the streets of that name
    area: str = ""  # "flagged addresses in NW1": a district, postcode or town whose flagged addresses to list
    # "baker street": the street a name-like phrase may be, tried when no one has that exact name
    street_reading: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    age_range: tuple[int, int] | None = None  # the ages an estimate ("about 40") stands for
    subjects: tuple[ParsedQuery, ...] = ()  # each subject, when the message names several
    subjects_left_out: int = 0  # subjects beyond MAX_SUBJECTS, not listed
    small_talk: str = ""  # greeting, thanks, farewell, acknowledged, chat
    follow_up: FollowUp | None = None  # "more", "the second one", "his car": about the last answer

    def to_json(self) -> dict[str, object]:
        """The `beatline parse` JSON of the contract, with the extension keys that have a value."""
        data: dict[str, object] = {"intent": self.intent, "slots": dict(self.slots)}
        if self.problems:
            data["problems"] = list(self.problems)
        extras = {
            "alternatives": [dict(a) for a in self.alternatives], "vrm_as_typed": self.vrm_as_typed,
            "vrms": list(self.vrms),
            "partial_vrm": self.partial_vrm, "flat": self.flat, "town": self.town, "area": self.area,
            "street_reading": dict(self.street_reading),
            "age_range": list(self.age_range) if self.age_range else None,
            "subjects": [{"intent": s.intent, "slots": dict(s.slots)} for s in self.subjects],
            "subjects_left_out": self.subjects_left_out, "small_talk": self.small_talk,
            "follow_up": self.follow_up.to_json() if self.follow_up else None,
        }  # fmt: skip
        return data | {key: value for key, value in extras.items() if value}


def _intent(keywords: set[str], slots: dict[str, str | int], has_name: bool, help_phrase: bool) -> Intent:
    """What the officer wants: a word that says so beats what the slots suggest."""
    address = {"postcode", "street", "house_number"} & slots.keys()
    person = has_name or {"dob", "birth_year", "age"} & slots.keys()
    # "incidents at 5 high st", "calls to ...": an address's history is an address check.
    if "incident_ref" in slots or (Intent.INCIDENT_LOOKUP in keywords and not address):
        return Intent.INCIDENT_LOOKUP
    # "how does this work" is a question about the bot; "help with john smith" is a query.
    asks_help = help_phrase or (Intent.HELP in keywords and not has_name)
    if not slots.keys() - {"forenames", "surname"} and asks_help:
        return Intent.HELP
    for intent, found in (
        (Intent.WARRANT_CHECK, Intent.WARRANT_CHECK in keywords),
        (Intent.VEHICLE_CHECK, "vrm" in slots or Intent.VEHICLE_CHECK in keywords),
        (Intent.ADDRESS_CHECK, Intent.ADDRESS_CHECK in keywords or (address and not has_name)),
        (Intent.PERSON_CHECK, person or Intent.PERSON_CHECK in keywords),
    ):
        if found:
            return intent
    return Intent.UNKNOWN


def _one(text: str, today: date) -> ParsedQuery:
    """One subject's query, from text already cleaned."""
    slots: dict[str, str | int] = {}
    if ref := find_incident_ref(text):
        slots["incident_ref"], text = ref[0], mask(text, *ref[1])
    postcode = find_postcode(text)
    if postcode and _misread_mark(text[slice(*postcode[1])], postcode[0]):
        postcode = None
    if postcode:
        slots["postcode"], text = postcode[0], mask(text, *postcode[1])
    flat = find_flat(text)
    if flat:
        start, end = flat[1]
        text = text[:start] + " " * (end - start) + text[end:]
    birth = find_birth_details(text, today=today)
    for span in birth.spans:
        text = mask(text, *span)
    text, spoken_marks = read_out(text)
    if birth.dob:
        slots["dob"] = birth.dob.isoformat()
    slots.update({k: v for k, v in (("birth_year", birth.birth_year), ("age", birth.age)) if v is not None})
    tokens = tokenise(text)
    address, used = find_street(tokens)
    slots.update(address)
    consume(used)
    town, town_words = town_after(tokens, used)
    consume(town_words)
    vehicle_context = bool(spoken_marks) or any(t.intent == Intent.VEHICLE_CHECK for t in tokens)
    marks = find_vrms(tokens, vehicle_context)
    partial = None if marks else find_partial_vrm(tokens)
    if marks or partial:
        slots.update({"vrm": marks[0][0]} if marks else {})
        consume(partial[1] if partial else [])
        set_aside_descriptions(tokens)
    if postcode and "house_number" not in slots:
        slots.update(number_before(tokens, postcode[1][0]))
    # "john smith 030485", "john smith 1985": a number alone, if no mark took it, counts once
    # someone is named.
    loose = [t for t in tokens if birth.loose_span and birth.loose_span[0] <= t.start < birth.loose_span[1]]
    loose = [] if any(t.kind == "slot" for t in loose) else loose
    consume(loose)
    read_name_position(tokens)
    as_street = street_reading(tokens) if not (address or birth.dob or birth.birth_year or birth.age) else {}
    readings = find_names(tokens, bool(slots.keys() - {"dob", "birth_year", "age"}))
    if readings:
        slots.update(readings[0])
        if loose and birth.loose_dob:
            slots["dob"] = birth.loose_dob.isoformat()
        if loose and birth.loose_year:
            slots["birth_year"] = birth.loose_year
    keywords = {t.intent for t in tokens if t.kind == "keyword"}
    if partial:
        keywords.add(Intent.VEHICLE_CHECK)
    intent = _intent(keywords, slots, bool(readings), bool(_HELP_PHRASE.search(text.lower())))
    if intent is Intent.HELP:
        return ParsedQuery(Intent.HELP)
    return ParsedQuery(
        intent,
        MappingProxyType({key: slots[key] for key in _SLOT_ORDER if key in slots}),
        birth.problems,
        alternatives=tuple(MappingProxyType(r) for r in readings[1:]),
        vrm_as_typed=_as_typed(marks[0]) if marks else "",
        vrms=tuple(mark for mark, _ in marks) if len(marks) > 1 else (),
        partial_vrm=partial[0] if partial else "",
        flat=flat[0] if flat and {"house_number", "street"} <= slots.keys() else "",
        town=town,
        street_reading=MappingProxyType(as_street if readings else {}),
        age_range=birth.age_range if "age" in slots else None,
    )


def _as_typed(mark: tuple[str, list[Token]]) -> str:
    """The mark as the officer typed it, if the parser read it otherwise ("8D51 5MR" read BD51SMR)."""
    typed = compact_vrm("".join(t.text for t in mark[1]))
    return typed if typed != mark[0] else ""


def _misread_mark(typed: str, postcode: str) -> bool:
    """ "KM646XE": typed as one word, in no postcode area, and one misreading from a mark (KM64GXE)."""
    if " " in typed.strip() or in_a_postcode_area(postcode):
        return False
    return any(is_distinctive_vrm(vrm) for vrm, _ in plate_readings(typed, 1))


def _names_one_subject(query: ParsedQuery) -> bool:
    return any(keys <= query.slots.keys() for keys in _ONE_SUBJECT)


def _subjects(text: str, today: date) -> list[ParsedQuery]:
    """Each subject of a message, cut where one ends and the next begins ("X 3/4/85 and Y 5/6/90").

    A piece that names no one by itself ("SMITH, John 3/4/85", "april 3, 1985") belongs with the
    next; words after the last subject ("..., please") belong with it.
    """
    spans, position = [], 0
    for joiner in _JOINERS.finditer(text):
        spans.append((position, joiner.start()))
        position = joiner.end()
    spans.append((position, len(text)))
    if len(spans) > _MAX_PIECES:
        return []
    subjects: list[tuple[int, ParsedQuery]] = []
    begin: int | None = None
    for start, end in spans:
        begin = start if begin is None else begin
        query = _one(text[begin:end], today)
        if _names_one_subject(query):
            subjects.append((begin, query))
            begin = None
    if begin is not None and subjects:
        last, _ = subjects.pop()
        subjects.append((last, _one(text[last:], today)))
    return [query for _, query in subjects]


def parse(text: str, *, today: date | None = None) -> ParsedQuery:
    """Understand one officer's query; never raises, whatever the text."""
    today = today or date.today()
    text = _MARKUP.sub(" ", clean_text(text)).replace("’", "'").replace("‘", "'")
    if not text.strip() or _CODE.search(text):
        return ParsedQuery(Intent.UNKNOWN)
    if not _HELP_PHRASE.search(text.lower()) and (kind := small_talk(text)):
        return ParsedQuery(Intent.HELP) if kind == "help" else ParsedQuery(Intent.UNKNOWN, small_talk=kind)
    if follow_up := find_follow_up(text, today=today):
        return ParsedQuery(_FOLLOW_UP_INTENT.get(follow_up.refers, Intent.UNKNOWN), follow_up=follow_up)
    if area := find_area(text):
        return ParsedQuery(Intent.ADDRESS_CHECK, area=area)
    whole = _one(text, today)
    subjects = _subjects(text, today) if _JOINERS.search(text) else []
    if whole.vrms:  # "ab12 cde and nl72 byd", "plates ab12cde nl72byd": each mark is a subject
        vrms = tuple(dict.fromkeys(whole.vrms))  # a mark said twice is one subject
        marks = [ParsedQuery(Intent.VEHICLE_CHECK, MappingProxyType({"vrm": vrm})) for vrm in vrms]
        # ... and so is anyone named between them ("ab12 cde and jo bloggs 1/2/80 and nl72 byd").
        split_marks = {vrm for s in subjects for vrm in (s.vrms or (s.slots.get("vrm"),))}
        if len(subjects) <= len(marks) or not split_marks >= set(vrms):
            subjects = marks
        subjects = _distinct(subjects)
        if len(subjects) < 2:
            return replace(whole, vrms=())
        return replace(
            whole,
            vrms=vrms,
            subjects=_listed(subjects),
            subjects_left_out=max(0, len(subjects) - MAX_SUBJECTS),
        )
    subjects = _distinct(subjects)
    if len(subjects) < 2:
        return whole
    first = subjects[0]
    if first.intent is Intent.PERSON_CHECK and whole.intent is Intent.WARRANT_CHECK:
        first = replace(first, intent=Intent.WARRANT_CHECK)  # "is X 3/4/85 and Y 5/6/90 wanted"
    return replace(first, subjects=_listed(subjects), subjects_left_out=max(0, len(subjects) - MAX_SUBJECTS))


def _distinct(subjects: list[ParsedQuery]) -> list[ParsedQuery]:
    """The subjects, each once: "ab12 cde and ab12 cde" asks about one vehicle."""
    seen: dict[tuple[object, ...], ParsedQuery] = {}
    for subject in subjects:
        seen.setdefault((subject.intent, *sorted(subject.slots.items())), subject)
    return list(seen.values())


def _listed(subjects: list[ParsedQuery]) -> tuple[ParsedQuery, ...]:
    return tuple(subjects[:MAX_SUBJECTS])
