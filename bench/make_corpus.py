"""Generate the officer-question corpus that `bench/understanding.py` measures understanding on.

    .venv/bin/python -m bench.make_corpus [--seed 11] [--out tests/data]

The questions are a grammar, not a hand-written list: templates (one family per way of putting a
question) x record values drawn from the demo data (`beatline demo-data`: 5,000 persons, seed 1) x
noise (case, word order, typing slips, spoken forms, punctuation, abbreviations, small talk). Every
question carries what it means: the intent, the slots in the contract's format, and the record it
asks about. The same seed gives the same files, byte for byte.

The corpus is split once, by record (all questions about one person, plate or address fall in the
same part) and, for help and small talk, by base phrase: `understanding-dev.jsonl` is for
developing rules; `understanding-held-out.jsonl` is for measuring them, and no rule is tuned on it
(bench/understanding.py prints misses for the development part only). See tests/data/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.search import typo
from knowledge.demo.dataset import generate
from knowledge.matching.names import normalise_name
from knowledge.matching.nicknames import _GROUPS
from knowledge.matching.streets import ABBREVIATIONS
from knowledge.matching.vrm import compact_vrm, normalise_vrm

TODAY = dt.date(2026, 11, 1)  # the demo data's own "today"; two-digit years and ages are read against it
DEMO_PERSONS, DEMO_SEED = 5000, 1
_SPLIT_SALT = "beatline-understanding-2026"  # fixed once: changing it would reshuffle the held-out part

Rows = list[dict[str, str]]
Slots = dict[str, str | int]


@dataclass
class Question:
    family: str
    text: str
    intent: str
    slots: Slots
    split_key: str  # what decides the part: a record id, or a base phrase
    record: dict[str, str] | None = None  # the record asked about, which exists in the demo data
    unique: bool = False  # the question singles that record out, so it should come first
    extra: dict[str, object] = field(default_factory=dict)  # subjects, vrms, partial_vrm, flat


# ---------------------------------------------------------------------------------------- noise


# fmt: off
_OPENERS = [
    "", "", "", "", "", "morning, ", "hi ", "sarge can you ", "control, ", "quick one - ", "pls ",
    "evening. ", "hiya, ", "can i get ",
]
_CLOSERS = [
    "", "", "", "", "", " please", " pls", " thanks", " cheers", " ta", " asap", " when you can", " thx",
]
# fmt: on
_KEYWORD_SLIPS = {
    "check": ["chek", "chekc", "cheque"],
    "warnings": ["warnigns", "warings"],
    "please": ["plese", "pleae"],
    "address": ["adress", "addres"],
    "history": ["histroy"],
    "registration": ["registraton"],
    "warrants": ["warrnts", "warants"],
    "incident": ["incidnet"],
    "plate": ["plat"],
}


def polish(text: str, rng: random.Random, *, shout: bool = True) -> str:
    """Case, a typing slip in a keyword, a friendly opener or closer, end punctuation."""
    words = text.split(" ")
    for k, word in enumerate(words):
        if word in _KEYWORD_SLIPS and rng.random() < 0.15:
            words[k] = rng.choice(_KEYWORD_SLIPS[word])
    text = " ".join(words)
    if rng.random() < 0.3:
        text = rng.choice(_OPENERS) + text + rng.choice(_CLOSERS)
    roll = rng.random()
    if roll < 0.1 and shout:
        text = text.upper()
    elif roll < 0.2:
        text = text[:1].upper() + text[1:]
    return text + rng.choice(["", "", "", "?", ".", "!", " ?"])


def unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


# ---------------------------------------------------------------------------------------- dates

# fmt: off
_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
]
_ORDINALS = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
    "nineteenth", "twentieth", "twenty first", "twenty second", "twenty third", "twenty fourth",
    "twenty fifth", "twenty sixth", "twenty seventh", "twenty eighth", "twenty ninth", "thirtieth",
    "thirty first",
]
# fmt: on


def _suffix(day: int) -> str:
    return "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def numeric_date(d: dt.date, rng: random.Random) -> str:
    return rng.choice([
        f"{d.day}/{d.month}/{d.year % 100:02d}", f"{d:%d/%m/%Y}", f"{d:%d.%m.%Y}",
        f"{d.day}-{d.month}-{d.year}", f"{d.day}/{d.month}/{d.year}", f"{d:%d/%m/%y}", d.isoformat(),
    ])  # fmt: skip


def worded_date(d: dt.date, rng: random.Random) -> str:
    month, year = _MONTHS[d.month - 1], rng.choice((str(d.year), f"{d.year % 100:02d}"))
    short = month[:3]
    return rng.choice([
        f"{d.day} {month} {d.year}", f"{d.day}{_suffix(d.day)} {short} {year}",
        f"{d.day}{_suffix(d.day)} of {month} {year}", f"{month} {d.day}{_suffix(d.day)} {d.year}",
        f"{_ORDINALS[d.day - 1]} of {month} {d.year}",
        f"the {d.day}{_suffix(d.day)} of {month.lower()} {year}", f"{d.day} {short.lower()} {year}",
    ])  # fmt: skip


def compact_date(d: dt.date, rng: random.Random) -> str:
    return rng.choice([f"{d:%d%m%y}", f"{d:%d%m%Y}"])


def dated(name: str, date_text: str, rng: random.Random) -> str:
    """A name with its date of birth, the ways officers join them."""
    return rng.choice([
        f"{name} {date_text}", f"{name} dob {date_text}", f"{name} born {date_text}", f"{name}, {date_text}",
        f"{name} d.o.b. {date_text}", f"{name} DOB {date_text}", f"dob {date_text} {name}",
    ])  # fmt: skip


def age_on(born: dt.date, today: dt.date = TODAY) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# ---------------------------------------------------------------------------------------- the records


def key(text: str) -> str:
    """A name as search compares it: letters only, no spaces, apostrophes or hyphens."""
    return normalise_name(text).replace(" ", "")


class Records:
    """The demo rows, indexed the ways the generator needs to know whether a question is unique."""

    def __init__(self, rows: dict[str, Rows]) -> None:
        self.persons = rows["persons.csv"]
        self.vehicles = rows["vehicles.csv"]
        self.addresses = rows["addresses.csv"]
        self.incidents = rows["incidents.csv"]
        self.warrants = rows["warrants.csv"]
        self.names = Counter(self.name_key(p) for p in self.persons)
        self.named_on = Counter((self.name_key(p), p["date_of_birth"]) for p in self.persons)
        self.vrms = {compact_vrm(v["vrm"]) for v in self.vehicles}
        self.wanted = {w["person_id"] for w in self.warrants if w["status"] == "ACTIVE"}
        self.by_id = {p["id"]: p for p in self.persons}
        self.houses = Counter(self.house_key(a) for a in self.addresses)
        self.flats = Counter((self.house_key(a), flat_of(a)) for a in self.addresses)
        self.postcodes = Counter(a["postcode"] for a in self.addresses)
        self.numbered_postcodes = Counter((house_of(a)[0], a["postcode"]) for a in self.addresses)

    @staticmethod
    def name_key(person: dict[str, str]) -> tuple[str, str]:
        return key(person["forenames"].split()[0]), key(person["surname"])

    @staticmethod
    def house_key(address: dict[str, str]) -> tuple[str, str]:
        number, street = house_of(address)
        return number, street.lower()

    def unique_name(self, person: dict[str, str]) -> bool:
        return self.names[self.name_key(person)] == 1

    def unique_on_dob(self, person: dict[str, str]) -> bool:
        return self.named_on[(self.name_key(person), person["date_of_birth"])] == 1


_LINE = re.compile(r"^(?:Flat (?P<flat>\d+), )?(?P<number>\d+[A-Z]?) (?P<street>.+)$")


def house_of(address: dict[str, str]) -> tuple[str, str]:
    match = _LINE.match(address["line1"])
    return (match["number"], match["street"]) if match else ("", address["line1"])


def flat_of(address: dict[str, str]) -> str:
    match = _LINE.match(address["line1"])
    return match["flat"] or "" if match else ""


_SHORT_TYPE = {}
for _short, _long in ABBREVIATIONS.items():
    _SHORT_TYPE.setdefault(_long, _short)


def street_said(street: str, rng: random.Random) -> tuple[str, str]:
    """(what the officer types, the street slot): lower case, the type sometimes abbreviated."""
    words = street.lower().split()
    slot = " ".join(words)
    if words[-1] in _SHORT_TYPE and rng.random() < 0.4:
        words[-1] = _SHORT_TYPE[words[-1]]
    said = " ".join(words)
    return (said.title() if rng.random() < 0.2 else said), slot


def person_record(person: dict[str, str]) -> dict[str, str]:
    return {"kind": "person", "id": person["id"]}


def dob_question(
    family: str, text: str, records: Records, person: dict[str, str], fore: str, sur: str
) -> Question:
    """A person question that gives the name as typed and the recorded date of birth."""
    slots = {**name_slots(fore, sur), "dob": person["date_of_birth"]}
    return Question(
        family,
        text,
        "person_check",
        slots,
        person["id"],
        person_record(person),
        records.unique_on_dob(person),
    )


def spoken_name(person: dict[str, str], rng: random.Random, *, all_forenames: float = 0.1) -> tuple[str, str]:
    """(forenames, surname) as typed: the first forename (sometimes all), accents sometimes dropped."""
    forenames = person["forenames"] if rng.random() < all_forenames else person["forenames"].split()[0]
    surname = person["surname"]
    if rng.random() < 0.5:
        forenames, surname = unaccented(forenames), unaccented(surname)
    return forenames, surname


def name_slots(forenames: str, surname: str) -> Slots:
    slots: Slots = {"surname": surname.lower()}
    if forenames:
        slots["forenames"] = forenames.lower()
    return slots


# ---------------------------------------------------------------------------------------- families

# fmt: off
_PERSON_CUES = [
    "check {n}", "any warnings on {n}", "pnc {n}", "{n}", "{n}", "can you run {n}", "anything on {n}",
    "quick check on {n}", "is there anything on {n}", "person check {n}", "check on {n}", "run {n} for me",
    "markers on {n}", "pnc check {n}", "can u do {n}", "{n} any trace",
]
# fmt: on


def _cue(rng: random.Random, inner: str) -> str:
    return rng.choice(_PERSON_CUES).format(n=inner)


def _persons(records: Records, rng: random.Random, count: int, where: Callable[[dict[str, str]], bool]):
    pool = [p for p in records.persons if p["date_of_birth"] and where(p)]
    return rng.sample(pool, k=min(count, len(pool)))


def person_forename_first(records: Records, rng: random.Random) -> Iterator[Question]:
    for person in _persons(records, rng, 520, lambda p: True):
        fore, sur = spoken_name(person, rng)
        born = dt.date.fromisoformat(person["date_of_birth"])
        date_text = numeric_date(born, rng) if rng.random() < 0.75 else worded_date(born, rng)
        text = polish(_cue(rng, dated(f"{fore} {sur}", date_text, rng)).lower(), rng)
        yield dob_question("person_forename_first", text, records, person, fore, sur)


def person_surname_first(records: Records, rng: random.Random) -> Iterator[Question]:
    for person in _persons(records, rng, 380, lambda p: True):
        fore, sur = spoken_name(person, rng, all_forenames=0.0)
        born = dt.date.fromisoformat(person["date_of_birth"])
        date_text = numeric_date(born, rng)
        shape = rng.choice(("lower", "lower", "comma", "comma_upper", "pnc", "no_date"))
        if shape == "no_date" and not records.unique_name(person):
            shape = "lower"
        name = {
            "lower": f"{sur} {fore}".lower(), "comma": f"{sur}, {fore}".lower(),
            "comma_upper": f"{sur.upper()}, {fore.title()}", "pnc": f"{sur.upper()} {fore.title()}",
            "no_date": f"{sur} {fore}".lower(),
        }[shape]  # fmt: skip
        inner = name if shape == "no_date" else dated(name, date_text, rng)
        text = polish(_cue(rng, inner), rng, shout=False)
        slots = name_slots(fore, sur) | ({} if shape == "no_date" else {"dob": born.isoformat()})
        unique = records.unique_name(person) if shape == "no_date" else records.unique_on_dob(person)
        yield Question(
            "person_surname_first", text, "person_check", slots, person["id"], person_record(person), unique
        )


_PARTICLE = re.compile(r"^(?:O'|Mc|Mac(?=[A-Z])|Mac(?=kenzie))", re.IGNORECASE)


def _particle_forms(surname: str, rng: random.Random) -> str:
    """An Irish or Scottish surname typed joined, split or without its apostrophe."""
    lower = surname.lower()
    if lower.startswith("o'"):
        return rng.choice([lower, "o" + lower[2:], "o " + lower[2:], "o' " + lower[2:]])
    for prefix in ("mac", "mc"):
        if lower.startswith(prefix):
            return rng.choice([lower, f"{prefix} {lower[len(prefix) :]}"])
    if "-" in lower:
        return rng.choice([lower, lower.replace("-", " "), lower.replace("-", "")])
    return lower


def person_particles(records: Records, rng: random.Random) -> Iterator[Question]:
    for person in _persons(
        records, rng, 170, lambda p: bool(_PARTICLE.match(p["surname"])) or "-" in p["surname"]
    ):
        fore = unaccented(person["forenames"].split()[0]).lower()
        sur = _particle_forms(person["surname"], rng)
        born = dt.date.fromisoformat(person["date_of_birth"])
        name = rng.choice((f"{fore} {sur}", f"{fore} {sur}", f"{sur} {fore}", f"{sur}, {fore}"))
        text = polish(_cue(rng, dated(name, numeric_date(born, rng), rng)), rng)
        yield dob_question("person_particles", text, records, person, fore, sur)


_DESCRIPTORS = {
    "M": ["male", "white male", "IC1 male", "ic3 male", "male ic1", "IC2", "m/ic1"],
    "F": ["female", "white female", "IC1 female", "ic4 female", "female ic3", "f/ic1", "IC6"],
}


def person_descriptors(records: Records, rng: random.Random) -> Iterator[Question]:
    for person in _persons(records, rng, 160, lambda p: p["sex"] in ("M", "F")):
        fore, sur = spoken_name(person, rng, all_forenames=0.0)
        born = dt.date.fromisoformat(person["date_of_birth"])
        desc = rng.choice(_DESCRIPTORS[person["sex"]])
        name = rng.choice((f"{desc} {fore} {sur}", f"{fore} {sur} {desc}", f"{fore} {sur}, {desc},"))
        text = polish(_cue(rng, dated(name.lower(), numeric_date(born, rng), rng)), rng)
        yield dob_question("person_descriptors", text, records, person, fore, sur)


def person_birth_year(records: Records, rng: random.Random) -> Iterator[Question]:
    for person in _persons(records, rng, 160, records.unique_name):
        fore, sur = spoken_name(person, rng, all_forenames=0.0)
        year = person["date_of_birth"][:4]
        said = rng.choice(
            [
                f"{{n}} {year}",
                f"{{n}} born {year}",
                f"{{n}} born in {year}",
                f"{{n}} yob {year}",
                f"{{n}} b. {year}",
                f"{{n}} ({year})",
                f"{{n}} year of birth {year}",
            ]
        )
        text = polish(_cue(rng, said.format(n=f"{fore} {sur}".lower())), rng)
        yield Question(
            "person_birth_year",
            text,
            "person_check",
            {**name_slots(fore, sur), "birth_year": int(year)},
            person["id"],
            person_record(person),
            True,
        )


def person_age(records: Records, rng: random.Random) -> Iterator[Question]:
    for person in _persons(
        records, rng, 160, lambda p: records.unique_name(p) and p["date_of_birth"] < "2006"
    ):
        fore, sur = spoken_name(person, rng, all_forenames=0.0)
        age = age_on(dt.date.fromisoformat(person["date_of_birth"]))
        about = rng.choice((age, age, 5 * round(age / 5), age + rng.choice((-2, -1, 1, 2))))
        said = rng.choice(
            [
                f"{{n}} aged {age}",
                f"{{n}} age {age}",
                f"{{n}} {age} yrs",
                f"{{n}} {age} years old",
                f"{{n}} aged about {about}",
                f"{{n}} approx {about}",
                f"{{n}} around {about}",
                f"{{n}} about {about} years old",
                f"{{n}} {about}ish",
                f"{{n}}, approx {about} yo",
                f"{{n}} roughly {about}",
                f"{{n}} aged approximately {about}",
            ]
        )
        stated = int(re.findall(r"\d+", said)[-1])
        text = polish(_cue(rng, said.format(n=f"{fore} {sur}".lower())), rng)
        slots = {**name_slots(fore, sur), "age": stated}
        yield Question("person_age", text, "person_check", slots, person["id"], person_record(person), True)


def person_compact_date(records: Records, rng: random.Random) -> Iterator[Question]:
    for person in _persons(records, rng, 160, lambda p: True):
        fore, sur = spoken_name(person, rng, all_forenames=0.0)
        born = dt.date.fromisoformat(person["date_of_birth"])
        name = f"{fore} {sur}".lower()
        said = rng.choice(
            (
                f"{name} {compact_date(born, rng)}",
                f"{name} {compact_date(born, rng)}",
                f"{name} dob {compact_date(born, rng)}",
                f"{compact_date(born, rng)} {name}",
            )
        )
        text = polish(_cue(rng, said), rng)
        yield dob_question("person_compact_date", text, records, person, fore, sur)


def person_worded_date(records: Records, rng: random.Random) -> Iterator[Question]:
    for person in _persons(records, rng, 160, lambda p: True):
        fore, sur = spoken_name(person, rng, all_forenames=0.0)
        born = dt.date.fromisoformat(person["date_of_birth"])
        text = polish(_cue(rng, dated(f"{fore} {sur}".lower(), worded_date(born, rng), rng)), rng)
        yield dob_question("person_worded_date", text, records, person, fore, sur)


def person_partial_date(records: Records, rng: random.Random) -> Iterator[Question]:
    """A date without its year: the answer should ask for it, not guess."""
    for person in _persons(records, rng, 70, lambda p: True):
        fore, sur = spoken_name(person, rng, all_forenames=0.0)
        born = dt.date.fromisoformat(person["date_of_birth"])
        said = rng.choice(
            (
                f"{born.day}/{born.month}",
                f"{born:%d/%m}",
                f"{born.day}{_suffix(born.day)} {_MONTHS[born.month - 1].lower()}",
                f"{born.day}.{born.month}",
            )
        )
        text = polish(_cue(rng, dated(f"{fore} {sur}".lower(), said, rng)), rng)
        yield Question(
            "person_partial_date",
            text,
            "person_check",
            name_slots(fore, sur),
            person["id"],
            person_record(person),
            False,
        )


def person_typo(records: Records, rng: random.Random) -> Iterator[Question]:
    for person in _persons(records, rng, 220, lambda p: True):
        fore, sur = spoken_name(person, rng, all_forenames=0.0)
        fore, sur = (typo(fore, rng), sur) if rng.random() < 0.5 else (fore, typo(sur, rng))
        born = dt.date.fromisoformat(person["date_of_birth"])
        text = polish(_cue(rng, dated(f"{fore} {sur}".lower(), numeric_date(born, rng), rng)), rng)
        yield dob_question("person_typo", text, records, person, fore, sur)


_NICKNAME_OF = {canonical: variants.split() for canonical, variants in _GROUPS.items()}


def person_nickname(records: Records, rng: random.Random) -> Iterator[Question]:
    def has_nickname(p: dict[str, str]) -> bool:
        return p["forenames"].split()[0].lower() in _NICKNAME_OF

    for person in _persons(records, rng, 90, has_nickname):
        nick = rng.choice(_NICKNAME_OF[person["forenames"].split()[0].lower()])
        sur = unaccented(person["surname"]).lower()
        born = dt.date.fromisoformat(person["date_of_birth"])
        text = polish(_cue(rng, dated(f"{nick} {sur}", numeric_date(born, rng), rng)), rng)
        yield dob_question("person_nickname", text, records, person, nick, sur)


def person_alias(records: Records, rng: random.Random) -> Iterator[Question]:
    for person in _persons(records, rng, 90, lambda p: bool(p["aliases"])):
        alias = rng.choice(person["aliases"].split(";"))
        words = alias.replace(".", "").split()
        fore, sur = " ".join(words[:-1]), words[-1]
        born = dt.date.fromisoformat(person["date_of_birth"])
        text = polish(_cue(rng, dated(f"{fore} {sur}".lower(), numeric_date(born, rng), rng)), rng)
        yield dob_question("person_alias", text, records, person, fore, sur)


_JOINS = [" and ", " and ", ", ", " & ", " also ", "; ", " then "]


def person_multi(records: Records, rng: random.Random) -> Iterator[Question]:
    """Two to five people in one message; slots are the first one's, subjects list them all."""
    pool = [p for p in records.persons if p["date_of_birth"]]
    for _ in range(130):
        people = rng.sample(pool, k=rng.choices((2, 3, 4, 5), (60, 25, 10, 5))[0])
        parts, subjects = [], []
        for person in people:
            fore, sur = spoken_name(person, rng, all_forenames=0.0)
            born = dt.date.fromisoformat(person["date_of_birth"])
            parts.append(f"{fore} {sur} {numeric_date(born, rng)}".lower())
            subjects.append(
                {"intent": "person_check", "slots": {**name_slots(fore, sur), "dob": born.isoformat()}}
            )
        joined = parts[0] + "".join(rng.choice(_JOINS) + part for part in parts[1:])
        text = polish(rng.choice(("check {n}", "{n}", "can you run {n}", "pnc {n}")).format(n=joined), rng)
        first = people[0]
        yield Question(
            "person_multi",
            text,
            "person_check",
            subjects[0]["slots"],
            first["id"],
            person_record(first),
            records.unique_on_dob(first),
            {"subjects": subjects},
        )


