"""BEATLINE_REVIEW_AT and BEATLINE_TEAMWORK: the next weekly run in London time; bad values named."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.settings import Settings, SettingsError
from knowledge.review.review import BURST, bursts
from knowledge.review.schedule import ReviewAt


def test_review_at_is_a_weekday_and_a_london_time() -> None:
    assert Settings.from_env({}).review_at is None
    when = Settings.from_env({"BEATLINE_REVIEW_AT": "Monday 7:00"}).review_at
    assert when == ReviewAt(0, dt.time(7, 0)) and str(when) == "mon 07:00"


@pytest.mark.parametrize("value", ["07:00", "mon", "mon 25:00", "someday 07:00", "mon 07:00; drop table"])
def test_an_unusable_review_time_is_named(value: str) -> None:
    with pytest.raises(SettingsError, match="BEATLINE_REVIEW_AT"):
        Settings.from_env({"BEATLINE_REVIEW_AT": value})


def test_the_next_run_is_london_wall_time_in_summer_and_winter() -> None:
    monday_seven = ReviewAt(0, dt.time(7, 0))
    # Tuesday 1 December 2026 (GMT): next Monday 7 December, 07:00 GMT.
    assert monday_seven.next_after(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)) == dt.datetime(
        2026, 12, 7, 7, tzinfo=dt.UTC
    )
    # Monday 6 July 2026 (BST) at 05:59 UTC, a minute before 07:00 London: today, at 06:00 UTC.
    assert monday_seven.next_after(dt.datetime(2026, 7, 6, 5, 59, tzinfo=dt.UTC)) == dt.datetime(
        2026, 7, 6, 6, tzinfo=dt.UTC
    )
    # At the very moment: a week on.
    at = dt.datetime(2026, 7, 6, 6, tzinfo=dt.UTC)
    assert monday_seven.next_after(at) == at + dt.timedelta(days=7)


def test_teamwork_is_on_unless_turned_off() -> None:
    assert Settings.from_env({}).teamwork is True
    assert Settings.from_env({"BEATLINE_TEAMWORK": "off"}).teamwork is False
    with pytest.raises(SettingsError, match="BEATLINE_TEAMWORK must be on or off"):
        Settings.from_env({"BEATLINE_TEAMWORK": "sometimes"})


def test_overlapping_bursts_are_one_and_separate_ones_are_two() -> None:
    start = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    run = [start + dt.timedelta(seconds=20 * n) for n in range(BURST + 10)]  # one long run
    later = [start + dt.timedelta(hours=2, seconds=10 * n) for n in range(BURST)]
    found = bursts(run + later)
    assert [(b.checks, b.start) for b in found] == [(BURST + 10, start), (BURST, later[0])]
    assert bursts(run[: BURST - 1]) == ()
