"""Which properties each endpoint and query returns (the Hub's payload shapes), per kind of repo."""

from __future__ import annotations

from dataclasses import dataclass
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
    view = VIEWS[q.kind]
    if q.expand:
        wanted = set(q.expand)
        return ("_id", "id", *(k for k in view.canonical if k in wanted))
    keys = view.list_full if q.full else view.list_default
    if q.config:
        keys = (*keys, "config")
    if q.card_data and "cardData" not in keys:
        keys = (*keys, "cardData")
    return keys


def detail(record: dict[str, Any], expand: list[str], kind: str = "models") -> dict[str, Any]:
    if expand:
        wanted = set(expand)
        out = {k: v for k, v in record.items() if k in ("_id", "id") or k in wanted}
    else:
        expand_only = VIEWS[kind].detail_expand_only
        out = {k: v for k, v in record.items() if k not in expand_only}
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


# -- datasets -----------------------------------------------------------------------
# No full list page of /api/datasets or /api/spaces was ever recorded (tests/data/real_hub/
# datasets_spaces.md §4). What is known, and used here:
# - the detail's keys and order (nvidia/OpenMathInstruct-2, akariasai/PopQA: records' own order,
#   DETAIL_EXPAND_ONLY left out);
# - the head of a default /api/datasets list row (a truncated real row of ?search=helm, 2026):
#   _id, id, author, disabled, gated, lastModified, likes, trendingScore, private, …; the rest
#   (sha, description, downloads, tags, createdAt and an empty `key`) is from memory of the
#   Hub's answers, unverified;
# - `full` adds "the `last_modified`, the `card_data` and the files ... such as the PapersWithCode ID"
#   (huggingface_hub's list_datasets docstring).
DATASET_LIST_DEFAULT: tuple[str, ...] = (
    "_id", "id", "author", "disabled", "gated", "lastModified", "likes", "trendingScore", "private", "sha",
    "description", "downloads", "tags", "createdAt", "key",
)
DATASET_LIST_FULL: tuple[str, ...] = (
    "_id", "id", "author", "disabled", "gated", "lastModified", "likes", "trendingScore", "private", "sha",
    "citation", "paperswithcode_id", "description", "downloads", "tags", "cardData", "siblings", "createdAt",
    "key",
)
_DATASET_CANONICAL: tuple[str, ...] = (
    "author", "disabled", "gated", "lastModified", "likes", "trendingScore", "private", "sha", "citation",
    "paperswithcode_id", "description", "downloads", "downloadsAllTime", "tags", "cardData", "siblings",
    "createdAt", "usedStorage", "mainSize", "resourceGroup",
)

# -- Spaces -------------------------------------------------------------------------
# The default /api/spaces row: from memory of the Hub's answers (2025), unverified; huggingface.js's
# listSpaces expands sdk, likes, private and lastModified, which the default lacks. The order of
# expanded properties follows the one real expanded list row known (enzostvs/deepsite: author,
# disabled, lastModified, likes, private, sha, subdomain, sdk, runtime, region, tags, createdAt).
# `full` adds "the `last_modified`, `siblings` and `card_data` fields" (list_spaces' docstring).
SPACE_LIST_DEFAULT: tuple[str, ...] = ("_id", "id", "likes", "trendingScore", "private", "sdk", "tags", "createdAt")
SPACE_LIST_FULL: tuple[str, ...] = (
    "_id", "id", "author", "lastModified", "likes", "trendingScore", "private", "sha", "sdk", "tags",
    "createdAt", "siblings", "cardData",
)
_SPACE_CANONICAL: tuple[str, ...] = (
    "author", "cardData", "disabled", "gated", "lastModified", "likes", "trendingScore", "private", "sha",
    "host", "subdomain", "sdk", "runtime", "region", "tags", "createdAt", "siblings", "models", "datasets",
    "usedStorage", "resourceGroup",
)


@dataclass(frozen=True)
class KindView:
    list_default: tuple[str, ...]
    list_full: tuple[str, ...]
    detail_expand_only: frozenset[str]  # left out of GET /api/<kind>/{id} unless expanded
    canonical: tuple[str, ...]  # the order of expanded properties


VIEWS: dict[str, KindView] = {
    "models": KindView(LIST_DEFAULT, LIST_FULL, DETAIL_EXPAND_ONLY, _CANONICAL),
    "datasets": KindView(DATASET_LIST_DEFAULT, DATASET_LIST_FULL,
                         frozenset({"downloadsAllTime", "trendingScore", "mainSize", "key", "resourceGroup"}),
                         _DATASET_CANONICAL),
    "spaces": KindView(SPACE_LIST_DEFAULT, SPACE_LIST_FULL, frozenset({"trendingScore", "region", "resourceGroup"}),
                       _SPACE_CANONICAL),
}
