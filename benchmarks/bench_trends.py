"""The history at scale: bytes per repo per snapshot, and how long ``hfhub-trends``' questions take.

A synthetic history of ``--repos`` models (1,000,000) × ``--days`` (30) daily full snapshots, in the
writer's layout and schema (``hfhub.history.writer``: ``date=YYYY-MM-DD/part-<crawl>.parquet``, rows
sorted by id, the writer's footer keys), written with ``hfhub.storage.dataset.write_table``. Counts
from numpy: most repos flat, a quarter slowly growing, a few percent growing fast, a few viral; new
repos every day and some deleted (a ``deleted`` row in the next snapshot). Then:

- the Parquet encodings the writer could use, each on the same snapshot (the first day's): bytes a row,
  and the bytes of each column of the project's default and of the smallest;
- the query times (best of ``--repeats``, each opening the history afresh, as the command does) on
  the history written with ``write_table``, and on one written with the smallest encoding
  and row groups of ``--row-group`` rows (so that a filter on the sorted ids skips most of a file).

    .venv/bin/python -m benchmarks.bench_trends                      # 1,000,000 × 30 (about 5 minutes)
    .venv/bin/python -m benchmarks.bench_trends --repos 100000 --days 10
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmarks.table import markdown_table, save_and_print
from hfhub.history import trends
from hfhub.history.schema import HISTORY_SCHEMA
from hfhub.history.writer import CRAWLED_AT_KEY, MODE_KEY, snapshot_path
from hfhub.storage.dataset import COMPRESSION_LEVELS, dictionary_encoded_paths, write_table

REPO = Path(__file__).resolve().parents[1]
FIRST_DAY = date(2026, 1, 1)
COUNTS = ["downloads", "downloads_all_time", "likes"]
TIMES = ["last_modified", "created_at"]


# -- the synthetic Hub -------------------------------------------------------------------------------
class Hub:
    """``repos`` at the end, ``new`` born and ``gone`` deleted each day, ids sorted once (the universe)."""

    def __init__(self, repos: int, days: int, seed: int = 0) -> None:
        rng = self.rng = np.random.default_rng(seed)
        self.new, self.gone = max(1, repos // 500), max(1, repos // 5000)  # 0.2 % born, 0.02 % deleted a day
        universe = repos + self.gone * days
        born_before = universe - self.new * (days - 1)
        authors = np.minimum(rng.zipf(1.4, universe), repos // 8) + rng.integers(0, repos // 8, universe) % 97
        ids = [f"user{a}/model-{i}" if i % 100 else f"legacy-model-{i}" for i, a in enumerate(authors.tolist())]
        order = np.argsort(np.array(ids, dtype=object), kind="stable")
        self.ids = pa.array(ids, pa.string()).take(pa.array(order))
        # birth days in the universe's (sorted) order: most before the history, the rest one day each
        birth = np.full(universe, -1, dtype=np.int64)
        birth[born_before:] = np.repeat(np.arange(1, days), self.new)[: universe - born_before]
        self.birth = birth[order]
        self.alive = self.birth < 0
        self.dead = np.zeros(universe, dtype=bool)
        start_ms = int(datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC).timestamp() * 1000)
        self.start_ms = start_ms
        day_ms = 86_400_000
        self.created = np.where(self.birth < 0, start_ms - rng.integers(1, 4 * 365, universe) * day_ms,
                                start_ms + self.birth * day_ms - rng.integers(1, day_ms, universe))
        self.modified = self.created + rng.integers(0, day_ms, universe)
        # downloads: a rate per day by class (flat 70 %, slow 25 %, growing 4.9 %, viral 0.1 %)
        kind = rng.random(universe)
        base = np.floor(rng.lognormal(3, 2.5, universe)).astype(np.int64)
        self.rate = np.where(kind < 0.70, 0.0, np.where(kind < 0.95, np.minimum(base * 0.002 + 0.3, 50),
                             np.where(kind < 0.999, rng.lognormal(4, 1.5, universe), rng.lognormal(6, 1, universe))))
        self.viral = kind >= 0.999
        self.ring = rng.poisson(self.rate[:, None] * np.ones(30)).astype(np.int32)  # the last 30 days' downloads
        self.all_time = base + self.ring.sum(axis=1)
        self.likes = np.floor(rng.lognormal(0.3, 1.6, universe)).astype(np.int64)
        self.like_rate = np.where(kind < 0.95, 0.0, rng.lognormal(-1, 1.5, universe))
        self.trending = np.zeros(universe)
        self.sha = rng.integers(0, 16, (universe, 40), dtype=np.uint8)
        self.sha = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[self.sha]

    def step(self, day: int) -> np.ndarray:
        """Day ``day``'s changes; the repos deleted that day (marked in the day's snapshot)."""
        rng = self.rng
        if day > 0:
            self.rate[self.viral] *= 1.3
            today = rng.poisson(self.rate).astype(np.int32)
            self.all_time += today
            self.ring[:, day % 30] = today
            liked = rng.poisson(self.like_rate)
            self.likes += liked
            self.trending = np.where(today + liked > 0, np.round(today / 1000 + liked, 3), 0.0)
            changed = np.flatnonzero(rng.random(len(self.rate)) < 0.005 + 0.05 * (self.rate > 50))
            self.sha[changed] = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)[
                rng.integers(0, 16, (len(changed), 40), dtype=np.uint8)]
            self.modified[changed] = self.start_ms + day * 86_400_000 + rng.integers(0, 3_600_000, len(changed))
            self.alive |= self.birth == day
        gone = np.zeros(len(self.rate), dtype=bool)
        if day > 0:
            candidates = np.flatnonzero(self.alive)
            gone[rng.choice(candidates, self.gone, replace=False)] = True
            self.alive &= ~gone
        return gone

    def snapshot(self, day: int, gone: np.ndarray) -> pa.Table:
        """The day's full snapshot, as the writer writes it: every repo listed, the deleted ones marked."""
        rows = np.flatnonzero(self.alive | gone)
        dead = gone[rows]
        n = len(rows)
        crawled_at = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, 3, tzinfo=UTC) + timedelta(days=day)
        crawl_id = f"{crawled_at:%Y%m%dT%H%M%S}-bench"
        sha = pa.StringArray.from_buffers(n, pa.py_buffer(np.arange(0, 40 * n + 1, 40, dtype=np.int32)),
                                          pa.py_buffer(np.ascontiguousarray(self.sha[rows]).tobytes()))
        null = pa.array(dead)

        def counts(values: np.ndarray, kind: pa.DataType) -> pa.Array:
            return pa.array(values[rows], kind, mask=dead)

        table = pa.table({
            "id": self.ids.take(pa.array(rows)),
            "crawled_at": pa.array(np.full(n, crawled_at), HISTORY_SCHEMA.field("crawled_at").type),
            "crawl_id": pa.array([crawl_id] * n, pa.string()),
            "mode": pa.array(["full"] * n, pa.string()),
            "deleted": null,
            "downloads": counts(self.ring.sum(axis=1, dtype=np.int64), pa.int64()),
            "downloads_all_time": counts(self.all_time, pa.int64()),
            "likes": counts(self.likes, pa.int64()),
            "trending_score": counts(self.trending, pa.float64()),
            "sha": pc.if_else(null, pa.scalar(None, pa.string()), sha),
            "last_modified": counts(self.modified, pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
            "created_at": counts(self.created, pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
        }, schema=HISTORY_SCHEMA)
        self.n_deleted = int(dead.sum())
        return table.replace_schema_metadata({MODE_KEY: b"full", CRAWLED_AT_KEY: crawled_at.isoformat().encode()})


# -- encodings ---------------------------------------------------------------------------------------
DICTIONARY_FEW = ["crawled_at", "crawl_id", "mode", "deleted"]  # the same value in every row of a file


def _delta(columns: list[str]) -> dict[str, str]:
    return dict.fromkeys(columns, "DELTA_BINARY_PACKED")


# name -> (pq.write_table keyword arguments, sorted by id). Each is zstd at write_table's level, one row group.
DEFAULT = dictionary_encoded_paths(HISTORY_SCHEMA)  # write_table's: a dictionary for all but id, sha and times
ENCODINGS: dict[str, tuple[dict[str, Any], bool]] = {
    "write_table (project default), unsorted": ({"use_dictionary": DEFAULT}, False),
    "write_table (project default), sorted by id": ({"use_dictionary": DEFAULT}, True),
    "dictionary for every column": ({"use_dictionary": True}, True),
    "dictionary crawl columns; DELTA counts": ({"use_dictionary": DICTIONARY_FEW, "column_encoding": _delta(COUNTS)},
                                               True),
    "… + DELTA times, BYTE_STREAM_SPLIT trending": ({
        "use_dictionary": DICTIONARY_FEW,
        "column_encoding": {**_delta(COUNTS + TIMES), "trending_score": "BYTE_STREAM_SPLIT"}}, True),
    "default + DELTA_BYTE_ARRAY id": ({"use_dictionary": DEFAULT, "column_encoding": {"id": "DELTA_BYTE_ARRAY"}},
                                      True),
    "default + DELTA_BYTE_ARRAY id, DELTA last_modified": ({
        "use_dictionary": DEFAULT,
        "column_encoding": {"id": "DELTA_BYTE_ARRAY", "last_modified": "DELTA_BINARY_PACKED"}}, True),
}


def write_encoded(table: pa.Table, path: Path, options: dict[str, Any], row_group_size: int | None = None) -> int:
    pq.write_table(table, path, compression="zstd", compression_level=COMPRESSION_LEVELS["zstd"],
                   row_group_size=row_group_size or max(1, table.num_rows), **options)
    return path.stat().st_size


def column_bytes(path: Path) -> dict[str, int]:
    meta = pq.ParquetFile(path).metadata
    sizes: dict[str, int] = {}
    for group in range(meta.num_row_groups):
        for number in range(meta.num_columns):
            column = meta.row_group(group).column(number)
            sizes[column.path_in_schema] = sizes.get(column.path_in_schema, 0) + column.total_compressed_size
    return sizes


# -- queries -----------------------------------------------------------------------------------------
def best_of(repeats: int, call: Callable[[], Any]) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


def queries(history: Path, repo_id: str, days: int) -> dict[str, Callable[[], Any]]:
    return {
        "repo_series (every day)": lambda: trends.repo_series(history, "models", repo_id),
        "rising 7d": lambda: trends.rising(history, "models", 7),
        "rising 7d relative": lambda: trends.rising(history, "models", 7, by="relative"),
        f"rising {days - 1}d": lambda: trends.rising(history, "models", days - 1),
        "authors_by_growth 7d": lambda: trends.authors_by_growth(history, "models", 7),
        "new_per_day 7 days": lambda: trends.new_per_day(history, "models", 7),
        f"new_per_day {days} days": lambda: trends.new_per_day(history, "models", days),
        "deleted 7 days": lambda: trends.deleted(history, "models", since=FIRST_DAY + timedelta(days=days - 7)),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repos", type=int, default=1_000_000)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--row-group", type=int, default=131_072, help="the chosen encoding's row group (rows)")
    p.add_argument("--work", type=Path, help="where to write the histories (default: a temporary folder)")
    p.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results" / "trends.json")
    args = p.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-trends-"))
    default_dir, chosen_dir = work / "write_table", work / "chosen"
    started = time.perf_counter()
    hub = Hub(args.repos, args.days)
    print(f"universe of {len(hub.rate):,} ids in {time.perf_counter() - started:.1f} s", file=sys.stderr)

    # encodings, on the first snapshot: the smallest writes the second history
    first = hub.snapshot(0, hub.step(0))
    rows: list[dict[str, Any]] = []
    columns: dict[str, dict[str, int]] = {}
    work.mkdir(parents=True, exist_ok=True)
    probe = work / "probe.parquet"
    shuffled = first.take(pa.array(np.random.default_rng(1).permutation(first.num_rows)))
    for name, (options, is_sorted) in ENCODINGS.items():
        begin = time.perf_counter()
        size = write_encoded(first if is_sorted else shuffled, probe, options)
        seconds = time.perf_counter() - begin
        begin = time.perf_counter()
        pq.read_table(probe)
        read = time.perf_counter() - begin
        columns[name] = column_bytes(probe)
        rows.append({"what": f"encoding: {name}", "rows": first.num_rows, "bytes/row": size / first.num_rows,
                     "write s": seconds, "read s": read})
    winner = min(rows, key=lambda row: row["bytes/row"])["what"].removeprefix("encoding: ")
    chosen = ENCODINGS[winner][0]
    size = write_encoded(first, probe, chosen, args.row_group)
    begin = time.perf_counter()
    pq.read_table(probe)
    rows.append({"what": f"encoding: the smallest, row groups of {args.row_group:,}", "rows": first.num_rows,
                 "bytes/row": size / first.num_rows, "write s": 0.0, "read s": time.perf_counter() - begin})
    probe.unlink()
    print(f"smallest: {winner}: {chosen}", file=sys.stderr)
    print("\nbytes a row of each column (first snapshot):", file=sys.stderr)
    names = ["write_table (project default), sorted by id", winner]
    per_column = [{"column": column, **{name: columns[name][column] / first.num_rows for name in names}}
                  for column in columns[names[0]]]
    print(markdown_table(per_column), file=sys.stderr)
    del first, shuffled
    hub = Hub(args.repos, args.days)  # the same again, from day 0
    sizes = {"default": 0, "chosen": 0}
    rows_total = 0
    generate = write_default = write_chosen = 0.0
    for day in range(args.days):
        t0 = time.perf_counter()
        gone = hub.step(day)
        table = hub.snapshot(day, gone)
        t1 = time.perf_counter()
        crawled_at = datetime.fromisoformat(table.schema.metadata[CRAWLED_AT_KEY].decode())
        crawl_id = table.column("crawl_id")[0].as_py()
        path = snapshot_path(default_dir, "models", crawled_at, crawl_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        sizes["default"] += write_table(table, path)
        t2 = time.perf_counter()
        path = snapshot_path(chosen_dir, "models", crawled_at, crawl_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        sizes["chosen"] += write_encoded(table, path, chosen, args.row_group)
        t3 = time.perf_counter()
        generate, write_default, write_chosen = generate + t1 - t0, write_default + t2 - t1, write_chosen + t3 - t2
        rows_total += table.num_rows
        print(f"day {day + 1}/{args.days}: {table.num_rows:,} rows ({hub.n_deleted} deleted), "
              f"{t1 - t0:.1f} s to make, {t2 - t1:.1f} s write_table, {t3 - t2:.1f} s chosen", file=sys.stderr)
    print(f"history of {rows_total:,} rows in {time.perf_counter() - started:.0f} s (make {generate:.0f} s, "
          f"write_table {write_default:.0f} s, chosen {write_chosen:.0f} s)", file=sys.stderr)

    timings: dict[str, dict[str, Any]] = {}
    histories = (("write_table", default_dir, sizes["default"], write_default),
                 (f"smallest, row groups of {args.row_group:,}", chosen_dir, sizes["chosen"], write_chosen))
    for label, folder, total, seconds in histories:
        timings.setdefault("history bytes/row", {"what": "history: bytes a row"})[label] = total / rows_total
        timings.setdefault("history MB", {"what": f"history: MB ({args.days} snapshots, {rows_total:,} rows)"})[label] = \
            total / 1e6
        timings.setdefault("write s", {"what": "history: seconds to write"})[label] = seconds
        popular = trends.rising(folder, "models", 7, k=1)["id"].iloc[0]
        for what, call in queries(folder, popular, args.days).items():
            timings.setdefault(what, {"what": f"query s: {what}"})[label] = best_of(args.repeats, call)
    year = 5_000_000 * 365
    print(f"\nat 5,000,000 repos × 365 daily full snapshots: {sizes['default'] / rows_total * year / 1e9:,.0f} GB "
          f"(write_table) or {sizes['chosen'] / rows_total * year / 1e9:,.0f} GB (the smallest)", file=sys.stderr)
    save_and_print(rows, args.output.with_name(args.output.stem + "-encodings.json"))
    print()
    save_and_print(list(timings.values()), args.output)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    sys.exit(main())
