"""``hfhub-report [--dataset output/models] [--stats output/crawl_stats.json] [--out output/report.html]``
(the stats file defaults to the one beside the dataset folder, where the crawl saves it)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from hfhub import paths
from hfhub.report import data, page
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


def build_report(dataset_dir: Path | str, stats_file: Path | str | None = None) -> str:
    """The report's HTML for the dataset at ``dataset_dir`` and the crawl stats in ``stats_file``."""
    if not any(Path(dataset_dir).glob("*.parquet")):
        raise ReportError(f"no Parquet files in {dataset_dir}: crawl first (scrapy crawl models)")
    models = data.load_models(dataset_dir)
    sections = page.model_sections(models)
    sections.append(page.crawl_section(read_stats(stats_file), str(stats_file)))
    return page.render(sections, models, str(dataset_dir))


def write_report(dataset_dir: Path | str, stats_file: Path | str | None, out: Path | str) -> Path:
    """Write the report to ``out`` atomically (a reader never sees half a page); return its path."""
    text = build_report(dataset_dir, stats_file)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="hfhub-report", description="Write an HTML report with charts about the models dataset."
    )
    parser.add_argument("--dataset", default=DEFAULT_DATASET, help=f"the dataset (default {DEFAULT_DATASET})")
    parser.add_argument("--stats", help="the crawl's stats (default: crawl_stats.json beside the dataset folder; '' for none)")
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"the HTML file to write (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    try:
        stats = stats_file_beside(args.dataset) if args.stats is None else args.stats or None  # "": none
        out = write_report(args.dataset, stats, args.out)
    except ReportError as exc:
        print(f"hfhub-report: error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out} ({out.stat().st_size / 1e3:,.0f} kB)")
    return 0
