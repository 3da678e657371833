"""UK registration marks: real formats only, and the misreadings worth searching for."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.matching.vrm import is_distinctive_vrm, normalise_vrm, vrm_variants


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ab12 cde", "AB12CDE"),  # current
        (" Ab 12 Cde ", "AB12CDE"),
        ("yh-15-nbn", "YH15NBN"),
        ("a123 bcd", "A123BCD"),  # prefix
        ("P1 ABC", "P1ABC"),
        ("abc 123d", "ABC123D"),  # suffix
        ("A 1", "A1"),  # dateless
        ("1 ABC", "1ABC"),
        ("MAX 1", "MAX1"),
        ("9999 ab", "9999AB"),
        ("abz 1234", "ABZ1234"),  # Northern Ireland
        ("OIG 987", "OIG987"),
    ],
)
def test_real_formats_are_normalised_upper_case_without_spaces(typed: str, expected: str) -> None:
    assert normalise_vrm(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "smith", "12345", "AB12CDEF", "ABCD123", "A12345", "AB1 2CD E1", "ÅB12CDE"]
)
def test_things_that_are_not_marks_are_rejected(typed: str) -> None:
    assert normalise_vrm(typed) is None


def test_a_valid_mark_comes_first_among_its_variants() -> None:
    variants = vrm_variants("ab12 cde")
    assert variants[0] == "AB12CDE"
    assert len(variants) == len(set(variants))


def test_letter_i_typed_for_digit_one_is_corrected() -> None:
    assert normalise_vrm("AB I2 CDE") is None
    assert vrm_variants("AB I2 CDE")[0] == "AB12CDE"


def test_digit_zero_typed_for_letter_o_is_corrected() -> None:
    assert vrm_variants("ab12 c0e")[0] == "AB12COE"


def test_typing_slips_rank_before_night_time_misreadings() -> None:
    variants = vrm_variants("5B12 CDE")  # S read as 5: fits only as SB12CDE
    assert variants[0] == "SB12CDE"


def test_text_that_no_reading_makes_valid_has_no_variants() -> None:
    assert vrm_variants("smith jones") == []
    assert vrm_variants("") == []


def test_distinctive_marks_are_the_ones_that_cannot_be_a_house_number() -> None:
    assert is_distinctive_vrm("AB12CDE") and is_distinctive_vrm("A123BCD") and is_distinctive_vrm("ABC123D")
    assert not is_distinctive_vrm("221B") and not is_distinctive_vrm("A1")


@given(st.text(max_size=12))
def test_a_normalised_mark_is_a_fixed_point(text: str) -> None:
    vrm = normalise_vrm(text)
    if vrm is not None:
        assert normalise_vrm(vrm) == vrm
        assert vrm == vrm.upper() and " " not in vrm


@given(st.text(alphabet="ABCDEIOS0123456789 ", max_size=10))
def test_variants_are_valid_distinct_and_bounded(text: str) -> None:
    variants = vrm_variants(text)
    assert len(variants) <= 16
    assert len(set(variants)) == len(variants)
    assert all(normalise_vrm(v) == v for v in variants)
