"""Which properties each endpoint and query returns (the Hub's payload shapes)."""

from __future__ import annotations

from typing import Any

from hfhub.fakehub.query import ListQuery

# GET /api/models with no extras (observed order on the real Hub).
LIST_DEFAULT: tuple[str, ...] = (
    "_id", "id", "likes", "trendingScore", "private", "downloads", "tags", "pipeline_tag",
    "library_name", "createdAt", "modelId",
)
# full=true adds author, gated, lastModified, sha and the file list.
LIST_FULL: tuple[str, ...] = (
    "_id", "id", "author", "gated", "lastModified", "likes", "trendingScore", "private", "sha",
    "downloads", "tags", "pipeline_tag", "library_name", "createdAt", "modelId", "siblings",
)
# GET /api/models/{id}: everything but these, which come only through expand[].
DETAIL_EXPAND_ONLY = frozenset({"downloadsAllTime", "trendingScore", "childrenModelCount", "baseModels",
                                "xetEnabled"})


def pick(record: dict[str, Any], keys: tuple[str, ...] | list[str]) -> dict[str, Any]:
    return {k: record[k] for k in keys if k in record}


def list_keys(q: ListQuery) -> tuple[str, ...]:
    if q.expand:
        wanted = set(q.expand)
        return ("_id", "id", *(k for k in _CANONICAL if k in wanted))
    keys = LIST_FULL if q.full else LIST_DEFAULT
    if q.config:
        keys = (*keys, "config")
    if q.card_data:
        keys = (*keys, "cardData")
    return keys


def detail(record: dict[str, Any], expand: list[str]) -> dict[str, Any]:
    if expand:
        wanted = set(expand)
        out = {k: v for k, v in record.items() if k in ("_id", "id") or k in wanted}
    else:
        out = {k: v for k, v in record.items() if k not in DETAIL_EXPAND_ONLY}
    if "inferenceProviderMapping" in out:
        # the list endpoint sends a list of providers, the detail endpoint a dict keyed by provider
        out["inferenceProviderMapping"] = {
            entry["provider"]: {k: v for k, v in entry.items() if k != "provider"} for entry in out["inferenceProviderMapping"]
        }
    return out


# The order properties appear in when expanded (the record's own order).
_CANONICAL: tuple[str, ...] = (
    "author", "private", "pipeline_tag", "library_name", "tags", "downloads", "likes", "sha",
    "lastModified", "gated", "disabled", "mask_token", "widgetData", "model-index", "config",
    "cardData", "transformersInfo", "siblings", "spaces", "createdAt", "safetensors", "gguf",
    "usedStorage", "downloadsAllTime", "trendingScore", "childrenModelCount", "baseModels",
    "xetEnabled", "evalResults", "inference", "inferenceProviderMapping", "resourceGroup",
)
