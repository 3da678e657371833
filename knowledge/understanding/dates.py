"""Dates of birth, birth years and ages as officers type them, read day first as in the UK.

Forms with a cue or a shape no reference has ("dob 030485", "3rd of April 85", "born 1985",
"aged about 40") are read outright. Six or eight digits alone and a bare year ("john smith
030485", "john smith 1985") are only *loose* readings: the parser keeps them when the message
names someone, since a number alone is more often a reference. A day and month without a year
("3/4") is a problem to ask about, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from knowledge.understanding.find_addresses import STREET_TYPES

__all__ = ["BirthDetails", "find_birth_details", "full_year"]

Span = tuple[int, int]

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_ORDINAL_WORDS = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
    "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
    "nineteenth", "twentieth",
]  # fmt: skip
_ORDINALS = {word: n for n, word in enumerate(_ORDINAL_WORDS, start=1)}
_ORDINALS |= {f"twenty {word}": 20 + n for n, word in enumerate(_ORDINAL_WORDS[:9], start=1)}
_ORDINALS |= {"thirtieth": 30, "thirty first": 31}
_ORDINAL = "|".join(sorted((w.replace(" ", r"[\s\-]") for w in _ORDINALS), key=len, reverse=True))
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = rf"(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?|(?P<dayword>{_ORDINAL}))"
_NUMERIC_DAY_MONTH = r"(?P<day>\d{1,2})\s?[/.]\s?(?P<month>\d{1,2})"
_YEAR = r"(?P<year>\d{4}|\d{2})"
_B, _E = r"(?<![\w/.\-])", r"(?![\w/\-]|\.\d)"
_DOB_CUE = r"(?:dob|d\.o\.b\.?|date of birth|born(?: on)?)[\s:]*"
_CUE = rf"(?:{_DOB_CUE})?"  # inside the span, so the cue is not left behind as a word

# Tried in order; each yields day, month and year groups.
_DATE_FORMS = [
    re.compile(form, re.IGNORECASE)
    for form in (
        rf"{_B}{_CUE}(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}}){_E}",
        rf"{_B}{_CUE}(?P<day>\d{{1,2}})\s?[/.\-]\s?(?P<month>\d{{1,2}})\s?[/.\-]\s?{_YEAR}{_E}",
        rf"{_B}{_CUE}(?:the\s+)?{_DAY}(?:\s*of)?[\s\-/.]*{_MONTH}[\s\-/.,]*{_YEAR}{_E}",
        rf"{_B}{_CUE}{_MONTH}\s*{_DAY},?\s+{_YEAR}{_E}",
        rf"{_B}{_DOB_CUE}(?P<day>\d{{2}})(?P<month>\d{{2}})(?P<year>\d{{4}}|\d{{2}}){_E}",
    )
]
_LOOSE_DATE = re.compile(rf"{_B}(?P<day>\d{{2}})(?P<month>\d{{2}})(?P<year>\d{{4}}|\d{{2}}){_E}")
# A day and month with no year after them; each form has its own groups, so they are two patterns.
_NO_YEAR = [
    re.compile(rf"{_B}{_CUE}{form}{_E}(?![\s/.\-,]*\d)", re.IGNORECASE)
    for form in (_NUMERIC_DAY_MONTH, rf"(?:the\s+)?{_DAY}(?:\s*of)?\s+{_MONTH}")
]
_CUES_ALONE = re.compile(rf"{_B}(?:dob|d\.o\.b\.?|date of birth|year of birth|yob){_E}", re.IGNORECASE)
_BIRTH_YEAR = re.compile(
    rf"{_B}(?:born(?:\s+in)?|b\.|yob|year of birth)[\s:]*(?P<year>\d{{4}}|\d{{2}}){_E}", re.IGNORECASE
)
_BARE_YEAR = re.compile(rf"(?<![\w/.\-])\(?(?P<year>(?:19|20)\d\d)\)?{_E}")
_APPROX = r"(?:about|around|approx\.?|approximately|roughly|circa|c\.)"
# "around 5 high st" is a house number; "around 40 for me" an age.
_NOT_A_HOUSE = rf"(?![a-z\d])(?!\s+[\w'\-]+(?:\s+[\w'\-]+)?\s+(?:{'|'.join(sorted(STREET_TYPES))})\b)"
_AGE = re.compile(
    rf"{_B}(?:aged?\s*:?\s*(?P<approx>{_APPROX})?\s*(?P<a>\d{{1,3}})(?:\s*(?:-|to)\s*(?P<upto>\d{{1,3}}))?"
    rf"|(?P<approx2>{_APPROX})\s*(?P<c>\d{{1,3}}){_NOT_A_HOUSE}"
    rf"|(?P<b>\d{{1,3}})\s*(?P<ish>ish)"
    rf"|(?P<d>\d{{1,3}})\s*(?:years?(?:\s+old)?|yrs?(?:\s+old)?|yo|y/o|y\.o\.?))"
    rf"(?:\s*(?:years?(?:\s+old)?|yrs?|yo|y/o))?{_E}",
    re.IGNORECASE,
)
_SPREAD = 5  # "about 40": an officer's estimate of an age, taken as 35 to 45


@dataclass(frozen=True)
class BirthDetails:
    """What a query says about when someone was born, and where it said it.

    `age_range` is the range an estimate ("about 40", "30-35") stands for; `loose_dob` and
    `loose_year` are readings of a number alone, at `loose_span` (not in `spans`: the number may
    yet be part of a registration mark), for a message that names someone.
    """

    dob: date | None = None
    birth_year: int | None = None
    age: int | None = None
    problems: tuple[str, ...] = ()
    spans: tuple[Span, ...] = ()
    age_range: tuple[int, int] | None = None
    loose_dob: date | None = None
    loose_year: int | None = None
    loose_span: Span | None = None


def full_year(digits: str, today: date) -> int:
    """Four-digit year; two digits mean the most recent such year not after today's."""
    year = int(digits)
    if len(digits) > 2:
        return year
    return 1900 + year if year > today.year % 100 else 2000 + year


