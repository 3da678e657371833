"""The pure parts of the statistics: percentiles from a histogram, London days from UTC hours."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from knowledge.review.periods import london_day
from knowledge.review.statistics import percentile


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=300), st.sampled_from([0.5, 0.95, 0.99, 1.0]))
def test_a_percentile_of_the_histogram_is_the_nearest_rank_of_the_values(
    values: list[int], share: float
) -> None:
    ranked = sorted(values)
    assert percentile(Counter(values), share) == ranked[max(1, math.ceil(share * len(ranked))) - 1]


def test_no_values_have_no_percentile() -> None:
    assert percentile({}, 0.5) is None


def test_hours_fall_on_london_days_across_both_clock_changes() -> None:
    # 23:00 UTC is midnight in London in summer (the next day) and 23:00 in winter (the same day).
    assert london_day("2026-07-01 23") == dt.date(2026, 7, 2)
    assert london_day("2026-12-01 23") == dt.date(2026, 12, 1)
    assert london_day(dt.datetime(2026, 3, 29, 0)) == dt.date(2026, 3, 29)  # the night the clocks go forward
    assert london_day(dt.datetime(2026, 10, 24, 23)) == dt.date(2026, 10, 25)  # BST still, until 01:00 UTC
    assert london_day(dt.datetime(2026, 10, 25, 23)) == dt.date(2026, 10, 25)  # GMT again
