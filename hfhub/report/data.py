"""The numbers behind each chart of the report: one pure function per chart, DataFrame in, table out.

No plotting here, so every number the report shows can be checked without rendering it
(``tests/test_report_data.py`` recomputes each one independently with pandas).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# The dataset columns the report reads (docs/fields.md describes each).
COLUMNS = (
    "id",
    "author",
    "created_at",
    "downloads",
    "pipeline_tag",
    "library_name",
    "license",
    "num_parameters",
    "quantization",
    "est_mem_stored_gb",
    "est_min_gpu_gb",
)
GPU_TIERS = (8, 16, 24, 80)  # GB: a laptop or small card, a mid card, a 4090/3090, an H100/A100
BINS_PER_DECADE = 4  # parameter histogram: 10^(1/4) ≈ 1.8x wide bins, fine enough to see 7B vs 13B
NO_VALUE = "(none)"
OTHER = "(all other values)"  # not "(other)": the Hub has values named "other" (a license, a task)


def load_models(dataset_dir: Path | str) -> pd.DataFrame:
    """The report's columns of the dataset at ``dataset_dir`` (``_``-prefixed paths are skipped)."""
    return pd.read_parquet(dataset_dir, columns=list(COLUMNS))


def counts_with_other(values: pd.Series, top: int) -> pd.Series:
    """Count of each value, most frequent first (ties by name), nulls as ``(none)``; past ``top`` values
    the rest are summed as ``(all other values)``, so the bars always add up to the number of models."""
    counts = _ranked(values.value_counts().to_dict() | {NO_VALUE: int(values.isna().sum())})
    out = counts.head(top).copy()
    rest = int(counts.iloc[top:].sum())
    if rest:
        out[OTHER] = rest
    return out


def _ranked(counts: Mapping[Any, int]) -> pd.Series:
    """``counts`` as a Series, largest first, ties by name, zeros dropped."""
    ranked = sorted((-int(n), str(v)) for v, n in counts.items() if n)
    return pd.Series(
        [-n for n, _ in ranked],
        index=pd.Index([v for _, v in ranked], name="value"),
        name="models",
        dtype="int64",
    )


def models_by_task(models: pd.DataFrame, top: int = 15) -> pd.Series:
    return counts_with_other(models["pipeline_tag"], top)


def models_by_library(models: pd.DataFrame, top: int = 15) -> pd.Series:
    return counts_with_other(models["library_name"], top)


def parameter_histogram(models: pd.DataFrame) -> pd.DataFrame:
    """Models per parameter-count bin, bins equally wide on a log scale (``BINS_PER_DECADE`` a decade).

    Columns ``low`` (inclusive), ``high`` (exclusive), ``models``. Models without a known count, or
    with a count of 0, are left out (``parameter_coverage`` says how many).
    """
    return _log_bins(models["num_parameters"]).rename(columns={"count": "models"})


def _log_bins(values: pd.Series) -> pd.DataFrame:
    """How many of ``values`` (nulls and values ≤ 0 left out) fall in each bin, bins equally wide on a
    log scale, ``BINS_PER_DECADE`` a decade. Columns ``low`` (inclusive), ``high`` (exclusive), ``count``."""
    positive = values.dropna().astype("float64")
    positive = positive[positive > 0]
    if positive.empty:
        return pd.DataFrame({"low": [], "high": [], "count": []}).astype({"count": "int64"})
    exponents = np.floor(np.log10(positive.to_numpy()) * BINS_PER_DECADE).astype(np.int64)
    first, last = int(exponents.min()), int(exponents.max())
    counts = np.bincount(exponents - first, minlength=last - first + 1)
    steps = np.arange(first, last + 2) / BINS_PER_DECADE
    edges = 10.0**steps
    return pd.DataFrame({"low": edges[:-1], "high": edges[1:], "count": counts.astype("int64")})


def parameter_coverage(models: pd.DataFrame) -> dict[str, int]:
    known = models["num_parameters"].fillna(0) > 0
    return {"known": int(known.sum()), "unknown": int((~known).sum())}


def growth_by_month(models: pd.DataFrame) -> pd.DataFrame:
    """Models created per calendar month (UTC), every month from the first to the last, and the
    running total. Index: the month's first day; columns ``created``, ``cumulative``."""
    created = pd.to_datetime(models["created_at"], utc=True).dropna()
    if created.empty:
        return pd.DataFrame({"created": [], "cumulative": []}, index=pd.DatetimeIndex([], name="month"))
    months = created.dt.tz_localize(None).dt.to_period("M")
    per_month = months.value_counts().sort_index()
    full = pd.period_range(per_month.index.min(), per_month.index.max(), freq="M")
    per_month = per_month.reindex(full, fill_value=0).astype("int64")
    out = pd.DataFrame({"created": per_month.to_numpy()}, index=full.to_timestamp())
    out.index.name = "month"
    out["cumulative"] = out["created"].cumsum()
    return out


