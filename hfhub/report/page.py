"""Assemble the report: the sections (numbers + chart + caption) and the one self-contained HTML page.

Everything is inline (SVG charts, CSS): the file opens offline and can be mailed as is. Every text
that comes from the dataset or the stats goes through ``html.escape``.
"""

from __future__ import annotations

import html
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from hfhub.report import charts, data, rising


@dataclass(frozen=True)
class Section:
    key: str  # the section's HTML id
    title: str
    caption: str
    numbers: pd.DataFrame  # the table shown under the chart, and what the chart draws
    svg: str | None  # None: nothing to draw (say, no model has the column)
    open_numbers: bool = False  # the table shown as is, not folded under "The numbers"
    links: Mapping[Any, str] | None = None  # a link for the first cell of these rows (by index value)
    blocks: Sequence[Section] = ()  # parts of the section, each under its own heading (h3)


def _count_table(series: pd.Series, label: str) -> pd.DataFrame:
    return series.rename("models").rename_axis(label).to_frame()


def _section(
    key: str,
    title: str,
    caption: str,
    numbers: pd.DataFrame,
    draw: Callable[[], str],
    links: Mapping[Any, str] | None = None,
    *,
    open_numbers: bool = False,
) -> Section:
    return Section(key, title, caption, numbers, draw() if len(numbers) else None, open_numbers, links)


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


HUB = "https://huggingface.co/"
TEXT_CELL = 80  # a title or pretty name longer than this is cut in the tables


def _hub_url(repo_id: object, prefix: str = "") -> str:
    """The Hub page of a repo (``prefix``: ``datasets/``, ``spaces/`` or nothing for a model), each
    part of the id percent-encoded."""
    return HUB + prefix + urllib.parse.quote(str(repo_id), safe="/")


def _links(index: pd.Index, prefix: str = "") -> dict[Any, str]:
    return {repo_id: _hub_url(repo_id, prefix) for repo_id in index}


def _short_text(values: pd.Series) -> pd.Series:
    """Free text from the Hub for a table cell: missing as empty, one line, at most ``TEXT_CELL`` characters."""

    def short(value: object) -> str:
        if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
            return ""
        text = " ".join(str(value).split())
        return text if len(text) <= TEXT_CELL else text[: TEXT_CELL - 1] + "…"

    return values.map(short)


def _list_section(key: str, title: str, caption: str, counts: pd.Series, noun: str) -> Section:
    return _section(
        key,
        title,
        caption,
        counts.rename(noun).rename_axis(title.split(" by ")[-1]).to_frame(),
        lambda: charts.barh(counts, noun),
    )


def dataset_sections(datasets: pd.DataFrame) -> list[Section]:
    n = len(datasets)
    several = "the 15 most common; a dataset may have several, so the bars need not add up"
    tasks = data.list_counts(datasets["task_categories"])
    modalities = data.list_counts(datasets["modalities"])
    sizes = data.size_categories(datasets)
    languages = data.list_counts(datasets["languages"])
    licenses = data.counts_with_other(datasets["license"], 10)
    top = data.top_rows(datasets, "downloads", ("likes", "pretty_name"))
    top["pretty_name"] = _short_text(top["pretty_name"])
    column, bins, known = data.size_histogram(datasets)
    size_caption = (
        "Datasets by main_size (the Hub's mainSize, bytes of the dataset's files as the Hub counts them; "
        "the API does not document it), "
        if column == "main_size"
        else "No dataset has a main_size, so this is used_storage: bytes the repo takes on the Hub over all its "
        "revisions (old versions and the Hub's Parquet conversions count too), not the size of the data; "
    ) + f"log scale. {known['known']:,} datasets with a size; {known['unknown']:,} without one are not shown."
    return [
        _list_section("datasets-by-task", "Datasets by task category",
                      f"The task_categories of the {n:,} datasets ({several}).", tasks, "datasets"),
        _list_section("datasets-by-modality", "Datasets by modality",
                      f"The modalities the Hub gives the datasets ({several}).", modalities, "datasets"),
        _section("datasets-by-size-category", "Datasets by size category",
                 "Rows by the size_categories tag, smallest first.",
                 sizes.rename("datasets").rename_axis("size category").to_frame(),
                 lambda: charts.barh(sizes, "datasets")),
        _list_section("datasets-by-language", "Datasets by language",
                      f"The languages of the datasets ({several}).", languages, "datasets"),
        _section("datasets-licenses", "Datasets by license", "The license of each dataset.",
                 licenses.rename("datasets").rename_axis("license").to_frame(),
                 lambda: charts.barh(licenses, "datasets")),
        _section("datasets-top", "Top datasets by downloads",
                 "Downloads in the last 30 days; each id links to the dataset's page on the Hub.",
                 top, lambda: charts.barh(top["downloads"], "downloads (30 days)"),
                 _links(top.index, "datasets/"), open_numbers=True),
        _section("datasets-sizes", "Dataset sizes (" + column + ")", size_caption, bins,
                 lambda: charts.log_histogram(bins, "datasets", f"{column} (bytes, log scale)", "datasets",
                                              in_bytes=True)),
    ]  # fmt: skip


