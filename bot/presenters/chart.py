"""The weekly report's chart: posts (bars) and reactions (line) per day, as a PNG.

Drawn with matplotlib's object API on the Agg canvas (no pyplot: no global figure state, no
GUI backend), so it is safe to run in a worker thread; the caller uses ``asyncio.to_thread``
because drawing takes a noticeable fraction of a second and the event loop must keep serving.
matplotlib is imported here only, when the first chart is drawn: it costs the bot's start-up
nothing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.workflow.stats import DayCount

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.0, 120


def render_chart(days: Sequence[DayCount], *, title: str, posts: str, reactions: str) -> bytes:
    """The PNG bytes of the chart (labels given in the reader's language)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(figure)
    left = figure.add_subplot()
    x = list(range(len(days)))
    left.bar(x, [d.posts for d in days], color="#4c78a8", label=posts)
    left.set_ylabel(posts)
    left.set_xticks(x, [f"{d.day:%d.%m}" for d in days])
    left.set_ylim(bottom=0)
    left.yaxis.set_major_locator(MaxNLocator(integer=True))  # no half posts
    right = left.twinx()
    right.plot(x, [d.reactions for d in days], color="#e45756", marker="o", label=reactions)
    right.set_ylabel(reactions)
    right.set_ylim(bottom=0)
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    left.set_title(title)
    handles = left.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    left.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left")
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
