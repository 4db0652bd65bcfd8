"""``hfhub-report [--dataset output/models] [--stats output/crawl_stats.json] [--datasets output/datasets]
[--spaces output/spaces] [--history output/history] [--out output/report.html]`` (each stats file
defaults to the one beside its table's folder, where the crawl saves it; the datasets and Spaces parts
are there when their tables are; a "Rising this week" section for each kind the history holds)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from hfhub import paths
from hfhub.report import data, page, rising
from hfhub.storage.dataset import stats_file_beside

DEFAULT_DATASET = paths.DATASET_DIR
DEFAULT_OUT = paths.REPORT_FILE


class ReportError(Exception):
    """A one-line reason the report cannot be made, fit to show as is."""


def read_stats(stats_file: Path | str | None) -> dict[str, Any] | None:
    """The crawl's stats JSON, or None when there is no such file (a report can do without it)."""
    if stats_file is None or not Path(stats_file).is_file():
        return None
    try:
        stats = json.loads(Path(stats_file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"cannot read the crawl stats {stats_file}: {exc}") from None
    if not isinstance(stats, dict):
        raise ReportError(f"{stats_file} is not a crawl stats file (expected a JSON object)")
    return stats


def _has_parquet(folder: Path | str | None) -> bool:
    return folder is not None and any(Path(folder).glob("*.parquet"))


def build_report(
    dataset_dir: Path | str | None,
    stats_file: Path | str | None = None,
    *,
    datasets_dir: Path | str | None = None,
    spaces_dir: Path | str | None = None,
    datasets_stats: Path | str | None = None,
    spaces_stats: Path | str | None = None,
    history_dir: Path | str | None = None,
) -> str:
    """The report's HTML for the models table at ``dataset_dir`` and the crawl stats in ``stats_file``,
    and a part for the datasets table at ``datasets_dir`` and one for the Spaces table at ``spaces_dir``
    (each with its own crawl stats; None: no such part). ``dataset_dir`` None: no models table.
    ``history_dir``: the history of snapshots (``hfhub.history``): each of those kinds it holds gets a
    "Rising this week" section (None: none)."""
    if dataset_dir is None and datasets_dir is None and spaces_dir is None:
        raise ReportError("no table to report on")
    for folder, crawl in ((dataset_dir, "models"), (datasets_dir, "datasets"), (spaces_dir, "spaces")):
        if folder is not None and not _has_parquet(folder):
            raise ReportError(f"no Parquet files in {folder}: crawl first (scrapy crawl {crawl})")
    parts = []
    if datasets_dir is not None:
        datasets = data.load_table(datasets_dir, data.DATASET_COLUMNS)
        extra = _rising(history_dir, "datasets", "datasets-rising")
        parts.append(
            page.dataset_part(datasets, str(datasets_dir), read_stats(datasets_stats), str(datasets_stats), extra)
        )
    if spaces_dir is not None:
        spaces = data.load_table(spaces_dir, data.SPACE_COLUMNS)
        parts.append(page.space_part(spaces, str(spaces_dir), read_stats(spaces_stats), str(spaces_stats),
                                     _rising(history_dir, "spaces", "spaces-rising")))  # fmt: skip
    if dataset_dir is None:
        return page.render([], None, "", parts=parts)
    models = data.load_models(dataset_dir)
    sections = page.model_sections(models)
    sections.extend(_rising(history_dir, "models", "rising"))
    sections.append(page.crawl_section(read_stats(stats_file), str(stats_file)))
    return page.render(sections, models, str(dataset_dir), parts=parts)


def _rising(history_dir: Path | str | None, kind: str, key: str) -> list[page.Section]:
    """The kind's "Rising this week" section, if the history holds snapshots of it."""
    if history_dir is None:
        return []
    history = rising.kind_history(history_dir, kind)
    return [] if history is None else [page.rising_section(history, key)]


def write_report(
    dataset_dir: Path | str | None,
    stats_file: Path | str | None,
    out: Path | str,
    **tables: Path | str | None,
) -> Path:
    """Write the report to ``out`` atomically (a reader never sees half a page); return its path.
    ``tables``: ``build_report``'s keyword arguments (the datasets and Spaces tables and stats)."""
    text = build_report(dataset_dir, stats_file, **tables)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, out)
    return out


def _table_option(given: str | None, default: str, models: str | None) -> str | None:
    """A --datasets / --spaces value: None (not given) is the folder of that name beside the models
    table (``default``, from hfhub.paths, beside the default models table) if it holds a table, else
    no part; "" turns the part off; a folder given is used (and must hold a table)."""
    if given is None:
        beside = str(Path(models).parent / Path(default).name) if models else default
        return beside if _has_parquet(beside) else None
    return given or None


def _history_option(given: str | None, table: str | None) -> str | None:
    """--history: None (not given) is the history folder beside the first table (as crawls write it,
    hfhub.paths.HISTORY_DIR beside output/models) when it exists; "" none; a folder given must exist."""
    if given is None:
        beside = str(Path(table).parent / Path(paths.HISTORY_DIR).name) if table else paths.HISTORY_DIR
        return beside if Path(beside).is_dir() else None
    if given and not Path(given).is_dir():
        raise ReportError(f"no history at {given} (every finished crawl adds a snapshot to output/history)")
    return given or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="hfhub-report",
        description="Write an HTML report with charts about the models table, and the datasets and Spaces tables.",
    )
    parser.add_argument("--dataset", help=f"the models table (default {DEFAULT_DATASET}; '' for none)")
    parser.add_argument(
        "--stats", help="the crawl's stats (default: crawl_stats.json beside the dataset folder; '' for none)"
    )
    parser.add_argument(
        "--datasets",
        help="the datasets table (default: the datasets folder beside the models "
        f"table, {paths.DATASETS_DIR}, when it holds one; '' for none); its stats are "
        "crawl_stats-datasets.json beside it",
    )
    parser.add_argument(
        "--spaces",
        help="the Spaces table (default: the spaces folder beside the models table, "
        f"{paths.SPACES_DIR}, when it holds one; '' for none); its stats are "
        "crawl_stats-spaces.json beside it",
    )
    parser.add_argument(
        "--history",
        help="the history of snapshots, for a 'Rising this week' section per kind it holds (default: the "
        f"history folder beside the models table, {paths.HISTORY_DIR}, when there is one; '' for none)",
    )
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"the HTML file to write (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    try:
        models = DEFAULT_DATASET if args.dataset is None else args.dataset or None
        datasets = _table_option(args.datasets, paths.DATASETS_DIR, models)
        spaces = _table_option(args.spaces, paths.SPACES_DIR, models)
        if args.dataset is None and not _has_parquet(models) and (datasets or spaces):
            models = None  # no models crawled (yet): a report on the datasets or Spaces alone
        stats = (
            None
            if models is None
            else stats_file_beside(models)
            if args.stats is None
            else args.stats or None
        )
        history = _history_option(args.history, models or datasets or spaces)
        out = write_report(
            models, stats, args.out,
            datasets_dir=datasets, datasets_stats=datasets and stats_file_beside(datasets, "datasets"),
            spaces_dir=spaces, spaces_stats=spaces and stats_file_beside(spaces, "spaces"),
            history_dir=history,
        )  # fmt: skip
    except ReportError as exc:
        print(f"hfhub-report: error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out} ({out.stat().st_size / 1e3:,.0f} kB)")
    return 0