def license_share(models: pd.DataFrame, top: int = 10) -> pd.DataFrame:
    """Models per license (no license as ``(none)``, past ``top`` as ``(all other values)``) and their share."""
    counts = counts_with_other(models["license"], top)
    return pd.DataFrame({"models": counts, "share": counts / max(len(models), 1)})


def quantization_formats(models: pd.DataFrame) -> pd.Series:
    """Models per quantization format, quantized models only, most frequent first."""
    return _ranked(models["quantization"].value_counts().to_dict())


def top_authors(models: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """Authors with the most downloads (the Hub's 30-day counts, summed over their models)."""
    # factorize + bincount: a groupby over the Hub's ~1M author strings takes seconds, this a fraction
    codes, authors = pd.factorize(models["author"])
    known = codes >= 0
    downloads = np.bincount(
        codes[known],
        weights=models["downloads"].fillna(0).to_numpy(dtype="float64")[known],
        minlength=len(authors),
    )
    counts = np.bincount(codes[known], minlength=len(authors))
    if len(authors) > top:  # every author tied with the top-th one, then sort those few by name
        floor = np.partition(downloads, len(authors) - top)[len(authors) - top]
        keep = np.flatnonzero(downloads >= floor)
    else:
        keep = np.arange(len(authors))
    ranked = sorted(keep.tolist(), key=lambda i: (-downloads[i], str(authors[i])))[:top]
    return pd.DataFrame(
        {"downloads": downloads[ranked].astype("int64"), "models": counts[ranked].astype("int64")},
        index=pd.Index([authors[i] for i in ranked], name="author"),
    )


def memory_tiers(models: pd.DataFrame, tiers: tuple[int, ...] = GPU_TIERS) -> pd.DataFrame:
    """For each GPU size, the models whose stored-precision estimate fits it, and their share.

    The share is of the models with a memory estimate (``est_mem_stored_gb`` known): a null
    ``est_min_gpu_gb`` there means "more than 80 GB", while without an estimate it means "unknown",
    and unknowns would otherwise count as not fitting.
    """
    gpu = models.loc[models["est_mem_stored_gb"].notna(), "est_min_gpu_gb"]
    fits = [int((gpu <= tier).sum()) for tier in tiers]
    total = len(gpu)
    return pd.DataFrame(
        {"models": fits, "share": [n / total if total else math.nan for n in fits]},
        index=pd.Index(tiers, name="gpu_gb"),
    )


def memory_coverage(models: pd.DataFrame) -> dict[str, int]:
    estimated = models["est_mem_stored_gb"].notna()
    too_big = estimated & models["est_min_gpu_gb"].isna()
    return {
        "estimated": int(estimated.sum()),
        "unknown": int((~estimated).sum()),
        "over_80_gb": int(too_big.sum()),
    }


def crawl_summary(stats: Mapping[str, Any], kind: str = "models") -> pd.Series:
    """The crawl's headline numbers from its stats JSON (``HFHUB_STATS_FILE``); absent counters are 0.
    ``kind``: what was crawled (models, datasets, spaces), which names its counters."""

    def count(*keys: str) -> int:
        return next((int(stats[k]) for k in keys if k in stats), 0)

    return pd.Series(
        {
            "finish reason": stats.get("finish_reason", "unknown"),
            "started": stats.get("start_time", "unknown"),
            "duration (s)": round(float(stats.get("elapsed_time_seconds", 0.0)), 1),
            "listing pages": count("hfhub/pages"),
            "requests": count("downloader/request_count"),
            "retries": count("retry/count"),
            "429 responses": count("hfhub/crawl/ratelimit/429", "downloader/response_status_count/429"),
            "rate-limit wait (s)": round(float(stats.get("hfhub/crawl/ratelimit/wait_seconds", 0.0)), 1),
            "pages failed": count("hfhub/pages_failed"),
            f"{kind} listed": count(f"hfhub/{kind}_listed"),
            f"{kind} written": count(f"hfhub/{kind}_written"),
            f"{kind} published": count(f"hfhub/{kind}_published"),
            "bytes written": count("hfhub/bytes_written"),
        },
        dtype="object",
    )


def response_statuses(stats: Mapping[str, Any]) -> pd.Series:
    """Responses per HTTP status, from Scrapy's ``downloader/response_status_count/<status>``."""
    prefix = "downloader/response_status_count/"
    counts = {k[len(prefix) :]: int(v) for k, v in stats.items() if k.startswith(prefix)}
    return pd.Series(counts, dtype="int64", name="responses").sort_index()


# -- datasets and Spaces (scrapy crawl datasets / spaces) -------------------------------------------
DATASET_COLUMNS = (
    "id",
    "author",
    "downloads",
    "likes",
    "pretty_name",
    "task_categories",
    "modalities",
    "size_category",
    "languages",
    "license",
    "main_size",
    "used_storage",
)
SPACE_COLUMNS = (
    "id",
    "author",
    "likes",
    "title",
    "sdk",
    "runtime_stage",
    "hardware_requested",
    "hardware_current",
    "models",
    "datasets",
)


def load_table(table_dir: Path | str, columns: tuple[str, ...]) -> pd.DataFrame:
    """``columns`` of the table at ``table_dir`` (the datasets or the Spaces table)."""
    return pd.read_parquet(table_dir, columns=list(columns))


def list_counts(lists: pd.Series, top: int = 15) -> pd.Series:
    """How many rows hold each value of a list column (a value twice in one list counts once), most
    first (ties by name), the ``top`` largest; rows whose list is empty or null as ``(none)``. A row
    may hold several values, so the counts need not add up to the rows."""
    held = lists.dropna()
    held = held[held.map(len) > 0]
    exploded = pd.Series(
        [v for values in held for v in dict.fromkeys(values) if v is not None], dtype="object"
    )
    counts = _ranked(exploded.value_counts().to_dict()).head(top).copy()
    empty = len(lists) - len(held)
    if empty:
        counts[NO_VALUE] = empty
    return counts


_SIZE_UNITS = {"": 1.0, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


def _size_category_key(category: str) -> tuple[int, float, str]:
    """``n<1K`` < ``1K<n<10K`` < … < ``n>1T``; anything else (``other``, ``(none)``) after them."""
    if re.fullmatch(r"n<\d+[KMBT]?", category):
        return 0, 0.0, category
    if m := re.fullmatch(r"(\d+)([KMBT]?)<n<\d+[KMBT]?", category):
        return 0, float(m[1]) * _SIZE_UNITS[m[2]], category
    if m := re.fullmatch(r"n>(\d+)([KMBT]?)", category):
        return 0, float(m[1]) * _SIZE_UNITS[m[2]] * 1.5, category
    return 1, 0.0, category


def size_categories(datasets: pd.DataFrame) -> pd.Series:
    """Datasets per ``size_categories`` tag (rows), smallest category first, unknown ones after."""
    counts = counts_with_other(datasets["size_category"], top=1_000)
    return counts.iloc[sorted(range(len(counts)), key=lambda i: _size_category_key(str(counts.index[i])))]


def top_rows(table: pd.DataFrame, by: str, columns: tuple[str, ...], top: int = 15) -> pd.DataFrame:
    """The ``top`` rows with the most ``by`` (nulls as 0; ties by id), indexed by id, with
    ``by`` and ``columns``."""
    ranked = table.assign(_by=table[by].fillna(0).astype("int64")).sort_values(
        ["_by", "id"], ascending=[False, True], kind="stable"
    )
    out = ranked.head(top).set_index("id")[[by, *columns]]
    out[by] = out[by].fillna(0).astype("int64")
    return out


def size_histogram(datasets: pd.DataFrame) -> tuple[str, pd.DataFrame, dict[str, int]]:
    """Datasets per size bin (bytes, log scale, as ``parameter_histogram``), from ``main_size`` where
    any dataset has it, else from ``used_storage`` (not the same measure: every revision and the
    Hub's Parquet copies, so it is named, never mixed in). Returns the column used, the bins
    (``low``, ``high``, ``datasets``) and how many datasets have a size and how many not."""
    column = "main_size" if datasets["main_size"].notna().any() else "used_storage"
    bins = _log_bins(datasets[column]).rename(columns={"count": "datasets"})
    known = datasets[column].fillna(0) > 0
    return column, bins, {"known": int(known.sum()), "unknown": int((~known).sum())}


def used_by_spaces(spaces: pd.DataFrame, column: str, top: int = 15) -> pd.Series:
    """The models (``column="models"``) or datasets most Spaces name, by how many Spaces name them."""
    return list_counts(spaces[column], top).drop(NO_VALUE, errors="ignore").rename("spaces")


def hardware(spaces: pd.DataFrame, top: int = 12) -> pd.DataFrame:
    """Spaces per hardware flavor, requested and current (current is null while a Space does not run),
    side by side; the rows are the ``top`` flavors by requests, then the rest summed."""
    requested = spaces["hardware_requested"].fillna(NO_VALUE).value_counts()
    current = spaces["hardware_current"].fillna(NO_VALUE).value_counts()
    both = pd.DataFrame({"requested": requested, "current": current}).fillna(0).astype("int64")
    order = sorted(both.index, key=lambda v: (-both.at[v, "requested"], -both.at[v, "current"], str(v)))
    both = both.loc[order]
    head, rest = both.head(top), both.iloc[top:]
    if len(rest):
        head = pd.concat([head, rest.sum().to_frame(OTHER).T])
    return head.rename_axis("hardware").astype("int64")
