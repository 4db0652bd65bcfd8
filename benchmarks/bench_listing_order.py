"""How many models a listing misses while the Hub's order moves under it, by order, against a full
crawl (which lists by createdAt): ``python -m benchmarks.bench_listing_order --models 30000 --churn 300``.

The fake Hub touches ``--churn`` models after every listing page (downloads, likes, trending score
and lastModified move). A plain cursor walk by each order counts what it never saw; then
``scrapy crawl models`` (and ``-a sort=downloads``) publishes, and the dataset is compared with the
Hub's models.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pyarrow.parquet as pq

from benchmarks.table import save_and_print
from hfhub.crawl.hubapi import next_page_url
from hfhub.fakehub.process import FakeHubProcess

REPO = Path(__file__).resolve().parents[1]


def walk(hub_url: str, **params: str) -> list[str]:
    url: str | None = f"{hub_url}/api/models?{urlencode({'limit': 1000, 'expand[]': 'sha', **params})}"
    ids: list[str] = []
    while url:
        with urllib.request.urlopen(url, timeout=60) as response:
            ids += [record["id"] for record in json.loads(response.read())]
            url = next_page_url(response.headers.get("Link"))
    return ids


def crawl(hub_url: str, workdir: Path, *args: str) -> tuple[int, set[str]]:
    command = [sys.executable, "-m", "scrapy", "crawl", "models", *(f"-a{a}" for a in args),
               "-s", f"HFHUB_DATASET_DIR={workdir / 'models'}", "-s", "HFHUB_INDEX_ENABLED=False",
               "-s", f"LOG_FILE={workdir / 'crawl.log'}"]
    env = {**os.environ, "HF_ENDPOINT": hub_url}
    env.pop("HF_TOKEN", None)
    code = subprocess.run(command, check=False, cwd=REPO, env=env, capture_output=True).returncode
    ids = set(pq.read_table(workdir / "models", columns=["id"]).column("id").to_pylist()) if code == 0 else set()
    return code, ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=30_000)
    parser.add_argument("--churn", type=int, default=300)
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results" / "listing_order.json")
    args = parser.parse_args()
    hub_args = ["--churn", str(args.churn), "--fault-seed", "1"]
    rows = []
    for label, params in (("walk, the Hub's default order", {}), ("walk, sort=downloads", {"sort": "downloads"}),
                          ("walk, sort=likes", {"sort": "likes"})):
        with FakeHubProcess(models=args.models, seed=1, args=hub_args) as hub:
            everyone = set(hub.snapshot())
            seen = walk(hub.url, **params)
        rows.append({"how": label, "models": args.models, "listed": len(set(seen)),
                     "missing": len(everyone - set(seen)), "repeated": len(seen) - len(set(seen))})
    for label, crawl_args in (("scrapy crawl models", ()), ("scrapy crawl models -a sort=downloads", ("sort=downloads",))):
        with FakeHubProcess(models=args.models, seed=1, args=hub_args) as hub, tempfile.TemporaryDirectory() as tmp:
            code, ids = crawl(hub.url, Path(tmp), *crawl_args)
            everyone = set(hub.snapshot())
        rows.append({"how": label, "models": args.models, "listed": len(ids), "missing": len(everyone - ids),
                     "repeated": 0 if code == 0 else f"exit {code}"})
    save_and_print(rows, args.output)


if __name__ == "__main__":
    main()
