"""The search index of a table (models, datasets or Spaces): built from the Parquet files, queried
without Scrapy (one index per table: output/index, output/index-datasets, output/index-spaces).

Build: ``build_index(dataset_dir, index_dir)`` (or ``hfhub-index build``). Query:
``ModelIndex.load(index_dir).search("japanese sentiment classifier", k=10, filters=SearchFilters(...))``.
"""

from __future__ import annotations

import importlib
from typing import Any

from hfhub.index.errors import (
    EmptyDatasetError,
    EmptyQueryError,
    FilterNotApplicableError,
    IndexFormatError,
    IndexKindError,
    IndexNotFoundError,
    SearchError,
    StaleIndexError,
    UnknownFilterValueError,
    UnknownModelError,
)

# Imported on first use (PEP 562): building and searching need scikit-learn and faiss, which the
# crawl, importing this package for hfhub.index.store, should not load at start-up (~0.5 s).
_LAZY = {
    "build_index": "hfhub.index.build",
    "ModelIndex": "hfhub.index.searcher",
    "SearchResult": "hfhub.index.results",
    "Result": "hfhub.index.searcher",
    "DatasetResult": "hfhub.index.results",
    "SpaceResult": "hfhub.index.results",
    "SearchFilters": "hfhub.index.filters",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DatasetResult",
    "EmptyDatasetError",
    "EmptyQueryError",
    "FilterNotApplicableError",
    "IndexFormatError",
    "IndexKindError",
    "IndexNotFoundError",
    "ModelIndex",
    "Result",
    "SearchError",
    "SearchFilters",
    "SearchResult",
    "SpaceResult",
    "StaleIndexError",
    "UnknownFilterValueError",
    "UnknownModelError",
    "build_index",
]
