"""Dates of birth as officers type them: day first, two-digit years in the past, impossible dates reported."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.understanding.dates import find_birth_details, full_year

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    "typed",
    [
        "3/4/85",
        "03/04/1985",
        "03.04.1985",
        "3-4-85",
        "3 April 1985",
        "3rd apr 85",
        "3rd of April, 1985",
        "April 3 1985",
        "Apr 3rd, 1985",
        "1985-04-03",
        "dob 030485",
        "DOB: 03041985",
        "d.o.b 3/4/85",
    ],
)
def test_every_uk_form_of_a_date_of_birth_reads_day_first(typed: str) -> None:
    assert find_birth_details(f"jon smyth {typed}", today=TODAY).dob == date(1985, 4, 3)


def test_two_digit_years_go_into_the_past() -> None:
    assert full_year("85", TODAY) == 1985
    assert full_year("05", TODAY) == 2005
    assert full_year("25", TODAY) == 2025
    assert full_year("26", TODAY) == 1926


@pytest.mark.parametrize("typed", ["31/02/1985", "13/13/1985", "04/13/1985", "29/02/1983", "32 jan 1990"])
def test_impossible_dates_are_reported_not_swapped(typed: str) -> None:
    details = find_birth_details(f"check on jon smyth {typed}", today=TODAY)
    assert details.dob is None
    assert len(details.problems) == 1
    assert typed in details.problems[0]
    assert "day first" in details.problems[0]


def test_a_date_of_birth_in_the_future_is_reported() -> None:
    details = find_birth_details("dob 1/1/2030", today=TODAY)
    assert details.dob is None and "future" in details.problems[0]


@pytest.mark.parametrize("typed", ["born 1985", "b. 1985", "b.1985", "born in 85", "yob 1985"])
def test_a_birth_year_alone_is_a_birth_year(typed: str) -> None:
    details = find_birth_details(typed, today=TODAY)
    assert (details.birth_year, details.dob) == (1985, None)


@pytest.mark.parametrize(
    "typed", ["aged 34", "age 34", "age: 34", "34 yrs", "34yo", "34 y/o", "34 years old"]
)
def test_an_age_is_an_age(typed: str) -> None:
    assert find_birth_details(typed, today=TODAY).age == 34


@pytest.mark.parametrize(
    "typed", ["INC-2024-004512", "CRN 01/123456/24", "cad 4521/25", "123456", "12 high st"]
)
def test_reference_numbers_and_addresses_are_not_dates(typed: str) -> None:
    assert find_birth_details(typed, today=TODAY) == find_birth_details("", today=TODAY)


def test_spans_cover_what_was_read_including_the_cue() -> None:
    text = "jon smyth dob 3/4/85 aged 40"
    details = find_birth_details(text, today=TODAY)
    assert [text[a:b] for a, b in details.spans] == ["dob 3/4/85", "aged 40"]


@given(st.text(), st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 1, 1)))
def test_reading_dates_never_raises(text: str, today: date) -> None:
    details = find_birth_details(text, today=today)
    assert details.dob is None or details.dob <= today
    assert all(0 <= a <= b <= len(text) for a, b in details.spans)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("third of april 1985", date(1985, 4, 3)),
        ("twenty seventh of October 1978", date(1978, 10, 27)),
        ("the 3rd of april 85", date(1985, 4, 3)),
        ("d.o.b. the 7th of december 1990", date(1990, 12, 7)),
        ("EILEEN HOPKINS TWENTY NINTH OF SEPTEMBER 1957", date(1957, 9, 29)),
    ],
)
def test_days_in_words_are_read(typed: str, expected: date) -> None:
    assert find_birth_details(typed, today=TODAY).dob == expected


def test_a_birth_cue_after_a_full_date_is_not_a_second_birth_year() -> None:
    details = find_birth_details("craig sullivan born 11 aug 82", today=TODAY)
    assert (details.dob, details.birth_year) == (date(1982, 8, 11), None)


@pytest.mark.parametrize(
    ("typed", "age", "ages"),
    [
        ("aged about 40", 40, (35, 45)),
        ("approx 34", 34, (29, 39)),
        ("around 40 for me", 40, (35, 45)),
        ("roughly 66.", 66, (61, 71)),
        ("40ish", 40, (35, 45)),
        ("aged approximately 26", 26, (21, 31)),
        ("aged 30-35", 32, (30, 35)),
        ("aged 34", 34, None),
    ],
)
def test_an_estimated_age_is_a_range_of_ages(typed: str, age: int, ages: tuple[int, int] | None) -> None:
    details = find_birth_details(typed, today=TODAY)
    assert (details.age, details.age_range) == (age, ages)


def test_a_number_before_a_street_is_a_house_not_an_age() -> None:
    assert find_birth_details("around 5 high st", today=TODAY).age is None


@pytest.mark.parametrize("typed", ["3/4", "dob 29/8", "d.o.b. 8.2.", "19th september", "dob 21st august"])
def test_a_date_without_a_year_is_asked_about(typed: str) -> None:
    details = find_birth_details(f"john smith {typed}", today=TODAY)
    assert details.dob is None
    assert details.problems and "has no year" in details.problems[0]


@pytest.mark.parametrize(
    ("typed", "dob", "year"),
    [
        ("030485", date(1985, 4, 3), None),
        ("03041985", date(1985, 4, 3), None),
        ("1985", None, 1985),
        ("(1985)", None, 1985),
    ],
)
def test_numbers_alone_are_loose_readings(typed: str, dob: date | None, year: int | None) -> None:
    details = find_birth_details(f"john smith {typed}", today=TODAY)
    assert (details.dob, details.birth_year) == (None, None)  # only the parser, seeing a name, takes them
    assert (details.loose_dob, details.loose_year) == (dob, year)
    assert details.loose_span is not None


def test_numbers_that_are_no_date_are_not_loose_readings() -> None:
    for typed in ("123456", "12345678", "2999", "1850"):
        details = find_birth_details(typed, today=TODAY)
        assert (details.loose_dob, details.loose_year) == (None, None)
