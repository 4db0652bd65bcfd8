"""The search page's API under concurrent clients: queries answered one at a time under a lock
(hfhub's design), against the same API answering them in parallel threads.

    .venv/bin/python -m benchmarks.bench_web                      # 100k models, 200 concurrent clients
    .venv/bin/python -m benchmarks.bench_web --models 20000 --clients 50 --rounds 2

A synthetic dataset (``hfhub.fakehub.dataset``) is indexed once (LSA embedding); a real
``SearchServer`` on loopback then gets ``--clients`` simultaneous ``/api/search`` requests (distinct
queries, some with filters), ``--rounds`` times, from as many client threads. Client and server
share the machine's cores. Prints a Markdown table: latency percentiles and queries per second.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.table import save_and_print
from hfhub.fakehub.dataset import write_dataset
from hfhub.index import ModelIndex, build_index
from hfhub.web import SearchServer
from hfhub.web.api import SearchApi

REPO = Path(__file__).resolve().parents[1]

WORDS = ["japanese", "sentiment", "bert", "llama", "gguf", "whisper", "speech", "vision", "code", "german",
         "translation", "summarization", "small", "fast", "instruct", "chat", "embedding", "diffusion"]


class ParallelSearchApi(SearchApi):
    """The alternative, for comparison: no lock, each server thread searches at once. (Safe here: the
    index's scratch buffers are per thread, its lazy caches race benignly, and the LSA embedding
    loads no model lazily.)"""

    def __init__(self, index: ModelIndex) -> None:
        super().__init__(index)
        self._lock = contextlib.nullcontext()  # type: ignore[assignment]


def queries(n: int) -> list[str]:
    out = []
    for i in range(n):
        words = [WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(2 + i % 3)]
        params = {"q": " ".join(words), "k": "10"}
        if i % 4 == 0:
            params["task"] = "text-classification"
        if i % 5 == 0:
            params["fits_gpu_gb"] = "24"
        out.append(urllib.parse.urlencode(params))
    return out


def run(server_url: str, clients: int, rounds: int) -> dict[str, Any]:
    latencies: list[float] = []
    barrier = threading.Barrier(clients)

    def one(query: str) -> float:
        barrier.wait()  # all clients at once
        start = time.perf_counter()
        with urllib.request.urlopen(f"{server_url}/api/search?{query}", timeout=120) as response:
            json.loads(response.read())
        return time.perf_counter() - start

    wall = 0.0
    with ThreadPoolExecutor(clients) as pool:
        for _ in range(rounds):
            start = time.perf_counter()
            latencies += pool.map(one, queries(clients))
            wall += time.perf_counter() - start
    latencies.sort()
    ms = [1000 * x for x in latencies]
    return {"p50_ms": round(statistics.median(ms), 1), "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
            "max_ms": round(ms[-1], 1), "queries_per_s": round(len(ms) / wall, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results" / "web.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hfhub-bench-web-") as tmp:
        dataset = write_dataset(Path(tmp) / "models", args.models)
        build_index(dataset, Path(tmp) / "index")
        index = ModelIndex.load(Path(tmp) / "index")
        rows = []
        for design, api in (("one at a time (hfhub)", SearchApi(index)), ("parallel threads", ParallelSearchApi(index))):
            with SearchServer(index, api=api) as server:
                run(server.url, min(args.clients, 20), 1)  # warm up: caches, page faults
                result = run(server.url, args.clients, args.rounds)
            rows.append({"design": design, "models": args.models, "clients": args.clients, **result})
    save_and_print(rows, args.output)


if __name__ == "__main__":
    main()
