"""Query understanding: intents, slots in the contract's formats, and robustness to any text."""

from __future__ import annotations

import json
from datetime import date

import pytest
from faker.providers.person.en_GB import Provider as BritishNames
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.understanding.parse import INTENTS, ParsedQuery, parse

TODAY = date(2025, 6, 1)
# Keys a parsed query may add to the contract's intent and slots (an extension, never a change).
EXTENSION_KEYS = {
    "problems",
    "follow_up",
    "alternatives",
    "vrm_as_typed",
    "vrms",
    "partial_vrm",
    "flat",
    "age_range",
    "subjects",
    "subjects_left_out",
    "small_talk",
}
SLOT_KEYS = {
    "forenames",
    "surname",
    "dob",
    "birth_year",
    "age",
    "vrm",
    "postcode",
    "house_number",
    "street",
    "incident_ref",
}


def _slots(text: str) -> dict:
    return dict(parse(text, today=TODAY).slots)


def test_the_contract_example_parses_exactly() -> None:
    assert parse("any warnings on jon smyth dob 3/4/85", today=TODAY).to_json() == {
        "intent": "person_check",
        "slots": {"forenames": "jon", "surname": "smyth", "dob": "1985-04-03"},
    }


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("is john smith wanted", "warrant_check"),
        ("warrants for j smith", "warrant_check"),
        ("any warrant on SMITH, John", "warrant_check"),
        ("check plate ab12 cde", "vehicle_check"),
        ("who keeps ab12cde", "vehicle_check"),
        ("AB12CDE", "vehicle_check"),
        ("history at 221b baker st", "address_check"),
        ("NW1 6XE", "address_check"),
        ("incident INC-2024-004512", "incident_lookup"),
        ("tell me about ref CAD 4521/25", "incident_lookup"),
        ("help", "help"),
        ("what can you do", "help"),
        ("?", "help"),
        ("", "unknown"),
        ("😀😀", "unknown"),
        ("'; DROP TABLE persons; --", "unknown"),
        ("%", "unknown"),
        ("_", "unknown"),
        ("asdfghjkl", "unknown"),
    ],
)
def test_each_kind_of_question_gets_its_intent(text: str, intent: str) -> None:
    assert parse(text, today=TODAY).intent == intent


def test_surname_first_with_a_comma_is_understood() -> None:
    assert _slots("any warrant on SMITH, John") == {"forenames": "john", "surname": "smith"}


def test_pnc_style_capitalised_surname_first_is_understood() -> None:
    assert _slots("check RIGBY Sharon") == {"forenames": "sharon", "surname": "rigby"}


def test_a_single_name_word_is_a_surname_and_an_initial_is_a_forename() -> None:
    assert _slots("warnings on fenwick") == {"surname": "fenwick"}
    assert _slots("warrants for j smith") == {"forenames": "j", "surname": "smith"}


def test_names_keep_apostrophes_hyphens_accents_and_particles() -> None:
    assert _slots("check mary o'brien") == {"forenames": "mary", "surname": "o'brien"}
    assert _slots("check josé smith-jones") == {"forenames": "josé", "surname": "smith-jones"}
    assert _slots("check jose de la cruz") == {"forenames": "jose", "surname": "de la cruz"}
    assert _slots("check mary jane o’hara") == {"forenames": "mary jane", "surname": "o'hara"}


@pytest.mark.parametrize(
    ("text", "forenames", "surname"),
    [
        ("any warnings on david check", "david", "check"),
        ("is jane warren wanted", "jane", "warren"),
        ("any markers on tom platt", "tom", "platt"),
        ("pnc on peter hill", "peter", "hill"),
        ("anything on sarah wood", "sarah", "wood"),
        ("any warnings on sophie street", "sophie", "street"),
        ("pnc on alan pearson", "alan", "pearson"),
        ("is reg smith wanted", "reg", "smith"),
        ("check ravi patel", "ravi", "patel"),
    ],
)
def test_surnames_that_look_like_keywords_survive_in_name_position(
    text: str, forenames: str, surname: str
) -> None:
    assert _slots(text) == {"forenames": forenames, "surname": surname}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("chek jon smyth", "person_check"),
        ("any warrnt for jon smyth", "warrant_check"),
        ("histroy at 12 acacia ave", "address_check"),
        ("adress check 5 the crescent", "address_check"),
        ("vehical reg ab12cde", "vehicle_check"),
        ("plat ab12 cde", "vehicle_check"),
        ("incidnet INC-2024-003311", "incident_lookup"),
        ("hlep", "help"),
    ],
)
def test_keywords_are_typo_tolerant(text: str, intent: str) -> None:
    assert parse(text, today=TODAY).intent == intent


def test_every_common_british_surname_survives_as_a_surname() -> None:
    names = BritishNames.last_names
    eaten = [s for s in names if _slots(f"any warnings on john {s}").get("surname") != s.lower()]
    assert eaten == []


def test_every_common_british_forename_survives_as_a_forename() -> None:
    names = {*BritishNames.first_names_male, *BritishNames.first_names_female}
    eaten = [f for f in names if _slots(f"is {f} smith wanted").get("forenames") != f.lower()]
    assert eaten == []


