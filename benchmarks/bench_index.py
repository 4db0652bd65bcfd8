"""Benchmark the search index at 100k and 1M models: build, load, query latency, recall, memory.

    .venv/bin/python -m benchmarks.bench_index                    # 100k and 1M, m2v-minilm and lsa
    .venv/bin/python -m benchmarks.bench_index --sizes 100000 --queries 100 --embedding lsa

Each size is built and measured with each ``--embedding`` (``hfhub-index build --embedding``;
default: the shipped m2v-minilm and the LSA fallback), into its own index directory under
``--data``. The transformer embedders (minilm, minilm-int8, e5-small-q4: requirements-embeddings.txt)
encode 4 to 20 documents a second on 2 shared cores: a 1M build would take 14 to 63 hours, so
their 1M build time is extrapolated by ``benchmarks/bench_embeddings.py``, not measured here.

Datasets come from the fake Hub's corpus through the crawl's own mapping, validation and enrichment
(``hfhub.fakehub.dataset``), cached under ``--data``. Build and load are timed in fresh
subprocesses (``hfhub-index build``; a ``ModelIndex.load``) with a warm page cache. Recall@10 is
measured against exact brute force: of the dense search (the ANN structure alone, vs exact dense
cosine) and of the whole ranking (the candidate generation: ``search`` vs the exact relevance
``hfhub.index.ranking.relevance`` of every model). Ties count: a result scoring at least the exact
10th score is a hit (the fake corpus has many identical cards). A query none of whose words the
index holds finds nothing (``search`` returns []): it is timed but left out of recall, and counted.
Each (size, embedding) is measured in a fresh process, so its RSS is its own.
Prints a Markdown table and saves the numbers as JSON (after each row: a long run keeps what finished).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.proctree import PeakTreeMemory
from hfhub.fakehub.dataset import write_dataset
from hfhub.index import ModelIndex, SearchFilters, ranking
from hfhub.index.query import Plan, plan
from hfhub.index.vectors import DEFAULT_EMBEDDING, EMBEDDINGS

REPO = Path(__file__).resolve().parents[1]
EMBEDDING_CHOICES = (DEFAULT_EMBEDDING, "lsa")

NATURAL = [
    "japanese sentiment classifier",
    "small code model",
    "speech recognition whisper",
    "french translation",
    "image classification vit",
    "gguf text generation",
    "sentence embeddings multilingual",
    "llama instruct 7b",
    "text to image diffusion",
    "token classification ner german",
    "qwen2 chat",
    "bert base uncased",
]


def dataset(data: Path, n: int) -> Path:
    path = data / f"models-{n}-seed1"
    if not path.is_dir():
        tmp = data / f"models-{n}-seed1.tmp"
        print(f"generating {n} models into {path} ...", file=sys.stderr)
        write_dataset(tmp, n, seed=1)
        tmp.rename(path)
    return path


def timed_subprocess(args: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in GB, stdout) of a child Python process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with PeakTreeMemory(proc.pid) as memory:  # its own high-water mark, not getrusage's (see proctree)
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, args, stdout, stderr)
    return wall, memory.rss_bytes / 1e9, stdout


def rss_gb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1e6
    return float("nan")


def queries(index: ModelIndex, n: int) -> list[str]:
    rng = np.random.default_rng(0)
    ids = index.models.column("id")
    picks = rng.choice(index.n, n - len(NATURAL), replace=False)
    made = []
    for row in picks.tolist():  # a few words of a model's id and task, as a user might type them
        words = ids[row].as_py().replace("/", " ").replace("-", " ").split()
        task = index.models.column("pipeline_tag")[row].as_py() or ""
        made.append(" ".join([*rng.permutation(words)[:2].tolist(), task.replace("-", " ")]).strip())
    return NATURAL + made


def exact_dense(index: ModelIndex, q: np.ndarray, block: int = 131_072) -> np.ndarray:
    out = np.empty(index.n, dtype=np.float32)
    for start in range(0, index.n, block):
        out[start : start + block] = index.dense.vectors[start : start + block].astype(np.float32) @ q
    return out


def planned(index: ModelIndex, query: str) -> tuple[Plan, np.ndarray]:
    """The query's plan and its dense query vector, as ``ModelIndex.search`` makes them."""
    wanted = plan(query, index.term_hashes, index.idf, index.n)
    return wanted, index._dense_query(query, wanted.cols, wanted.column_weights())


