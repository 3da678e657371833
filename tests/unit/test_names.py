"""Name normalisation and blocking keys: variants an officer may type must share a key with the record."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from knowledge.matching.names import name_keys, normalise_name, person_keys, surname_forms
from knowledge.matching.scoring import DobMatch, PersonQuery, dob_match, name_similarity


def test_accents_apostrophes_and_case_fold_away() -> None:
    assert normalise_name("  O'Brien ") == "obrien"
    assert normalise_name("ZOË Ó’Neill-Dubois") == "zoe oneill dubois"
    assert normalise_name("<b>%_;--") == "b"


def test_double_barrelled_surnames_are_found_by_either_half() -> None:
    assert surname_forms("Smith-Jones") == ["smithjones", "smith", "jones"]


def test_spelling_variants_share_a_key() -> None:
    pairs = [
        (("John", "Smith"), ("jon", "smyth")),
        (("Mohammed", "Khan"), ("muhammad", "khan")),
        (("Catherine", "Jones"), ("kathryn", "jones")),
        (("Robert", "Brown"), ("bob", "brown")),
        (("Elizabeth", "Taylor"), ("liz", "taylor")),
        (("Niamh", "MacDonald"), ("niamh", "mcdonald")),
        (("Sean", "O'Brien"), ("shaun", "obrien")),
    ]
    for recorded, said in pairs:
        assert name_keys(*recorded) & name_keys(*said), (recorded, said)


def test_an_alias_is_keyed_like_a_name() -> None:
    keys = person_keys("Jonathan", "Smith", ["Johnny Smyth", "J. Smythe"])
    assert name_keys("johnny", "smyth") <= keys


def test_unrelated_names_do_not_share_a_key() -> None:
    assert not name_keys("John", "Smith") & name_keys("Mary", "Patel")


def test_a_name_without_a_forename_has_no_keys() -> None:
    assert name_keys("", "Smith") == set()


@given(st.text(), st.text())
def test_keys_never_raise(forenames: str, surname: str) -> None:
    assert isinstance(name_keys(forenames, surname), set)


@given(st.text())
def test_normalising_twice_changes_nothing(text: str) -> None:
    assert normalise_name(normalise_name(text)) == normalise_name(text)


def test_similarity_prefers_the_same_name() -> None:
    said = PersonQuery(forenames="jon", surname="smyth")
    assert name_similarity(said, "John", "Smith") > name_similarity(said, "John", "Smithers")
    assert name_similarity(said, "Jonathan", "Smith") > name_similarity(said, "Joan", "Smith") - 10
    assert name_similarity(PersonQuery(forenames="j", surname="smith"), "John", "Smith") >= 85


def test_date_of_birth_agreement_kinds() -> None:
    today = dt.date(2026, 11, 25)
    said = PersonQuery(dob=dt.date(1985, 4, 3))
    assert dob_match(said, dt.date(1985, 4, 3), today) is DobMatch.EXACT
    assert dob_match(said, dt.date(1985, 3, 4), today) is DobMatch.SWAPPED
    assert dob_match(said, dt.date(1986, 4, 3), today) is DobMatch.NEAR
    assert dob_match(said, dt.date(1970, 1, 1), today) is DobMatch.DIFFERENT
    assert dob_match(PersonQuery(age=41), dt.date(1985, 4, 3), today) is DobMatch.YEAR
    assert dob_match(PersonQuery(birth_year=1985), None, today) is DobMatch.UNKNOWN
