"""Addresses and references in whole questions: flats, house shorthand, an address's history."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.understanding.parse import parse

TODAY = date(2026, 11, 1)


@pytest.mark.parametrize(
    ("text", "flat", "house", "street"),
    [
        ("23/65 nicholson street", "23", "65", "nicholson street"),
        ("flat 2, 221b baker st", "2", "221B", "baker street"),
        ("flat 4 at 12 high road", "4", "12", "high road"),
        ("history at Flat 3, 225 Fisher Place", "3", "225", "fisher place"),
    ],
)
def test_flats_leave_the_building_number_as_the_house(text: str, flat: str, house: str, street: str) -> None:
    parsed = parse(text, today=TODAY)
    assert parsed.intent == "address_check"
    assert dict(parsed.slots) == {"house_number": house, "street": street}
    assert parsed.flat == flat


def test_a_house_number_with_or_without_a_letter() -> None:
    assert parse("97C phillips way", today=TODAY).slots == {"house_number": "97C", "street": "phillips way"}
    assert parse("97 phillips way", today=TODAY).slots == {"house_number": "97", "street": "phillips way"}


@pytest.mark.parametrize(
    "text",
    [
        "calls to 221b baker st",
        "incidents at 221b baker st",
        "previous at 221b baker st",
        "cad history at 221b baker st",
        "any previous calls to nw1 6xe",
        "jobs at 221b baker st",
    ],
)
def test_an_address_s_history_is_an_address_check(text: str) -> None:
    assert parse(text, today=TODAY).intent == "address_check"


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("INC/2024/004512", "INC-2024-004512"),
        ("INC2024004512", "INC-2024-004512"),
        ("cad 4512", "CAD-4512"),
        ("what happened at inc 2024/004512", "INC-2024-004512"),
    ],
)
def test_references_however_written_are_incident_lookups(text: str, ref: str) -> None:
    parsed = parse(text, today=TODAY)
    assert (parsed.intent, dict(parsed.slots)) == ("incident_lookup", {"incident_ref": ref})


def test_a_town_after_the_street_is_kept_apart_and_never_read_as_a_name() -> None:
    for text, town in (("5 high st croydon", "croydon"), ("221 baker street, london", "london"),
                       ("history at 12 acre lane in tower hamlets", "tower hamlets")):  # fmt: skip
        parsed = parse(text, today=date(2026, 11, 1))
        assert parsed.intent == "address_check", text
        assert parsed.town == town, text
        assert "surname" not in parsed.slots, text
    assert parse("12 acre lane", today=date(2026, 11, 1)).town == ""


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("flagged addresses in NW1", "NW1"),
        ("any flagged addresses in romford?", "Romford"),
        ("flagged premises in tower hamlets please", "Tower Hamlets"),
        ("addresses with warnings in nw1 6xe", "NW1 6XE"),
        ("flagged addresses in the croydon area", "Croydon"),
    ],
)
def test_an_area_asked_about_as_a_whole_is_an_address_check_of_that_area(text: str, area: str) -> None:
    parsed = parse(text, today=date(2026, 11, 1))
    assert parsed.intent == "address_check"
    assert parsed.area == area
    assert parsed.to_json() == {"intent": "address_check", "slots": {}, "area": area}


def test_an_address_or_a_name_is_not_an_area() -> None:
    for text in ("history at 221b baker st", "flagged? john smith 3/4/85", "addresses in nw1"):
        assert parse(text, today=date(2026, 11, 1)).area == "", text


def test_a_name_ending_in_a_street_type_carries_its_street_reading_and_stays_a_name() -> None:
    parsed = parse("baker street camden", today=date(2026, 11, 1))
    assert parsed.intent == "person_check"  # the records decide, in the answer
    assert dict(parsed.street_reading) == {"street": "baker street", "town": "camden"}
    for text in ("jo green", "john smith 3/4/85", "12 baker street", "street"):
        assert not parse(text, today=date(2026, 11, 1)).street_reading, text


def test_an_area_is_bounded_and_markup_or_direction_marks_never_reach_it() -> None:
    today = date(2026, 11, 1)
    assert parse("flagged addresses in " + "a" * 10_000, today=today).area == ""
    assert parse("flagged addresses in <b>romford</b>", today=today).area == "Romford"
    assert parse("flagged addresses in rom\u202eford", today=today).area == "Romford"
