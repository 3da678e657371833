"""The rules of composing a briefing: options, times on the London clock, text limits, who may brief."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.access.users import Enrolment
from knowledge.briefings import drafts
from knowledge.briefings.drafts import (
    ALL_TEAMS,
    LONDON,
    MAX_LENGTH,
    check_text,
    choose_team,
    next_occurrence,
    parse_request,
)
from knowledge.errors import BeatlineError, NotAllowed
from knowledge.matching.clean import utf16_length

NOW = dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC)  # the night before the clocks go forward


def person(role: str, team: str = "A") -> Enrolment:
    return Enrolment(1, "Sgt Test", role, team, "active", "test", NOW)


@pytest.mark.parametrize(
    ("args", "role", "expected"),
    [
        ("Red Focus seen", "sergeant", ("Red Focus seen", None, None)),
        ("at 06:45 Red Focus", "sergeant", ("Red Focus", None, (6, 45))),
        ("at 6.05 team=B all units", "admin", ("all units", "B", (6, 5))),
        ("all units be aware", "sergeant", ("all units be aware", None, None)),
        ("all units be aware", "admin", ("units be aware", ALL_TEAMS, None)),
        ("at the address, 12 Mill Lane", "sergeant", ("at the address, 12 Mill Lane", None, None)),
        ("  line one\nline two ", "sergeant", ("line one\nline two", None, None)),
    ],
)
def test_options_come_off_the_front_and_the_rest_is_the_briefing(
    args: str, role: str, expected: tuple[str, str | None, tuple[int, int] | None]
) -> None:
    request = parse_request(args, role=role)
    assert (request.text, request.team, request.at) == expected


@given(st.text(), st.sampled_from(["officer", "sergeant", "admin"]))
def test_parsing_refuses_only_impossible_times(args: str, role: str) -> None:
    try:
        parse_request(args, role=role)
    except BeatlineError as refused:
        assert "is not a time" in str(refused)


def test_an_impossible_time_is_refused_clearly() -> None:
    with pytest.raises(BeatlineError, match="25:00 is not a time"):
        parse_request("at 25:00 hello", role="sergeant")


@given(st.integers(0, 23), st.integers(0, 59), st.datetimes(dt.datetime(2025, 1, 1), dt.datetime(2030, 1, 1)))
def test_the_next_occurrence_is_ahead_within_a_day_on_the_london_clock(
    hour: int, minute: int, naive: dt.datetime
) -> None:
    now = naive.replace(tzinfo=dt.UTC)
    at = next_occurrence(hour, minute, now)
    assert now < at <= now + dt.timedelta(hours=25)
    local = at.astimezone(LONDON)
    assert (local.hour, local.minute) == (hour, minute) or local.dst() != (now.astimezone(LONDON).dst())


def test_a_time_still_ahead_is_today_and_one_gone_is_tomorrow() -> None:
    assert next_occurrence(23, 45, NOW).astimezone(LONDON).date() == dt.date(2026, 3, 28)
    assert next_occurrence(6, 45, NOW).astimezone(LONDON) == dt.datetime(2026, 3, 29, 6, 45, tzinfo=LONDON)


def test_empty_and_over_long_briefings_are_refused_with_a_sentence() -> None:
    with pytest.raises(BeatlineError, match="needs some text"):
        check_text("   \n ")
    with pytest.raises(BeatlineError, match=f"at most {MAX_LENGTH:,} characters and this one is 5,000"):
        check_text("x" * 5000)
    assert check_text("🚓" * (MAX_LENGTH // 2)) == "🚓" * (MAX_LENGTH // 2)  # counted as Telegram counts


def test_sergeants_brief_their_own_team_and_admins_choose() -> None:
    assert choose_team(person("sergeant"), None) == "A"
    with pytest.raises(NotAllowed, match="own team"):
        choose_team(person("sergeant"), "B")
    with pytest.raises(BeatlineError, match="not in a team"):
        choose_team(person("sergeant", team=""), None)
    assert choose_team(person("admin", team=""), ALL_TEAMS) == ALL_TEAMS
    with pytest.raises(BeatlineError, match="Choose a team"):
        choose_team(person("admin", team=""), None)
    with pytest.raises(NotAllowed):
        choose_team(person("officer"), None)


def test_a_lone_surrogate_in_a_briefing_is_refused_in_words() -> None:
    # Telegram never sends one, but a forged update can; it once reached the generic apology.
    with pytest.raises(BeatlineError, match="cannot contain control characters"):
        drafts.check_text("hello \ud800 there")
    assert utf16_length("a\ud800") == 2
