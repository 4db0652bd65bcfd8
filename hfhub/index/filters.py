"""Search filters: what a user may ask for, and the boolean row mask it selects."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hfhub.index.errors import UnknownFilterValueError

GB = 1_000_000_000  # sizes are decimal gigabytes, as GPU memory is sold


@dataclass(frozen=True)
class SearchFilters:
    """Constraints a result must meet; ``None`` means "any". Text values match exactly,
    or case-insensitively when that is unambiguous."""

    task: str | None = None  # pipeline_tag
    library: str | None = None
    author: str | None = None
    license: str | None = None
    language: str | None = None
    max_params: int | None = None  # parameters (est_parameters) <= this (unknown counts fail)
    max_size_gb: float | None = None  # weights_bytes <= this many GB (unknown sizes fail)
    fits_gpu_gb: float | None = None  # est_min_gpu_gb <= this (unknown fail)
    min_downloads: int | None = None
    min_likes: int | None = None
    no_gated: bool = False  # drop gated models (unknown gating is kept)
    quantized: bool | None = None  # True: only quantized; False: only unquantized

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) in (None, False) for f in fields(self))


# Filter name -> (column of the index's model table, what the CLI calls it)
CATEGORICAL = {
    "task": ("pipeline_tag", "task"),
    "library": ("library_name", "library"),
    "author": ("author", "author"),
    "license": ("license", "license"),
}


class FilterColumns:
    """The columns filters read, as numpy arrays; categorical ones as dictionary codes."""

    def __init__(self, table: pa.Table) -> None:
        self.n = table.num_rows
        self.table = table
        self._codes: dict[str, tuple[np.ndarray, list[str]]] = {}
        self._languages: tuple[np.ndarray, np.ndarray, list[str]] | None = None
        self._numeric: dict[tuple[str, float], np.ndarray] = {}
        self._flags: dict[str, np.ndarray] = {}

    def codes(self, column: str) -> tuple[np.ndarray, list[str]]:
        if column not in self._codes:
            encoded = pc.dictionary_encode(self.table.column(column)).combine_chunks()
            codes = encoded.indices.fill_null(-1).to_numpy().astype(np.int32)
            self._codes[column] = (codes, encoded.dictionary.to_pylist())
        return self._codes[column]

    def languages(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(row of each language entry, its code, the language values)."""
        if self._languages is None:
            column = self.table.column("languages").combine_chunks()
            rows = pc.list_parent_indices(column).to_numpy()
            encoded = pc.dictionary_encode(pc.list_flatten(column))
            codes = encoded.indices.fill_null(-1).to_numpy().astype(np.int32)
            self._languages = (rows, codes, encoded.dictionary.to_pylist())
        return self._languages

    def numeric(self, column: str, fill: float) -> np.ndarray:
        """A column as float64 with nulls as ``fill`` (cached: converting 1M rows costs ~3 ms)."""
        key = (column, fill)
        if key not in self._numeric:
            self._numeric[key] = self.table.column(column).cast("float64").fill_null(fill).to_numpy()
        return self._numeric[key]

    def flags(self, column: str) -> np.ndarray:
        """``gated`` is true / ``quantization`` is set, per row (cached)."""
        if column not in self._flags:
            values = self.table.column(column)
            flag = values.fill_null(False) if column == "gated" else values.is_valid()
            self._flags[column] = flag.to_numpy(zero_copy_only=False)
        return self._flags[column]

    def mask(self, filters: SearchFilters) -> np.ndarray | None:
        """Rows meeting every filter, or None when there are no filters."""
        if filters.is_empty():
            return None
        mask = np.ones(self.n, dtype=bool)
        for name, (column, label) in CATEGORICAL.items():
            value = getattr(filters, name)
            if value is not None:
                codes, values = self.codes(column)
                mask &= codes == _lookup(value, values, label)
        if filters.language is not None:
            rows, codes, values = self.languages()
            keep = np.zeros(self.n, dtype=bool)
            keep[rows[codes == _lookup(filters.language, values, "language")]] = True
            mask &= keep
        inf = float("inf")
        for value, column, scale in (
            (filters.max_params, "num_parameters", 1),
            (filters.max_size_gb, "weights_bytes", GB),
            (filters.fits_gpu_gb, "est_min_gpu_gb", 1),
        ):
            if value is not None:
                mask &= self.numeric(column, inf) <= value * scale
        for value, column in ((filters.min_downloads, "downloads"), (filters.min_likes, "likes")):
            if value is not None:
                mask &= self.numeric(column, -1) >= value
        if filters.no_gated:
            mask &= ~self.flags("gated")
        if filters.quantized is not None:
            is_quantized = self.flags("quantization")
            mask &= is_quantized if filters.quantized else ~is_quantized
        return mask


def _lookup(value: str, values: list[Any], label: str) -> int:
    """The code of ``value``: exact, else unambiguous case-insensitive, else an error with suggestions."""
    if value in values:
        return values.index(value)
    folded = [i for i, v in enumerate(values) if isinstance(v, str) and v.lower() == value.lower()]
    if len(folded) == 1:
        return folded[0]
    known = [v for v in values if isinstance(v, str)]
    pool = known if len(known) <= 20_000 else [v for v in known if v[:2].lower() == value[:2].lower()]
    close = difflib.get_close_matches(value, pool, n=5, cutoff=0.6)
    hint = (
        f"; did you mean: {', '.join(close)}?" if close else f" (the index has {len(known)} {label} values)"
    )
    raise UnknownFilterValueError(f"unknown {label} {value!r}: no model in the index has it{hint}")
