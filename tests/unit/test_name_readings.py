"""Names in either order and any case: the likelier reading in the slots, the others offered."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.understanding.parse import parse

TODAY = date(2026, 11, 1)


def _read(text: str) -> tuple[dict, list[dict]]:
    parsed = parse(text, today=TODAY)
    names = {k: v for k, v in parsed.slots.items() if k in ("forenames", "surname")}
    return names, [dict(a) for a in parsed.alternatives]


@pytest.mark.parametrize(
    ("text", "forenames", "surname"),
    [
        ("smith john 3/4/85", "john", "smith"),  # lower case, surname first
        ("chan robert 17/10/74", "robert", "chan"),
        ("fox nicole born 15/01/1969", "nicole", "fox"),
        ("o'brien stephen 25/03/78", "stephen", "o'brien"),
        ("hart-king graham d.o.b. 23/05/67", "graham", "hart-king"),
        ("SMITH, John 3/4/85", "john", "smith"),  # comma forms
        ("o' donnell, alexandra dob 05.03.1962", "alexandra", "o donnell"),
        ("check RIGBY Sharon", "sharon", "rigby"),  # PNC capitals
        ("john smith 3/4/85", "john", "smith"),
    ],
)
def test_either_order_in_any_case_reads_the_likelier_way_first(
    text: str, forenames: str, surname: str
) -> None:
    names, _ = _read(text)
    assert names == {"forenames": forenames, "surname": surname}


def test_the_other_order_is_offered_when_the_names_could_be_either() -> None:
    names, alternatives = _read("graham kelly dob 14.12.1968")
    assert names == {"forenames": "graham", "surname": "kelly"}
    assert alternatives == [{"forenames": "kelly", "surname": "graham"}]


def test_no_other_order_is_offered_when_the_lists_give_it_no_support() -> None:
    assert _read("any warnings on jon smyth dob 3/4/85")[1] == []
    assert _read("fox nicole 15/01/1969")[1] == []


@pytest.mark.parametrize(
    ("text", "forenames", "surname"),
    [
        ("tony mc carthy 23/8/61", "tony", "mc carthy"),  # particles split
        ("mc kenzie abdul dob 02.06.1977", "abdul", "mc kenzie"),
        ("marion o brien 25/4/99", "marion", "o brien"),
        ("jose de la cruz 1/2/80", "jose", "de la cruz"),
        ("heather hussain barton 28/7/75", "heather", "hussain barton"),  # hyphen missing
    ],
)
def test_particles_and_double_barrelled_surnames_stay_together(
    text: str, forenames: str, surname: str
) -> None:
    assert _read(text)[0] == {"forenames": forenames, "surname": surname}


def test_a_missing_hyphen_is_offered_as_another_reading() -> None:
    names, alternatives = _read("nathan mitchell sutton 23/2/59")
    assert names == {"forenames": "nathan mitchell", "surname": "sutton"}
    assert {"forenames": "nathan", "surname": "mitchell sutton"} in alternatives


@pytest.mark.parametrize(
    "text",
    [
        "check irene spencer ic6 dob 3/3/1946",
        "female ic3 irene spencer dob 3/3/1946",
        "irene spencer, white female, 3/3/1946",
        "irene spencer white female 3/3/1946",
        "white female irene spencer 3/3/1946",
        "irene spencer f/ic1 3/3/1946",
    ],
)
def test_descriptions_of_sex_and_ethnicity_are_never_the_name(text: str) -> None:
    assert _read(text)[0] == {"forenames": "irene", "surname": "spencer"}


def test_a_surname_that_is_a_colour_is_still_a_surname() -> None:
    assert _read("john white male 3/4/85")[0] == {"forenames": "john", "surname": "white"}


def test_initials_and_greetings_around_a_name() -> None:
    assert _read("warrants for j smith")[0] == {"forenames": "j", "surname": "smith"}
    assert _read("hiya, arthur collins dob 25/09/1955 thx")[0] == {
        "forenames": "arthur",
        "surname": "collins",
    }