def space_sections(spaces: pd.DataFrame) -> list[Section]:
    n = len(spaces)
    sdks = data.counts_with_other(spaces["sdk"], 10)
    stages = data.counts_with_other(spaces["runtime_stage"], 15)
    hardware = data.hardware(spaces)
    top = data.top_rows(spaces, "likes", ("sdk", "title"))
    top["sdk"], top["title"] = _short_text(top["sdk"]), _short_text(top["title"])
    models = data.used_by_spaces(spaces, "models")
    datasets = data.used_by_spaces(spaces, "datasets")
    naming = {c: int((spaces[c].dropna().map(len) > 0).sum()) for c in ("models", "datasets")}
    return [
        _section("spaces-by-sdk", "Spaces by SDK", f"The SDK of each of the {n:,} Spaces.",
                 sdks.rename("spaces").rename_axis("sdk").to_frame(), lambda: charts.barh(sdks, "spaces")),
        _section("spaces-by-stage", "Spaces by runtime stage",
                 "The stage each Space's runtime was in when it was crawled.",
                 stages.rename("spaces").rename_axis("stage").to_frame(), lambda: charts.barh(stages, "spaces")),
        _section("spaces-hardware", "Hardware requested and current",
                 "The hardware each Space asks for and the hardware it runs on now; current is (none) "
                 "while a Space does not run (sleeping, paused, failed).",
                 hardware, lambda: charts.barh_pair(hardware, "spaces")),
        _section("spaces-top", "Top Spaces by likes", "Each id links to the Space's page on the Hub.",
                 top, lambda: charts.barh(top["likes"], "likes"), _links(top.index, "spaces/"), open_numbers=True),
        _section("spaces-models", "Models most used by Spaces",
                 f"How many Spaces name each model (the Spaces' models lists: {naming['models']:,} of {n:,} "
                 "Spaces name any); each id links to the model's page on the Hub.",
                 models.rename_axis("model").to_frame(), lambda: charts.barh(models, "spaces"),
                 _links(models.index), open_numbers=True),
        _section("spaces-datasets", "Datasets most used by Spaces",
                 f"How many Spaces name each dataset (the Spaces' datasets lists: {naming['datasets']:,} of "
                 f"{n:,} Spaces name any); each id links to the dataset's page on the Hub.",
                 datasets.rename_axis("dataset").to_frame(), lambda: charts.barh(datasets, "spaces"),
                 _links(datasets.index, "datasets/"), open_numbers=True),
    ]  # fmt: skip


def crawl_section(
    stats: Mapping[str, Any] | None, source: str, key: str = "crawl", kind: str = "models"
) -> Section:
    if stats is None:
        return Section(key, "The crawl", f"No crawl stats at {source}.", pd.DataFrame(), None)
    summary = data.crawl_summary(stats, kind).rename("value").rename_axis("stat").to_frame()
    statuses = data.response_statuses(stats)
    return Section(
        key,
        "The crawl",
        f"From {source}. The chart: responses by HTTP status.",
        summary,
        charts.barh(statuses, "responses") if len(statuses) else None,
        open_numbers=True,
    )


