"""The offline demo: fake Hub → ``scrapy crawl models``, ``datasets`` and ``spaces`` → three Parquet
tables and their search indexes; a day passes on the fake Hub, the models are crawled again → what
rose (the history); a search across the three tables.

Run it with ``make demo`` (or ``python -m hfhub.demo`` once installed). Nothing reaches the internet:
the crawls talk to hfhub's local fake of the Hub API, whose repos are synthetic (invented ids,
generated deterministically from a seed), so the output shows what hfhub does, not real Hub data.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from hfhub import paths
from hfhub.fakehub.process import FakeHubProcess

KINDS = ("models", "datasets", "spaces")


def crawl(hub_url: str, output: Path, spider: str = "models", *spider_args: str) -> tuple[int, float]:
    """Run ``scrapy crawl <spider>`` against ``hub_url`` exactly as a user would; return (exit, seconds).
    Its table goes to ``output/<spider>``, its index and stats file beside it (their default names);
    ``spider_args`` (``configs=1``) are its ``-a`` arguments, the configs table going to ``output/configs``."""
    arguments = [a for arg in spider_args for a in ("-a", arg)]
    folders = ["-s", f"HFHUB_DATASET_DIR={output / spider}"]
    if spider == "models":
        folders += ["-s", f"HFHUB_CONFIGS_DIR={output / 'configs'}", "-s", f"HFHUB_CARDS_DIR={output / 'cards'}"]
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *arguments, *folders, "-s", "LOG_LEVEL=WARNING"]
    env = {**os.environ, "HF_ENDPOINT": hub_url, "SCRAPY_SETTINGS_MODULE": "hfhub.settings"}
    shown = " ".join([*arguments, *folders[:2]])
    print(f"$ HF_ENDPOINT={hub_url} scrapy crawl {spider} {shown}", flush=True)
    started = time.perf_counter()
    returncode = subprocess.run(command, env=env, check=False).returncode
    return returncode, time.perf_counter() - started


def describe_table(output: Path, kind: str, seconds: float) -> pd.DataFrame:
    """Print what one crawl wrote (rows, bytes per row, rate); return its table."""
    # pyarrow dtypes: nullable integers stay integers (numpy's would turn them to floats) and a
    # missing value shows as <NA>, not NaN
    table = pd.read_parquet(os.path.realpath(output / kind), dtype_backend="pyarrow")
    stats = json.loads((output / paths.stats_file_name(kind)).read_text())
    files = sorted((output / kind).glob("*.parquet"))
    size = sum(f.stat().st_size for f in files)
    crawl_seconds = stats.get("elapsed_time_seconds", seconds)
    print(f"\nWrote {len(table):,} {kind} ({table['id'].nunique():,} distinct ids) in {len(files)} Parquet file(s), "
          f"{size / 1e6:.1f} MB, {size / max(len(table), 1):.0f} bytes/row (raw_json included).")
    print(f"Crawl: {stats.get('hfhub/pages', 0)} pages in {crawl_seconds:.1f} s "
          f"= {len(table) / crawl_seconds:,.0f} {kind}/s (whole command with start-up: {seconds:.1f} s).")
    return table


def describe(output: Path, seconds: dict[str, float]) -> None:
    models = describe_table(output, "models", seconds["models"])
    print("\nMost downloaded:")
    top = models.nlargest(5, "downloads")[["id", "pipeline_tag", "library_name", "downloads", "likes", "num_parameters"]]
    print(top.to_string(index=False))
    print("\nModels by task:")
    print(models["pipeline_tag"].fillna("(no task given)").value_counts().head(8).to_string())
    datasets = describe_table(output, "datasets", seconds["datasets"])
    print("\nDatasets by task category:")
    print(datasets["task_categories"].explode().fillna("(none given)").value_counts().head(5).to_string())
    spaces = describe_table(output, "spaces", seconds["spaces"])
    print("\nSpaces by SDK:")
    print(spaces["sdk"].fillna("(none given)").value_counts().to_string())
    print("\nRead it yourself: python -c \"import pandas as pd; "
          f"print(pd.read_parquet('{output / 'models'}', dtype_backend='pyarrow').info())\"")


def trends(output: Path) -> int:
    """What rose between the two days of history, as ``hfhub-trends`` prints it."""
    from hfhub.history.cli import main as trends_main

    command = ["rising", "--window", "1d", "-k", "5", "--history", str(output / "history")]
    print(f"\n$ hfhub-trends {' '.join(command)}", flush=True)
    return trends_main(command)


def search(output: Path) -> int:
    """Searches of the indexes the crawls built, as ``hfhub-search`` prints them: models that fit a
    24 GB GPU at a 32k-token context, then the models, datasets and Spaces for the same words."""
    from hfhub.search import main as search_main

    query = ["llama instruct chat", "-k", "5", "--fits-gpu-gb", "24", "--context", "32k", "--index", str(output / "index")]
    print(f"\n$ hfhub-search {' '.join(repr(q) if ' ' in q else q for q in query)}", flush=True)
    status = search_main(query)
    # the three tables at once: each type's results in its own section (their scores are not comparable)
    across = ["japanese text classification", "--type", "all", "-k", "3", "--output", str(output)]
    print(f"\n$ hfhub-search {' '.join(repr(q) if ' ' in q else q for q in across)}", flush=True)
    return status or search_main(across)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0].replace("``", ""))
    parser.add_argument("--models", type=int, default=20_000, help="size of the fake Hub's corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=Path(paths.OUTPUT_DIR))
    args = parser.parse_args(argv)
    print(f"Starting the fake Hub with {args.models:,} synthetic models and {args.models // 2:,} datasets and "
          f"Spaces each (seed {args.seed})...", flush=True)
    seconds = {}
    with FakeHubProcess(models=args.models, seed=args.seed) as hub:
        for kind in KINDS:
            returncode, seconds[kind] = crawl(hub.url, args.output, kind)
            if returncode != 0:
                print(f"the crawl of {kind} failed (exit status {returncode})", file=sys.stderr)
                return returncode
        # a day passes on the fake Hub (downloads and likes move, repos come and go), and the models
        # are crawled again: the history (output/history) now has two days to compare
        print("\n$ curl -X POST $HF_ENDPOINT/_fake/advance -d '{\"days\": 1}'   # a day passes on the fake Hub",
              flush=True)
        hub.advance(days=1)
        # this time with each model's config.json: the KV cache per token, for the memory at a context
        returncode, _ = crawl(hub.url, args.output, "models", "configs=1")
        if returncode != 0:
            print(f"the second crawl of models failed (exit status {returncode})", file=sys.stderr)
            return returncode
    describe(args.output, seconds)
    if trends(args.output):
        return 1
    return search(args.output)


if __name__ == "__main__":
    sys.exit(main())