# fmt: off
_WARRANT_CUES = [
    "is {n} wanted", "any warrants for {n}", "warrant check {n}", "{n} wanted?", "is {n} circulated",
    "does {n} have any warrants", "wanted check on {n}", "any outstanding warrants {n}",
    "is there a warrant for {n}", "{n} - any warrant",
]
# fmt: on


def warrant_check(records: Records, rng: random.Random) -> Iterator[Question]:
    wanted = _persons(records, rng, 130, lambda p: p["id"] in records.wanted)
    others = _persons(records, rng, 130, lambda p: p["id"] not in records.wanted)
    for person in [*wanted, *others]:
        fore, sur = spoken_name(person, rng, all_forenames=0.0)
        born = dt.date.fromisoformat(person["date_of_birth"])
        with_dob = rng.random() < 0.7 or not records.unique_name(person)
        name = f"{fore} {sur}".lower() if rng.random() < 0.8 else f"{sur}, {fore}".lower()
        if with_dob:
            name = (
                f"{name} {numeric_date(born, rng)}"
                if rng.random() < 0.5
                else f"{name} dob {numeric_date(born, rng)}"
            )
        text = polish(rng.choice(_WARRANT_CUES).format(n=name), rng)
        slots = name_slots(fore, sur) | ({"dob": born.isoformat()} if with_dob else {})
        unique = records.unique_on_dob(person) if with_dob else records.unique_name(person)
        yield Question(
            "warrant_check", text, "warrant_check", slots, person["id"], person_record(person), unique
        )


