"""Parse and validate the Hub's list and detail query parameters (models, datasets, Spaces), as the Hub does."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

# huggingface_hub's ExpandModelProperty_T plus what the Hub's own 400 message lists.
EXPANDABLE: tuple[str, ...] = (
    "author", "baseModels", "cardData", "childrenModelCount", "config", "createdAt", "disabled",
    "downloads", "downloadsAllTime", "evalResults", "gated", "gguf", "inference",
    "inferenceProviderMapping", "lastModified", "library_name", "likes", "mask_token",
    "model-index", "pipeline_tag", "private", "resourceGroup", "safetensors", "sha", "siblings",
    "spaces", "tags", "transformersInfo", "trendingScore", "usedStorage", "widgetData", "xetEnabled",
)
# huggingface_hub's ExpandDatasetProperty_T and ExpandSpaceProperty_T (hf_api.py at ee0a4510, 2026-08-20).
DATASET_EXPANDABLE: tuple[str, ...] = (
    "author", "cardData", "citation", "createdAt", "description", "disabled", "downloads", "downloadsAllTime",
    "gated", "lastModified", "likes", "mainSize", "paperswithcode_id", "private", "resourceGroup", "sha",
    "siblings", "tags", "trendingScore", "usedStorage",
)
SPACE_EXPANDABLE: tuple[str, ...] = (
    "author", "cardData", "createdAt", "datasets", "disabled", "lastModified", "likes", "models", "private",
    "region", "resourceGroup", "runtime", "sdk", "sha", "siblings", "subdomain", "tags", "trendingScore",
    "usedStorage",
)
EXPANDABLE_BY_KIND: dict[str, tuple[str, ...]] = {
    "models": EXPANDABLE, "datasets": DATASET_EXPANDABLE, "spaces": SPACE_EXPANDABLE,
}
KINDS: tuple[str, ...] = tuple(EXPANDABLE_BY_KIND)
# Sort keys the Hub accepts, mapped to the corpus column that holds them.
SORT_COLUMNS: dict[str, str] = {
    "downloads": "downloads", "likes": "likes", "createdAt": "created_ms",
    "lastModified": "modified_ms", "trendingScore": "trending",
}
# Spaces have no downloads (huggingface_hub's SpaceSort_T has no "downloads").
SORTS_BY_KIND: dict[str, frozenset[str]] = {
    "models": frozenset(SORT_COLUMNS), "datasets": frozenset(SORT_COLUMNS),
    "spaces": frozenset(SORT_COLUMNS) - {"downloads"},
}
# Without `sort` the Hub lists by trending score (its first page is today's trending list).
DEFAULT_SORT = "trendingScore"
_TRUE = {"true", "1", "yes", "True"}


class ApiError(Exception):
    """An error answered as ``{"error": message}`` with an HTTP status."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


@dataclass
class ListQuery:
    limit: int
    sort: str = DEFAULT_SORT
    descending: bool = True
    search: str | None = None
    author: str | None = None
    filters: list[str] = field(default_factory=list)
    pipeline_tag: str | None = None
    full: bool = False
    config: bool = False
    card_data: bool = False
    expand: list[str] = field(default_factory=list)
    cursor: str | None = None
    kind: str = "models"
    gated: bool | None = None  # datasets: `gated=true|false`
    uses: tuple[tuple[str, str], ...] = ()  # Spaces: `models=<id>`, `datasets=<id>` (each repeatable)
    linked: bool = False  # Spaces: `linked=true`, those that name a model or a dataset

    def filter_key(self) -> tuple[object, ...]:
        """What decides the query's set of repos (not its order)."""
        return (self.author, self.pipeline_tag, self.search, tuple(self.filters), self.gated, self.uses,
                self.linked)


def parse_pairs(raw_query: str) -> list[tuple[str, str]]:
    return parse_qsl(raw_query, keep_blank_values=True)


def parse_expand(pairs: list[tuple[str, str]], kind: str = "models") -> list[str]:
    expandable = EXPANDABLE_BY_KIND[kind]
    expand = [v for k, v in pairs if k in ("expand", "expand[]")]
    bad = [e for e in expand if e not in expandable]
    if bad:
        raise ApiError(400, f'"expand" must be one of {", ".join(expandable)} (got {bad[0]!r})')
    return list(dict.fromkeys(expand))


def parse_list(pairs: list[tuple[str, str]], max_page_size: int, kind: str = "models") -> ListQuery:
    one = {k: v for k, v in pairs}
    q = ListQuery(limit=max_page_size, kind=kind)
    if "limit" in one:
        try:
            q.limit = int(one["limit"])
        except ValueError:
            raise ApiError(400, f"Invalid limit: {one['limit']!r} is not a number") from None
        if q.limit < 1:
            raise ApiError(400, "Invalid limit: must be a positive number")
        q.limit = min(q.limit, max_page_size)  # the Hub silently caps page sizes
    if one.get("sort"):
        if one["sort"] not in SORTS_BY_KIND[kind]:
            raise ApiError(400, "Invalid sort parameter")
        q.sort = one["sort"]
    # The Hub sorts descending only; `direction` ascends only for createdAt.
    q.descending = not (q.sort == "createdAt" and one.get("direction") not in (None, "", "-1"))
    q.search = one.get("search") or None
    q.author = one.get("author") or None
    q.filters = [v for k, v in pairs if k in ("filter", "filter[]") and v]
    q.full = one.get("full") in _TRUE
    q.card_data = one.get("cardData") in _TRUE
    if kind == "models":
        q.pipeline_tag = one.get("pipeline_tag") or None
        q.config = one.get("config") in _TRUE
    if kind == "datasets" and one.get("gated"):
        q.gated = one["gated"] in _TRUE
    if kind == "spaces":
        q.uses = tuple((k, v) for k, v in pairs if k in ("models", "datasets") and v)
        q.linked = one.get("linked") in _TRUE
    q.expand = parse_expand(pairs, kind)
    if q.expand and (q.full or q.config or q.card_data):
        raise ApiError(400, "`expand` cannot be used if `full`, `cardData` or `config` are passed")
    q.cursor = one.get("cursor") or None
    return q


def object_id_order(object_id: str) -> int:
    """A number that orders Mongo ObjectIds as the Hub's tiebreak does: creation second (first 4
    bytes), then the counter (last 3 bytes)."""
    return int(object_id[:8], 16) * (1 << 24) + int(object_id[-6:], 16)
