"""Query an index: ``ModelIndex.load(path).search(query, k, filters, sort)`` and ``.like(model_id, ...)``.

The score of a row for a query is in [0, 1]: ``hfhub.index.ranking`` gives the formula (BM25
lexical matching, the embeddings' cosine and a small prior of popularity and completeness) and
why. Each result says what it matched on (``hfhub.index.explain``).

Candidates are the union of the dense nearest neighbours (``hfhub.index.ann``) and the best lexical
matches over the query's rarest terms; every candidate is then scored exactly with the formula.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hfhub.index import ann, embedders, ranking, store, vectors
from hfhub.index.errors import EmptyQueryError, IndexKindError, StaleIndexError, UnknownModelError
from hfhub.index.explain import matched_on
from hfhub.index.filters import SINGULAR, FilterColumns, SearchFilters, check_applies
from hfhub.index.query import Plan, plan
from hfhub.index.results import RESULTS, DatasetResult, Result, SearchResult, SpaceResult

__all__ = ["DatasetResult", "ModelIndex", "Result", "SearchResult", "SpaceResult"]

# Postings summed for lexical candidates, rarest terms first. Measured at 1M (50 queries): 100k
# gave recall@10 0.950 of the exact ranking, 200k 0.966 for ~0.4 ms more.
POSTINGS_BUDGET = 200_000
CANDIDATES = 200  # lexical candidates: the rows of the 4 * CANDIDATES best postings sums
# Dense candidates: the ANN returns 5x this many rows (300 for k=10). 1,000 rows recalled no more
# of the exact top 10 at 1M (0.966 vs 0.964) and cost ~0.5 ms more in the IVF scan's heap.
DENSE_CANDIDATES = 60




class ModelIndex:
    def __init__(self, path: Path, manifest: dict[str, Any]) -> None:
        self.path = path
        self.manifest = manifest
        # An index of models, datasets or Spaces (older manifests name no kind: models)
        self.kind: str = manifest.get("kind", "models")
        self.result_class = RESULTS[self.kind]
        self._result_fields = [f.name for f in fields(self.result_class) if f.name not in _SCORE_FIELDS]
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
        self._embedder: embedders.Embedder | None = None
        self.dense = ann.DenseSearcher(
            ann.load(path / "ann.faiss"),
            store.load_array(path, "dense", populate=True),
            manifest["ann"]["nprobe"],
        )
        self.popularity = self.columns.numeric("popularity_score", 0.0).astype(np.float32)
        # older indexes have no completeness column: every row counts as complete
        completeness = self.columns.numeric("completeness", 1.0) if "completeness" in self.models.column_names else np.ones(self.n)
        self.prior = ranking.prior(self.popularity, completeness).astype(np.float32)
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
    def search(
        self, query: str, k: int = 10, filters: SearchFilters | None = None, sort: str = "relevance"
    ) -> list[Result]:
        """The ``k`` best rows for ``query``: by relevance, or (``sort``, ``ranking.SORTS``) the
        ``ranking.sort_pool(k)`` most relevant ordered by a column."""
        if not query or not query.strip():
            raise EmptyQueryError('empty query: say what to look for, e.g. "japanese sentiment classifier"')
        if sort not in ranking.SORTS:
            raise ValueError(f"sort must be one of {', '.join(ranking.SORTS)}, not {sort!r}")
        check_applies(filters or SearchFilters(), self.kind)  # even when no term matches: say so
        wanted = plan(query, self.term_hashes, self.idf, self.n)
        cols, weights = wanted.cols, wanted.column_weights()
        if not len(cols):  # no word of the query is in any document: an embedding would only guess
            return []
        dense_q = self._dense_query(query, cols, weights)
        mask = self.columns.mask(filters or SearchFilters())
        shown = k if sort == "relevance" else ranking.sort_pool(k)
        pool = max(CANDIDATES, 4 * shown)
        rows = self.dense.candidates(dense_q, max(DENSE_CANDIDATES, 4 * shown), mask)
        candidates, lexical = self._lexical(rows, wanted, pool, mask)
        dense = np.clip(self.dense.scores(candidates, dense_q), 0, 1)
        prior = self.prior[candidates]
        score = ranking.relevance(lexical, dense, prior)
        order = np.lexsort((candidates, -score))[:shown]  # best first; ties by row, for stable output
        column = ranking.SORTS[sort]
        if column is not None:
            order = ranking.order_by(self._sort_values(column)[candidates], order)[:k]
        return self._results(candidates, order, score, lexical, dense, prior, self._explainer(wanted))

    def like(self, model_id: str, k: int = 10, filters: SearchFilters | None = None) -> list[Result]:
        """Models nearest to ``model_id``: dense cosine, plus bonuses for a shared task or lineage
        (``ranking.likeness``: a score in [0, 1])."""
        check_applies(filters or SearchFilters(), self.kind)
        row = self.row_of(model_id)
        mask = self.columns.mask(filters or SearchFilters())
        mask = np.ones(self.n, dtype=bool) if mask is None else mask.copy()
        mask[row] = False
        query = self.dense.vectors[row].astype(np.float32)
        rows = self.dense.candidates(query, max(CANDIDATES, 4 * k), mask)
        if self.kind != "models":  # datasets and Spaces: the dense cosine (no task or lineage column)
            dense = np.clip(self.dense.scores(rows, query), 0, 1)
            no = np.zeros(len(rows))
            score = ranking.likeness(dense, no, no, self.prior[rows])
            order = np.lexsort((rows, -score))[:k]
            return self._results(rows, order, score, np.zeros(len(rows), np.float32), dense, self.prior[rows])
        kin = self._lineage(row)
        candidates = np.union1d(rows, kin[mask[kin]])
        dense = np.clip(self.dense.scores(candidates, query), 0, 1)
        tasks, _ = self.columns.codes("pipeline_tag")
        same_task = (tasks[candidates] == tasks[row]) & (tasks[row] >= 0)
        same_base = np.isin(candidates, kin)
        prior = self.prior[candidates]
        score = ranking.likeness(dense, same_task, same_base, prior)
        order = np.lexsort((candidates, -score))[:k]
        return self._results(candidates, order, score, np.zeros(len(candidates), np.float32), dense, prior)

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
        if self._embedder is None:
            self._embedder = embedders.get(self.embedding)
        return self._embedder.encode_query(query)

    def _postings(self, col: int) -> tuple[np.ndarray, np.ndarray]:
        start, stop = self.indptr[col], self.indptr[col + 1]
        return self.post_rows[start:stop], self.post_weights[start:stop]

    def _lexical(
        self, dense_rows: np.ndarray, wanted: Plan, pool: int, mask: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(candidates, their lexical scores): ``dense_rows`` plus the best lexical matches.

        The lexical matches are the best sums over the query's rarest terms (up to
        ``POSTINGS_BUDGET`` postings). Common terms (a task shared by 10 % of the Hub) would cost
        milliseconds to sum and barely separate models; the dense candidates cover them, and the
        exact re-scoring counts them. The sums go to a per-thread accumulator that is zeroed where
        touched after use: allocating and zeroing 1M floats per query cost more than the sums.
        """
        cols, weights = wanted.cols, wanted.column_weights()
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
            # 4x: a model is in several postings. Ties are many (20,000 models of 1M share the top
            # sum for "speech recognition whisper"): the prior, as the score weighs it, breaks them.
            key = ranking.LEXICAL_WEIGHT * acc[hits] + ranking.PRIOR_WEIGHT * self.prior[hits]
            hits = _best(hits, key, 4 * pool)
        finally:
            for post_rows in touched:
                acc[post_rows] = 0
        candidates = _union(dense_rows, hits)
        return candidates, self._lexical_scores(candidates, wanted)

    def _accumulator(self) -> np.ndarray:
        scratch = self._scratch
        if scratch.acc is None:
            scratch.acc = np.zeros(self.n, dtype=np.float32)
            scratch.acc.fill(0)  # touch every page now, not during the first queries
        return scratch.acc

    def _lexical_scores(self, rows: np.ndarray, wanted: Plan) -> np.ndarray:
        """The lexical scores of ``rows`` for the planned query, in [0, 1] (``hfhub.index.query``).

        Reads the rows' own BM25 entries (contiguous in the row-major copy) against a per-thread
        table of the query's term slots: ~0.15 ms for 1.5k candidates, where a binary search of
        each query term's postings took ~0.8 ms.
        """
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty(len(rows), dtype=np.float32)
        table = self._scratch.slots
        if table is None:
            table = self._scratch.slots = np.zeros(len(self.term_hashes), dtype=np.int32)
            table.fill(0)  # touch every page now
        table[wanted.cols] = np.arange(1, len(wanted.cols) + 1)  # cols are distinct
        try:
            for start in range(0, len(rows), 1 << 16):  # bounded temporaries for long row lists
                out[start : start + (1 << 16)] = self._row_scores(rows[start : start + (1 << 16)], table, wanted)
        finally:
            table[wanted.cols] = 0
        return out

    def _row_scores(self, rows: np.ndarray, table: np.ndarray, wanted: Plan) -> np.ndarray:
        starts = self.doc_indptr[rows]
        lengths = self.doc_indptr[rows + 1] - starts
        ends = np.cumsum(lengths)
        # Position of every entry of every row: a row's entries are starts[i] .. starts[i] + len.
        entries = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
        entries += np.repeat(starts - (ends - lengths), lengths)
        slots = table[self.doc_terms[entries]]
        hit = np.flatnonzero(slots)
        owner = np.repeat(np.arange(len(rows)), lengths)[hit]
        return wanted.score(owner, slots[hit] - 1, self.doc_weights[entries[hit]], len(rows))

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

    def _sort_values(self, column: str) -> np.ndarray:
        """A sort column as float64, NaN where unknown (timestamps as their epoch value)."""
        values = self.models.column(column)
        if pa.types.is_timestamp(values.type):
            values = values.cast(pa.int64())
        return values.cast(pa.float64()).to_numpy(zero_copy_only=False)

    def _explainer(self, wanted: Plan) -> Callable[[int, dict[str, Any]], list[str]]:
        """``explain(row, values)``: what the row matched on (``hfhub.index.explain``)."""

        def explain(row: int, values: dict[str, Any]) -> list[str]:
            held = self.doc_terms[self.doc_indptr[row] : self.doc_indptr[row + 1]]
            in_document = {wanted.terms[c] for c in held.tolist() if c in wanted.terms}
            return matched_on(values, wanted.term_weights, in_document, self.kind, wanted.pieces)

        return explain

    def _results(
        self,
        rows: np.ndarray,
        order: np.ndarray,
        score: np.ndarray,
        lexical: np.ndarray,
        dense: np.ndarray,
        prior: np.ndarray,
        explain: Callable[[int, dict[str, Any]], list[str]] | None = None,
    ) -> list[Result]:
        """The results at positions ``order`` of the candidate ``rows``, in that order."""
        picked = self.models.take(rows[order]).to_pylist()
        make = self.result_class
        return [
            make(  # type: ignore[call-arg]
                score=round(float(score[i]), 6),
                lexical=round(float(lexical[i]), 6),
                dense=round(float(dense[i]), 6),
                prior=round(float(prior[i]), 6),
                matched_on=explain(int(rows[i]), m) if explain is not None else [],
                **{f: m.get(f) for f in self._result_fields},
            )
            for i, m in zip(order.tolist(), picked)
        ]


_SCORE_FIELDS = ("score", "lexical", "dense", "prior", "matched_on")


class _Scratch(threading.local):
    """A per-thread lexical accumulator (a web server answers queries from several threads)."""

    acc: np.ndarray | None = None  # by row
    slots: np.ndarray | None = None  # by term column: 1 + its position in the query's plan


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

