"""Several subjects in one message: each exposed, the first in the contract's slots, none dropped."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from knowledge.understanding.keywords import vocabulary_word
from knowledge.understanding.parse import MAX_SUBJECTS, parse

TODAY = date(2026, 11, 1)


def test_two_people_are_both_exposed_and_the_first_fills_the_slots() -> None:
    data = parse("check jack coates 26/9/78 and vanessa williams 4/2/45", today=TODAY).to_json()
    assert data["slots"] == {"forenames": "jack", "surname": "coates", "dob": "1978-09-26"}
    assert [s["slots"] for s in data["subjects"]] == [
        {"forenames": "jack", "surname": "coates", "dob": "1978-09-26"},
        {"forenames": "vanessa", "surname": "williams", "dob": "1945-02-04"},
    ]


def test_commas_inside_one_subject_do_not_split_it() -> None:
    for text in ("SMITH, John 3/4/85", "jon smyth, april 3, 1985", "flat 2, 221b baker st"):
        assert "subjects" not in parse(text, today=TODAY).to_json(), text
    subjects = parse("SMITH, John 3/4/85; DOE, Jane 5/6/90", today=TODAY).subjects
    assert [s.slots["surname"] for s in subjects] == ["smith", "doe"]


def test_a_warrant_question_about_several_people_is_a_warrant_check() -> None:
    assert (
        parse("is jack coates 26/9/78 and jill coates 1/2/80 wanted", today=TODAY).intent == "warrant_check"
    )


def test_more_than_five_subjects_lists_five_and_counts_the_rest() -> None:
    text = " and ".join(f"ab{n:02d} cde" for n in range(11, 18))
    data = parse(text, today=TODAY).to_json()
    assert len(data["subjects"]) == MAX_SUBJECTS
    assert data["subjects_left_out"] == 2
    assert len(data["vrms"]) == 7


def test_one_subject_and_words_after_it_is_one_subject() -> None:
    assert "subjects" not in parse("john smith 3/4/85 and his car please", today=TODAY).to_json()


def test_a_person_named_between_plates_is_a_subject_of_their_own() -> None:
    subjects = parse("ab12 cde and barnaby quickfall 1/1/60 and nl72 byd", today=TODAY).subjects
    assert [dict(s.slots) for s in subjects] == [
        {"vrm": "AB12CDE"},
        {"forenames": "barnaby", "surname": "quickfall", "dob": "1960-01-01"},
        {"vrm": "NL72BYD"},
    ]
    assert [s.intent for s in subjects] == ["vehicle_check", "person_check", "vehicle_check"]


_LETTER = st.sampled_from("ABCDEFGHJKLMNOPRSTUVWXY")  # current-format marks: two letters, age, three
# A mark whose last part is a word the parser knows ("AB10 VRM", "AB10 HER") spaced out in lower
# case is read as that word: a limitation of its own, not of splitting a message into subjects.
_LAST = st.tuples(_LETTER, _LETTER, _LETTER).filter(lambda t: vocabulary_word("".join(t).lower()) is None)


@given(
    st.lists(
        st.tuples(st.tuples(_LETTER, _LETTER), st.integers(10, 29), _LAST),
        min_size=2, max_size=5, unique=True,
    ),
    st.sampled_from([" and ", ", ", " & ", "; ", " also "]),
)  # fmt: skip
def test_every_mark_of_a_message_is_a_subject_in_the_order_given(
    marks: list[tuple[tuple[str, str], int, tuple[str, str, str]]], joiner: str
) -> None:
    vrms = [f"{''.join(area)}{age}{''.join(rest)}" for area, age, rest in marks]
    text = joiner.join(f"{vrm[:4].lower()} {vrm[4:].lower()}" for vrm in vrms)
    parsed = parse(f"check {text}", today=TODAY)
    assert [s.slots.get("vrm") for s in parsed.subjects] == vrms
    assert parsed.subjects_left_out == 0


def test_a_subject_said_twice_is_one_subject() -> None:
    assert "subjects" not in parse("ab12 cde and ab12 cde", today=TODAY).to_json()
    assert "subjects" not in parse(" and ".join(["ab12 cde"] * 40), today=TODAY).to_json()
    twice = parse("ab12 cde and nl72 byd and AB12CDE", today=TODAY)
    assert [s.slots["vrm"] for s in twice.subjects] == ["AB12CDE", "NL72BYD"] and twice.subjects_left_out == 0
    assert "subjects" not in parse("john smith 3/4/85 and john smith 3/4/85", today=TODAY).to_json()