# ---------------------------------------------------------------------------------------- vehicles

# fmt: off
_VEHICLE_CUES = [
    "check plate {v}", "{v}", "{v}", "who keeps {v}", "reg {v}", "any markers on {v}", "vrm {v}",
    "is {v} stolen", "pnc {v}", "check {v}", "vehicle check {v}", "whos the keeper of {v}",
    "can you check reg {v}", "plate {v} any reports", "{v} any info", "numberplate {v}",
]
# fmt: on


def plate_typed(vrm: str, rng: random.Random) -> str:
    """A mark as typed: as on the plate, run together, hyphenated or oddly spaced, in any case."""
    compact = compact_vrm(vrm)
    shape = rng.choice((vrm, vrm, compact, compact, vrm.replace(" ", "-"), " ".join(compact)))
    return shape.lower() if rng.random() < 0.55 else shape


def vehicle_record(vehicle: dict[str, str]) -> dict[str, str]:
    return {"kind": "vehicle", "id": compact_vrm(vehicle["vrm"])}


def plate_question(family: str, text: str, vehicle: dict[str, str]) -> Question:
    """A question about one vehicle whose mark the officer gave whole."""
    vrm = compact_vrm(vehicle["vrm"])
    return Question(family, text, "vehicle_check", {"vrm": vrm}, vrm, vehicle_record(vehicle), True)


