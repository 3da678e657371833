"""Follow-up phrasings: recognised as follow-ups, never read as a name, and never mistaken for a question."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.access.roles import FOLLOW_UPS, help_text
from knowledge.understanding.follow_ups import FollowUp, Refers, find_follow_up
from knowledge.understanding.intents import Intent
from knowledge.understanding.parse import INTENTS, parse

TODAY = dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("more", FollowUp(Refers.MORE)),
        ("More please", FollowUp(Refers.MORE)),
        ("any more?", FollowUp(Refers.MORE)),
        ("show me more", FollowUp(Refers.MORE)),
        ("next", FollowUp(Refers.NEXT)),
        ("Next page", FollowUp(Refers.NEXT)),
        ("the rest", FollowUp(Refers.NEXT)),
        ("ok next", FollowUp(Refers.NEXT)),
        ("show all", FollowUp(Refers.ALL)),
        ("show me all of them", FollowUp(Refers.ALL)),
        ("the full list", FollowUp(Refers.ALL)),
        ("details", FollowUp(Refers.DETAIL)),
        ("tell me more about him", FollowUp(Refers.DETAIL)),
        ("9", FollowUp(Refers.PICK, number=9)),
        ("2.", FollowUp(Refers.PICK, number=2)),
        ("#12", FollowUp(Refers.PICK, number=12)),
        ("no. 3", FollowUp(Refers.PICK, number=3)),
        ("number 2 please", FollowUp(Refers.PICK, number=2)),
        ("option two", FollowUp(Refers.PICK, number=2)),
        ("the second one", FollowUp(Refers.PICK, number=2)),
        ("The SECOND one", FollowUp(Refers.PICK, number=2)),
        ("2nd", FollowUp(Refers.PICK, number=2)),
        ("the 3rd one", FollowUp(Refers.PICK, number=3)),
        ("the last one", FollowUp(Refers.PICK, number=-1)),
        ("pick the fourth", FollowUp(Refers.PICK, number=4)),
        ("the one born in 85", FollowUp(Refers.PICK, born="1985")),
        ("the one born 1985", FollowUp(Refers.PICK, born="1985")),
        ("the 85 one", FollowUp(Refers.PICK, born="1985")),
        ("the one born 3/4/85", FollowUp(Refers.PICK, born="1985-04-03")),
        ("his car", FollowUp(Refers.VEHICLES)),
        ("what about his car", FollowUp(Refers.VEHICLES)),
        ("what vehicles does he have", FollowUp(Refers.VEHICLES)),
        ("does she own a car?", FollowUp(Refers.VEHICLES)),
        ("her address", FollowUp(Refers.ADDRESS)),
        ("where does he live", FollowUp(Refers.ADDRESS)),
        ("who lives there", FollowUp(Refers.RESIDENTS)),
        ("who else lives at that address", FollowUp(Refers.RESIDENTS)),
        ("is he wanted", FollowUp(Refers.WANTED)),
        ("Is she wanted?", FollowUp(Refers.WANTED)),
        ("any warrants for her", FollowUp(Refers.WANTED)),
        ("does he have any warrants", FollowUp(Refers.WANTED)),
        ("morning, next ones asap", FollowUp(Refers.NEXT)),  # a greeting before, thanks after
        ("quick one - the 6th thanks!", FollowUp(Refers.PICK, number=6)),
        ("evening. i'll take 7", FollowUp(Refers.PICK, number=7)),
        ("sarge can you who lives there thanks", FollowUp(Refers.RESIDENTS)),
        ("any warants for him", FollowUp(Refers.WANTED)),  # a slip in the keyword
    ],
)
def test_follow_up_phrasings_are_recognised(text: str, expected: FollowUp) -> None:
    assert find_follow_up(text, today=TODAY) == expected
    assert parse(text, today=TODAY).follow_up == expected


@pytest.mark.parametrize(
    "text",
    [
        "check thomas more",  # a name that is also a word
        "john more 3/4/85",
        "his car ab12cde",  # a mark given: an ordinary vehicle check
        "is john smith wanted",  # a name given: an ordinary warrant check
        "who lives at 5 high street",  # an address given
        "warrants",  # no one referred to: asks who
        "one",
        "no one",
        "1985",
        "3/4/85",
        "thanks",
        "top man pls",  # thanks, not "the top one"
        "good morning",
        "what's the weather like",
        "",
        "   ",
    ],
)
def test_questions_and_small_talk_are_not_follow_ups(text: str) -> None:
    assert parse(text, today=TODAY).follow_up is None


def test_follow_ups_are_no_longer_read_as_surnames() -> None:
    for text in ["more", "next", "the second one", "who lives there"]:
        assert "surname" not in parse(text, today=TODAY).slots


def test_a_follow_up_keeps_the_contracts_intents_in_parse_json() -> None:
    assert parse("his car", today=TODAY).to_json() == {
        "intent": "vehicle_check",
        "slots": {},
        "follow_up": {"refers": "vehicles"},
    }
    assert parse("the second one", today=TODAY).to_json() == {
        "intent": "unknown",
        "slots": {},
        "follow_up": {"refers": "pick", "number": 2},
    }
    assert parse("is he wanted", today=TODAY).intent is Intent.WARRANT_CHECK
    assert parse("who lives there", today=TODAY).intent is Intent.ADDRESS_CHECK


def test_small_talk_stays_small_talk() -> None:
    for text, kind in [("thanks", "thanks"), ("morning", "greeting"), ("cheers mate", "thanks")]:
        parsed = parse(text, today=TODAY)
        assert (parsed.small_talk, parsed.follow_up, dict(parsed.slots)) == (kind, None, {})


_FOLLOW_UP_WORDS = ["more", "next", "the", "second", "one", "his", "car", "born", "in", "85", "all", "9"]


@settings(max_examples=300)
@given(
    st.lists(st.sampled_from(_FOLLOW_UP_WORDS) | st.text(max_size=6), max_size=8).map(" ".join)
    | st.text(max_size=200)
)
def test_finding_a_follow_up_never_raises_and_stays_in_the_contract(text: str) -> None:
    found = find_follow_up(text, today=TODAY)
    assert found is None or found.refers in set(Refers)
    data = parse(text, today=TODAY).to_json()
    assert json.loads(json.dumps(data)) == data and data["intent"] in INTENTS
    if "follow_up" in data:
        assert data["slots"] == {} and data["follow_up"]["refers"] in {r.value for r in Refers}


def test_a_ten_thousand_character_message_is_not_a_follow_up() -> None:
    assert find_follow_up("more " * 2000, today=TODAY) is None


def test_help_says_how_to_follow_an_answer_up() -> None:
    for role in ("officer", "sergeant", "admin"):
        assert FOLLOW_UPS in help_text(role)
    for said in ("'more'", "'2'", "'his car'", "'is she wanted'"):  # each as the parser reads it
        assert parse(said.strip("'"), today=TODAY).follow_up is not None
