"""Dates and ages in whole questions: what counts once someone is named, and what is asked about."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.understanding.parse import parse

TODAY = date(2026, 11, 1)


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("john smith 1985", "birth_year", 1985),
        ("michael hussain year of birth 1990", "birth_year", 1990),
        ("john smith 030485", "dob", "1985-04-03"),
        ("080878 sara patterson", "dob", "1978-08-08"),
        ("john smith 3rd of April 85", "dob", "1985-04-03"),
    ],
)
def test_a_bare_year_or_compact_date_counts_beside_a_name(text: str, slot: str, value: object) -> None:
    parsed = parse(text, today=TODAY)
    assert parsed.intent == "person_check"
    assert parsed.slots[slot] == value
    assert parsed.slots["surname"] in {"smith", "hussain", "patterson"}


def test_numbers_alone_are_not_a_person() -> None:
    assert parse("030485", today=TODAY).intent == "unknown"
    assert parse("1985", today=TODAY).slots.get("birth_year") is None


def test_an_estimated_age_gives_its_range() -> None:
    parsed = parse("john smith aged about 40", today=TODAY)
    assert parsed.slots["age"] == 40
    assert parsed.to_json()["age_range"] == [35, 45]


def test_a_day_and_month_without_a_year_is_a_problem_to_ask_about() -> None:
    parsed = parse("john smith 3/4", today=TODAY)
    assert parsed.intent == "person_check" and "dob" not in parsed.slots
    assert parsed.problems == ("3/4 has no year — what is the full date of birth?",)
