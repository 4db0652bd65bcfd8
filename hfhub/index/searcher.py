"""Query an index: ``ModelIndex.load(path).search(query, k, filters)`` and ``.like(model_id, ...)``.

Ranking. A model's score for a query is

    score = 0.5 * lexical + 0.5 * dense + 0.02 * popularity / 100

where ``lexical`` is the cosine of TF-IDF vectors (exact words: names, tasks, licenses) times the
share of the query's terms the model has (see ``_lexical_scores``), ``dense`` the
cosine of the 384-dim embeddings (related words: LSA topics or MiniLM meaning), and ``popularity`` the
dataset's 0..100 ``popularity_score``. Lexical and dense are weighed equally: lexical alone misses
paraphrases, dense alone blurs exact names. The popularity term is a tie-breaker: many models share
a template card, and among equally relevant ones the used one should come first.

Candidates are the union of the dense nearest neighbours (``hfhub.index.ann``) and the best lexical
matches over the query's rarest terms; every candidate is then scored exactly with the formula.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hfhub.index import ann, store, vectors
from hfhub.index.errors import EmptyQueryError, IndexKindError, StaleIndexError, UnknownModelError
from hfhub.index.filters import SINGULAR, FilterColumns, SearchFilters, check_applies
from hfhub.index.text import expand_query, query_hashes
from hfhub.links import hub_url

LEXICAL_WEIGHT = 0.5
DENSE_WEIGHT = 0.5
POPULARITY_WEIGHT = 0.02
# --like: how much a shared task or base model adds to the dense cosine, so that siblings and
# children of a model come before look-alikes of another task or lineage.
SAME_TASK_BONUS = 0.1
SAME_BASE_BONUS = 0.1
# Postings summed for lexical candidates, rarest terms first. Measured at 1M (50 queries): 100k
# gave recall@10 0.950 of the exact ranking, 200k 0.966 for ~0.4 ms more.
POSTINGS_BUDGET = 200_000
CANDIDATES = 200  # lexical candidates: the rows of the 4 * CANDIDATES best postings sums
# Dense candidates: the ANN returns 5x this many rows (300 for k=10). 1,000 rows recalled no more
# of the exact top 10 at 1M (0.966 vs 0.964) and cost ~0.5 ms more in the IVF scan's heap.
DENSE_CANDIDATES = 60


@dataclass(frozen=True)
class Result:
    """A repo found, of the index's kind; ``to_dict`` adds its ``type`` and Hub ``url``."""

    kind: ClassVar[str] = "models"
    id: str
    score: float
    lexical: float
    dense: float

    def to_dict(self) -> dict[str, Any]:
        return {"type": SINGULAR[self.kind], "url": self.url, **self.__dict__}

    @property
    def url(self) -> str:
        """The repo's page on the Hub (https://huggingface.co, whatever endpoint was crawled)."""
        return hub_url(self.kind, self.id)


@dataclass(frozen=True)
class SearchResult(Result):
    """A model found."""

    pipeline_tag: str | None
    library_name: str | None
    author: str | None
    license: str | None
    num_parameters: int | None
    weights_bytes: int | None
    est_min_gpu_gb: int | None
    quantization: str | None
    downloads: int | None
    likes: int | None
    gated: bool | None
    languages: list[str] | None
    base_models: list[str] | None


@dataclass(frozen=True)
class DatasetResult(Result):
    kind: ClassVar[str] = "datasets"
    author: str | None
    pretty_name: str | None
    task_categories: list[str] | None
    languages: list[str] | None
    license: str | None
    size_category: str | None
    gated: bool | None
    downloads: int | None
    likes: int | None


@dataclass(frozen=True)
class SpaceResult(Result):
    kind: ClassVar[str] = "spaces"
    author: str | None
    title: str | None
    short_description: str | None
    sdk: str | None
    license: str | None
    models: list[str] | None
    datasets: list[str] | None
    runtime_stage: str | None
    likes: int | None


RESULTS: dict[str, type[Result]] = {"models": SearchResult, "datasets": DatasetResult, "spaces": SpaceResult}


