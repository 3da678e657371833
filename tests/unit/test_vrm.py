"""UK registration marks: real formats only, and the misreadings worth searching for."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.matching.vrm import (
    is_distinctive_vrm,
    normalise_vrm,
    plate_readings,
    vrm_variants,
)


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


# One confusion set per line, as ANPR systems use them.
CONFUSION_SETS = ["0ODQ", "1I", "2Z", "5S", "8B", "6G"]


def _misread(vrm: str, position: int, other: str) -> str:
    return vrm[:position] + other + vrm[position + 1 :]


LETTERS = st.sampled_from("ABCDEFGHJKLMNOPRSTUVWXY")
DIGITS = st.sampled_from("0123456789")
CURRENT = st.tuples(LETTERS, LETTERS, DIGITS, DIGITS, LETTERS, LETTERS, LETTERS).map("".join)
PREFIX = st.tuples(LETTERS, DIGITS, DIGITS, DIGITS, LETTERS, LETTERS, LETTERS).map("".join)
SUFFIX = st.tuples(LETTERS, LETTERS, LETTERS, DIGITS, DIGITS, DIGITS, LETTERS).map("".join)


@given(st.one_of(CURRENT, PREFIX, SUFFIX), st.data())
def test_a_plate_read_back_with_one_confusion_still_finds_it(vrm: str, data: st.DataObject) -> None:
    places = [k for k, c in enumerate(vrm) if any(c in group for group in CONFUSION_SETS)]
    if not places:
        return
    k = data.draw(st.sampled_from(places))
    group = next(g for g in CONFUSION_SETS if vrm[k] in g)
    misread = _misread(vrm, k, data.draw(st.sampled_from([c for c in group if c != vrm[k]])))
    readings = dict(plate_readings(misread))
    assert readings[vrm] <= 1  # within one confusion of what was read, so the search looks it up


@given(st.one_of(CURRENT, PREFIX, SUFFIX))
def test_readings_start_with_the_mark_itself_and_rank_by_confusions(vrm: str) -> None:
    readings = plate_readings(vrm)
    assert readings[0] == (vrm, 0)
    counts = [n for _, n in readings]
    assert counts == sorted(counts) and max(counts) <= 2


def test_two_confusions_are_read_and_three_are_not() -> None:
    assert ("BD51SMR", 1) in plate_readings("8D51SMR")
    assert dict(plate_readings("8D5ISMR"))["BD51SMR"] == 2
    assert "BD51SMR" not in dict(plate_readings("8D5I5MR"))


def test_at_the_same_number_of_confusions_a_typing_slip_ranks_before_a_misreading() -> None:
    readings = [vrm for vrm, n in plate_readings("AB12C0E") if n == 1]
    assert readings[0] == "AB12COE"  # 0 for O is a slip; D and Q are misreadings
    assert {"AB12CDE", "AB12CQE"} <= set(readings)