def _month_number(month: str) -> int:
    return _MONTHS[month[:3].lower()] if month.isalpha() else int(month)


def _day_number(match: re.Match[str]) -> int:
    if match["day"]:
        return int(match["day"])
    return _ORDINALS[" ".join(match["dayword"].lower().replace("-", " ").split())]


def _to_date(match: re.Match[str], today: date) -> date | None:
    try:
        return date(full_year(match["year"], today), _month_number(match["month"]), _day_number(match))
    except ValueError:
        return None


def _first_date(text: str, today: date) -> tuple[date | None, str | None, Span | None]:
    """The earliest date in the text: (date, problem, span); the problem when it is impossible."""
    found = [m for form in _DATE_FORMS for m in [form.search(text)] if m]
    if not found:
        return None, None, None
    match = min(found, key=lambda m: m.start())
    parsed = _to_date(match, today)
    starts = [match.start(g) for g in ("day", "dayword", "month", "year") if g in match.re.groupindex]
    raw = text[min(s for s in starts if s >= 0) : match.end()].strip()
    if parsed is None:
        problem = f"{raw} is not a real date (I read dates day first) — please check the date of birth."
        return None, problem, match.span()
    if parsed > today:
        return None, f"{raw} is in the future — please check the date of birth.", match.span()
    return parsed, None, match.span()


def _blank(text: str, spans: list[Span]) -> str:
    """The text with what was already read blanked out, so no later form reads it again."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _age(text: str) -> tuple[int | None, tuple[int, int] | None, Span | None]:
    match = _AGE.search(text)
    if not match:
        return None, None, None
    years = int(match["a"] or match["b"] or match["c"] or match["d"])
    if years > 120:
        return None, None, None
    if match["upto"] and years < int(match["upto"]) <= 120:
        low, high = years, int(match["upto"])
        return (low + high) // 2, (low, high), match.span()
    if match["approx"] or match["approx2"] or match["ish"]:
        return years, (max(0, years - _SPREAD), years + _SPREAD), match.span()
    return years, None, match.span()


def _without_year(text: str) -> tuple[str | None, Span | None]:
    """A day and month given without the year ("3/4", "19th september"): asked about, not guessed."""
    for form in _NO_YEAR:
        for match in form.finditer(text):
            day, month = _day_number(match), _month_number(match["month"])
            if 1 <= day <= 31 and 1 <= month <= 12:
                raw = text[match.start("day") if match["day"] else match.start() : match.end()].strip()
                return f"{raw} has no year — what is the full date of birth?", match.span()
    return None, None


def _loose(text: str, today: date) -> tuple[date | None, int | None, Span | None]:
    """A date written as digits alone ("030485") or a bare year ("1985"), if real and in the past."""
    if match := _LOOSE_DATE.search(text):
        parsed = _to_date(match, today)
        if parsed and date(1900, 1, 1) <= parsed <= today:
            return parsed, None, match.span()
    if (match := _BARE_YEAR.search(text)) and 1900 <= int(match["year"]) <= today.year:
        return None, int(match["year"]), match.span()
    return None, None, None


def find_birth_details(text: str, *, today: date) -> BirthDetails:
    """Find a date of birth, a birth year or an age in a query, reporting impossible dates."""
    dob, problem, span = _first_date(text, today)
    spans = [span] if span else []
    birth_year = None
    if year := _BIRTH_YEAR.search(_blank(text, spans)):
        birth_year = full_year(year["year"], today)
        spans.append(year.span())
    age, age_range, age_span = _age(_blank(text, spans))
    spans += [age_span] if age_span else []
    loose_dob = loose_year = loose_span = None
    if dob is None and problem is None:
        problem, partial = _without_year(_blank(text, spans))
        spans += [partial] if partial else []
        if birth_year is None and age is None and problem is None:
            loose_dob, loose_year, loose_span = _loose(_blank(text, spans), today)
    spans += [m.span() for m in _CUES_ALONE.finditer(_blank(text, spans))]
    problems = (problem,) if problem else ()
    return BirthDetails(
        dob, birth_year, age, problems, tuple(spans), age_range, loose_dob, loose_year, loose_span
    )
