"""The whole benchmark suite in one command: crawl ingest against the official client, quota use
under a rate limit, the search index, and cards/s of a cluster (needs redis-server). Each part prints its Markdown table and saves its JSON
under ``benchmarks/results/``.

    python -m benchmarks.run                # 10k and 100k models (about 20 minutes on 2 cores)
    python -m benchmarks.run --large        # adds the 1,000,000-model figures (a 1M crawl: ~50 s, its baseline ~100 s)
"""

from __future__ import annotations

import argparse
import shutil
import sys

from benchmarks import bench_cluster, bench_crawl, bench_index, bench_ratelimit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="also run the 1,000,000-model sizes")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    crawl_sizes = ["10000", "100000"] + (["1000000"] if args.large else [])
    index_sizes = ["100000"] + (["1000000"] if args.large else [])
    print("## Crawl ingest: hfhub vs huggingface_hub.list_models + pandas.to_parquet\n", flush=True)
    bench_crawl.main(["--sizes", *crawl_sizes, "--repeats", str(args.repeats)])
    print("\n## Rate-limit pacing\n", flush=True)
    bench_ratelimit.main([])
    print("\n## Search index\n", flush=True)
    bench_index.main(["--sizes", *index_sizes])
    print("\n## Cards per second, one cluster worker and three\n", flush=True)
    if shutil.which("redis-server"):
        bench_cluster.main([])
    else:
        print("skipped: redis-server is not installed (Debian/Ubuntu: apt-get install redis-server)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
