"""How well the crawl uses a fixed-window quota: request rate against the allowed rate, and 429s.

Runs ``scrapy crawl models`` against a fake Hub whose API answers at most Q requests per W seconds
(fixed windows, like the Hub's 5-minute windows, scaled down) and reports the share of the quota the
crawl used and how many 429s it met. Prints a Markdown table and saves JSON.

    python -m benchmarks.bench_ratelimit --quota 30/10 --pages 90
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.table import save_and_print
from hfhub.fakehub.process import FakeHubProcess

REPO = Path(__file__).resolve().parents[1]


def run(quota: str, pages: int, page_size: int) -> dict[str, float]:
    requests, window = (int(x) for x in quota.split("/"))
    models = pages * page_size
    with FakeHubProcess(models=models, seed=1, args=["--max-page-size", str(page_size), "--rate-limit", quota]) as hub, \
            tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "scrapy", "crawl", "models", "-s", f"HFHUB_DATASET_DIR={tmp}/models",
                   "-s", f"HFHUB_STATS_FILE={tmp}/stats.json", "-s", "LOG_LEVEL=WARNING", "-s", "HFHUB_INDEX_ENABLED=False"]
        subprocess.run(command, cwd=REPO, env={**os.environ, "HF_ENDPOINT": hub.url}, check=True)
        stats = json.loads(Path(tmp, "stats.json").read_text())
        served = hub.stats()
    elapsed = stats["elapsed_time_seconds"]
    sent = served["requests"]["list"]
    allowed_rate = requests / window
    return {
        "quota": quota, "pages": pages, "models": stats["hfhub/models_published"], "elapsed_s": round(elapsed, 1),
        "requests": sent, "requests_per_s": round(sent / elapsed, 3), "allowed_per_s": round(allowed_rate, 3),
        "quota_used_pct": round(100 * sent / elapsed / allowed_rate, 1),
        "responses_429": served["responses"].get("429", 0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quota", nargs="+", default=["30/10", "100/20"])
    parser.add_argument("--pages", type=int, default=90)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results" / "ratelimit.json")
    args = parser.parse_args(argv)
    rows = [run(q, args.pages, args.page_size) for q in args.quota]
    save_and_print(rows, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