def vehicle_plain(records: Records, rng: random.Random) -> Iterator[Question]:
    for vehicle in rng.sample(records.vehicles, k=320):
        typed = plate_typed(vehicle["vrm"], rng)
        if rng.random() < 0.25:
            described = f"{vehicle['colour']} {vehicle['make']} {vehicle['model']}".lower()
            typed = rng.choice((f"{described} {typed}", f"{typed} {described}", f"{typed}, {described}"))
        text = polish(rng.choice(_VEHICLE_CUES).format(v=typed), rng)
        yield plate_question("vehicle_plain", text, vehicle)


_NATO = dict(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [
            "alpha",
            "bravo",
            "charlie",
            "delta",
            "echo",
            "foxtrot",
            "golf",
            "hotel",
            "india",
            "juliet",
            "kilo",
            "lima",
            "mike",
            "november",
            "oscar",
            "papa",
            "quebec",
            "romeo",
            "sierra",
            "tango",
            "uniform",
            "victor",
            "whiskey",
            "x-ray",
            "yankee",
            "zulu",
        ],
        strict=True,
    )
)
_DIGITS = dict(
    zip(
        "0123456789",
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
        strict=True,
    )
)


def spoken_plate(vrm: str, rng: random.Random) -> str:
    """A mark read out over the radio: phonetic alphabet, digits in words, 'oh' and 'double'."""
    chars, words, k = compact_vrm(vrm), [], 0
    plain_letters = rng.random() < 0.2  # "a b one two c d e"
    while k < len(chars):
        char = chars[k]
        said = (char.lower() if plain_letters else _NATO[char]) if char.isalpha() else _DIGITS[char]
        if char == "0" and rng.random() < 0.5:
            said = "oh"
        if k + 1 < len(chars) and chars[k + 1] == char and rng.random() < 0.6:
            words.append(f"double {said}")
            k += 2
            continue
        words.append(said)
        k += 1
    return " ".join(words)


