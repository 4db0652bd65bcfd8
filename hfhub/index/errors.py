"""What can go wrong when loading or querying an index: one exception class per cause."""

from __future__ import annotations


class SearchError(Exception):
    """Base class: the message is one line, fit to show a user as is."""


class IndexNotFoundError(SearchError):
    pass


class StaleIndexError(SearchError):
    """The index was built from a different dataset than the one now on disk."""


class IndexFormatError(SearchError):
    pass


class UnknownFilterValueError(SearchError):
    pass


class UnknownModelError(SearchError):
    pass


class EmptyQueryError(SearchError):
    pass


class EmptyDatasetError(SearchError):
    pass


class IndexPathError(SearchError):
    """The index path holds something hfhub did not make; it is left alone."""


class CorruptDatasetError(SearchError):
    """A part file of the dataset cannot be read as Parquet."""


class FilterNotApplicableError(SearchError):
    """A filter the index's kind of repo has no column for (--fits-gpu-gb on datasets)."""


class IndexKindError(SearchError):
    """The index holds another kind of repo than the one asked for."""
