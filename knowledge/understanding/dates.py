"""Dates of birth, birth years and ages as officers type them, read day first as in the UK."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["BirthDetails", "find_birth_details", "full_year"]

Span = tuple[int, int]

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4}|\d{2})"
_B, _E = r"(?<![\w/.\-])", r"(?![\w/\-]|\.\d)"
_DOB_CUE = r"(?:dob|d\.o\.b\.?|date of birth|born(?: on)?)[\s:]*"
_CUE = rf"(?:{_DOB_CUE})?"  # inside the span, so the cue is not left behind as a word

# Tried in order; each yields day, month and year groups. The compact form (030485) only
# counts after a date-of-birth cue, since six digits alone are usually a reference number.
_DATE_FORMS = [
    re.compile(form, re.IGNORECASE)
    for form in (
        rf"{_B}{_CUE}(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}}){_E}",
        rf"{_B}{_CUE}(?P<day>\d{{1,2}})\s?[/.\-]\s?(?P<month>\d{{1,2}})\s?[/.\-]\s?{_YEAR}{_E}",
        rf"{_B}{_CUE}{_DAY}(?:\s*of)?[\s\-/.]*{_MONTH}[\s\-/.,]*{_YEAR}{_E}",
        rf"{_B}{_CUE}{_MONTH}\s*{_DAY},?\s+{_YEAR}{_E}",
        rf"{_B}{_DOB_CUE}(?P<day>\d{{2}})(?P<month>\d{{2}})(?P<year>\d{{4}}|\d{{2}}){_E}",
    )
]
_BIRTH_YEAR = re.compile(rf"{_B}(?:born(?:\s+in)?|b\.|yob)\s*(?P<year>\d{{4}}|\d{{2}}){_E}", re.IGNORECASE)
_AGE = re.compile(
    rf"{_B}(?:aged?\s*:?\s*(?P<a>\d{{1,3}})"
    rf"|(?P<b>\d{{1,3}})\s*(?:years?(?:\s+old)?|yrs?(?:\s+old)?|yo|y/o|y\.o\.?)){_E}",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class BirthDetails:
    """What a query says about when someone was born, and where it said it."""

    dob: date | None = None
    birth_year: int | None = None
    age: int | None = None
    problems: tuple[str, ...] = ()
    spans: tuple[Span, ...] = ()


def full_year(digits: str, today: date) -> int:
    """Four-digit year; two digits mean the most recent such year not after today's."""
    year = int(digits)
    if len(digits) > 2:
        return year
    return 1900 + year if year > today.year % 100 else 2000 + year


def _to_date(match: re.Match[str], today: date) -> date | None:
    month = match["month"]
    month_number = _MONTHS[month[:3].lower()] if month.isalpha() else int(month)
    try:
        return date(full_year(match["year"], today), month_number, int(match["day"]))
    except ValueError:
        return None


def _first_date(text: str, today: date) -> tuple[date | None, str | None, Span | None]:
    """The earliest date in the text: (date, problem, span); the problem when it is impossible."""
    found = [m for form in _DATE_FORMS for m in [form.search(text)] if m]
    if not found:
        return None, None, None
    match = min(found, key=lambda m: m.start())
    parsed = _to_date(match, today)
    raw = text[min(match.start(group) for group in ("day", "month", "year")) : match.end()].strip()
    if parsed is None:
        problem = f"{raw} is not a real date (I read dates day first) — please check the date of birth."
        return None, problem, match.span()
    if parsed > today:
        return None, f"{raw} is in the future — please check the date of birth.", match.span()
    return parsed, None, match.span()


def find_birth_details(text: str, *, today: date) -> BirthDetails:
    """Find a date of birth, a birth year or an age in a query, reporting impossible dates."""
    dob, problem, span = _first_date(text, today)
    spans = [span] if span else []
    birth_year = age = None
    if year := _BIRTH_YEAR.search(text):
        birth_year = full_year(year["year"], today)
        spans.append(year.span())
    if aged := _AGE.search(text):
        years = int(aged["a"] or aged["b"])
        if years <= 120:
            age = years
            spans.append(aged.span())
    return BirthDetails(dob, birth_year, age, (problem,) if problem else (), tuple(spans))
