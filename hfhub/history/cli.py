"""``hfhub-trends``: questions answered from the history (``hfhub.history.trends``).

    hfhub-trends repo google/gemma-2b              # the repo in every crawl that saw it
    hfhub-trends rising --window 7d -k 20          # fastest-rising models by downloads in the last 7 days
    hfhub-trends rising --type space --by relative # Spaces by relative growth of likes
    hfhub-trends authors --window 30d              # authors by the summed growth of their repos
    hfhub-trends new --window 14d                  # repos created / new to the history, per day
    hfhub-trends deleted --window 7d               # repos marked deleted in the last 7 days

A readable table, or ``--json``: one JSON object per line. Exit status 2: a usage error (a bad
option, downloads of Spaces); 1: the history cannot answer (missing, empty, no such repo).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import pyarrow as pa

from hfhub import paths
from hfhub.history import trends
from hfhub.history.trends import History, HistoryError

PROG = "hfhub-trends"
TYPES = {"model": "models", "dataset": "datasets", "space": "spaces"}


class _UsageError(Exception):
    pass


def _window(text: str) -> int:
    try:
        return trends.parse_window(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _day(text: str) -> date:
    try:
        day = trends.as_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    assert day is not None
    return day


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"at least 1, not {value}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"at least 0, not {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--type", choices=tuple(TYPES), default="model", help="model (default), dataset or space")
    common.add_argument("--history", default=paths.HISTORY_DIR,
                        help=f"the history folder (default {paths.HISTORY_DIR})")
    common.add_argument("--until", type=_day, metavar="YYYY-MM-DD",
                        help="the last day to read (default: the newest snapshot's)")
    common.add_argument("--json", action="store_true", help="JSON lines, one object per row")
    window = argparse.ArgumentParser(add_help=False)
    window.add_argument("--window", type=_window, default=7, help="days, e.g. 7d (default), 30d, 2w")
    ranked = argparse.ArgumentParser(add_help=False)
    ranked.add_argument("--by", choices=trends.BY, default="absolute",
                        help="absolute growth (default), or relative to the start (floored: --floor)")
    ranked.add_argument("--metric", choices=tuple(trends.METRICS),
                        help="downloads (during the window; default) or likes (Spaces: likes only)")
    ranked.add_argument("--floor", type=_count, help="--by relative: the least start value counted "
                        f"(default {trends.DEFAULT_FLOORS['downloads']:,} downloads, {trends.DEFAULT_FLOORS['likes']} likes)")
    ranked.add_argument("-k", type=_positive, default=20, help="how many (default 20)")

    p = argparse.ArgumentParser(
        prog=PROG,
        description="Trends from the history of the crawls (output/history): a repo over time, the fastest-rising "
        "repos and authors, new repos per day, deletions.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="{repo,rising,authors,new,deleted}")
    repo = sub.add_parser("repo", parents=[common], help="a repo in every crawl that saw it")
    repo.add_argument("id", help="the repo's id, e.g. owner/name")
    repo.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="the first day to read (default: all)")
    repo.add_argument("--per-day", action="store_true", help="one row a day (its newest crawl)")
    sub.add_parser("rising", parents=[common, window, ranked], help="the fastest-rising repos over the window")
    sub.add_parser("authors", parents=[common, window, ranked],
                   help="authors by the summed growth of their repos over the window")
    sub.add_parser("new", parents=[common, window], help="repos created and new to the history, per day")
    gone = sub.add_parser("deleted", parents=[common, window], help="repos marked deleted in the window")
    gone.add_argument("--since", type=_day, metavar="YYYY-MM-DD", help="from this day instead of --window")
    return p


# -- output --------------------------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    """A JSON value of a cell: dates as ISO text, missing values as null."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value


def _records(frame: pd.DataFrame) -> Iterator[dict[str, Any]]:
    columns = list(frame.columns)
    for values in frame.itertuples(index=False, name=None):
        yield {c: _plain(v) for c, v in zip(columns, values)}


def _cell(value: Any, column: str) -> str:
    value = _plain(value)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else ""
    if column == "relative" and isinstance(value, float):
        return f"{value:+.1%}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if column in ("crawled_at", "last_modified") and isinstance(value, str):
        return value.replace("+00:00", "Z")[:20]
    return str(value)


