"""Searching a real index of 20,000 fake Hub models: relevance, filters, --like, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from hfhub.fakehub.dataset import write_dataset
from hfhub.index import (
    EmptyQueryError,
    ModelIndex,
    SearchFilters,
    SearchResult,
    UnknownFilterValueError,
    UnknownModelError,
    build_index,
)

MODELS = 20_000  # at least ann.IVF_MIN_ROWS, so searches go through the IVF cells


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("data") / "models", MODELS, seed=1, rows_per_part=10_000)


@pytest.fixture(scope="module")
def index(dataset: Path, tmp_path_factory: pytest.TempPathFactory) -> ModelIndex:
    out = tmp_path_factory.mktemp("index") / "index"
    manifest = build_index(dataset, out)
    assert manifest["ann"]["nlist"] > 1
    return ModelIndex.load(out)


def _ja(r: SearchResult) -> bool:
    return "ja" in (r.languages or []) or r.id.endswith("-ja") or "-ja-" in r.id


# The relevance set: a query (and filters) -> what every one of the top 10 must be.
RELEVANCE: list[tuple[str, SearchFilters, Callable[[SearchResult], bool]]] = [
    (
        "japanese sentiment classifier",
        SearchFilters(),
        lambda r: r.pipeline_tag == "text-classification" and _ja(r),
    ),
    (
        "speech recognition whisper",
        SearchFilters(),
        lambda r: r.pipeline_tag == "automatic-speech-recognition",
    ),
    ("french translation", SearchFilters(), lambda r: r.pipeline_tag == "translation"),
    ("gguf text generation", SearchFilters(), lambda r: r.quantization == "gguf"),
    ("awq", SearchFilters(), lambda r: r.quantization == "awq" or r.id.lower().endswith("-awq")),
    (
        "japanese text generation",
        SearchFilters(max_params=2_000_000_000),
        lambda r: _ja(r) and (r.num_parameters or 0) <= 2e9,
    ),
    (
        "small chat model",
        SearchFilters(task="text-generation", fits_gpu_gb=16),
        lambda r: (
            r.pipeline_tag == "text-generation" and r.est_min_gpu_gb is not None and r.est_min_gpu_gb <= 16
        ),
    ),
    ("image classification vit", SearchFilters(), lambda r: r.pipeline_tag == "image-classification"),
]


@pytest.mark.parametrize(("query", "filters", "relevant"), RELEVANCE, ids=[q for q, _, _ in RELEVANCE])
def test_relevance(index: ModelIndex, query: str, filters: SearchFilters, relevant: Callable) -> None:
    results = index.search(query, k=10, filters=filters)
    assert len(results) == 10
    assert [r.id for r in results if not relevant(r)] == []
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_exact_ids_rank_first(index: ModelIndex) -> None:
    ids = index.models.column("id").to_pylist()
    for model_id in ids[::997][:12]:
        assert index.search(model_id, k=3)[0].id == model_id


def test_filter_matching_a_tenth_of_a_percent_keeps_top_k_full(index: ModelIndex) -> None:
    downloads = np.sort(index.models.column("downloads").fill_null(0).to_numpy())[::-1]
    threshold = int(downloads[MODELS // 1000 - 1])  # the 20 most downloaded models (0.1 %)
    matching = int((downloads >= threshold).sum())
    assert 10 <= matching <= 2 * MODELS // 1000
    for query in ("japanese sentiment classifier", "text-to-image diffusers", "bert"):
        results = index.search(query, k=10, filters=SearchFilters(min_downloads=threshold))
        assert len(results) == 10
        assert all((r.downloads or 0) >= threshold for r in results)
    everything = index.search("text", k=50, filters=SearchFilters(min_downloads=threshold))
    assert len(everything) == matching  # fewer than k match: all of them


def test_combined_filters(index: ModelIndex) -> None:
    filters = SearchFilters(
        task="text-generation", language="en", quantized=False, no_gated=True, max_size_gb=5
    )
    results = index.search("instruct", k=10, filters=filters)
    assert len(results) == 10
    for r in results:
        assert r.pipeline_tag == "text-generation" and "en" in (r.languages or [])
        assert r.quantization is None and r.gated is not True and r.weights_bytes <= 5e9


def test_quantized_filter(index: ModelIndex) -> None:
    results = index.search("text generation", k=10, filters=SearchFilters(quantized=True))
    assert len(results) == 10 and all(r.quantization for r in results)


def test_filters_are_case_insensitive_when_unambiguous(index: ModelIndex) -> None:
    results = index.search("bert", filters=SearchFilters(task="Text-Classification"))
    assert results and all(r.pipeline_tag == "text-classification" for r in results)


def test_unknown_filter_value_suggests(index: ModelIndex) -> None:
    with pytest.raises(UnknownFilterValueError, match="did you mean: text-classification"):
        index.search("bert", filters=SearchFilters(task="text-clasification"))
    with pytest.raises(UnknownFilterValueError, match="unknown license"):
        index.search("bert", filters=SearchFilters(license="no-such-license-at-all"))


@pytest.mark.parametrize("query", ["", "   ", "\n"])
def test_empty_query(index: ModelIndex, query: str) -> None:
    with pytest.raises(EmptyQueryError):
        index.search(query)


def test_query_of_unknown_words_finds_nothing(index: ModelIndex) -> None:
    assert index.search("zzzqqqxxy") == []


def test_like_puts_same_task_and_lineage_first(index: ModelIndex, dataset: Path) -> None:
    table = pq.read_table(dataset, columns=["id", "base_models"]).to_pylist()
    children: dict[str, list[str]] = {}
    for row in table:
        for base in row["base_models"] or []:
            children.setdefault(base, []).append(row["id"])
    base, kids = max(children.items(), key=lambda kv: len(kv[1]))
    assert len(kids) >= 3
    target = kids[0]
    target_task = index.search(target, k=1)[0].pipeline_tag
    results = index.like(target, k=10)
    assert len(results) == 10 and target not in [r.id for r in results]
    kin = {base, *kids}
    related = [r.id in kin or r.pipeline_tag == target_task for r in results]
    assert related[0]
    assert related == sorted(related, reverse=True)  # no unrelated model before a related one
    assert sum(r.id in kin for r in results) >= min(3, len(kin) - 1)


def test_like_with_filters_and_unknown_model(index: ModelIndex) -> None:
    some = index.models.column("id")[0].as_py()
    results = index.like(some, k=10, filters=SearchFilters(quantized=True))
    assert len(results) == 10 and all(r.quantization for r in results)
    with pytest.raises(UnknownModelError, match="no model"):
        index.like("nobody/nothing")


def test_llama_gguf_finds_llama_architecture_gguf_repos(index: ModelIndex) -> None:
    # issue #22: "llama gguf" --library gguf found no Llama model when only exact words matched; the
    # GGUF architecture (llama.cpp's name) and the architectures are searchable now
    top = index.search("llama gguf", k=5, filters=SearchFilters(library="gguf"))
    assert len(top) == 5 and top[0].gguf_architecture == "llama"  # the architecture before a licence's word
    for r in top:
        said = [r.gguf_architecture, *(r.architectures or []), r.id, *(r.base_models or []), r.license, *(r.tags or [])]
        assert any("llama" in (s or "").lower() for s in said), (r.id, said)
        assert any("llama" in line for line in r.matched_on) and r.gguf_architecture is not None
