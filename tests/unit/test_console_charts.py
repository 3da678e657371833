"""The console's bar charts: bars inside the drawing, tallest at the top value, none for nothing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.web.charts import bar_chart


@given(st.lists(st.tuples(st.text(max_size=20), st.integers(0, 10**6)), max_size=60))
def test_every_bar_lies_inside_the_chart_and_the_tallest_reaches_the_top(
    pairs: list[tuple[str, int]],
) -> None:
    chart = bar_chart("t", pairs)
    assert len(chart.bars) == len(pairs)
    for bar in chart.bars:
        assert chart.left <= bar.x and bar.x + bar.width <= chart.width
        assert 0 <= bar.y <= chart.base and abs(bar.y + bar.height - chart.base) < 0.2
    if any(value for _, value in pairs):
        tallest = max(chart.bars, key=lambda bar: bar.value)
        assert chart.top == tallest.value and tallest.y == min(bar.y for bar in chart.bars)
    assert sum(bar.labelled for bar in chart.bars) <= 12


def test_no_checks_draws_no_bar_height() -> None:
    chart = bar_chart("none", [("01/12", 0), ("02/12", 0)])
    assert [bar.height for bar in chart.bars] == [0, 0] and chart.top == 1
