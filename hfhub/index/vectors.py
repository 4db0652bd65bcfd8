"""Vectors of the index: sparse TF-IDF over ``search_text`` and 384-dim dense embeddings.

Pure functions over arrays; nothing here reads or writes files. The dense embedding is either

- ``m2v-minilm`` (the default, ``DEFAULT_EMBEDDING``): a static embedding distilled from
  all-MiniLM-L6-v2, shipped with hfhub (``hfhub.index.embedders``; needs the ``model2vec`` package);
- ``lsa`` (the fallback when that package is missing): latent semantic analysis, a TruncatedSVD of
  the TF-IDF matrix. Offline, deterministic (fixed ``random_state``), no dependency. The SVD is fitted
  on a fixed sample of rows over the most frequent terms, then applied to every row: fitting on 1M
  rows costs minutes, a 100k sample gives the same topics (the corpus repeats its vocabulary);
- another embedder of ``hfhub.index.embedders`` by name (minilm, minilm-int8, e5-small-q4: optional
  packages, requirements-embeddings.txt).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from hfhub.index.embedders import EMBEDDERS

DIM = 384
EMBEDDINGS = ("lsa", *EMBEDDERS)  # LSA, or an embedder of hfhub.index.embedders by name
# Chosen by measured relevance and build time (README, "Searching the models"); LSA when unavailable.
DEFAULT_EMBEDDING = "m2v-minilm"


@dataclass(frozen=True)
class VectorizerSettings:
    """Everything that decides the vectors; recorded in the manifest."""

    sublinear_tf: bool = True  # of the TF-IDF the LSA embedding is fitted on
    # Lexical matching is BM25 (Robertson & Zaragoza, "The Probabilistic Relevance Framework", 2009)
    # with Lucene's idf: k1 saturates repeated terms; b is how much a long document is discounted.
    # b is lower than the usual 0.75 because a model's document is metadata plus a card summary: a
    # record with nothing but an id is short for lack of information, not focused.
    bm25_k1: float = 1.2
    bm25_b: float = 0.3
    min_df: int = 1  # keep rare terms: model names are rare and exact-name queries need them
    lsa_max_features: int = 20_000  # LSA over the most frequent terms: its cost grows with this
    lsa_fit_sample: int = 50_000
    lsa_n_iter: int = 3
    random_state: int = 0
    dim: int = DIM

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Tfidf:
    matrix: sp.csr_matrix  # rows: models, L2-normalised, float32
    term_hashes: np.ndarray  # uint64, sorted: column j's term (see hfhub.index.text)
    idf: np.ndarray  # float32, by column


def count_terms(rows: np.ndarray, hashes: np.ndarray, n_rows: int, settings: VectorizerSettings) -> Tfidf:
    """Term counts of occurrences ``(row, term hash)`` (a ``Tfidf`` whose weights are counts, idf 1).

    Counting is done here with Arrow's hash table and scipy, not by CountVectorizer, whose
    per-token Python loop was most of a 1M-model build.
    """
    encoded = pc.dictionary_encode(pa.array(hashes, type=pa.uint64()))
    found = encoded.dictionary.to_numpy()
    order = np.argsort(found)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    cols = rank[encoded.indices.to_numpy()]
    counts = sp.csr_matrix(
        (np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(n_rows, len(found)), dtype=np.float32
    )
    counts.sum_duplicates()
    if settings.min_df > 1:
        keep = np.flatnonzero(np.bincount(counts.indices, minlength=counts.shape[1]) >= settings.min_df)
        counts, order = counts[:, keep], order[keep]
    return Tfidf(counts.tocsr(), found[order], np.ones(counts.shape[1], dtype=np.float32))


def tfidf_of(counts: Tfidf, settings: VectorizerSettings) -> Tfidf:
    """TF-IDF rows (scikit-learn's TfidfTransformer, L2-normalised): what LSA is fitted on."""
    from sklearn.feature_extraction.text import TfidfTransformer

    transformer = TfidfTransformer(sublinear_tf=settings.sublinear_tf)
    matrix = transformer.fit_transform(counts.matrix).astype(np.float32).tocsr()
    return Tfidf(matrix, counts.term_hashes, transformer.idf_.astype(np.float32))


def bm25_of(counts: Tfidf, settings: VectorizerSettings) -> Tfidf:
    """Each (document, term)'s BM25 term weight, in [0, 1], and the terms' idf.

    ``weight = min(1, tf × (k1 + 1) / (tf + k1 × (1 − b + b × length / mean length)))``, with
    ``length`` the document's count of term occurrences: 1 for a term said once in a document of
    mean length, more (capped at 1) for a term said again or in a shorter document, less in a
    longer one. ``idf = ln(1 + (N − df + 0.5) / (df + 0.5))`` (Lucene's, never negative). A
    query's lexical score combines them (``hfhub.index.query``).
    """
    matrix = counts.matrix.astype(np.float32).tocsr()
    n = matrix.shape[0]
    df = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.float64)
    idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
    lengths = np.asarray(matrix.sum(axis=1)).ravel()
    mean = float(lengths.mean()) if n and lengths.mean() > 0 else 1.0
    k1, b = settings.bm25_k1, settings.bm25_b
    norm = np.repeat((k1 * (1 - b + b * lengths / mean)).astype(np.float32), np.diff(matrix.indptr))
    tf = matrix.data
    matrix.data = np.minimum(1.0, tf * (k1 + 1) / (tf + norm)).astype(np.float32)
    return Tfidf(matrix, counts.term_hashes, idf)


