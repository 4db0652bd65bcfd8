"""The three tables side by side: crawl rate, rows and bytes per row of ``scrapy crawl models``,
``datasets`` and ``spaces`` against the fake Hub on loopback, and what ``raw_json`` (every API
property without a typed column, hfhub.records.raw) costs of each table's size.

The fake Hub is warmed first (each listing walked once with the crawl's expand list), so it serves
from its entry cache rather than building records on the cores the crawl needs (as bench_crawl).
For each table: the median of ``--repeats`` crawls (whole command and the crawl's own elapsed time),
its rows and Parquet bytes per row, and the bytes per row of the same parts rewritten without
``raw_json`` (same compression). ``--expand`` measures one other expand list beside the default.

    python -m benchmarks.bench_tables --models 100000 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from benchmarks.table import save_and_print
from hfhub.crawl.hubapi import listing_url
from hfhub.fakehub.bench import walk
from hfhub.fakehub.process import FakeHubProcess
from hfhub.paths import stats_file_name
from hfhub.records.kinds import KINDS
from hfhub.storage.dataset import write_table

REPO = Path(__file__).resolve().parents[1]


def crawl(hub_url: str, kind: str, out: Path, settings: list[str]) -> dict[str, float]:
    command = [sys.executable, "-m", "scrapy", "crawl", kind, "-s", f"HFHUB_DATASET_DIR={out / kind}",
               "-s", "LOG_LEVEL=WARNING", "-s", "HFHUB_INDEX_ENABLED=False"]
    for setting in settings:
        command += ["-s", setting]
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, env={**os.environ, "HF_ENDPOINT": hub_url}, check=True)
    seconds = time.perf_counter() - started
    stats = json.loads((out / stats_file_name(kind)).read_text())
    parts = sorted((out / kind).glob("*.parquet"))
    rows = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
    size = sum(p.stat().st_size for p in parts)
    without = 0
    for number, part in enumerate(parts):
        path = out / f"without-raw-{number}.parquet"
        without += write_table(pq.read_table(part).drop_columns(["raw_json"]), path)
        path.unlink()
    return {"seconds": seconds, "crawl_seconds": stats["elapsed_time_seconds"], "rows": rows, "bytes": size,
            "bytes_without_raw": without}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000, help="models; datasets and Spaces: half as many each")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=list(KINDS))
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results" / "tables.json")
    args = parser.parse_args(argv)
    results = []
    with FakeHubProcess(models=args.models, seed=1, startup_timeout=300) as hub, \
            tempfile.TemporaryDirectory(prefix="bench-tables-") as tmp:
        for kind_name in args.kinds:
            kind = KINDS[kind_name]
            size = args.models if kind_name == "models" else args.models // 2
            walk(listing_url(hub.url, kind_name, expand=kind.expand_default, limit=1000, sort="createdAt"),
                 size // 1000 + 2)
            runs = [crawl(hub.url, kind_name, Path(tmp) / f"{kind_name}-{n}", []) for n in range(args.repeats)]
            median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            results.append({
                "table": kind_name,
                "rows": int(median["rows"]),
                "rows/s (crawl)": round(median["rows"] / median["crawl_seconds"]),
                "rows/s (command)": round(median["rows"] / median["seconds"]),
                "bytes/row": round(median["bytes"] / median["rows"], 1),
                "bytes/row without raw_json": round(median["bytes_without_raw"] / median["rows"], 1),
                "raw_json share": round(1 - median["bytes_without_raw"] / median["bytes"], 3),
            })
    save_and_print(results, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
