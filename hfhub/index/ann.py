"""Nearest neighbours over the dense vectors: faiss IVF with 8-bit codes, re-ranked exactly.

Why this structure (measured on this 2-core machine with the LSA vectors of the 1M-model fake Hub;
``benchmarks/bench_index.py`` measures the whole search):

- Exact search is too slow: one query against 1M float32 vectors with numpy/BLAS took ~120 ms (the
  scan is memory-bound: 1.5 GB per query), 25x over the 5 ms target.
- HNSW recalls best but builds too slowly for the 120 s budget: usearch (i8, connectivity 16,
  2 threads) took 39.5 s for 200k vectors (~4 min extrapolated to 1M; recall@10 0.96 at
  expansion 256, ~5 ms); faiss HNSW32 took 4.9 s for 30k. A filtered walk also starves.
- IVF-SQ8 (1024 k-means cells, 8-bit codes, 384 B per model) trains and fills in ~12 s at 1M, a
  probe of 32 cells takes ~2 ms, and a faiss ``IDSelectorBitmap`` restricts a scan to filtered rows
  exactly. Its weakness: short queries' LSA vectors sit between cells, so the dense top-10 alone has
  recall@10 ~0.7 at 32 probes (0.86 at 256 probes, 12 ms; 4096 cells did not help and took 103 s to
  build). The search therefore never relies on it alone: ``searcher`` unions these candidates with
  the best lexical matches and re-scores all of them exactly, which measured recall@10 >= 0.95 of
  the exact ranking (see the benchmark).

The best candidates are re-scored exactly against float16 vectors. Filters never starve results:
the number of cells probed grows as the filter gets more selective (up to every cell, an exhaustive
scan of the matching rows), and a probe that finds fewer than ``k`` matching models is repeated
over every cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

IVF_MIN_ROWS = 20_000  # below this an exhaustive scan of the codes is as fast as probing cells
TRAIN_PER_CELL = 48  # k-means sample per cell (faiss warns under 39)
DEFAULT_NPROBE = 32
RERANK_POOL = 64  # candidates re-scored exactly, at least (and 5 * k)
# A filter leaving at most this many models: skip the cells and score every one of them exactly
# (gathering 4k float16 vectors costs ~1 ms; probing every cell for them cost ~10 ms at 1M).
EXACT_MAX_ROWS = 4_096


@dataclass(frozen=True)
class AnnSettings:
    nlist: int
    nprobe: int = DEFAULT_NPROBE
    kind: str = "IVF,SQ8"


def choose_settings(n: int) -> AnnSettings:
    """About sqrt(n) cells (1024 at 1M): cheap to train, ~1k models per cell."""
    if n < IVF_MIN_ROWS:
        return AnnSettings(nlist=1, nprobe=1)
    nlist = 2 ** round(math.log2(math.sqrt(n)))
    return AnnSettings(nlist=nlist, nprobe=min(DEFAULT_NPROBE, nlist))


def build(vectors: np.ndarray, settings: AnnSettings, seed: int = 0) -> object:
    import faiss

    d = vectors.shape[1]
    quantizer = faiss.IndexFlatIP(d)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, d, settings.nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.cp.seed = seed
    index.cp.niter = 10
    rng = np.random.default_rng(seed)
    n = len(vectors)
    train_n = min(n, settings.nlist * TRAIN_PER_CELL)
    sample = vectors[np.sort(rng.choice(n, train_n, replace=False))] if train_n < n else vectors
    index.train(np.ascontiguousarray(sample, dtype=np.float32))
    for start in range(0, n, 200_000):
        index.add(np.ascontiguousarray(vectors[start : start + 200_000], dtype=np.float32))
    return index


def save(index: object, path: Path) -> None:
    import faiss

    faiss.write_index(index, str(path))


def load(path: Path) -> object:
    import faiss

    return faiss.read_index(str(path))


class DenseSearcher:
    """Top-k by cosine over unit vectors: IVF candidates, exact float16 re-scoring."""

    def __init__(self, index: object, vectors: np.ndarray, nprobe: int) -> None:
        self.index = index
        if vectors.dtype != np.float32 or not vectors.flags.c_contiguous:
            raise ValueError("the dense vectors must be C-contiguous float32")
        self.vectors = vectors  # float32 (n, d), usually a memory map
        self.nprobe = nprobe
        self.nlist: int = index.nlist  # type: ignore[attr-defined]
        # One query probes ~32 cells: split the cells, not the (single) query, over faiss's threads
        # (the default splits queries, leaving one core idle): 0.9 ms instead of 1.45 ms at 1M.
        index.parallel_mode = 1  # type: ignore[attr-defined]

    def search(
        self, query: np.ndarray, k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cosine) best first; ``mask`` (bool per row) restricts the search to those rows."""
        rows, scores = self.rescore(self.candidates(query, k, mask), query)
        return rows[:k], scores[:k]

    def candidates(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> np.ndarray:
        """Rows likely to hold the top ``k`` (a larger pool, unordered), all within ``mask``."""
        import faiss

        n = len(self.vectors)
        matching = n if mask is None else int(mask.sum())
        if matching == 0 or k <= 0:
            return np.zeros(0, dtype=np.int64)
        if mask is not None and matching <= EXACT_MAX_ROWS:
            return np.flatnonzero(mask)  # few enough to score them all exactly
        pool = min(matching, max(RERANK_POOL, 5 * k))
        nprobe = self._nprobe(matching)
        params = faiss.SearchParametersIVF(nprobe=nprobe)
        if mask is not None:
            bitmap = np.packbits(mask, bitorder="little")
            selector = faiss.IDSelectorBitmap(n, faiss.swig_ptr(bitmap))
            params = faiss.SearchParametersIVF(nprobe=nprobe, sel=selector)
        q = np.ascontiguousarray(query[None, :], dtype=np.float32)
        _, ids = self.index.search(q, pool, params=params)  # type: ignore[attr-defined]
        rows = ids[0][ids[0] >= 0]
        if len(rows) < min(k, matching) and nprobe < self.nlist:
            # Too few matches in the probed cells: scan every cell (exhaustive over the filter).
            params.nprobe = self.nlist
            _, ids = self.index.search(q, pool, params=params)  # type: ignore[attr-defined]
            rows = ids[0][ids[0] >= 0]
        return rows.astype(np.int64)

    def rescore(self, rows: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = np.sort(rows)
        scores = self.scores(rows, query)
        order = np.argsort(-scores, kind="stable")
        return rows[order].astype(np.int64), scores[order]

    def scores(self, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Exact cosine of ``rows`` (sorted: the map is then read in order) to ``query``.

        faiss reads each row in place (no gathered copy) with its SIMD kernel, in this thread:
        ~0.4 ms for 1.5k rows at 1M. numpy's ``vectors[rows] @ query`` took ~8 ms with the old
        float16 vectors: ~1 ms to convert float16 (numpy has no SIMD for it), and ~6.5 ms for
        OpenBLAS to wake its thread pool for a product that takes 0.02 ms.
        """
        import faiss

        ids = np.ascontiguousarray(rows, dtype=np.int64)
        q = np.ascontiguousarray(query, dtype=np.float32)
        out = np.empty(len(ids), dtype=np.float32)
        if len(ids):
            faiss.fvec_inner_products_by_idx(
                faiss.swig_ptr(out),
                faiss.swig_ptr(q),
                faiss.swig_ptr(self.vectors),
                faiss.swig_ptr(ids),
                self.vectors.shape[1],
                1,
                len(ids),
            )
        return out

    def _nprobe(self, matching: int) -> int:
        # A filter keeping a fraction f of the rows leaves ~f of each cell. Probing 1/f times more
        # cells would see as many candidates as an unfiltered search but made a 3 % filter scan
        # every cell (12 ms at 1M); 1/sqrt(f) keeps enough candidates for the exact re-scoring,
        # and a probe that still finds fewer than k rows is repeated over every cell.
        scale = math.sqrt(len(self.vectors) / max(matching, 1))
        return int(min(self.nlist, math.ceil(self.nprobe * scale)))
