"""Benchmark the search index at 100k and 1M models: build, load, query latency, recall, memory.

    .venv/bin/python benchmarks/bench_index.py                    # 100k and 1M (datasets cached)
    .venv/bin/python benchmarks/bench_index.py --sizes 100000 --queries 100

Datasets come from the fake Hub's corpus through the crawl's own mapping, validation and enrichment
(``hfhub.fakehub.dataset``), cached under ``--data``. Build and load are timed in fresh
subprocesses (``hfhub-index build``; a ``ModelIndex.load``) with a warm page cache. Recall@10 is
measured against exact brute force: of the dense search (the ANN structure alone, vs exact dense
cosine) and of the whole ranking (vs the exact hybrid score over every model). Ties count: a result
scoring at least the exact 10th score is a hit (the fake corpus has many identical cards).
Prints a Markdown table and saves the numbers as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.proctree import PeakTreeMemory
from hfhub.fakehub.dataset import write_dataset
from hfhub.index import (
    ModelIndex,
    SearchFilters,
    vectors,
)
from hfhub.index import searcher as S
from hfhub.index.text import expand_query, query_hashes

REPO = Path(__file__).resolve().parents[1]

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


def exact_hybrid(index: ModelIndex, query: str) -> np.ndarray:
    cols, weights = vectors.query_tfidf(query_hashes(expand_query(query)), index.term_hashes, index.idf, True)
    dense = exact_dense(index, index._dense_query(query, cols, weights))
    lexical = index._lexical_scores(np.arange(index.n), cols, weights)
    return S.LEXICAL_WEIGHT * lexical + S.DENSE_WEIGHT * dense + S.POPULARITY_WEIGHT * index.popularity / 100


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


def bench(n: int, data: Path, n_queries: int, n_recall: int) -> dict[str, Any]:
    ds_dir = dataset(data, n)
    index_dir = data / f"index-{n}"
    build_s, build_peak, _ = timed_subprocess(
        ["-m", "hfhub.index", "build", "-q", "--dataset", str(ds_dir), "--index", str(index_dir)]
    )
    code = (
        f"import time; t=time.perf_counter(); from hfhub.index import ModelIndex; "
        f"ModelIndex.load({str(index_dir)!r}); print(time.perf_counter()-t)"
    )
    load_s = min(float(timed_subprocess(["-c", code])[2]) for _ in range(3))
    index = ModelIndex.load(index_dir)
    manifest = index.manifest
    qs = queries(index, n_queries)
    p50, p99 = latency(lambda q: index.search(q, 10), qs)
    task = SearchFilters(task="text-classification", language="en")
    threshold = int(np.sort(index.models.column("downloads").fill_null(0).to_numpy())[-(n // 1000)])
    rare = SearchFilters(min_downloads=threshold)  # ~0.1 % of the models
    f_p50, f_p99 = latency(lambda q: index.search(q, 10, task), qs)
    r_p50, r_p99 = latency(lambda q: index.search(q, 10, rare), qs)
    rare_full = all(len(index.search(q, 10, rare)) == 10 for q in qs[:50])
    ann_recall, hybrid_recall = [], []
    ids = {v: i for i, v in enumerate(index.models.column("id").to_pylist())}
    for q in qs[:n_recall]:
        cols, w = vectors.query_tfidf(query_hashes(expand_query(q)), index.term_hashes, index.idf, True)
        dq = index._dense_query(q, cols, w)
        rows, _ = index.dense.search(dq, 10)
        ann_recall.append(recall(rows, exact_dense(index, dq)))
        got = np.array([ids[r.id] for r in index.search(q, 10)], dtype=np.int64)
        hybrid_recall.append(recall(got, exact_hybrid(index, q)))
    disk = sum(f.stat().st_size for f in index_dir.resolve().iterdir()) / 1e9
    return {
        "models": n,
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
        "rss_after_queries_gb": round(rss_gb(), 2),
        "index_on_disk_gb": round(disk, 2),
        "ann": manifest["ann"],
        "terms": manifest["vectorizer"]["terms"],
        "queries": len(qs),
        "cpus": os.cpu_count(),
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    cols = [
        ("models", "models"),
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
    parser.add_argument("--data", type=Path, default=Path("/tmp/hfbench"))
    parser.add_argument("--out", type=Path, default=REPO / "output" / "bench_index.json")
    args = parser.parse_args(argv)
    args.data.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.sizes:
        rows.append(bench(n, args.data, args.queries, args.recall_queries))
        print(json.dumps(rows[-1]), file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n")
    print(markdown(rows))
    print(f"\n(saved to {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
