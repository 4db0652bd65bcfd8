"""Search filters: what a user may ask for, and the boolean row mask it selects.

Each kind of index (models, datasets, Spaces: ``KIND_FILTERS``) takes the filters its table has the
columns for; a filter given to an index of another kind is an error (``FilterNotApplicableError``),
never silently ignored.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hfhub.index.errors import FilterNotApplicableError, UnknownFilterValueError
from hfhub.records.enrichment.weights import MEMORY_OVERHEAD

GB = 1_000_000_000  # sizes are decimal gigabytes, as GPU memory is sold
# --architecture matches any of these (a class, a model type, llama.cpp's name)
ARCHITECTURE_COLUMNS = ("architectures", "model_type", "gguf_architecture")


@dataclass(frozen=True)
class SearchFilters:
    """Constraints a result must meet; ``None`` means "any". Text values match exactly,
    or case-insensitively when that is unambiguous."""

    task: str | None = None  # pipeline_tag (models), task_categories (datasets)
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
    sdk: str | None = None  # Spaces: gradio, streamlit, docker, static
    tag: str | None = None  # one of the repo's tags, e.g. "gguf", "conversational", "region:us"
    base_model: str | None = None  # models fine-tuned, quantized, merged or adapted from this id
    trained_on: str | None = None  # models: a dataset the card lists
    architecture: str | None = None  # models: a class (LlamaForCausalLM), model type or GGUF architecture
    min_context: int | None = None  # models: a context length (tokens) of at least this
    context: int | None = None  # with fits_gpu_gb: the memory at this many tokens (needs -a configs=1)

    def given(self) -> list[str]:
        """The names of the filters that constrain something (``quantized=False`` does: only
        unquantized models; ``no_gated=False`` does not)."""
        return [f.name for f in fields(self)
                if getattr(self, f.name) not in (None, False) or (f.name == "quantized" and self.quantized is False)]

    def is_empty(self) -> bool:
        return not self.given()


# Filter name -> (column of the index's model table, what the CLI calls it)
CATEGORICAL = {
    "task": ("pipeline_tag", "task"),
    "library": ("library_name", "library"),
    "author": ("author", "author"),
    "license": ("license", "license"),
}
# Per kind of index: filter name -> the column of the index's table it reads. A text filter on a
# list column (languages, task_categories) keeps the rows whose list holds the value.
KIND_FILTERS: dict[str, dict[str, str]] = {
    "models": {
        "task": "pipeline_tag",
        "library": "library_name",
        "author": "author",
        "license": "license",
        "language": "languages",
        "max_params": "num_parameters",
        "max_size_gb": "weights_bytes",
        "fits_gpu_gb": "est_min_gpu_gb",
        "min_downloads": "downloads",
        "min_likes": "likes",
        "no_gated": "gated",
        "quantized": "quantization",
        "tag": "tags",
        "base_model": "base_models",
        "trained_on": "datasets",
        "architecture": "architectures",
        "min_context": "context_length",
        "context": "est_kv_bytes_per_token",
    },
    "datasets": {
        "task": "task_categories",
        "author": "author",
        "license": "license",
        "language": "languages",
        "min_downloads": "downloads",
        "min_likes": "likes",
        "no_gated": "gated",
        "tag": "tags",
    },
    "spaces": {
        "sdk": "sdk",
        "author": "author",
        "license": "license",
        "min_likes": "likes",
        "tag": "tags",
    },
}
SINGULAR = {"models": "model", "datasets": "dataset", "spaces": "space"}


def check_applies(filters: SearchFilters, kind: str, label: Any = None) -> None:
    """``FilterNotApplicableError`` for the first filter given that ``kind``'s index cannot apply
    (``label(name)`` names the filter as the caller's user knows it: ``--fits-gpu-gb``, ``fits_gpu_gb``)."""
    name_of = label or (lambda name: name)
    for name in filters.given():
        if name not in KIND_FILTERS[kind]:
            fits = [k for k, names in KIND_FILTERS.items() if name in names]
            raise FilterNotApplicableError(
                f"{name_of(name)} does not apply to {kind} (it filters {' and '.join(fits)}); "
                f"the {kind} filters are {', '.join(name_of(n) for n in KIND_FILTERS[kind])}"
            )


class FilterColumns:
    """The columns filters read, as numpy arrays; categorical ones as dictionary codes."""

    def __init__(self, table: pa.Table, kind: str = "models") -> None:
        self.n = table.num_rows
        self.table = table
        self.kind = kind
        self._codes: dict[str, tuple[np.ndarray, list[str]]] = {}
        self._lists: dict[str, tuple[np.ndarray, np.ndarray, list[str]]] = {}
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
        return self.list_codes("languages")

    def list_codes(self, column: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """(row of each entry of a list column, its code, the entry values)."""
        if column not in self._lists:
            values = self.table.column(column).combine_chunks()
            rows = pc.list_parent_indices(values).to_numpy()
            encoded = pc.dictionary_encode(pc.list_flatten(values))
            codes = encoded.indices.fill_null(-1).to_numpy().astype(np.int32)
            self._lists[column] = (rows, codes, encoded.dictionary.to_pylist())
        return self._lists[column]

    def is_list(self, column: str) -> bool:
        return pa.types.is_list(self.table.schema.field(column).type)

    def value_counts(self, column: str) -> tuple[np.ndarray, list[Any]]:
        """(rows holding each value, the values) of a text or list-of-text column."""
        if self.is_list(column):
            rows, codes, values = self.list_codes(column)
            seen = np.unique(rows.astype(np.int64) * (len(values) + 1) + codes + 1)
            kept = seen % (len(values) + 1) - 1  # each (row, value) once
            return np.bincount(kept[kept >= 0], minlength=len(values)), values
        codes, values = self.codes(column)
        return np.bincount(codes[codes >= 0], minlength=len(values)), values

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

    def _holds(self, column: str, value: str, label: str, singular: str) -> np.ndarray:
        """Rows whose ``column`` is ``value`` (a list column: holds it)."""
        if self.is_list(column):
            rows, codes, values = self.list_codes(column)
            keep = np.zeros(self.n, dtype=bool)
            keep[rows[codes == _lookup(value, values, label, singular)]] = True
            return keep
        codes, values = self.codes(column)
        return codes == _lookup(value, values, label, singular)

    def _architecture(self, value: str) -> np.ndarray:
        """Rows with ``value`` (any case) as an architecture class, model type or GGUF architecture."""
        keep = np.zeros(self.n, dtype=bool)
        known: list[str] = []
        wanted = value.lower()
        for column in ARCHITECTURE_COLUMNS:
            if self.is_list(column):
                rows, codes, values = self.list_codes(column)
            else:
                codes, values = self.codes(column)
                rows = np.arange(self.n)
            hits = [i for i, v in enumerate(values) if isinstance(v, str) and v.lower() == wanted]
            keep[rows[np.isin(codes, hits)]] = True
            known += [v for v in values if isinstance(v, str)]
        if not keep.any():
            raise _unknown(value, sorted(set(known)), "architecture", SINGULAR[self.kind])
        return keep

    def memory_at(self, tokens: int) -> np.ndarray:
        """Estimated bytes to run each model at a context of ``tokens`` (inf where unknown or where the
        model takes fewer tokens): weights × MEMORY_OVERHEAD plus the KV cache, as
        ``hfhub.records.enrichment.kvcache.memory_bytes_at`` computes it for one model."""
        nan = float("nan")
        weights = self.numeric("weights_bytes", nan)
        per_token = self.numeric("est_kv_bytes_per_token", nan)
        global_per_token = self.numeric("est_kv_global_bytes_per_token", nan)
        window = self.numeric("kv_sliding_window", float(tokens))
        context = self.numeric("context_length", float("inf"))
        sliding = per_token - global_per_token
        memory = weights * MEMORY_OVERHEAD + global_per_token * tokens + sliding * np.minimum(tokens, window)
        memory[np.isnan(memory) | (context < tokens)] = np.inf
        return memory

    def mask(self, filters: SearchFilters) -> np.ndarray | None:
        """Rows meeting every filter, or None when there are no filters."""
        if filters.is_empty():
            return None
        check_applies(filters, self.kind)
        columns = KIND_FILTERS[self.kind]
        singular = SINGULAR[self.kind]
        mask = np.ones(self.n, dtype=bool)
        for name in ("task", "library", "author", "license", "sdk", "language", "tag", "base_model", "trained_on"):
            value = getattr(filters, name)
            if value is not None:
                mask &= self._holds(columns[name], value, name, singular)
        if filters.architecture is not None:
            mask &= self._architecture(filters.architecture)
        inf = float("inf")
        for value, column, scale in (
            (filters.max_params, "num_parameters", 1),
            (filters.max_size_gb, "weights_bytes", GB),
            (filters.fits_gpu_gb if filters.context is None else None, "est_min_gpu_gb", 1),
        ):
            if value is not None:
                mask &= self.numeric(column, inf) <= value * scale
        if filters.context is not None:
            if filters.fits_gpu_gb is None:
                raise FilterNotApplicableError("context says at what context --fits-gpu-gb is checked: give both")
            mask &= self.memory_at(filters.context) <= filters.fits_gpu_gb * GB
        if filters.min_context is not None:
            mask &= self.numeric("context_length", -1) >= filters.min_context
        for value, column in ((filters.min_downloads, "downloads"), (filters.min_likes, "likes")):
            if value is not None:
                mask &= self.numeric(column, -1) >= value
        if filters.no_gated:
            mask &= ~self.flags("gated")
        if filters.quantized is not None:
            is_quantized = self.flags("quantization")
            mask &= is_quantized if filters.quantized else ~is_quantized
        return mask


def _lookup(value: str, values: list[Any], label: str, singular: str = "model") -> int:
    """The code of ``value``: exact, else unambiguous case-insensitive, else an error with suggestions."""
    if value in values:
        return values.index(value)
    folded = [i for i, v in enumerate(values) if isinstance(v, str) and v.lower() == value.lower()]
    if len(folded) == 1:
        return folded[0]
    raise _unknown(value, [v for v in values if isinstance(v, str)], label, singular)


def _unknown(value: str, known: list[str], label: str, singular: str) -> UnknownFilterValueError:
    pool = known if len(known) <= 20_000 else [v for v in known if v[:2].lower() == value[:2].lower()]
    close = difflib.get_close_matches(value, pool, n=5, cutoff=0.6)
    hint = (
        f"; did you mean: {', '.join(close)}?" if close else f" (the index has {len(known)} {label} values)"
    )
    return UnknownFilterValueError(f"unknown {label} {value!r}: no {singular} in the index has it{hint}")