class ModelIndex:
    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest
        # An index of models, datasets or Spaces (older manifests name no kind: models)
        self.kind: str = manifest.get("kind", "models")
        self.result_class = RESULTS[self.kind]
        self._result_fields = [f.name for f in fields(self.result_class) if f.name not in ("score", "lexical", "dense")]
        # the kind's columns, read as "models" whatever the kind (the file's name predates kinds)
        self.models = pq.read_table(path / "models.parquet").combine_chunks()  # one chunk: fast take()
        self.n = self.models.num_rows
        self.columns = FilterColumns(self.models, self.kind)
        self.indptr = store.load_array(path, "postings_indptr", populate=True)
        self.post_rows = store.load_array(path, "postings_rows", populate=True)
        self.post_weights = store.load_array(path, "postings_weights", populate=True)
        self.doc_indptr = store.load_array(path, "docs_indptr", populate=True)
        self.doc_terms = store.load_array(path, "docs_terms", populate=True)
        self.doc_weights = store.load_array(path, "docs_weights", populate=True)
        self.term_hashes = store.load_array(path, "term_hashes", mmap=False)
        self.idf = store.load_array(path, "idf", mmap=False)
        self.sublinear_tf = bool(manifest["vectorizer"]["sublinear_tf"])
        self.embedding = manifest["embedding"]["kind"]
        self.lsa = None
        if self.embedding == "lsa":
            self.lsa = vectors.Lsa(
                store.load_array(path, "lsa_columns"), store.load_array(path, "lsa_projection")
            )
        self._minilm: vectors.MiniLM | None = None
        self.dense = ann.DenseSearcher(
            ann.load(path / "ann.faiss"),
            store.load_array(path, "dense", populate=True),
            manifest["ann"]["nprobe"],
        )
        self.popularity = self.columns.numeric("popularity_score", 0.0).astype(np.float32)
        self._ids: dict[str, int] | None = None
        self._scratch = _Scratch()

    @classmethod
    def load(
        cls,
        index_dir: Path | str,
        dataset_dir: Path | str | None = None,
        *,
        check: bool = True,
        kind: str | None = None,
    ) -> ModelIndex:
        """Open the index at ``index_dir``.

        Unless ``check`` is false, refuse (``StaleIndexError``) an index built from another state of
        the dataset (the one at ``dataset_dir``, by default the one it was built from), or from a
        dataset that is gone: its answers would name models that are not there. With ``kind``
        (models, datasets, spaces), refuse (``IndexKindError``) an index of another kind.
        """
        version, manifest = store.resolve(Path(index_dir))
        held = manifest.get("kind", "models")
        if kind is not None and held != kind:
            source = manifest.get("dataset", {}).get("path", "its table")
            hint = (
                f"rebuild it: `hfhub-index build --type {SINGULAR[kind]} --dataset {source} --index {index_dir}`"
                if "kind" not in manifest
                else f"give the index of the {kind}"
            )
            raise IndexKindError(f"the index at {index_dir} holds {held}, not {kind}: {hint}")
        dataset = Path(dataset_dir) if dataset_dir is not None else Path(manifest["dataset"]["path"])
        if check and not dataset.is_dir():
            raise StaleIndexError(
                f"the index at {index_dir} was built from {dataset}, which no longer exists: rebuild it from "
                f"the dataset you have (`hfhub-index build --dataset output/models --index {index_dir}`), or "
                "give --dataset if the dataset has moved"
            )
        if check and store.fingerprint(dataset) != manifest["dataset"]["fingerprint"]:
            raise StaleIndexError(
                f"the index at {index_dir} was built from a different dataset than the one now in "
                f"{dataset}: rebuild it with `hfhub-index build --dataset {dataset} --index {index_dir}`"
            )
        return cls(version, manifest)

    # -- queries ---------------------------------------------------------------------------------
    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None) -> list[Result]:
        if not query or not query.strip():
            raise EmptyQueryError('empty query: say what to look for, e.g. "japanese sentiment classifier"')
        check_applies(filters or SearchFilters(), self.kind)  # even when no term matches: say so
        hashes = query_hashes(expand_query(query))
        cols, weights = vectors.query_tfidf(hashes, self.term_hashes, self.idf, self.sublinear_tf)
        dense_q = self._dense_query(query, cols, weights)
        if not len(cols) and not dense_q.any():
            return []
        mask = self.columns.mask(filters or SearchFilters())
        pool = max(CANDIDATES, 4 * k)
        rows = self.dense.candidates(dense_q, max(DENSE_CANDIDATES, 4 * k), mask)
        candidates, lexical = self._lexical(rows, cols, weights, pool, mask)
        dense = self.dense.scores(candidates, dense_q)
        score = (
            LEXICAL_WEIGHT * lexical
            + DENSE_WEIGHT * dense
            + POPULARITY_WEIGHT * self.popularity[candidates] / 100
        )
        return self._top(candidates, score, lexical, dense, k)

    def like(self, model_id: str, k: int = 10, filters: SearchFilters | None = None) -> list[Result]:
        """Models nearest to ``model_id``: dense cosine, plus bonuses for a shared task or lineage."""
        check_applies(filters or SearchFilters(), self.kind)
        row = self.row_of(model_id)
        mask = self.columns.mask(filters or SearchFilters())
        mask = np.ones(self.n, dtype=bool) if mask is None else mask.copy()
        mask[row] = False
        query = self.dense.vectors[row].astype(np.float32)
        rows = self.dense.candidates(query, max(CANDIDATES, 4 * k), mask)
        if self.kind != "models":  # datasets and Spaces: the dense cosine (no task or lineage column)
            dense = self.dense.scores(rows, query)
            score = dense + POPULARITY_WEIGHT * self.popularity[rows] / 100
            return self._top(rows, score, np.zeros(len(rows), np.float32), dense, k)
        kin = self._lineage(row)
        candidates = np.union1d(rows, kin[mask[kin]])
        dense = self.dense.scores(candidates, query)
        tasks, _ = self.columns.codes("pipeline_tag")
        same_task = (tasks[candidates] == tasks[row]) & (tasks[row] >= 0)
        score = dense + SAME_TASK_BONUS * same_task + SAME_BASE_BONUS * np.isin(candidates, kin)
        score += POPULARITY_WEIGHT * self.popularity[candidates] / 100
        return self._top(candidates, score, np.zeros(len(candidates), np.float32), dense, k)

    def row_of(self, model_id: str) -> int:
        if self._ids is None:
            self._ids = {v: i for i, v in enumerate(self.models.column("id").to_pylist())}
        if model_id not in self._ids:
            raise UnknownModelError(
                f"no {SINGULAR[self.kind]} {model_id!r} in the index (ids are case-sensitive: owner/name)"
            )
        return self._ids[model_id]

    # -- parts -----------------------------------------------------------------------------------
    def _dense_query(self, query: str, cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
        if self.lsa is not None:
            return vectors.lsa_query(cols, weights, self.lsa)
        if self._minilm is None:
            self._minilm = vectors.MiniLM()
        return self._minilm.encode([query])[0]

    def _postings(self, col: int) -> tuple[np.ndarray, np.ndarray]:
        start, stop = self.indptr[col], self.indptr[col + 1]
        return self.post_rows[start:stop], self.post_weights[start:stop]

    def _lexical(
        self,
        dense_rows: np.ndarray,
        cols: np.ndarray,
        weights: np.ndarray,
        pool: int,
        mask: np.ndarray | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(candidates, their lexical scores): ``dense_rows`` plus the best lexical matches.

        The lexical matches are the best sums over the query's rarest terms (up to
        ``POSTINGS_BUDGET`` postings). Common terms (a task shared by 10 % of the Hub) would cost
        milliseconds to sum and barely separate models; the dense candidates cover them, and the
        exact re-scoring counts them. The sums go to a per-thread accumulator that is zeroed where
        touched after use: allocating and zeroing 1M floats per query cost more than the sums.
        """
        acc = self._accumulator()
        touched: list[np.ndarray] = []
        try:
            budget = POSTINGS_BUDGET
            for i in np.argsort(self.indptr[cols + 1] - self.indptr[cols], kind="stable").tolist():
                post_rows, values = self._postings(int(cols[i]))
                if len(post_rows) > budget:
                    break
                budget -= len(post_rows)
                touched.append(post_rows)
                np.add.at(acc, post_rows, weights[i] * values)  # faster than +=, same sums
            hits = np.concatenate(touched) if touched else np.zeros(0, dtype=np.int64)
            if mask is not None:
                hits = hits[mask[hits]]
            hits = _best(hits, acc[hits], 4 * pool)  # 4x: a model is in several postings
        finally:
            for post_rows in touched:
                acc[post_rows] = 0
        candidates = _union(dense_rows, hits)
        return candidates, self._lexical_scores(candidates, cols, weights)

    def _accumulator(self) -> np.ndarray:
        scratch = self._scratch
        if scratch.acc is None:
            scratch.acc = np.zeros(self.n, dtype=np.float32)
            scratch.acc.fill(0)  # touch every page now, not during the first queries
        return scratch.acc

    def _lexical_scores(self, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """TF-IDF cosine of ``rows`` times the share of query terms they contain.

        The share (Lucene's classic "coord" factor) keeps a short card that repeats one query word
        ("… llama") from outranking cards that have every word ("… gguf … llama"): cosine alone
        favours short documents. Reads the rows' own TF-IDF entries (~16 a model, contiguous in the
        row-major copy) against a per-thread table of the query's term weights: ~0.15 ms for 1.5k
        candidates, where a binary search of each query term's postings took ~0.8 ms.
        """
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty(len(rows), dtype=np.float32)
        table = self._scratch.term_weights
        if table is None:
            table = self._scratch.term_weights = np.zeros(len(self.term_hashes), dtype=np.float32)
            table.fill(0)  # touch every page now
        table[cols] = weights  # cols are distinct
        try:
            for start in range(0, len(rows), 1 << 16):  # bounded temporaries for long row lists
                out[start : start + (1 << 16)] = self._row_scores(rows[start : start + (1 << 16)], table)
        finally:
            table[cols] = 0
        return out / max(len(cols), 1)

    def _row_scores(self, rows: np.ndarray, table: np.ndarray) -> np.ndarray:
        """Sum of query weight x TF-IDF, times the number of query terms, of each of ``rows``."""
        starts = self.doc_indptr[rows]
        lengths = self.doc_indptr[rows + 1] - starts
        ends = np.cumsum(lengths)
        # Position of every entry of every row: a row's entries are starts[i] .. starts[i] + len.
        entries = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
        entries += np.repeat(starts - (ends - lengths), lengths)
        query_weight = table[self.doc_terms[entries]]
        hit = np.flatnonzero(query_weight)
        owner = np.repeat(np.arange(len(rows)), lengths)[hit]
        total = np.bincount(owner, query_weight[hit] * self.doc_weights[entries[hit]], len(rows))
        matched = np.bincount(owner, minlength=len(rows))
        return (total * matched).astype(np.float32)

    def _lineage(self, row: int) -> np.ndarray:
        """Rows sharing a base model with ``row``, its base models, and models built on it."""
        bases = self.models.column("base_models")[row].as_py() or []
        names = [*bases, self.models.column("id")[row].as_py()]
        column = self.models.column("base_models").combine_chunks()
        flat = pc.list_flatten(column)
        parents = pc.list_parent_indices(column).to_numpy()
        related = parents[pc.is_in(flat, value_set=pc.cast(names, flat.type)).to_numpy(zero_copy_only=False)]
        own = (
            np.flatnonzero(
                pc.is_in(self.models.column("id"), value_set=pc.cast(bases, "string")).to_numpy(
                    zero_copy_only=False
                )
            )
            if bases
            else np.zeros(0, dtype=np.int64)
        )
        return np.setdiff1d(np.union1d(related, own), [row]).astype(np.int64)

    def _top(
        self, rows: np.ndarray, score: np.ndarray, lexical: np.ndarray, dense: np.ndarray, k: int
    ) -> list[Result]:
        order = np.lexsort((rows, -score))[:k]  # best score first; ties by row, for stable output
        picked = self.models.take(rows[order]).to_pylist()
        make = self.result_class
        return [
            make(  # type: ignore[misc]
                score=float(score[i]),
                lexical=float(lexical[i]),
                dense=float(dense[i]),
                **{f: m.get(f) for f in self._result_fields},
            )
            for i, m in zip(order.tolist(), picked)
        ]


class _Scratch(threading.local):
    """A per-thread lexical accumulator (a web server answers queries from several threads)."""

    acc: np.ndarray | None = None  # by row
    term_weights: np.ndarray | None = None  # by TF-IDF column


def _best(rows: np.ndarray, scores: np.ndarray, keep: int) -> np.ndarray:
    """The ``rows`` whose ``scores`` reach the ``keep``-th best (ties included, up to 2 * keep).

    Exact, but cheaper than partitioning all ~50k scores (~0.45 ms): a 1-in-16 sample's
    ``2 * keep / 16``-th best score is a threshold that about ``2 * keep`` scores reach, and only
    those are partitioned; should fewer than ``keep`` reach it, all the scores are.
    """
    if len(rows) <= keep:
        return rows
    if len(scores) > 32 * keep:
        sample = scores[::16]
        rank = len(sample) - max(1, 2 * keep // 16)
        above = np.flatnonzero(scores >= np.partition(sample, rank)[rank])
        if len(above) >= keep:
            rows, scores = rows[above], scores[above]
    if len(rows) <= keep:
        return rows
    cut = len(scores) - keep
    best = scores >= np.partition(scores, cut)[cut]
    if np.count_nonzero(best) > 2 * keep:  # many ties (identical cards): any ``keep`` of them
        return rows[np.argpartition(scores, cut)[cut:]]
    return rows[best]


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted distinct int64 rows of both (``np.union1d`` of int64 and int32 took ~0.8 ms)."""
    rows = np.concatenate([a.astype(np.int64, copy=False), b.astype(np.int64, copy=False)])
    rows.sort()
    if len(rows) < 2:
        return rows
    keep = np.empty(len(rows), dtype=bool)
    keep[0] = True
    np.not_equal(rows[1:], rows[:-1], out=keep[1:])
    return rows[keep]

