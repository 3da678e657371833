"""The /stats chart: checks per London day, one bar per team, as a PNG drawn on the server.

matplotlib with the Agg backend draws without a display, in memory; nothing is written to disk. It
is imported on first use, so the bot and the command line start without paying for it.
"""

from __future__ import annotations

import io

from knowledge.review.statistics import Statistics

__all__ = ["chart_png"]


def chart_png(stats: Statistics) -> bytes:
    """A bar chart of checks per day, in PNG."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # a Figure of its own: no global pyplot state across threads

    figure = Figure(figsize=(8, 4), dpi=100)
    axes = figure.add_subplot()
    days = [f"{day:%d/%m}" for day, _ in stats.per_day]
    axes.bar(days, [n for _, n in stats.per_day], color="#1f4e79")
    axes.set_title(f"Checks per day (London), {stats.checks} in {stats.days} days")
    axes.set_ylabel("checks")
    axes.tick_params(axis="x", labelrotation=45 if len(days) > 10 else 0)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
