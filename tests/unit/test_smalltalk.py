"""Small talk is never a name: greetings, thanks and chat are understood as what they are."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.understanding.parse import parse
from knowledge.understanding.smalltalk import small_talk

TODAY = date(2026, 11, 1)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("thanks", "thanks"), ("cheers mate", "thanks"), ("good morning", "greeting"),
        ("Morning sarge!", "greeting"),
        ("what's the weather like", "chat"), ("is it going to rain", "chat"), ("ok", "acknowledged"),
        ("night all", "farewell"), ("much appreciated please", "thanks"), ("merry christmas", "chat"),
    ],
)  # fmt: skip
def test_small_talk_is_unknown_with_its_kind_and_no_name(text: str, kind: str) -> None:
    parsed = parse(text, today=TODAY)
    assert (parsed.intent, dict(parsed.slots), parsed.small_talk) == ("unknown", {}, kind)


@pytest.mark.parametrize(
    "text", ["who are you", "control, are you a robot?", "what can you do", "how does this work"]
)
def test_questions_about_the_bot_are_help(text: str) -> None:
    assert parse(text, today=TODAY).intent == "help"


@pytest.mark.parametrize(
    "text",
    ["good morning, check john smith 3/4/85", "thanks, ab12 cde", "cheers - is jane day wanted", "day"],
)
def test_a_question_inside_small_talk_is_still_the_question(text: str) -> None:
    if text == "day":  # a lone word that is small talk is never looked up
        assert small_talk(text) == "chat"
        return
    assert small_talk(text) is None
    assert parse(text, today=TODAY).intent in {"person_check", "vehicle_check", "warrant_check"}
