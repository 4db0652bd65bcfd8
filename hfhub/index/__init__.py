"""The search index of the models dataset: built from the Parquet files, queried without Scrapy.

Build: ``build_index(dataset_dir, index_dir)`` (or ``hfhub-index build``). Query:
``ModelIndex.load(index_dir).search("japanese sentiment classifier", k=10, filters=SearchFilters(...))``.
"""

from __future__ import annotations

from hfhub.index.build import build_index
from hfhub.index.errors import (
    EmptyDatasetError,
    EmptyQueryError,
    IndexFormatError,
    IndexNotFoundError,
    SearchError,
    StaleIndexError,
    UnknownFilterValueError,
    UnknownModelError,
)
from hfhub.index.filters import SearchFilters
from hfhub.index.searcher import ModelIndex, SearchResult

__all__ = [
    "EmptyDatasetError",
    "EmptyQueryError",
    "IndexFormatError",
    "IndexNotFoundError",
    "ModelIndex",
    "SearchError",
    "SearchFilters",
    "SearchResult",
    "StaleIndexError",
    "UnknownFilterValueError",
    "UnknownModelError",
    "build_index",
]
