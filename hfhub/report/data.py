"""The numbers behind each chart of the report: one pure function per chart, DataFrame in, table out.

No plotting here, so every number the report shows can be checked without rendering it
(``tests/test_report_data.py`` recomputes each one independently with pandas).
"""

from __future__ import annotations

import math
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
    params = models["num_parameters"].dropna().astype("float64")
    params = params[params > 0]
    if params.empty:
        return pd.DataFrame({"low": [], "high": [], "models": []}).astype({"models": "int64"})
    exponents = np.floor(np.log10(params.to_numpy()) * BINS_PER_DECADE).astype(np.int64)
    first, last = int(exponents.min()), int(exponents.max())
    counts = np.bincount(exponents - first, minlength=last - first + 1)
    steps = np.arange(first, last + 2) / BINS_PER_DECADE
    edges = 10.0**steps
    return pd.DataFrame({"low": edges[:-1], "high": edges[1:], "models": counts.astype("int64")})


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


def crawl_summary(stats: Mapping[str, Any]) -> pd.Series:
    """The crawl's headline numbers from its stats JSON (``HFHUB_STATS_FILE``); absent counters are 0."""

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
            "models listed": count("hfhub/models_listed"),
            "models written": count("hfhub/models_written"),
            "models published": count("hfhub/models_published"),
            "bytes written": count("hfhub/bytes_written"),
        },
        dtype="object",
    )


def response_statuses(stats: Mapping[str, Any]) -> pd.Series:
    """Responses per HTTP status, from Scrapy's ``downloader/response_status_count/<status>``."""
    prefix = "downloader/response_status_count/"
    counts = {k[len(prefix) :]: int(v) for k, v in stats.items() if k.startswith(prefix)}
    return pd.Series(counts, dtype="int64", name="responses").sort_index()
