"""Assemble the report: the sections (numbers + chart + caption) and the one self-contained HTML page.

Everything is inline (SVG charts, CSS): the file opens offline and can be mailed as is. Every text
that comes from the dataset or the stats goes through ``html.escape``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from hfhub.report import charts, data


@dataclass(frozen=True)
class Section:
    key: str  # the section's HTML id
    title: str
    caption: str
    numbers: pd.DataFrame  # the table shown under the chart, and what the chart draws
    svg: str | None  # None: nothing to draw (say, no model has the column)
    open_numbers: bool = False  # the table shown as is, not folded under "The numbers"


def _count_table(series: pd.Series, label: str) -> pd.DataFrame:
    return series.rename("models").rename_axis(label).to_frame()


def _section(key: str, title: str, caption: str, numbers: pd.DataFrame, draw: Callable[[], str]) -> Section:
    return Section(key, title, caption, numbers, draw() if len(numbers) else None)


def model_sections(models: pd.DataFrame) -> list[Section]:
    n = len(models)
    tasks = data.models_by_task(models)
    libraries = data.models_by_library(models)
    params, coverage = data.parameter_histogram(models), data.parameter_coverage(models)
    months = data.growth_by_month(models)
    licenses = data.license_share(models)
    quant = data.quantization_formats(models)
    authors = data.top_authors(models)
    tiers, memory = data.memory_tiers(models), data.memory_coverage(models)
    tier_labels = tiers.set_axis([f"≤ {g} GB" for g in tiers.index]).rename_axis("GPU memory")
    return [
        _section("by-task", "Models by task", f"The task (pipeline tag) of each of the {n:,} models.",
                 _count_table(tasks, "task"), lambda: charts.barh(tasks, "models")),
        _section("by-library", "Models by library", "The library each model is made for.",
                 _count_table(libraries, "library"), lambda: charts.barh(libraries, "models")),
        _section("parameters", "Parameter sizes",
                 f"Models per parameter count, on a log scale ({coverage['known']:,} models with a known "
                 f"count; {coverage['unknown']:,} without one are not shown).",
                 params, lambda: charts.parameter_histogram(params)),
        _section("growth", "Growth over time",
                 "Models created per month and in total (UTC). Repositories older than the Hub's "
                 "creation date all carry 2022-03-02, hence the spike there.",
                 months, lambda: charts.growth(months)),
        _section("licenses", "License share", "The share of models under each license.",
                 licenses, lambda: charts.shares(licenses, "share of models")),
        _section("quantization", "Quantization formats",
                 f"Quantized models by format: {int(quant.sum()):,} of {n:,} models "
                 f"({quant.sum() / max(n, 1):.1%}).",
                 _count_table(quant, "format"), lambda: charts.barh(quant, "models")),
        _section("authors", "Top authors by downloads",
                 "Downloads in the last 30 days, summed over each author's models.",
                 authors, lambda: charts.barh(authors["downloads"], "downloads (30 days)")),
        _section("memory", "Which GPU holds them",
                 f"Share of the {memory['estimated']:,} models with a memory estimate whose weights at "
                 "the stored precision (plus 20 % overhead, est_mem_stored_gb) fit a GPU of each size; "
                 f"{memory['over_80_gb']:,} need more than 80 GB, {memory['unknown']:,} have no estimate.",
                 tier_labels, lambda: charts.shares(tier_labels, "share of models that fit")),
    ]  # fmt: skip


def crawl_section(stats: Mapping[str, Any] | None, source: str) -> Section:
    if stats is None:
        return Section("crawl", "The crawl", f"No crawl stats at {source}.", pd.DataFrame(), None)
    summary = data.crawl_summary(stats).rename("value").rename_axis("stat").to_frame()
    statuses = data.response_statuses(stats)
    return Section(
        "crawl",
        "The crawl",
        f"From {source}. The chart: responses by HTTP status.",
        summary,
        charts.barh(statuses, "responses") if len(statuses) else None,
        open_numbers=True,
    )


def _table(frame: pd.DataFrame) -> str:
    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 1 else f"{value:,.1f}".removesuffix(".0")
        if isinstance(value, pd.Timestamp):
            return value.strftime("%Y-%m")
        return f"{value:,}" if isinstance(value, int) else str(value)

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [frame.index.name or "", *frame.columns])
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell(v))}</td>" for v in (i, *r)) + "</tr>"
        for i, r in zip(frame.index, frame.itertuples(index=False))
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def render_section(section: Section) -> str:
    chart = f'<figure class="chart">{section.svg}</figure>' if section.svg else ""
    numbers = _table(section.numbers) if len(section.numbers) else ""
    if numbers and not section.open_numbers:
        numbers = f"<details><summary>The numbers</summary>{numbers}</details>"
    return (
        f'<section id="{html.escape(section.key)}"><h2>{html.escape(section.title)}</h2>'
        f'<p class="caption">{html.escape(section.caption)}</p>{numbers}{chart}</section>'
    )


CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:1.5rem;color:#222}
h1{margin-bottom:.2rem} .sub{color:#666;margin-top:0}
nav a{margin-right:.8rem} section{border-top:1px solid #ddd;padding:.6rem 0 1rem}
.caption{color:#444} figure.chart{margin:0} svg.chart{width:100%;max-width:860px;height:auto}
.tiles{display:flex;gap:1rem;flex-wrap:wrap} .tile{background:#f3f6fa;border-radius:6px;padding:.6rem 1rem}
.tile b{display:block;font-size:1.4rem}
table{border-collapse:collapse;font-size:13px;margin:.4rem 0} td,th{padding:2px 10px;text-align:left}
td:not(:first-child){text-align:right;font-variant-numeric:tabular-nums} tr:nth-child(even){background:#f6f6f6}
"""


def render(
    sections: list[Section], models: pd.DataFrame, dataset: str, generated: datetime | None = None
) -> str:
    generated = generated or datetime.now(UTC)
    tiles = {
        "models": f"{len(models):,}",
        "authors": f"{models['author'].nunique():,}",
        "tasks": f"{models['pipeline_tag'].nunique():,}",
        "downloads (30 days)": charts.human(float(models["downloads"].fillna(0).sum())),
    }
    tile_html = "".join(
        f"<div class='tile'><b>{html.escape(v)}</b>{html.escape(k)}</div>" for k, v in tiles.items()
    )
    nav = "".join(f'<a href="#{html.escape(s.key)}">{html.escape(s.title)}</a>' for s in sections)
    body = "".join(render_section(s) for s in sections)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>hfhub report: the mirrored Hub</title>"
        f"<style>{CSS}</style></head><body>"
        "<h1>What the mirrored Hub holds</h1>"
        f"<p class='sub'>Dataset {html.escape(dataset)}, report made "
        f"{html.escape(generated.strftime('%Y-%m-%d %H:%M UTC'))} by hfhub-report.</p>"
        f"<div class='tiles'>{tile_html}</div><nav>{nav}</nav>{body}</body></html>\n"
    )