@dataclass
class Lsa:
    columns: np.ndarray  # int64: TF-IDF columns the projection reads
    projection: np.ndarray  # float32, (len(columns), DIM)


def fit_lsa(matrix: sp.csr_matrix, settings: VectorizerSettings) -> Lsa:
    from sklearn.decomposition import TruncatedSVD

    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    columns = np.sort(np.argsort(-df, kind="stable")[: settings.lsa_max_features])
    rng = np.random.default_rng(settings.random_state)
    n = matrix.shape[0]
    rows = (
        np.sort(rng.choice(n, settings.lsa_fit_sample, replace=False))
        if n > settings.lsa_fit_sample
        else None
    )
    sample = (matrix[rows] if rows is not None else matrix)[:, columns]
    k = max(1, min(settings.dim, sample.shape[0] - 1, sample.shape[1] - 1))
    svd = TruncatedSVD(
        k, algorithm="randomized", n_iter=settings.lsa_n_iter, random_state=settings.random_state
    )
    svd.fit(sample)
    projection = np.zeros((len(columns), settings.dim), dtype=np.float32)
    projection[:, :k] = svd.components_.T
    return Lsa(columns.astype(np.int64), projection)


def lsa_transform(matrix: sp.csr_matrix, lsa: Lsa, block: int = 100_000) -> np.ndarray:
    """Dense unit vectors (float32) of TF-IDF rows; an all-zero row stays zero."""
    out = np.empty((matrix.shape[0], lsa.projection.shape[1]), dtype=np.float32)
    sub = matrix[:, lsa.columns].tocsr()
    for start in range(0, matrix.shape[0], block):
        out[start : start + block] = sub[start : start + block] @ lsa.projection
    return normalize_rows(out)


def lsa_query(cols: np.ndarray, weights: np.ndarray, lsa: Lsa) -> np.ndarray:
    pos = np.searchsorted(lsa.columns, cols)
    pos = np.minimum(pos, len(lsa.columns) - 1)
    hit = lsa.columns[pos] == cols
    vector = dot(lsa.projection[pos[hit]].T, weights[hit]) if hit.any() else np.zeros(lsa.projection.shape[1])
    return normalize_rows(np.asarray(vector, dtype=np.float32)[None, :])[0]


def dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix @ vector`` for one query's small products, without BLAS.

    numpy's ``@`` hands a (1500, 384) x (384,) product to OpenBLAS, which splits it over its thread
    pool: waking the pool's threads cost ~6.5 ms per product on this 2-core machine (the product
    itself takes ~0.02 ms), most of a query. ``einsum`` (without ``optimize``) runs numpy's own
    SIMD loop in the calling thread: ~0.07 ms, and no contention between concurrent queries.
    """
    return np.einsum("ij,j->i", matrix, vector)


def normalize_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    np.divide(x, norms, out=x, where=norms > 0)
    return x
