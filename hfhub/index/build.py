"""Build the search index from the Parquet dataset on disk.

Reads only the columns it needs, batch by batch (``pyarrow.dataset``), so a build never holds the
whole dataset, and never needs the items of a crawl in memory: any dataset on disk can be indexed,
by the crawl's extension at spider close or by ``hfhub-index build``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from hfhub.index import ann, documents, embedders, store, vectors
from hfhub.index.errors import CorruptDatasetError, EmptyDatasetError
from hfhub.index.sidetables import card_summaries, config_facts, with_card_text, with_config_facts
from hfhub.index.text import document_terms, fallback_texts, plain_words
from hfhub.records.schema import DATASET_SCHEMA, SPACE_SCHEMA

logger = logging.getLogger(__name__)

# The model table kept in the index: what filters read and what results show.
MODEL_COLUMNS: dict[str, pa.DataType] = {
    "id": pa.string(),
    "author": pa.string(),
    "pipeline_tag": pa.string(),
    "library_name": pa.string(),
    "license": pa.string(),
    "languages": pa.list_(pa.string()),
    "base_models": pa.list_(pa.string()),
    "gated": pa.bool_(),
    "num_parameters": pa.int64(),
    "weights_bytes": pa.int64(),
    "quantization": pa.string(),
    "est_min_gpu_gb": pa.int64(),
    "downloads": pa.int64(),
    "likes": pa.int64(),
    "popularity_score": pa.float64(),
    "base_model_relation": pa.string(),
    # for filters, sorts and "matched on" (#22)
    "tags": pa.list_(pa.string()),
    "datasets": pa.list_(pa.string()),
    "architectures": pa.list_(pa.string()),
    "model_type": pa.string(),
    "gguf_architecture": pa.string(),
    "context_length": pa.int64(),  # the config's max_position_embeddings (or like), else the GGUF's
    "est_kv_bytes_per_token": pa.int64(),  # from the configs table (-a configs=1)
    "est_kv_global_bytes_per_token": pa.int64(),
    "kv_sliding_window": pa.int64(),
    "trending_score": pa.float64(),
    "last_modified": pa.timestamp("ms", tz="UTC"),
    "created_at": pa.timestamp("ms", tz="UTC"),
    "completeness": pa.float32(),
}
# Of the datasets and Spaces tables (hfhub.records.schema), what filters read and results show; the
# types are the tables' own.
DATASET_KEPT = (
    "id", "author", "pretty_name", "task_categories", "languages", "license", "size_category", "gated",
    "downloads", "likes", "popularity_score", "tags", "trending_score", "last_modified", "created_at",
)  # fmt: skip
SPACE_KEPT = (
    "id", "author", "title", "short_description", "sdk", "license", "models", "datasets", "runtime_stage",
    "likes", "popularity_score", "tags", "trending_score", "last_modified", "created_at",
)  # fmt: skip
_COMPLETENESS = {"completeness": pa.float32()}
INDEX_COLUMNS: dict[str, dict[str, pa.DataType]] = {
    "models": MODEL_COLUMNS,
    "datasets": {**{name: DATASET_SCHEMA.field(name).type for name in DATASET_KEPT}, **_COMPLETENESS},
    "spaces": {**{name: SPACE_SCHEMA.field(name).type for name in SPACE_KEPT}, **_COMPLETENESS},
}


def infer_kind(names: list[str] | set[str]) -> str:
    """The kind of table (models, datasets, spaces) whose columns ``names`` are: each table has a
    column the others lack (pipeline_tag, task_categories, sdk)."""
    if "sdk" in names and "pipeline_tag" not in names:
        return "spaces"
    if "task_categories" in names and "pipeline_tag" not in names:
        return "datasets"
    return "models"


# Columns read only to make a search_text for datasets written before that column existed.
FALLBACK_TEXT_COLUMNS = (
    "id",
    "pipeline_tag",
    "library_name",
    "architectures",
    "languages",
    "license",
    "tags",
)


@dataclass
class _Read:
    rows: list[np.ndarray] = field(default_factory=list)
    hashes: list[np.ndarray] = field(default_factory=list)
    models: list[pa.RecordBatch] = field(default_factory=list)  # the kept columns (INDEX_COLUMNS)
    texts: list[pa.Array] = field(default_factory=list)
    n: int = 0


# Index columns filled from another dataset column where the dataset has it: the index's parameter
# count (--max-params, the results) is the model's, with packed quantized weights unpacked.
SOURCE_COLUMNS = {"num_parameters": "est_parameters"}
# Index columns the index derives (hfhub.index.documents), not read from the table.
DERIVED_COLUMNS = ("completeness",)


def _model_batch(
    batch: pa.RecordBatch, columns: dict[str, pa.DataType] = MODEL_COLUMNS, kind_name: str = "models"
) -> pa.RecordBatch:
    """The index's columns of a batch of the table (nulls for those the table lacks)."""
    names = batch.schema.names
    arrays = []
    for name, kind in columns.items():
        if name == "completeness":
            arrays.append(documents.completeness(batch, documents.COMPLETENESS_FIELDS[kind_name]))
            continue
        if name == "context_length":
            arrays.append(_first_known(batch, ("config_max_context", "gguf_context_length"), kind))
            continue
        source = SOURCE_COLUMNS.get(name, name)
        source = source if source in names else name
        arrays.append(batch.column(source).cast(kind) if source in names else pa.nulls(batch.num_rows, kind))
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))