def test_addresses_have_house_number_upper_and_street_abbreviation_expanded() -> None:
    assert _slots("history at 221b baker st") == {"house_number": "221B", "street": "baker street"}
    assert _slots("address check 12 high street NW1 6XE") == {
        "postcode": "NW1 6XE",
        "house_number": "12",
        "street": "high street",
    }
    assert _slots("any warnings at 27 st john's rd") == {"house_number": "27", "street": "st john's road"}


def test_a_street_type_is_only_a_street_after_a_number_or_an_address_cue() -> None:
    assert _slots("any markers on jane street") == {"forenames": "jane", "surname": "street"}
    assert _slots("history at bridge street") == {"street": "bridge street"}


def test_a_dateless_mark_needs_a_vehicle_word_but_a_current_one_does_not() -> None:
    assert _slots("reg A 1") == {"vrm": "A1"}
    assert _slots("history at 221b baker st").get("vrm") is None
    assert _slots("any markers on gk 70 umw") == {"vrm": "GK70UMW"}


def test_a_misread_mark_is_corrected_in_a_vehicle_question() -> None:
    assert _slots("check vrm ab I2 cde") == {"vrm": "AB12CDE"}


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("incident INC-2024-004512", "INC-2024-004512"),
        ("inc 2024 4512", "INC-2024-004512"),
        ("cad 4521 / 25", "CAD-4521/25"),
        ("CRN 01/123456/24", "CRN-01/123456/24"),
        ("ref 4521/25", "4521/25"),
    ],
)
def test_incident_references_are_normalised_one_way(text: str, ref: str) -> None:
    assert _slots(text) == {"incident_ref": ref}


def test_an_impossible_date_is_a_problem_not_a_slot() -> None:
    parsed = parse("any warnings on jon smyth dob 31/02/1985", today=TODAY)
    assert parsed.intent == "person_check"
    assert "dob" not in parsed.slots
    assert parsed.problems and "31/02/1985" in parsed.problems[0]
    assert parsed.to_json()["problems"] == list(parsed.problems)


def test_birth_year_and_age_are_integers() -> None:
    assert _slots("check jon smyth born 1985") == {"forenames": "jon", "surname": "smyth", "birth_year": 1985}
    assert _slots("check jon smyth aged 34") == {"forenames": "jon", "surname": "smyth", "age": 34}


def test_markup_and_invisible_characters_are_harmless() -> None:
    assert _slots("<b>jon</b> sm\u200byth \u202edob 3/4/85") == {
        "forenames": "jon",
        "surname": "smyth",
        "dob": "1985-04-03",
    }


def test_wildcards_and_punctuation_never_become_a_name() -> None:
    for text in ["%", "_", "%smith%", "smi_th", "***", "' OR 1=1 --"]:
        assert parse(text, today=TODAY) == ParsedQuery("unknown")


def test_a_parsed_query_is_immutable() -> None:
    parsed = parse("jon smyth", today=TODAY)
    with pytest.raises(TypeError):
        parsed.slots["surname"] = "x"  # type: ignore[index]


@settings(max_examples=300)
@given(st.text())
def test_parse_never_raises_and_answers_in_the_contract_shape(text: str) -> None:
    data = parse(text, today=TODAY).to_json()
    assert json.loads(json.dumps(data)) == data
    assert set(data) <= {"intent", "slots"} | EXTENSION_KEYS
    assert data["intent"] in INTENTS
    assert set(data["slots"]) <= SLOT_KEYS
    for subject in data.get("subjects", []):
        assert subject["intent"] in INTENTS and set(subject["slots"]) <= SLOT_KEYS
    for key in ("forenames", "surname"):
        if key in data["slots"]:
            assert all(c.isalpha() or c in " '-" for c in data["slots"][key])


@settings(max_examples=50)
@given(st.text(min_size=1, max_size=20).map(lambda s: (s * (10_000 // len(s) + 1))[:10_000]))
def test_parse_copes_with_ten_thousand_characters(text: str) -> None:
    assert parse(text, today=TODAY).intent in INTENTS


QUERY_PARTS = [
    "any",
    "warnings",
    "on",
    "jon",
    "smyth",
    "dob",
    "3/4/85",
    "ab12",
    "cde",
    "nw1",
    "6xe",
    "221b",
    "baker",
    "st",
    "inc-2024-004512",
    "wanted",
    ",",
    "'",
    "-",
    "%",
    "?",
    "\u200b",
    "<b>",
    "born",
    "1985",
    "aged",
    "34",
    "alpha",
    "bravo",
    "double",
    "oh",
    "one",
    "flat",
    "2/10",
    "23/65",
    "030485",
    "about",
    "ic1",
    "mc",
    "o'",
    "and",
    ";",
    "&",
    "thanks",
    "morning",
    "ph71",
    "8D51SMR",
    "silver",
    "ford",
    "3rd",
    "of",
    "april",
    "inc/2024/4512",
]


@given(st.lists(st.sampled_from(QUERY_PARTS), max_size=15))
def test_parse_never_raises_on_mixtures_of_query_parts(words: list[str]) -> None:
    parsed = parse(" ".join(words), today=TODAY)
    assert parsed.intent in INTENTS
    json.dumps(parsed.to_json())