def vehicle_spoken(records: Records, rng: random.Random) -> Iterator[Question]:
    for vehicle in rng.sample(records.vehicles, k=170):
        said = spoken_plate(vehicle["vrm"], rng)
        text = polish(
            rng.choice(
                (
                    "check plate {v}",
                    "reg {v}",
                    "{v}",
                    "vrm is {v}",
                    "can you check {v}",
                    "vehicle {v}",
                    "plate {v} please",
                    "pnc {v}",
                )
            ).format(v=said),
            rng,
            shout=False,
        )
        yield plate_question("vehicle_spoken", text, vehicle)


_CONFUSIONS = ["0OQD", "1I", "2Z", "5S", "8B", "6G"]


def misread(vrm: str, substitutions: int, rng: random.Random) -> str:
    chars = list(compact_vrm(vrm))
    places = [k for k, c in enumerate(chars) if any(c in group for group in _CONFUSIONS)]
    for k in rng.sample(places, k=min(substitutions, len(places))):
        group = next(g for g in _CONFUSIONS if chars[k] in g)
        chars[k] = rng.choice([c for c in group if c != chars[k]])
    return "".join(chars)


def vehicle_confusion(records: Records, rng: random.Random) -> Iterator[Question]:
    """A mark read back with one or two ANPR confusions (0/O/D/Q, 1/I, 2/Z, 5/S, 8/B, 6/G)."""
    made = 0
    for vehicle in rng.sample(records.vehicles, k=len(records.vehicles)):
        if made == 220:
            break
        true = compact_vrm(vehicle["vrm"])
        typed = misread(true, rng.choice((1, 1, 2)), rng)
        if typed == true or typed in records.vrms:
            continue
        made += 1
        said = typed.lower() if rng.random() < 0.5 else typed
        text = polish(rng.choice(_VEHICLE_CUES).format(v=said), rng)
        # A reading that fits a UK format is the mark as typed; one that fits none is what was meant.
        yield Question(
            "vehicle_confusion",
            text,
            "vehicle_check",
            {"vrm": normalise_vrm(typed) or true},
            true,
            vehicle_record(vehicle),
            True,
        )