def _first_known(batch: pa.RecordBatch, names: tuple[str, ...], kind: pa.DataType) -> pa.Array:
    arrays = [batch.column(n).cast(kind) for n in names if n in batch.schema.names]
    return pc.coalesce(*arrays) if arrays else pa.nulls(batch.num_rows, kind)


def _read(
    dataset: ds.Dataset,
    keep_texts: bool,
    cards: pa.Table | None = None,
    kind: str = "models",
    configs: pa.Table | None = None,
) -> _Read:
    names = set(dataset.schema.names)
    columns = INDEX_COLUMNS[kind]
    has_text = "search_text" in names
    if not has_text:
        logger.warning("the dataset has no search_text column: indexing a text made of its other columns")
    fallback = FALLBACK_TEXT_COLUMNS if kind == "models" else tuple(columns)
    sources = [*SOURCE_COLUMNS.values(), "gguf_context_length"] if kind == "models" else []
    document_columns = documents.DOCUMENT_COLUMNS[kind]
    wanted = {
        *columns, *sources, *document_columns, *documents.COMPLETENESS_FIELDS[kind],
        *(("search_text",) if has_text else fallback),
    } & names
    read = _Read()
    for batch in dataset.to_batches(columns=sorted(wanted), batch_size=65_536):
        batch = with_config_facts(batch, configs)
        if has_text:
            text = batch.column("search_text")
        elif kind == "models":
            text = pa.array(fallback_texts(batch.to_pylist()))
        else:
            text = pa.array([plain_words(row.values()) for row in batch.to_pylist()], pa.string())
        text = documents.document(batch, text, kind)
        text = with_card_text(batch.column("id"), text, cards)
        rows, hashes = document_terms(text)
        read.rows.append((rows + read.n).astype(np.int32))
        read.hashes.append(hashes)
        read.models.append(_model_batch(batch, columns, kind))
        if keep_texts:
            read.texts.append(text)
        read.n += batch.num_rows
    return read


def _dense(
    read: _Read, tfidf: vectors.Tfidf, embedder: embedders.Embedder | None, settings: vectors.VectorizerSettings
) -> tuple[np.ndarray, vectors.Lsa | None]:
    if embedder is not None:  # batch by batch: one batch's Python strings at a time
        out = np.empty((read.n, embedder.dim), dtype=np.float32)
        start = 0
        for chunk in read.texts:
            out[start : start + len(chunk)] = embedder.encode(chunk.fill_null("").to_pylist())
            start += len(chunk)
        return out, None
    lsa = vectors.fit_lsa(tfidf.matrix, settings)
    return vectors.lsa_transform(tfidf.matrix, lsa), lsa


def choose_embedder(embedding: str | None) -> tuple[str, embedders.Embedder | None, str | None]:
    """(the embedding used, its embedder (None for LSA), why the default was not used).

    ``None`` asks for the default (``vectors.DEFAULT_EMBEDDING``), and falls back to LSA when its
    package is missing; an embedding named is that one or an error."""
    if embedding is not None and embedding not in vectors.EMBEDDINGS:
        raise ValueError(f"embedding must be one of {', '.join(vectors.EMBEDDINGS)}, not {embedding!r}")
    wanted = embedding or vectors.DEFAULT_EMBEDDING
    if wanted == "lsa":
        return "lsa", None, None
    try:
        return wanted, embedders.get(wanted), None
    except RuntimeError as exc:
        if embedding is not None:
            raise
        logger.warning("the default embedding is unavailable (%(why)s): using LSA", {"why": exc})
        return "lsa", None, str(exc)


