"""The relevance benchmark's metrics (benchmarks/bench_relevance.py) on cases worked out by hand, and
its labelled query set (benchmarks/relevance/queries.jsonl) against the real data it labels, so the
labels cannot name a model the replayed Hub does not hold."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from benchmarks.bench_relevance import (
    CARDS,
    RECORDS,
    load_queries,
    ndcg_at,
    rank_of,
    recall_at,
    reciprocal_rank,
)
from hfhub.fakehub.replay import ReplayCorpus, load_records

LABELS = {"a": 2, "b": 1, "c": 1}


@pytest.mark.parametrize(
    ("ranked", "expected"),
    [
        (["a", "b", "c"], 1.0),  # the ideal order
        ([], 0.0),
        (["x", "y"], 0.0),
        # a at rank 2: (2**2-1)/log2(3) = 3/1.58496; ideal: 3 + 1/log2(3) + 1/2
        (["x", "a"], (3 / math.log2(3)) / (3 + 1 / math.log2(3) + 0.5)),
        # b, a: 1 + 3/log2(3), over the same ideal
        (["b", "a"], (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3) + 0.5)),
    ],
)
def test_ndcg(ranked: list[str], expected: float) -> None:
    assert ndcg_at(ranked, LABELS) == pytest.approx(expected)


def test_ndcg_counts_only_the_first_k() -> None:
    assert ndcg_at(["x"] * 10 + ["a"], LABELS) == 0.0
    assert ndcg_at(["a"], {"a": 2}, k=1) == 1.0


@pytest.mark.parametrize(
    ("ranked", "recall", "rr"),
    [
        (["a", "b", "c"], 1.0, 1.0),
        (["x", "b", "a"], 2 / 3, 1 / 3),  # the wanted one (grade 2) is third
        (["b", "c"], 2 / 3, 0.0),  # acceptable ones only: no wanted one found
        (["x"] * 10 + ["a"], 0.0, 0.0),  # past the first ten
    ],
)
def test_recall_and_reciprocal_rank(ranked: list[str], recall: float, rr: float) -> None:
    assert recall_at(ranked, LABELS) == pytest.approx(recall)
    assert reciprocal_rank(ranked, LABELS) == pytest.approx(rr)


def test_reciprocal_rank_takes_the_best_grade_labelled() -> None:
    assert reciprocal_rank(["x", "b"], {"b": 1, "c": 1}) == 0.5  # no grade 2: the first grade 1


def test_rank_of() -> None:
    assert rank_of(["x", "a", "b"], ["b", "a"]) == 2
    assert rank_of(["x"], ["a"]) is None


def real_ids() -> set[str]:
    return {record["id"] for record in load_records(RECORDS)}


def test_every_labelled_id_is_a_real_record() -> None:
    ids = real_ids()
    queries = load_queries()
    assert 40 <= len(queries) <= 60
    for query in queries:
        named = set(query["labels"]) | set(query["expected"])
        assert named <= ids, (query["query"], sorted(named - ids))
        assert set(query["expected"]) <= {i for i, g in query["labels"].items() if g == 2}
        assert set(query["labels"].values()) <= {1, 2}


def test_the_issues_six_queries_are_there_verbatim() -> None:
    issue = [(q["query"], q.get("filters", {})) for q in load_queries() if q.get("issue")]
    assert issue == [
        ("sentence embeddings similarity", {}),
        ("llama 3 instruct chat", {}),
        ("speech recognition english wav2vec2", {}),
        ("mixture of experts reasoning", {}),
        ("table question answering", {}),
        ("llama gguf", {"library": "gguf"}),
    ]


def test_the_replayed_hub_serves_the_real_card() -> None:
    cards = {}
    for path in CARDS:
        for line in Path(path).read_text().splitlines():
            entry = json.loads(line)
            cards[entry["id"]] = entry["text"]
    corpus = ReplayCorpus.load(RECORDS, card_paths=CARDS)
    minilm = corpus.record(corpus.index_of("sentence-transformers/all-MiniLM-L6-v2"))
    assert corpus.has_readme(minilm) and corpus.readme(minilm) == cards["sentence-transformers/all-MiniLM-L6-v2"]
    kimi = corpus.record(corpus.index_of("moonshotai/Kimi-K2-Thinking"))  # a list record without sha
    assert kimi["sha"] and corpus.readme(kimi).startswith("<div align=\"center\">")
    derived = corpus.record(corpus.index_of("google/tapas-base-finetuned-sqa"))  # card-derived: id and cardData only
    assert set(derived) == {"_id", "id", "cardData", "sha"} and "downloads" not in derived
    vit = corpus.record(corpus.index_of("google/vit-base-patch16-224"))  # no real card: built from cardData
    assert corpus.has_readme(vit) and vit["id"] not in cards