def vehicle_partial(records: Records, rng: random.Random) -> Iterator[Question]:
    """The first half of a current mark, usually with the colour or make: a shortlist, not one vehicle."""
    current = [v for v in records.vehicles if re.fullmatch(r"[A-Z]{2}\d{2} [A-Z]{3}", v["vrm"])]
    for vehicle in rng.sample(current, k=90):
        part = vehicle["vrm"][:4].lower() if rng.random() < 0.7 else vehicle["vrm"][:4]
        colour, make, model = vehicle["colour"].lower(), vehicle["make"].lower(), vehicle["model"].lower()
        text = polish(
            rng.choice(
                (
                    f"{colour} {make} {part}",
                    f"partial plate {part}",
                    f"{colour} {model} {part}",
                    f"{make} {model} starting {part}",
                    f"part reg {part} {colour} {make}",
                    f"{part} something, {colour} {model}",
                )
            ),
            rng,
            shout=False,
        )
        yield Question(
            "vehicle_partial",
            text,
            "vehicle_check",
            {},
            vehicle_record(vehicle)["id"],
            vehicle_record(vehicle),
            False,
            {"partial_vrm": compact_vrm(part)},
        )


def vehicle_multi(records: Records, rng: random.Random) -> Iterator[Question]:
    for _ in range(110):
        vehicles = rng.sample(records.vehicles, k=rng.choices((2, 3, 4), (70, 25, 5))[0])
        typed = [plate_typed(v["vrm"], rng) for v in vehicles]
        joined = typed[0] + "".join(rng.choice(_JOINS) + t for t in typed[1:])
        text = polish(
            rng.choice(("check {v}", "plates {v}", "{v}", "can you run {v}", "regs {v}")).format(v=joined),
            rng,
        )
        vrms = [compact_vrm(v["vrm"]) for v in vehicles]
        yield Question(
            "vehicle_multi",
            text,
            "vehicle_check",
            {"vrm": vrms[0]},
            vrms[0],
            vehicle_record(vehicles[0]),
            True,
            {"vrms": vrms},
        )


# ---------------------------------------------------------------------------------------- addresses

# fmt: off
_ADDRESS_CUES = [
    "history at {a}", "{a}", "any markers at {a}", "address check {a}", "warnings at {a}",
    "check address {a}", "anything on {a}", "whats at {a}", "who lives at {a}", "premises check {a}",
    "any flags on {a}", "{a} any info",
]
_HISTORY_CUES = [
    "calls to {a}", "incidents at {a}", "previous at {a}", "cad history at {a}", "any previous calls to {a}",
    "any calls to {a} recently", "callouts to {a}", "jobs at {a}", "previous incidents at {a}",
    "history of calls at {a}", "any previous at {a}", "calls at {a}",
]
# fmt: on


def address_record(address: dict[str, str]) -> dict[str, str]:
    return {"kind": "address", "id": address["id"]}


def _house_text(address: dict[str, str], rng: random.Random) -> tuple[str, Slots]:
    number, street = house_of(address)
    said, slot = street_said(street, rng)
    typed_number = number.lower() if rng.random() < 0.6 else number
    return f"{typed_number} {said}", {"house_number": number, "street": slot}


def address_street(records: Records, rng: random.Random) -> Iterator[Question]:
    plain = [a for a in records.addresses if not flat_of(a)]
    for address in rng.sample(plain, k=260):
        said, slots = _house_text(address, rng)
        text = polish(rng.choice(_ADDRESS_CUES).format(a=said), rng)
        unique = records.houses[records.house_key(address)] == 1
        yield Question(
            "address_street", text, "address_check", slots, address["id"], address_record(address), unique
        )


def address_flat(records: Records, rng: random.Random) -> Iterator[Question]:
    """Flats: 'flat 2, 221b baker st', '23/65 nicholson street', 'flat 4 at 12 high road'."""
    flats = [a for a in records.addresses if flat_of(a)]
    for address in rng.sample(flats, k=130):
        flat, (number, street) = flat_of(address), house_of(address)
        said, slot = street_said(street, rng)
        house = rng.choice(
            (
                f"flat {flat}, {number} {said}",
                f"flat {flat} {number} {said}",
                f"{flat}/{number} {said}",
                f"flat {flat} at {number} {said}",
                f"Flat {flat}, {number} {said}",
            )
        )
        text = polish(rng.choice(_ADDRESS_CUES).format(a=house.lower() if rng.random() < 0.6 else house), rng)
        unique = records.flats[(records.house_key(address), flat)] == 1
        yield Question(
            "address_flat",
            text,
            "address_check",
            {"house_number": number, "street": slot},
            address["id"],
            address_record(address),
            unique,
            {"flat": flat},
        )


def address_postcode(records: Records, rng: random.Random) -> Iterator[Question]:
    for address in rng.sample(records.addresses, k=130):
        postcode = address["postcode"]
        typed = rng.choice(
            (postcode, postcode.lower(), postcode.replace(" ", ""), postcode.replace(" ", "").lower())
        )
        number = house_of(address)[0]
        with_number = rng.random() < 0.5 and not flat_of(address)
        said = f"{number.lower()} {typed}" if with_number else typed
        text = polish(rng.choice(_ADDRESS_CUES).format(a=said), rng)
        slots: Slots = {"postcode": postcode} | ({"house_number": number} if with_number else {})
        unique = (
            records.numbered_postcodes[(number, postcode)] if with_number else records.postcodes[postcode]
        ) == 1
        yield Question(
            "address_postcode", text, "address_check", slots, address["id"], address_record(address), unique
        )


