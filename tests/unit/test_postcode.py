"""UK postcodes: one official spelling, found inside a sentence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.matching.postcodes import find_postcode, normalise_postcode


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("nw16xe", "NW1 6XE"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("m1 1ae", "M1 1AE"),
        ("B33   8TH", "B33 8TH"),
        ("cr2 6xh", "CR2 6XH"),
        ("DN551PT", "DN55 1PT"),
        (" ec1a 1bb ", "EC1A 1BB"),
        ("w1a0ax", "W1A 0AX"),
    ],
)
def test_every_shape_of_postcode_is_normalised(typed: str, expected: str) -> None:
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "NW1", "AB12CDE", "QW1 1AA", "NW1 6CE", "1W1 6XE", "NW1 6XEE", "nw1-6xe"]
)
def test_text_that_is_not_a_postcode_is_rejected(typed: str) -> None:
    assert normalise_postcode(typed) is None


def test_a_postcode_is_found_inside_a_sentence_with_its_span() -> None:
    text = "address check 12 high street nw1   6xe please"
    found = find_postcode(text)
    assert found is not None
    postcode, (start, end) = found
    assert postcode == "NW1 6XE"
    assert text[start:end] == "nw1   6xe"


def test_a_postcode_glued_to_other_letters_is_not_found() -> None:
    assert find_postcode("xnw1 6xe") is None
    assert find_postcode("ab12cde") is None
    assert find_postcode("no postcode here") is None


@given(st.text(max_size=12))
def test_a_normalised_postcode_is_a_fixed_point(text: str) -> None:
    postcode = normalise_postcode(text)
    if postcode is not None:
        assert normalise_postcode(postcode) == postcode


@given(st.text())
def test_finding_a_postcode_never_raises_and_agrees_with_normalising(text: str) -> None:
    found = find_postcode(text)
    if found is not None:
        postcode, (start, end) = found
        assert normalise_postcode(text[start:end]) == postcode