def _table(frame: pd.DataFrame, links: Mapping[Any, str] | None = None) -> str:
    def cell(value: object) -> str:
        if isinstance(value, float):
            return f"{value:.3g}" if abs(value) < 1 else f"{value:,.1f}".removesuffix(".0")
        if isinstance(value, pd.Timestamp):
            return value.strftime("%Y-%m")
        return f"{value:,}" if isinstance(value, int) else str(value)

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [frame.index.name or "", *frame.columns])

    def first(value: object) -> str:
        url = links.get(value) if links else None
        text = html.escape(cell(value))
        return f'<td><a href="{html.escape(url, quote=True)}">{text}</a></td>' if url else f"<td>{text}</td>"

    rows = "".join(
        "<tr>" + first(i) + "".join(f"<td>{html.escape(cell(v))}</td>" for v in r) + "</tr>"
        for i, r in zip(frame.index, frame.itertuples(index=False))
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _content(section: Section) -> str:
    chart = f'<figure class="chart">{section.svg}</figure>' if section.svg else ""
    numbers = _table(section.numbers, section.links) if len(section.numbers) else ""
    if numbers and not section.open_numbers:
        numbers = f"<details><summary>The numbers</summary>{numbers}</details>"
    return f'<p class="caption">{html.escape(section.caption)}</p>{numbers}{chart}'


def render_section(section: Section) -> str:
    blocks = "".join(
        f'<div class="block" id="{html.escape(b.key)}"><h3>{html.escape(b.title)}</h3>{_content(b)}</div>'
        for b in section.blocks
    )
    return (
        f'<section id="{html.escape(section.key)}"><h2>{html.escape(section.title)}</h2>'
        f"{_content(section)}{blocks}</section>"
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
# Only on pages with datasets or Spaces (a models-only page stays byte for byte what it was).
PART_CSS = ".part{border-top:3px solid #3b6ea5;margin-top:1.5rem}"


@dataclass(frozen=True)
class Part:
    """The report on one more table (datasets, Spaces): its own heading, tiles and sections."""

    key: str  # the part's HTML id: "datasets", "spaces"
    title: str
    source: str  # the table's folder
    tiles: Mapping[str, str]
    sections: list[Section]


def dataset_part(
    datasets: pd.DataFrame,
    source: str,
    stats: Mapping[str, Any] | None,
    stats_source: str,
    extra: Sequence[Section] = (),
) -> Part:
    tiles = {
        "datasets": f"{len(datasets):,}",
        "authors": f"{datasets['author'].nunique():,}",
        "downloads (30 days)": charts.human(float(datasets["downloads"].fillna(0).sum())),
        "likes": charts.human(float(datasets["likes"].fillna(0).sum())),
    }
    sections = [*dataset_sections(datasets), *extra,
                crawl_section(stats, stats_source, "datasets-crawl", "datasets")]  # fmt: skip
    return Part("datasets", "Datasets", source, tiles, sections)


def space_part(
    spaces: pd.DataFrame,
    source: str,
    stats: Mapping[str, Any] | None,
    stats_source: str,
    extra: Sequence[Section] = (),
) -> Part:
    tiles = {
        "Spaces": f"{len(spaces):,}",
        "authors": f"{spaces['author'].nunique():,}",
        "running": f"{int((spaces['runtime_stage'] == 'RUNNING').sum()):,}",
        "likes": charts.human(float(spaces["likes"].fillna(0).sum())),
    }
    sections = [*space_sections(spaces), *extra, crawl_section(stats, stats_source, "spaces-crawl", "spaces")]
    return Part("spaces", "Spaces", source, tiles, sections)


def _tiles(tiles: Mapping[str, str]) -> str:
    items = "".join(
        f"<div class='tile'><b>{html.escape(v)}</b>{html.escape(k)}</div>" for k, v in tiles.items()
    )
    return f"<div class='tiles'>{items}</div>"


def _nav(sections: list[Section]) -> str:
    return (
        "<nav>"
        + "".join(f'<a href="#{html.escape(s.key)}">{html.escape(s.title)}</a>' for s in sections)
        + "</nav>"
    )


def render_part(part: Part) -> str:
    return (
        f'<div class="part" id="{html.escape(part.key)}"><h1>{html.escape(part.title)}</h1>'
        f"<p class='sub'>Table {html.escape(part.source)}.</p>{_tiles(part.tiles)}{_nav(part.sections)}"
        + "".join(render_section(s) for s in part.sections)
        + "</div>"
    )


def render(
    sections: list[Section],
    models: pd.DataFrame | None,
    dataset: str,
    generated: datetime | None = None,
    parts: Sequence[Part] = (),
) -> str:
    """The page: the models' sections (none when ``models`` is None: no models table), then each of
    ``parts``. With no parts the page is what it was before there were datasets and Spaces."""
    generated = generated or datetime.now(UTC)
    made = f"report made {html.escape(generated.strftime('%Y-%m-%d %H:%M UTC'))} by hfhub-report."
    if models is not None:
        tiles = {
            "models": f"{len(models):,}",
            "authors": f"{models['author'].nunique():,}",
            "tasks": f"{models['pipeline_tag'].nunique():,}",
            "downloads (30 days)": charts.human(float(models["downloads"].fillna(0).sum())),
        }
        head = f"<p class='sub'>Dataset {html.escape(dataset)}, {made}</p>{_tiles(tiles)}"
    else:
        head = f"<p class='sub'>No models table, {made}</p>"
    nav = "".join(f'<a href="#{html.escape(s.key)}">{html.escape(s.title)}</a>' for s in sections)
    nav += "".join(f'<a href="#{html.escape(p.key)}"><b>{html.escape(p.title)}</b></a>' for p in parts)
    body = "".join(render_section(s) for s in sections) + "".join(render_part(p) for p in parts)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>hfhub report: the mirrored Hub</title>"
        f"<style>{CSS}{PART_CSS if parts else ''}</style></head><body>"
        "<h1>What the mirrored Hub holds</h1>"
        f"{head}<nav>{nav}</nav>{body}</body></html>\n"
    )


# -- "Rising this week": from the history's snapshots (hfhub.report.rising) --------------------------
PREFIXES = {"models": "", "datasets": "datasets/", "spaces": "spaces/"}
NOUNS = {"models": "models", "datasets": "datasets", "spaces": "Spaces"}


def _count(value: object) -> object:
    """An integer cell: a Python int, or "" for a missing value (pandas' NA)."""
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else int(value)  # type: ignore[call-overload]


def _signed(value: object) -> str:
    return "" if _count(value) == "" else f"{int(value):+,}"  # type: ignore[call-overload]


def _percent(value: object) -> str:
    return "" if value is None or value is pd.NA or value != value else f"{float(value):+.1%}"  # type: ignore[arg-type]


def _risers(frame: pd.DataFrame, *, relative: bool = False) -> pd.DataFrame:
    """trends.rising's answer as the report's table: id (its index), start, end, growth (and relative)."""
    table = pd.DataFrame(
        {
            "start": [_count(v) for v in frame["start"]],
            "end": [_count(v) for v in frame["end"]],
            "growth": [_signed(v) for v in frame["growth"]],
        },
        index=pd.Index(list(frame["id"]), name="repo"),
    )
    if relative:
        table["relative"] = [_percent(v) for v in frame["relative"]]
    else:
        table["new"] = ["new" if bool(v) else "" for v in frame["new"]]
    return table


def rising_section(history: rising.KindHistory, key: str) -> Section:
    """The "Rising this week" section of a kind: the top risers, by relative growth, authors by
    growth, deletions, total per snapshot day, new repos per day, the top risers over time."""
    noun, prefix = NOUNS[history.kind], PREFIXES[history.kind]
    what = ("likes" if history.metric == "likes"
            else "downloads during the window (the growth of downloads_all_time)")  # fmt: skip
    start, end = history.start_date, history.end_date
    compared = (f"Compared the snapshots of {start} and {end} ({(end - start).days} days) in {history.folder}"
                + (f"; {history.note}" if history.note else "") + ".")  # fmt: skip
    top = _risers(history.rising)
    growth = history.rising.set_index("id")["growth"].astype("int64")
    main = Section(
        key, "Rising this week",
        f"{compared} The {noun} that grew most in {what}; a repo without a value on the first day (new, or "
        f"deleted then) counts from 0 and is marked new. Each id links to its page on the Hub.",
        top, charts.barh(growth, f"growth: {history.metric}") if len(top) else None,
        open_numbers=True, links=_links(top.index, prefix),
    )  # fmt: skip
    blocks: list[Section] = []
    relative = history.relative
    floor = int(relative.attrs["floor"])
    rel = _risers(relative, relative=True)
    blocks.append(_section(
        f"{key}-relative", "By relative growth",
        f"Growth ÷ the value on {start}, for {noun} that had at least {floor:,} {history.metric} then (the floor: "
        "a small start would make any growth huge); new ones are left out.",
        rel, lambda: charts.barh(relative.set_index("id")["relative"].astype(float) * 100, "growth (%)"),
        _links(rel.index, prefix), open_numbers=True,
    ))  # fmt: skip
    authors = history.authors
    by_author = pd.DataFrame(
        {"repos": [_count(v) for v in authors["repos"]], "new repos": [_count(v) for v in authors["new_repos"]],
         "start": [_count(v) for v in authors["start"]], "end": [_count(v) for v in authors["end"]],
         "growth": [_signed(v) for v in authors["growth"]]},
        index=pd.Index(list(authors["author"]), name="author"),
    )  # fmt: skip
    blocks.append(_section(
        f"{key}-authors", "Authors by growth",
        f"The growth of all of an author's {noun} summed (an author is the id's namespace; an id without one "
        "is its own author). Each author links to their page on the Hub.",
        by_author, lambda: charts.barh(authors.set_index("author")["growth"].astype("int64"), f"growth: {history.metric}"),
        {a: _hub_url(a) for a in by_author.index}, open_numbers=True,
    ))  # fmt: skip
    totals = history.totals
    days = [d.isoformat() for d in totals["date"]]
    total_table = pd.DataFrame(
        {"total": [int(v) for v in totals["total"]], "repos": [int(v) for v in totals["repos"]]},
        index=pd.Index(days, name="snapshot day"),
    )
    blocks.append(_section(
        f"{key}-totals", f"Total {'likes' if history.metric == 'likes' else 'downloads'} per snapshot day",
        f"The sum of {history.column} over the {noun} live on each snapshot day of the last "
        f"{rising.CHART_DAYS} days (each repo's newest row at or before the day, deleted ones left out); "
        "repos: how many were live.",
        total_table, lambda: charts.daily(days, [float(v) for v in totals["total"]], f"{history.column} (total)"),
    ))  # fmt: skip
    new = history.new
    new_days = [d.isoformat() for d in new["date"]]
    new_table = pd.DataFrame(
        {"crawls": [int(v) for v in new["crawls"]], "created": [int(v) for v in new["created"]],
         "appeared": [_count(v) for v in new["appeared"]]},
        index=pd.Index(new_days, name="day"),
    )  # fmt: skip
    blocks.append(_section(
        f"{key}-new", "New repos per day",
        f"Created: {noun} whose created_at falls on the day (among those the history saw); appeared: new to the "
        "history that day (counted on the day of the crawl that first listed them; blank before the history "
        "began). The chart: created.",
        new_table, lambda: charts.daily(new_days, [float(v) for v in new["created"]], f"{noun} created", bars=True),
    ))  # fmt: skip
    series = history.series
    if len(series.columns):
        series_days = [d.isoformat() for d in series.index]
        lines = {str(c): [None if v is pd.NA else float(v) for v in series[c]] for c in series.columns}
        series_table = pd.DataFrame(
            {str(c): [_count(v) for v in series[c]] for c in series.columns},
            index=pd.Index(series_days, name="snapshot day"),
        )
        blocks.append(_section(
            f"{key}-series", f"The top {len(series.columns)} risers over time",
            f"{history.column} of each on every snapshot day a crawl saw it (blank: no row of it that day, as an "
            "incremental refresh lists only what changed).",
            series_table, lambda: charts.series(series_days, lines, history.column),
        ))  # fmt: skip
    gone = history.deleted
    if len(gone):
        gone_table = pd.DataFrame(
            {"deleted on": [d.isoformat() for d in gone["date"]],
             "restored": ["yes" if bool(v) else "" for v in gone["restored"]]},
            index=pd.Index(list(gone["id"]), name="repo"),
        )  # fmt: skip
        blocks.append(Section(
            f"{key}-deleted", "Deleted in the window",
            f"{noun.capitalize() if noun != 'Spaces' else noun} a full crawl no longer listed, from "
            f"{gone.attrs['start_date']} to {gone.attrs['end_date']}; restored: listed again since.",
            gone_table, None, open_numbers=True, links=_links(gone_table.index, prefix),
        ))  # fmt: skip
    return Section(main.key, main.title, main.caption, main.numbers, main.svg, main.open_numbers, main.links, blocks)