def exact_hybrid(index: ModelIndex, wanted: Plan, dense: np.ndarray) -> np.ndarray:
    """The relevance of every model (``dense``: every model's exact cosine to the query)."""
    lexical = index._lexical_scores(np.arange(index.n), wanted)
    return ranking.relevance(lexical, dense, index.prior)


def recall(found: np.ndarray, exact: np.ndarray, k: int = 10) -> float:
    kth = np.partition(-exact, k - 1)[k - 1] * -1
    return float(np.mean(exact[found[:k]] >= kth - 1e-4)) if len(found) else 0.0


def latency(fn: Any, items: list[Any]) -> tuple[float, float]:
    for item in items[:10]:
        fn(item)
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - start)
    return float(np.percentile(times, 50) * 1e3), float(np.percentile(times, 99) * 1e3)


def bench(n: int, embedding: str, data: Path, n_queries: int, n_recall: int) -> dict[str, Any]:
    ds_dir = dataset(data, n)
    index_dir = data / f"index-{n}-{embedding}"
    build_s, build_peak, _ = timed_subprocess(
        [*("-m", "hfhub.index", "build", "-q", "--embedding", embedding),
         *("--dataset", str(ds_dir), "--index", str(index_dir))]
    )
    code = (
        f"import time; t=time.perf_counter(); from hfhub.index import ModelIndex; "
        f"ModelIndex.load({str(index_dir)!r}); print(time.perf_counter()-t)"
    )
    load_s = min(float(timed_subprocess(["-c", code])[2]) for _ in range(3))
    rss_before = rss_gb()
    index = ModelIndex.load(index_dir)
    manifest = index.manifest
    if manifest["embedding"]["kind"] != embedding:
        raise RuntimeError(f"asked for {embedding}, the index holds {manifest['embedding']['kind']}")
    qs = queries(index, n_queries)
    empty = sum(not index.search(q, 10) for q in qs)  # no word of the query known: search finds nothing
    p50, p99 = latency(lambda q: index.search(q, 10), qs)
    task = SearchFilters(task="text-classification", language="en")
    threshold = int(np.sort(index.models.column("downloads").fill_null(0).to_numpy())[-(n // 1000)])
    rare = SearchFilters(min_downloads=threshold)  # ~0.1 % of the models
    f_p50, f_p99 = latency(lambda q: index.search(q, 10, task), qs)
    r_p50, r_p99 = latency(lambda q: index.search(q, 10, rare), qs)
    found = [q for q in qs[:50] if index.search(q, 10)]
    rare_full = all(len(index.search(q, 10, rare)) == 10 for q in found)
    rss_queries = rss_gb()  # before the recall's brute force and its id map
    ann_recall, hybrid_recall, skipped = [], [], 0
    ids = {v: i for i, v in enumerate(index.models.column("id").to_pylist())}
    recall_start = time.perf_counter()
    for q in qs[:n_recall]:
        results = index.search(q, 10)
        if not results:  # nothing to recall: no word of the query is in the index
            skipped += 1
            continue
        wanted, dq = planned(index, q)
        dense = exact_dense(index, dq)
        rows, _ = index.dense.search(dq, 10)
        ann_recall.append(recall(rows, dense))
        got = np.array([ids[r.id] for r in results], dtype=np.int64)
        hybrid_recall.append(recall(got, exact_hybrid(index, wanted, dense)))
    recall_s = time.perf_counter() - recall_start
    disk = sum(f.stat().st_size for f in index_dir.resolve().iterdir()) / 1e9
    return {
        "models": n,
        "embedding": embedding,
        "dim": manifest["embedding"]["dim"],
        "build_s": round(build_s, 1),
        "build_peak_rss_gb": round(build_peak, 2),
        "build_stages_s": manifest["timings"],
        "load_s": round(load_s, 2),
        "query_p50_ms": round(p50, 2),
        "query_p99_ms": round(p99, 2),
        "filtered_task_lang_p50_ms": round(f_p50, 2),
        "filtered_task_lang_p99_ms": round(f_p99, 2),
        "filtered_0.1pct_p50_ms": round(r_p50, 2),
        "filtered_0.1pct_p99_ms": round(r_p99, 2),
        "filtered_0.1pct_topk_full": rare_full,
        "recall10_ann_vs_exact_dense": round(float(np.mean(ann_recall)), 4),
        "recall10_search_vs_exact_hybrid": round(float(np.mean(hybrid_recall)), 4),
        "recall_queries": len(hybrid_recall),
        "recall_skipped_no_known_word": skipped,
        "recall_seconds": round(recall_s, 1),
        "rss_before_load_gb": round(rss_before, 2),
        "rss_after_queries_gb": round(rss_queries, 2),
        "rss_after_recall_gb": round(rss_gb(), 2),
        "index_on_disk_gb": round(disk, 2),
        "ann": manifest["ann"],
        "terms": manifest["vectorizer"]["terms"],
        "queries": len(qs),
        "queries_finding_nothing": empty,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def bench_in_child(n: int, embedding: str, data: Path, n_queries: int, n_recall: int) -> dict[str, Any]:
    """``bench`` in a fresh process: its RSS is this index's, not the previous ones' leftovers."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(bench, n, embedding, data, n_queries, n_recall).result()


def markdown(rows: list[dict[str, Any]]) -> str:
    cols = [
        ("models", "models"),
        ("embedding", "embedding"),
        ("build_s", "build s"),
        ("build_peak_rss_gb", "build peak GB"),
        ("load_s", "load s"),
        ("query_p50_ms", "p50 ms"),
        ("query_p99_ms", "p99 ms"),
        ("filtered_0.1pct_p50_ms", "0.1% filter p50 ms"),
        ("filtered_task_lang_p50_ms", "task+lang p50 ms"),
        ("recall10_ann_vs_exact_dense", "recall@10 ANN"),
        ("recall10_search_vs_exact_hybrid", "recall@10 search"),
        ("rss_after_queries_gb", "RSS GB"),
        ("index_on_disk_gb", "disk GB"),
    ]
    lines = ["| " + " | ".join(h for _, h in cols) + " |", "|" + "---|" * len(cols)]
    lines += [
        "| " + " | ".join(f"{r[c]:,}" if c == "models" else str(r[c]) for c, _ in cols) + " |" for r in rows
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--recall-queries", type=int, default=50)
    parser.add_argument(
        "--embedding",
        action="append",
        choices=EMBEDDINGS,
        help=f"the index's embedding (repeatable; default: {' and '.join(EMBEDDING_CHOICES)}); the "
        "transformer ones need requirements-embeddings.txt and take 14 to 63 hours at 1M",
    )
    parser.add_argument("--data", type=Path, default=Path("/tmp/hfbench"))
    parser.add_argument("--out", type=Path, default=REPO / "output" / "bench_index.json")
    args = parser.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.sizes:
        dataset(args.data, n)  # once, before the children that read it
        for embedding in args.embedding or EMBEDDING_CHOICES:
            rows.append(bench_in_child(n, embedding, args.data, args.queries, args.recall_queries))
            print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
            args.out.write_text(json.dumps(rows, indent=2) + "\n")
    print(markdown(rows))
    print(f"\n(saved to {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
