"""Crawl ingest, side by side with the way users do it today, against the fake Hub on loopback.

The fake Hub stands in for a remote server, whose CPU is not the client's. So before the timed
runs it is warmed: both clients' views of every model are walked once, and the Hub then serves them
from its entry cache (~170,000 models/s) instead of building each record on the two cores the
clients need (~16,000 models/s). ``--cold-hub`` measures without that (the Hub rebuilds every
record, on the same cores).

For each corpus size: ``scrapy crawl models`` (spider → validate → enrich → dedup → Parquet) and the
baseline ``huggingface_hub.HfApi(endpoint=…).list_models(full=True, cardData=True, fetch_config=True)``
into a pandas DataFrame written with ``to_parquet``, each in its own process (peak RSS from its
high-water mark, ``benchmarks.proctree``), each the median of ``--repeats`` runs. Prints a Markdown table and saves JSON.

    python -m benchmarks.bench_crawl --sizes 10000 100000 --repeats 3
    python -m benchmarks.bench_crawl --sizes 100000 --page-processes 0 2 --no-baseline   # inline vs pooled
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

import pandas as pd

from benchmarks.proctree import PeakTreeMemory
from benchmarks.table import markdown_table
from hfhub.crawl.hubapi import listing_url
from hfhub.fakehub.bench import walk
from hfhub.fakehub.process import FakeHubProcess
from hfhub.records.kinds import MODELS

REPO = Path(__file__).resolve().parents[1]

BASELINE = r'''
import sys, pandas as pd
from huggingface_hub import HfApi
api = HfApi(endpoint=sys.argv[1])
rows = []
for m in api.list_models(full=True, cardData=True, fetch_config=True):
    rows.append({
        "id": m.id, "author": m.author, "sha": m.sha, "created_at": m.created_at,
        "last_modified": m.last_modified, "downloads": m.downloads, "likes": m.likes,
        "trending_score": m.trending_score, "pipeline_tag": m.pipeline_tag,
        "library_name": m.library_name, "tags": m.tags, "gated": str(m.gated), "private": m.private,
        "license": (m.card_data or {}).get("license") if m.card_data else None,
        "architectures": (m.config or {}).get("architectures"),
        "file_count": len(m.siblings) if m.siblings is not None else None,
    })
pd.DataFrame(rows).to_parquet(sys.argv[2])
'''


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float, float, float]:
    """(seconds, peak RSS of the process in MB, peak PSS of the process and its children in MB, CPU
    seconds of the process and its children) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with PeakTreeMemory(proc.pid) as tree:
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command[:4]} failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return seconds, tree.rss_mb, tree.mb, usage.ru_utime + usage.ru_stime


def warm(hub_url: str, size: int) -> None:
    """Walk both clients' views of every model once, so the Hub serves them from its cache."""
    pages = size // 1000 + 2
    walk(listing_url(hub_url, "models", expand=MODELS.expand_default, limit=1000, sort="createdAt"), pages)
    walk(f"{hub_url}/api/models?full=true&cardData=true&config=true&limit=1000", pages)


def hfhub_run(hub_url: str, out: Path, page_processes: int | None = None) -> dict[str, float]:
    command = [sys.executable, "-m", "scrapy", "crawl", "models", "-s", f"HFHUB_DATASET_DIR={out / 'models'}",
               "-s", f"HFHUB_STATS_FILE={out / 'stats.json'}", "-s", "LOG_LEVEL=WARNING",
               "-s", "HFHUB_INDEX_ENABLED=False"]
    if page_processes is not None:
        command += ["-s", f"HFHUB_PAGE_PROCESSES={page_processes}"]
    seconds, rss, tree_mb, cpu = run_measured(command, {**os.environ, "HF_ENDPOINT": hub_url})
    stats = json.loads((out / "stats.json").read_text())
    files = list((out / "models").glob("*.parquet"))
    started = time.perf_counter()
    rows = len(pd.read_parquet(out / "models"))
    read_s = time.perf_counter() - started
    return {"seconds": seconds, "crawl_seconds": stats["elapsed_time_seconds"], "rss_mb": rss,
            "tree_mb": tree_mb, "cpu_s": cpu, "rows": rows,
            "bytes": sum(f.stat().st_size for f in files), "read_s": read_s}


def baseline_run(hub_url: str, out: Path) -> dict[str, float]:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "baseline.parquet"
    seconds, rss, tree_mb, cpu = run_measured([sys.executable, "-c", BASELINE, hub_url, str(path)], dict(os.environ))
    return {"seconds": seconds, "rss_mb": rss, "tree_mb": tree_mb, "cpu_s": cpu, "rows": len(pd.read_parquet(path)), "bytes": path.stat().st_size}


def median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--page-processes", type=int, nargs="+", default=[None],
                        help="hfhub runs with each HFHUB_PAGE_PROCESSES value (default: the setting's default)")
    parser.add_argument("--cold-hub", action="store_true", help="no warm-up: the Hub builds every record on the same cores")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results" / "crawl.json")
    args = parser.parse_args(argv)
    results = []
    for size in args.sizes:
        cache_mb = 0 if args.cold_hub else 4 * size // 1000 + 64  # two views of ~1.3 kB a model, with room
        with FakeHubProcess(models=size, seed=1, args=["--cache-mb", str(cache_mb)], startup_timeout=300) as hub, \
                tempfile.TemporaryDirectory() as tmp:
            if not args.cold_hub:
                warm(hub.url, size)
            ours: dict[int | None, list[dict[str, float]]] = {n: [] for n in args.page_processes}
            theirs = []
            for repeat in range(args.repeats):
                for processes in args.page_processes:
                    ours[processes].append(hfhub_run(hub.url, Path(tmp) / f"hfhub-{processes}-{repeat}", processes))
                if not args.no_baseline:
                    theirs.append(baseline_run(hub.url, Path(tmp) / f"baseline-{repeat}"))
        for processes, runs in ours.items():
            row = result_row(size, processes, runs, theirs)
            results.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"repeats": args.repeats, "hub": "cold" if args.cold_hub else "warm",
                                       "results": results}, indent=2) + "\n")
    print(markdown_table(results))
    return 0


def result_row(size: int, processes: int | None, ours: list[dict[str, float]],
               theirs: list[dict[str, float]]) -> dict[str, object]:
    row: dict[str, object] = {
        "models": size,
        "page_processes": "default" if processes is None else processes,
        "hfhub_models_per_s": size / median(ours, "seconds"),
        "hfhub_crawl_only_models_per_s": size / median(ours, "crawl_seconds"),
        "hfhub_peak_rss_mb": median(ours, "rss_mb"),
        "hfhub_peak_pss_all_processes_mb": median(ours, "tree_mb"),
        "hfhub_cpu_us_per_model": median(ours, "cpu_s") / size * 1e6,
        "hfhub_bytes_per_model": median(ours, "bytes") / size,
        "hfhub_read_back_s": median(ours, "read_s"),
        "rows_ok": all(r["rows"] == size for r in ours),
    }
    if theirs:
        row |= {
            "baseline_models_per_s": size / median(theirs, "seconds"),
            "baseline_peak_rss_mb": median(theirs, "rss_mb"),
            "baseline_cpu_us_per_model": median(theirs, "cpu_s") / size * 1e6,
            "baseline_bytes_per_model": median(theirs, "bytes") / size,
            "ratio_hfhub_over_baseline": median(theirs, "seconds") / median(ours, "seconds"),
        }
    return row


if __name__ == "__main__":
    sys.exit(main())