def address_history(records: Records, rng: random.Random) -> Iterator[Question]:
    """Calls, incidents and CAD history at an address: an address check with its incidents."""
    plain = [a for a in records.addresses if not flat_of(a)]
    for address in rng.sample(plain, k=160):
        said, slots = _house_text(address, rng)
        if rng.random() < 0.2:
            said, slots = address["postcode"].lower(), {"postcode": address["postcode"]}
        text = polish(rng.choice(_HISTORY_CUES).format(a=said), rng)
        unique = (
            records.houses[records.house_key(address)]
            if "street" in slots
            else records.postcodes[address["postcode"]]
        ) == 1
        yield Question(
            "address_history", text, "address_check", slots, address["id"], address_record(address), unique
        )


# ---------------------------------------------------------------------------------------- incidents


def incident_ref(records: Records, rng: random.Random) -> Iterator[Question]:
    for incident in rng.sample(records.incidents, k=160):
        _, year, serial = incident["ref"].split("-")
        typed = rng.choice(
            (
                incident["ref"],
                incident["ref"].lower(),
                f"INC/{year}/{serial}",
                f"inc {year} {int(serial)}",
                f"inc {year}/{serial}",
                f"INC{year}{serial}",
                f"inc-{year}-{int(serial)}",
                f"INC {year} {serial}",
            )
        )
        text = polish(
            rng.choice(
                (
                    "incident {r}",
                    "{r}",
                    "ref {r}",
                    "what happened at {r}",
                    "details of {r}",
                    "log {r}",
                    "can you pull up {r}",
                    "summary of {r}",
                    "occurrence {r}",
                )
            ).format(r=typed),
            rng,
            shout=False,
        )
        yield Question(
            "incident_ref",
            text,
            "incident_lookup",
            {"incident_ref": incident["ref"]},
            incident["ref"],
            {"kind": "incident", "id": incident["ref"]},
            True,
        )


def incident_other_system(records: Records, rng: random.Random) -> Iterator[Question]:
    """CAD and crime numbers of other systems: understood as references, found in none of the demo's."""
    for _ in range(40):
        number = rng.randint(100, 9999)
        day = rng.randint(1, 28)
        typed, ref = rng.choice(
            (
                (f"cad {number}", f"CAD-{number}"),
                (f"CAD {number}/{day:02d}", f"CAD-{number}/{day:02d}"),
                (f"cad no {number}", f"CAD-{number}"),
                (f"crn {number}/24", f"CRN-{number}/24"),
            )
        )
        text = polish(
            rng.choice(("{r}", "details of {r}", "what was {r}", "ref {r}")).format(r=typed), rng, shout=False
        )
        yield Question(
            "incident_other_system", text, "incident_lookup", {"incident_ref": ref}, f"ref:{typed}"
        )


# ---------------------------------------------------------------------------------------- help and junk

# fmt: off
_HELP = [
    "help", "what can you do", "how does this work", "what can i ask", "commands", "examples", "?",
    "how do i use this", "/help", "help me", "what do you do", "instructions", "how do i check someone",
    "what can i ask you", "usage", "how does it work", "help please", "what are the commands",
]
_SMALL_TALK = [
    "thanks", "thank you", "cheers", "ta", "cheers mate", "good morning", "morning", "morning sarge",
    "good evening", "evening all", "hi", "hello", "hiya", "what's the weather", "what's the weather like",
    "how are you", "you ok?", "nice one", "great thanks", "ok", "okay", "lol", "sorry", "never mind",
    "ignore that", "brb", "bye", "see you later", "night", "good night", "are you there", "is this working",
    "roger", "received", "understood", "will do", "no worries", "happy new year", "what time is it",
    "who are you", "good afternoon", "thanks very much", "much appreciated", "have a good shift",
    "how's your day", "is it going to rain", "lovely weather today", "all good", "ta very much",
    "good stuff", "perfect thanks", "fair enough", "my bad", "hello there", "how's it going", "what's up",
    "sound", "nice weather", "thank u", "top man", "legend", "cheers boss", "happy christmas",
    "merry christmas", "good job", "busy night", "quiet shift", "coffee?", "are you a robot", "bless you",
    "wicked", "cool", "brilliant cheers", "thanks control",
]
_INJECTIONS = [
    "'; DROP TABLE persons; --", "' OR 1=1 --", "<script>alert(1)</script>", "SELECT * FROM persons",
    "{{7*7}}", "../../etc/passwd", "%s%s%s%s", "${jndi:ldap://x}", "UNION SELECT password FROM users",
]
# fmt: on
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def help_questions(records: Records, rng: random.Random) -> Iterator[Question]:
    for phrase in _HELP:
        for _ in range(4):
            yield Question("help", polish(phrase, rng), "help", {}, f"help:{phrase}")


def small_talk(records: Records, rng: random.Random) -> Iterator[Question]:
    for phrase in _SMALL_TALK:
        for _ in range(2):
            intent = "help" if phrase in ("who are you", "are you a robot") else "unknown"
            yield Question("small_talk", polish(phrase, rng), intent, {}, f"talk:{phrase}")


def nonsense(records: Records, rng: random.Random) -> Iterator[Question]:
    for n in range(90):
        kind = n % 5
        if kind == 0:
            row = rng.choice(_ROWS)
            start = rng.randrange(0, len(row) - 5)
            text = row[start : start + rng.randint(5, len(row) - start)]
        elif kind == 1:
            text = "".join(rng.choices("😀😂👍🚓🙄🤔👮‍♂️", k=rng.randint(1, 4)))
        elif kind == 2:
            text = "".join(rng.choices("?!.,;:-_*#%&", k=rng.randint(2, 6)))
            text = text if text.strip("?") else text + "!"  # question marks alone ask for help
        elif kind == 3:
            text = rng.choice(_INJECTIONS)
        else:
            text = "".join(rng.choices("bcdfghjklmnpqrstvwxz", k=rng.randint(6, 10)))
        yield Question("nonsense", text, "unknown", {}, f"junk:{text}")


