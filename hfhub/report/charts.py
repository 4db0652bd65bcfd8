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