def build_index(
    dataset_dir: Path | str,
    index_dir: Path | str,
    *,
    embedding: str | None = None,
    settings: vectors.VectorizerSettings | None = None,
    cards_dir: Path | str | None = None,
    kind: str | None = None,
    configs_dir: Path | str | None = None,
) -> dict[str, Any]:
    """Build the index of the table at ``dataset_dir`` into ``index_dir``; return its manifest.
    With ``cards_dir`` (the cards table of ``scrapy crawl models -a cards=1``), each model's card
    summary is indexed with its search_text; with ``configs_dir`` (the configs table of
    ``-a configs=1``), each model's KV cache per token and context length are kept for filters. ``kind`` (models, datasets, spaces) says which table
    it is, and so which columns the index keeps (``INDEX_COLUMNS``); without it, the table's
    columns say (``infer_kind``). The manifest records it."""
    embedding, embedder, fallback = choose_embedder(embedding)
    dataset_dir, index_dir = Path(dataset_dir), Path(index_dir)
    settings = settings or vectors.VectorizerSettings()
    files = store.dataset_files(dataset_dir)
    if not files:
        raise EmptyDatasetError(f"no Parquet part files in {dataset_dir}: crawl first (scrapy crawl models)")
    fingerprint = store.fingerprint(dataset_dir)
    timings: dict[str, float] = {}
    started = clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = round(now - clock, 3)
        clock = now

    cards = card_summaries(Path(cards_dir) if cards_dir else None)
    configs = config_facts(Path(configs_dir) if configs_dir else None)
    try:
        table = ds.dataset(files, format="parquet")
        kind = kind or infer_kind(table.schema.names)
        if kind not in INDEX_COLUMNS:
            raise ValueError(f"kind must be one of {', '.join(INDEX_COLUMNS)}, not {kind!r}")
        read = _read(table, keep_texts=embedder is not None, cards=cards, kind=kind,
                     configs=configs if kind == "models" else None)
    except (pa.ArrowInvalid, OSError) as exc:
        raise CorruptDatasetError(f"the dataset in {dataset_dir} has an unreadable part file: {exc}") from None
    if read.n == 0:
        raise EmptyDatasetError(f"the dataset in {dataset_dir} has no rows: nothing to index")
    lap("read_and_tokenize")
    counts = vectors.count_terms(np.concatenate(read.rows), np.concatenate(read.hashes), read.n, settings)
    del read.rows, read.hashes
    bm25 = vectors.bm25_of(counts, settings)
    lap("tfidf")
    dense, lsa = _dense(read, vectors.tfidf_of(counts, settings) if embedder is None else counts, embedder, settings)
    del counts
    lap("dense")
    ann_settings = ann.choose_settings(read.n)
    ann_index = ann.build(dense, ann_settings, seed=settings.random_state)
    lap("ann")
    with store.new_version(index_dir) as out:
        _save(out, read, bm25, dense, lsa, ann_index)
        lap("write")
        manifest = {
            "format_version": store.FORMAT_VERSION,
            "kind": kind,
            "columns": list(INDEX_COLUMNS[kind]),
            "model_count": read.n,  # the rows indexed, whatever their kind (the name is older than kinds)
            "dataset": {"path": str(dataset_dir.resolve()), "fingerprint": fingerprint, "files": len(files)},
            "vectorizer": {
                **settings.to_dict(),
                "lexical": "bm25",
                "terms": len(bm25.term_hashes),
                "nnz": int(bm25.matrix.nnz),
            },
            "embedding": {
                "kind": embedding, "dim": int(dense.shape[1]), **({"default_unavailable": fallback} if fallback else {})
            },
            "ann": {"kind": ann_settings.kind, "nlist": ann_settings.nlist, "nprobe": ann_settings.nprobe},
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 3),
            "timings": timings,
        }
        store.write_manifest(out, manifest)
    logger.info(
        "indexed %(n)d %(kind)s in %(s).1fs into %(dir)s",
        {"n": read.n, "kind": kind, "s": manifest["build_seconds"], "dir": index_dir},
    )
    return manifest


def _save(
    out: Path,
    read: _Read,
    tfidf: vectors.Tfidf,
    dense: np.ndarray,
    lsa: vectors.Lsa | None,
    ann_index: object,
) -> None:
    # Column-major postings: a query term's models are one contiguous slice.
    csc = tfidf.matrix.tocsc()
    csc.sort_indices()
    store.save_array(out, "postings_indptr", csc.indptr.astype(np.int64))
    # int64 rows: numpy converts an int32 index array to int64 on every fancy-indexing call, which
    # was a fifth of a query's lexical pass.
    store.save_array(out, "postings_rows", csc.indices.astype(np.int64))
    store.save_array(out, "postings_weights", csc.data.astype(np.float32))
    # Row-major too: a query's candidates' TF-IDF entries are then contiguous slices (see
    # ``ModelIndex._lexical_scores``), where a binary search per query term and candidate cost more.
    csr = tfidf.matrix.tocsr()
    store.save_array(out, "docs_indptr", csr.indptr.astype(np.int64))
    store.save_array(out, "docs_terms", csr.indices.astype(np.int32))
    store.save_array(out, "docs_weights", csr.data.astype(np.float32))
    store.save_array(out, "term_hashes", tfidf.term_hashes)
    store.save_array(out, "idf", tfidf.idf)
    if lsa is not None:
        store.save_array(out, "lsa_columns", lsa.columns)
        store.save_array(out, "lsa_projection", lsa.projection)
    # float32, not float16: numpy converts float16 without SIMD (~2.6 ns a value), which was ~1 ms of
    # a query's ~1.5k candidates; the map's pages are shared with the page cache (1.5 GB at 1M).
    store.save_array(out, "dense", np.ascontiguousarray(dense, dtype=np.float32))
    ann.save(ann_index, out / "ann.faiss")
    models = pa.Table.from_batches(read.models)
    pq.write_table(models, out / "models.parquet", compression="zstd", row_group_size=max(1, models.num_rows))
