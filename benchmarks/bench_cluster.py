"""Cards per second with one cluster worker and with three, sharing a crawl through Redis.

Starts a local redis-server and a fake Hub (optionally answering each request after a delay, to
stand in for the real Hub's network latency), runs ``scrapy crawl models -a cards=1`` as N worker
processes with ``HFHUB_REDIS_URL``, and reports cards fetched per second of cluster wall time
(first worker's start to last worker's finish, from their stats files). Every worker, the fake Hub
and Redis share this machine's cores. Prints a Markdown table and saves JSON.

    python -m benchmarks.bench_cluster --models 5000 --workers 1 3 --latency-ms 0 100
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from benchmarks.table import save_and_print
from hfhub.cluster.localredis import LocalRedis
from hfhub.fakehub.process import FakeHubProcess

REPO = Path(__file__).resolve().parents[1]


def run(models: int, workers: int, latency_ms: int) -> dict[str, float]:
    with LocalRedis() as redis_server, tempfile.TemporaryDirectory() as tmp, \
            FakeHubProcess(models=models, seed=1, args=["--slow-ms", str(latency_ms)]) as hub:
        out = Path(tmp)
        procs = []
        for n in range(workers):
            command = [sys.executable, "-m", "scrapy", "crawl", "models", "-a", "cards=1"]
            for setting in (f"HFHUB_REDIS_URL={redis_server.url}", f"HFHUB_WORKER_ID=w{n}",
                            f"HFHUB_DATASET_DIR={out / 'models'}", f"HFHUB_CARDS_DIR={out / 'cards'}",
                            f"HFHUB_STATS_FILE={out / 'stats.json'}", "HFHUB_INDEX_ENABLED=False",
                            "LOG_LEVEL=WARNING"):
                command += ["-s", setting]
            procs.append(subprocess.Popen(command, cwd=REPO, env={**{k: v for k, v in os.environ.items() if k != "HF_TOKEN"}, "HF_ENDPOINT": hub.url}))
        if any(proc.wait() != 0 for proc in procs):
            raise RuntimeError("a worker failed")
        stats = [json.loads((out / f"stats-w{n}.json").read_text()) for n in range(workers)]
    start = min(datetime.fromisoformat(s["start_time"]) for s in stats)
    finish = max(datetime.fromisoformat(s["finish_time"]) for s in stats)
    seconds = (finish - start).total_seconds()
    cards = sum(s.get("hfhub/cards/fetched", 0) + s.get("hfhub/cards/missing", 0) for s in stats)
    return {
        "latency_ms": latency_ms, "workers": workers, "models": models, "cards": cards,
        "seconds": round(seconds, 1), "cards_per_s": round(cards / seconds, 1),
        "cards_per_s_per_worker": round(cards / seconds / workers, 1),
        "cards_per_worker": "/".join(str(s.get("hfhub/cards/fetched", 0) + s.get("hfhub/cards/missing", 0)) for s in stats),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=5000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--latency-ms", type=int, nargs="+", default=[0, 100])
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results" / "cluster.json")
    args = parser.parse_args(argv)
    rows = [run(args.models, w, latency) for latency in args.latency_ms for w in args.workers]
    save_and_print(rows, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
