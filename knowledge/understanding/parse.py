"""Query understanding: what an officer typed, as an intent and the details it names.

Slots are taken out of the text one kind at a time, each masked or consumed once found so that no
later step reuses its characters: incident reference, postcode, dates, house number and street,
registration mark. The words that remain, less keywords, fillers and a vehicle's description, are
the name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from knowledge.matching.clean import clean_text
from knowledge.matching.postcodes import find_postcode
from knowledge.understanding.dates import find_birth_details
from knowledge.understanding.find_addresses import find_street, number_before
from knowledge.understanding.find_names import find_name, read_name_position
from knowledge.understanding.find_plates import find_vrm, set_aside_descriptions
from knowledge.understanding.find_refs import find_incident_ref
from knowledge.understanding.tokens import consume, mask, tokenise

__all__ = ["INTENTS", "ParsedQuery", "parse"]

INTENTS = (
    "person_check", "vehicle_check", "address_check", "incident_lookup", "warrant_check", "help", "unknown"
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

    def to_json(self) -> dict[str, object]:
        """The `beatline parse` JSON of the contract."""
        data: dict[str, object] = {"intent": self.intent, "slots": dict(self.slots)}
        if self.problems:
            data["problems"] = list(self.problems)
        return data


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
    if ref := find_incident_ref(text):
        slots["incident_ref"], text = ref[0], mask(text, *ref[1])
    if postcode := find_postcode(text):
        slots["postcode"], text = postcode[0], mask(text, *postcode[1])
    birth = find_birth_details(text, today=today)
    for span in birth.spans:
        text = mask(text, *span)
    if birth.dob:
        slots["dob"] = birth.dob.isoformat()
    slots.update({k: v for k, v in (("birth_year", birth.birth_year), ("age", birth.age)) if v is not None})
    tokens = tokenise(text)
    address, used = find_street(tokens)
    slots.update(address)
    consume(used)
    if found_vrm := find_vrm(tokens, any(t.intent == "vehicle_check" for t in tokens)):
        slots["vrm"] = found_vrm[0]
        consume(found_vrm[1])
        set_aside_descriptions(tokens)
    if postcode and "house_number" not in slots:
        slots.update(number_before(tokens, postcode[1][0]))
    read_name_position(tokens)
    name = find_name(tokens, bool(slots.keys() - {"dob", "birth_year", "age"}))
    slots.update(name)
    keywords = {t.intent for t in tokens if t.kind == "keyword"}
    intent = _intent(keywords, slots, bool(name), bool(_HELP_PHRASE.search(text.lower())))
    if intent == "help":
        slots = {}
    ordered = {key: slots[key] for key in _SLOT_ORDER if key in slots}
    return ParsedQuery(intent, MappingProxyType(ordered), birth.problems)
