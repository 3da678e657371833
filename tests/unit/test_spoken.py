"""Marks read out over the radio become marks; words that only sound like letters stay words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.understanding.spoken import read_out


@pytest.mark.parametrize(
    ("said", "mark"),
    [
        ("alpha bravo one two charlie delta echo", "AB12CDE"),
        ("check plate alpha bravo one two charlie delta echo please", "AB12CDE"),
        ("whiskey golf zulu one oh", "WGZ10"),  # "oh" for 0
        ("foxtrot double two one papa echo whiskey", "F221PEW"),  # "double"
        ("n l six one y s j", "NL61YSJ"),  # letters said plainly
        ("reg a b one two c d e", "AB12CDE"),
        ("pnc one five one five bravo x-ray", "1515BX"),
        ("vehicle foxtrot alpha one two tango uniform x-ray.", "FA12TUX"),
    ],
)
def test_spoken_marks_are_written_as_marks(said: str, mark: str) -> None:
    text, marks = read_out(said)
    assert marks == [mark]
    assert mark in text.split()
    assert len(text) == len(said)  # spans found before keep their places


@pytest.mark.parametrize(
    "text",
    [
        "check victor mike 3/4/85",
        "quick one - any markers on john smith",
        "any warnings on charlie oscar dob 1/2/90",
        "one two three four",
        "d.o.b. 20 November 1991",
    ],
)
def test_names_and_numbers_that_are_no_mark_are_left_alone(text: str) -> None:
    assert read_out(text) == (text, [])


@given(st.lists(st.sampled_from(["alpha", "one", "oh", "double", "x-ray", "a", "12", "d.o.b.", "zulu", "!"])))
def test_reading_out_never_raises_and_keeps_the_length(words: list[str]) -> None:
    text = " ".join(words)
    written, _ = read_out(text)
    assert len(written) == len(text)
