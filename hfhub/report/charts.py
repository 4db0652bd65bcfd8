"""Draw the report's charts with matplotlib, each as an SVG string to inline in the HTML.

matplotlib's object API (``Figure``, never ``pyplot``) keeps no global state and needs no display.
SVG text stays text (``svg.fonttype: none``): charts are small, sharp at any zoom and searchable,
and a fixed hash salt makes the same data give the same bytes.
"""

from __future__ import annotations

import io
import re
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

BLUE = "#3b6ea5"
ORANGE = "#e08a2c"
STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "hfhub-report",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.axisbelow": True,
    "text.parse_math": False,  # a "$" in a label from the Hub is a dollar sign, not TeX to parse
}


def _style() -> AbstractContextManager[None]:
    return matplotlib.rc_context(STYLE)  # type: ignore[arg-type]  # its stubs want each key as a Literal


def human(n: float) -> str:
    """1234567 -> "1.2M": axis labels and bar values."""
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= size:
            return f"{n / size:.3g}{suffix}"
    return f"{n:.3g}"


def to_svg(fig: Figure) -> str:
    """The figure as an ``<svg>`` element (no XML prolog, no metadata) fit to inline in HTML."""
    buffer = io.StringIO()
    with _style():
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    return svg.replace('width="', 'class="chart" width="', 1)


def _figure(height: float = 3.2) -> tuple[Figure, Axes]:
    with _style():
        fig = Figure(figsize=(7.5, height), layout="constrained")
        return fig, fig.add_subplot()


def barh(counts: pd.Series, xlabel: str) -> str:
    """Horizontal bars, largest on top, the value written at the end of each bar."""
    with _style():
        fig, ax = _figure(0.28 * len(counts) + 0.9)
        labels = [str(v) for v in counts.index][::-1]
        values = counts.to_numpy()[::-1]
        bars = ax.barh(labels, values, color=BLUE)
        ax.bar_label(bars, labels=[human(v) for v in values], padding=3, fontsize=8)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: human(v)))
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
        ax.margins(x=0.12)
        return to_svg(fig)


def human_bytes(n: float) -> str:
    """1234567 -> "1.23 MB" (powers of 1000, as the Hub shows sizes)."""
    for size, suffix in ((1e15, "PB"), (1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")):
        if abs(n) >= size:
            return f"{n / size:.3g} {suffix}"
    return f"{n:.3g} B"


def parameter_histogram(bins: pd.DataFrame) -> str:
    return log_histogram(bins, "models", "parameters (log scale)", "models")


def log_histogram(bins: pd.DataFrame, count: str, xlabel: str, ylabel: str, *, in_bytes: bool = False) -> str:
    """Bars over log-scale bins (``low``, ``high`` and a ``count`` column)."""
    with _style():
        fig, ax = _figure()
        ax.bar(
            bins["low"],
            bins[count],
            width=bins["high"] - bins["low"],
            align="edge",
            color=BLUE,
            edgecolor="white",
            linewidth=0.5,
        )
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: human_bytes(v) if in_bytes else human(v)))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        return to_svg(fig)


def growth(months: pd.DataFrame) -> str:
    with _style():
        fig, ax = _figure()
        ax.bar(months.index, months["created"], width=25, color=BLUE, label="created that month")
        ax.set_ylabel("models created per month")
        total = ax.twinx()
        total.plot(months.index, months["cumulative"], color=ORANGE, linewidth=2, label="cumulative")
        total.set_ylabel("models in total")
        total.grid(False)
        total.spines["right"].set_visible(True)
        total.yaxis.set_major_formatter(FuncFormatter(lambda v, _: human(v)))
        handles = ax.get_legend_handles_labels()[0] + total.get_legend_handles_labels()[0]
        # above the plot, not over it: inside, it hid the first months' bars
        ax.legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)
        return to_svg(fig)


def shares(table: pd.DataFrame, xlabel: str) -> str:
    """Horizontal bars of a ``share`` column (0..1), labelled in percent and with the model count."""
    with _style():
        fig, ax = _figure(0.28 * len(table) + 0.9)
        labels = [str(v) for v in table.index][::-1]
        share = table["share"].to_numpy()[::-1]
        bars = ax.barh(labels, share, color=BLUE)
        ax.bar_label(
            bars,
            labels=[f"{s:.1%} ({human(n)})" for s, n in zip(share, table["models"].to_numpy()[::-1])],
            padding=3,
            fontsize=8,
        )
        ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        # room for the labels, but a share axis ends at 100 % at most (the labels may go past it)
        ax.set_xlim(0, min(1.0, float(share.max()) * 1.35) if len(share) and share.max() > 0 else 1.0)
        ax.set_xticks([t for t in ax.get_xticks() if 0 <= t <= 1])
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
        return to_svg(fig)


def barh_pair(table: pd.DataFrame, xlabel: str) -> str:
    """Two horizontal bars per row (the table's two columns, say requested and current), largest on top."""
    first, second = table.columns[:2]
    with _style():
        fig, ax = _figure(0.4 * len(table) + 1.1)
        positions = list(range(len(table)))[::-1]
        height = 0.4
        for offset, column, color in ((height / 2, first, BLUE), (-height / 2, second, ORANGE)):
            values = table[column].to_numpy()
            bars = ax.barh(
                [p + offset for p in positions], values, height=height, color=color, label=str(column)
            )
            ax.bar_label(bars, labels=[human(v) for v in values], padding=3, fontsize=8)
        ax.set_yticks(positions, [str(v) for v in table.index])
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: human(v)))
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
        ax.margins(x=0.12)
        ax.legend(loc="lower right", frameon=False)
        return to_svg(fig)


def daily(days: list[str], values: list[float], ylabel: str, *, bars: bool = False) -> str:
    """One value per day (``days`` as YYYY-MM-DD, oldest first): bars, or a line with a dot per day."""
    with _style():
        fig, ax = _figure(2.8)
        positions = list(range(len(days)))
        if bars:
            ax.bar(positions, values, color=BLUE)
        else:
            ax.plot(positions, values, color=BLUE, linewidth=2, marker="o", markersize=3)
        _day_ticks(ax, days)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: human(v)))
        ax.set_ylabel(ylabel)
        return to_svg(fig)


def series(days: list[str], lines: dict[str, list[float | None]], ylabel: str) -> str:
    """A line per name (a repo id) over ``days``; a missing value is skipped (the line joins the
    days it has). Names are drawn as plain text: the legend is given them as is, not collected (a
    name starting with "_" would be left out of a collected legend), and ``$`` is no TeX (STYLE)."""
    with _style():
        fig, ax = _figure(3.4)
        handles, labels = [], []
        for number, (name, values) in enumerate(lines.items()):
            points = [(i, v) for i, v in enumerate(values) if v is not None]
            (line,) = ax.plot([i for i, _ in points], [v for _, v in points], marker="o", markersize=3,
                              linewidth=1.6, color=f"C{number}")  # fmt: skip
            handles.append(line)
            labels.append(name if len(name) <= 60 else name[:59] + "…")
        _day_ticks(ax, days)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: human(v)))
        ax.set_ylabel(ylabel)
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
        return to_svg(fig)


def _day_ticks(ax: Axes, days: list[str]) -> None:
    """Day labels (MM-DD, the year on the first), at most about 10 of them."""
    step = max(1, -(-len(days) // 10))
    ticks = list(range(0, len(days), step))
    ax.set_xticks(ticks, [days[i] if i == 0 else days[i][5:] for i in ticks])
    ax.set_xlim(-0.6, max(len(days) - 0.4, 0.6))
    ax.grid(axis="x", visible=False)
