"""How a query's candidates are ordered: the relevance formula and the sorts.

Relevance, for a query (every part in [0, 1], so the score is too):

    score = 0.55 × lexical + 0.30 × dense + 0.15 × prior
    prior = 0.5 × popularity / 100 + 0.5 × completeness

- ``lexical``: BM25 of the query's terms in the row's document, as a share of what a document with
  every term would score (``hfhub.index.vectors.bm25_of``, ``query_bm25``).
- ``dense``: the cosine of the embeddings, below 0 counted as 0.
- ``prior``: how much the Hub's users use the repo (``popularity_score``: downloads and likes on a
  fixed log scale) and how much its record says (``completeness``, ``hfhub.index.documents``). It
  is small next to relevance: a model matching one more word of the query by name gains more than
  the whole prior. It decides between rows that match alike — the many repos with one template
  card, a bare record with the same name words as the model it copies — in favour of the one people
  use and whose record can be checked. Its weight was chosen on the relevance benchmark
  (``benchmarks/bench_relevance.py``; the README has its numbers).

Sorts other than relevance (``SORTS``) order the best ``sort_pool(k)`` rows by relevance by a
column, best first, rows without a value last; ties keep their relevance order.
"""

from __future__ import annotations

import numpy as np

LEXICAL_WEIGHT = 0.55
DENSE_WEIGHT = 0.30
PRIOR_WEIGHT = 0.15

# --like: the dense cosine, plus these for a shared task or lineage, plus the prior; divided by the
# sum of the weights so the score stays in [0, 1].
SAME_TASK_BONUS = 0.1
SAME_BASE_BONUS = 0.1
LIKE_PRIOR_WEIGHT = 0.02

# sort name -> the index column it orders by (largest first)
SORTS: dict[str, str | None] = {
    "relevance": None,
    "downloads": "downloads",
    "likes": "likes",
    "trending": "trending_score",
    "recent": "last_modified",
    "created": "created_at",
}
SORT_POOL = 10


def sort_pool(k: int) -> int:
    """How many of the most relevant rows a sort by a column orders (10 × k)."""
    return SORT_POOL * k


def prior(popularity: np.ndarray, completeness: np.ndarray) -> np.ndarray:
    return 0.5 * np.clip(popularity, 0, 100) / 100 + 0.5 * np.clip(completeness, 0, 1)


def relevance(lexical: np.ndarray, dense: np.ndarray, prior_values: np.ndarray) -> np.ndarray:
    return (
        LEXICAL_WEIGHT * np.clip(lexical, 0, 1)
        + DENSE_WEIGHT * np.clip(dense, 0, 1)
        + PRIOR_WEIGHT * prior_values
    )


def likeness(dense: np.ndarray, same_task: np.ndarray, same_base: np.ndarray, prior_values: np.ndarray) -> np.ndarray:
    """--like's score in [0, 1] (see ``SAME_TASK_BONUS``)."""
    total = np.clip(dense, 0, 1) + SAME_TASK_BONUS * same_task + SAME_BASE_BONUS * same_base
    total = total + LIKE_PRIOR_WEIGHT * prior_values
    return total / (1 + SAME_TASK_BONUS + SAME_BASE_BONUS + LIKE_PRIOR_WEIGHT)


def order_by(values: np.ndarray, relevance_order: np.ndarray) -> np.ndarray:
    """Positions of ``relevance_order`` (row positions, most relevant first) by ``values`` (float,
    NaN for unknown), largest first, unknown last, ties in relevance order."""
    keyed = values[relevance_order]
    unknown = np.isnan(keyed)
    return relevance_order[np.lexsort((np.arange(len(keyed)), -np.nan_to_num(keyed, nan=-np.inf), unknown))]
