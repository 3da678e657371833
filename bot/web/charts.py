"""Bar charts as SVG geometry, drawn on the server: the template writes the shapes, Jinja escapes the text.

Pure arithmetic and no library: a bar chart is a few rectangles, and SVG in the page needs no image
request, no script and nothing the Content-Security-Policy would have to allow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Bar", "BarChart", "bar_chart"]

_LEFT, _BOTTOM, _TOP = 44, 30, 18  # room for the scale, the labels, and the top value
_WIDEST = 90


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    labelled: bool  # whether its label is written under it (not every one fits)


@dataclass(frozen=True)
class BarChart:
    title: str
    width: int
    height: int
    top: int  # the scale's highest value
    base: float  # the y of the zero line
    left: int
    bars: tuple[Bar, ...]


def bar_chart(
    title: str, pairs: Sequence[tuple[str, int]], *, width: int = 640, height: int = 220
) -> BarChart:
    """One bar per (label, value), scaled to the largest value; labels thinned to about a dozen."""
    top = max((value for _, value in pairs), default=0) or 1
    plot_w, plot_h = width - _LEFT - 4, height - _BOTTOM - _TOP
    step = plot_w / max(len(pairs), 1)
    every = max(1, math.ceil(len(pairs) / 12))
    bar_w = min(step * 0.8, _WIDEST)  # one team's bar is a bar, not a wall
    bars = tuple(
        Bar(
            label=label, value=value, x=round(_LEFT + i * step + (step - bar_w) / 2, 1),
            y=round(_TOP + plot_h * (1 - value / top), 1), width=round(bar_w, 1),
            height=round(plot_h * value / top, 1), labelled=i % every == 0,
        )
        for i, (label, value) in enumerate(pairs)
    )  # fmt: skip
    return BarChart(title, width, height, top, _TOP + plot_h, _LEFT, bars)