# Follow-ups mean something only after an answer; alone, each is labelled with what it refers to and
# the contract's intent `beatline parse` gives it. DEVELOPMENT PART ONLY (see DEVELOPMENT_ONLY): added
# after the held-out part was drawn, so no follow-up rule has a held-out question to be measured on.
# fmt: off
_FOLLOW_UPS = {
    ("more", "unknown"): ["more", "more please", "show me more", "any more", "more results", "got any more"],
    ("next", "unknown"): ["next", "next page", "next ones", "the rest", "show the others", "next few",
                          "keep going", "next lot"],
    ("all", "unknown"): ["show all", "all of them", "show them all", "list all", "the full list",
                         "give me all of them", "show all results"],
    ("detail", "unknown"): ["details", "full details", "tell me more", "more detail", "more info on him",
                            "full record"],
    ("pick", "unknown"): ["{n}", "number {n}", "no. {n}", "#{n}", "option {n}", "the {nth} one", "{nth}",
                          "the {nth}", "{nth} one please", "the last one", "the one born in {yy}",
                          "the one born {yyyy}", "the {yy} one", "pick {n}", "i'll take {n}"],
    ("vehicles", "vehicle_check"): ["his car", "her car", "what about his car", "what vehicles does he have",
                                    "does she have a car", "what does he drive", "any vehicles for her",
                                    "their vehicles", "what car is registered to him"],
    ("address", "address_check"): ["her address", "his address", "where does he live", "where does she stay",
                                   "what's his address", "their address"],
    ("residents", "address_check"): ["who lives there", "who else lives there", "anyone else at that address",
                                     "who lives with him", "who else is at her address"],
    ("wanted", "warrant_check"): ["is he wanted", "is she wanted", "any warrants for her",
                                  "any warrants for him", "is that person wanted",
                                  "does he have any warrants", "is he wanted on warrant"],
}
_NTH = ["first", "second", "third", "fourth", "fifth", "sixth", "1st", "2nd", "3rd", "4th", "5th", "6th"]
# fmt: on


def follow_ups(records: Records, rng: random.Random) -> Iterator[Question]:
    for (refers, intent), phrases in _FOLLOW_UPS.items():
        for phrase in phrases:
            for _ in range(3):
                n = rng.randint(1, 12)
                year = rng.randint(1950, 2005)
                nth = rng.choice(_NTH)
                text = phrase.format(n=n, nth=nth, yy=f"{year % 100:02d}", yyyy=year)
                expected: dict[str, object] = {"refers": refers}
                if "{n}" in phrase:
                    expected["number"] = n
                elif "{nth}" in phrase:
                    expected["number"] = _NTH.index(nth) % 6 + 1
                elif "last" in phrase:
                    expected["number"] = -1
                elif "{yy" in phrase:
                    expected["born"] = str(year)
                said = polish(text, rng)
                yield Question(
                    "follow_up", said, intent, {}, f"follow:{phrase}", extra={"follow_up": expected}
                )


DEVELOPMENT_ONLY = {"follow_up"}  # families added after the split: all of them in the development part


# fmt: off
FAMILIES: list[Callable[[Records, random.Random], Iterator[Question]]] = [
    person_forename_first, person_surname_first, person_particles, person_descriptors, person_birth_year,
    person_age, person_compact_date, person_worded_date, person_partial_date, person_typo, person_nickname,
    person_alias, person_multi, warrant_check, vehicle_plain, vehicle_spoken, vehicle_confusion,
    vehicle_partial, vehicle_multi, address_street, address_flat, address_postcode, address_history,
    incident_ref, incident_other_system, help_questions, small_talk, nonsense, follow_ups,
]
# fmt: on


def part_of(split_key: str) -> str:
    digest = hashlib.sha256(f"{_SPLIT_SALT}:{split_key}".encode()).digest()
    return "held_out" if digest[0] % 2 else "dev"


def build(seed: int) -> dict[str, list[dict[str, object]]]:
    records = Records(generate(DEMO_PERSONS, DEMO_SEED))
    parts: dict[str, list[dict[str, object]]] = {"dev": [], "held_out": []}
    seen: set[str] = set()
    for family in FAMILIES:
        rng = random.Random(f"{seed}:{family.__name__}")  # one family's changes leave the others alone
        for question in family(records, rng):
            text = " ".join(question.text.split())
            if text in seen:  # the same words twice would count twice and could straddle the parts
                continue
            seen.add(text)
            item: dict[str, object] = {
                "family": question.family, "text": text, "intent": question.intent, "slots": question.slots,
                "record": question.record, "unique": question.unique, **question.extra,
            }  # fmt: skip
            part = "dev" if question.family in DEVELOPMENT_ONLY else part_of(question.split_key)
            parts[part].append(item)
    for name, items in parts.items():
        for n, item in enumerate(items, start=1):
            item["id"] = f"{name}-{n:05d}"
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "tests" / "data")
    args = parser.parse_args()
    for name, items in build(args.seed).items():
        path = args.out / f"understanding-{name.replace('_', '-')}.jsonl"
        with path.open("w", encoding="utf-8") as stream:
            for item in items:
                ordered = {"id": item.pop("id"), **item}
                stream.write(json.dumps(ordered, ensure_ascii=False) + "\n")
        families = Counter(str(item["family"]) for item in items)
        print(f"{path}: {len(items)} questions, {len(families)} families")


if __name__ == "__main__":
    main()
