"""Plates in whole questions: every UK format, read out, misread, partial, several at once."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.understanding.parse import parse

TODAY = date(2026, 11, 1)


@pytest.mark.parametrize(
    ("text", "vrm"),
    [
        ("check plate ab12 cde", "AB12CDE"),  # current
        ("A123 BCD", "A123BCD"),  # prefix
        ("who keeps abc 123d", "ABC123D"),  # suffix
        ("reg WCD 959", "WCD959"),  # dateless
        ("pnc brown volkswagen polo WCD959", "WCD959"),  # dateless beside a description
        ("PAZ8485, grey vauxhall corsa?", "PAZ8485"),  # Northern Ireland
        ("check plate alpha bravo one two charlie delta echo", "AB12CDE"),
        ("pnc one five one five bravo x-ray", "1515BX"),
    ],
)
def test_every_format_is_read_alone_or_with_a_description(text: str, vrm: str) -> None:
    parsed = parse(text, today=TODAY)
    assert (parsed.intent, dict(parsed.slots)) == ("vehicle_check", {"vrm": vrm})


def test_a_misread_mark_is_read_without_a_vehicle_word() -> None:
    assert parse("8d51 smr any info", today=TODAY).slots == {"vrm": "BD51SMR"}


def test_a_misread_mark_shaped_like_a_postcode_of_no_area_is_a_mark() -> None:
    assert parse("KM646XE any info", today=TODAY).slots == {"vrm": "KM64GXE"}
    assert parse("nw16xe", today=TODAY).slots == {"postcode": "NW1 6XE"}  # a real area stays a postcode


def test_several_marks_are_all_exposed_and_the_first_is_the_slot() -> None:
    data = parse("ab12 cde and nl72 byd", today=TODAY).to_json()
    assert data["slots"] == {"vrm": "AB12CDE"}
    assert data["vrms"] == ["AB12CDE", "NL72BYD"]
    assert [s["slots"] for s in data["subjects"]] == [{"vrm": "AB12CDE"}, {"vrm": "NL72BYD"}]
    assert parse("regs kw69dgr then dn07 asy", today=TODAY).vrms == ("KW69DGR", "DN07ASY")
    unjoined = parse("plates ab12cde nl72byd", today=TODAY)
    assert [dict(s.slots) for s in unjoined.subjects] == [{"vrm": "AB12CDE"}, {"vrm": "NL72BYD"}]
    assert parse("check K X P 5 4 1 and XN64 LTT", today=TODAY).vrms == ("KXP541", "XN64LTT")


@pytest.mark.parametrize(
    "text", ["silver ford ph71", "partial plate ph71", "part reg ph71 red skoda", "ph71 something, blue golf"]
)
def test_the_start_of_a_mark_with_a_description_is_a_partial_mark(text: str) -> None:
    data = parse(text, today=TODAY).to_json()
    assert data["intent"] == "vehicle_check"
    assert "vrm" not in data["slots"] and data["partial_vrm"] == "PH71"
    assert "surname" not in data["slots"]  # "ford", "red", "golf" describe the vehicle


def test_a_lone_ph71_is_a_dateless_mark_for_the_records_to_decide() -> None:
    assert parse("ph71", today=TODAY).slots == {"vrm": "PH71"}