def format_table(frame: pd.DataFrame, columns: list[str]) -> str:
    rows = [columns, *([_cell(v, c) for c, v in zip(columns, values)]
                       for values in frame[columns].itertuples(index=False, name=None))]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    numeric = {i for i, c in enumerate(columns) if c not in ("id", "author", "date", "crawl_id", "mode", "sha",
                                                            "crawled_at", "last_modified", "new", "deleted", "restored")}
    return "\n".join("  ".join(cell.rjust(w) if i in numeric else cell.ljust(w)
                               for i, (cell, w) in enumerate(zip(row, widths))).rstrip() for row in rows)


def _heading(frame: pd.DataFrame, what: str) -> str:
    attrs = frame.attrs
    label = "downloads (all-time count's growth)" if attrs["metric"] == "downloads" else "likes"
    floor = f", start ≥ {attrs['floor']:,}" if attrs["by"] == "relative" else ""
    days = (attrs["end_date"] - attrs["start_date"]).days
    return (f"{what} by {attrs['by']} growth of {label}{floor}: {attrs['start_date']} → {attrs['end_date']} "
            f"({days} days)")


# -- the command ---------------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> tuple[pd.DataFrame, list[str], list[str]]:
    """(answer, table columns, lines to print before the table)."""
    kind = TYPES[args.type]
    history = History(args.history, kind)
    if args.command == "repo":
        frame = trends.repo_series(history, kind, args.id, since=args.since, until=args.until, per_day=args.per_day)
        columns = ["date", "crawled_at", "mode", "deleted", "downloads", "downloads_all_time", "likes",
                   "trending_score"]
        if kind == "spaces":
            columns = [c for c in columns if not c.startswith("downloads")]
        return frame, columns, [f"{args.type} {args.id}: {len(frame)} snapshot{'s' if len(frame) != 1 else ''}"]
    if args.command in ("rising", "authors"):
        if args.metric is None and kind != "spaces":
            args.metric = "downloads"
        if args.floor is not None and args.by != "relative":
            raise _UsageError("--floor is for --by relative")
        ask = trends.rising if args.command == "rising" else trends.authors_by_growth
        frame = ask(history, kind, window_days=args.window, by=args.by, metric=args.metric, floor=args.floor,
                    k=args.k, until=args.until)
        what = f"{kind} rising" if args.command == "rising" else f"authors of {kind}"
        lines = [_heading(frame, what)]
        if frame.attrs["note"]:
            lines.append(f"note: {frame.attrs['note']}")
        if args.command == "rising":
            columns = ["id", "start", "end", "growth", "relative", "new"]
        else:
            columns = ["author", "repos", "new_repos", "start", "end", "growth", "relative"]
        return frame, columns, lines
    if args.command == "new":
        frame = trends.new_per_day(history, kind, days=args.window, until=args.until)
        lines = [f"new {kind} per day: created (the Hub's createdAt) and appeared (first listed by a crawl)"]
        if frame.attrs["first_snapshot"] >= frame.attrs["start_date"]:
            lines.append(f"note: the history begins on {frame.attrs['first_snapshot']}: nothing appeared before it")
        return frame, ["date", "crawls", "created", "appeared"], lines
    # deleted
    since = args.since or history.end_day(args.until) - timedelta(days=args.window - 1)
    frame = trends.deleted(history, kind, since=since, until=args.until)
    lines = [f"{kind} marked deleted from {frame.attrs['start_date']} to {frame.attrs['end_date']}: {len(frame)}"]
    return frame, ["date", "id", "crawl_id", "restored"], lines


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        frame, columns, lines = run(args)
    except HistoryError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except (pa.ArrowInvalid, OSError) as exc:  # ArrowInvalid is a ValueError: first
        print(f"{PROG}: error: the history cannot be read: {exc}", file=sys.stderr)
        return 1
    except (ValueError, _UsageError) as exc:
        parser.error(str(exc))  # exits 2
    if args.json:
        extra = {}
        if args.command in ("rising", "authors"):
            extra = {"metric": frame.attrs["metric"], "start_date": frame.attrs["start_date"].isoformat(),
                     "end_date": frame.attrs["end_date"].isoformat()}
        for record in _records(frame):
            print(json.dumps({**record, **extra}, sort_keys=True))
        return 0
    print("\n".join(lines))
    if len(frame):
        print(format_table(frame, columns))
    elif args.command in ("rising", "authors"):
        print("none grew", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
