"""Parse and validate the Hub's models-API query parameters, as the Hub does."""

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
# Sort keys the Hub accepts, mapped to the corpus column that holds them.
SORT_COLUMNS: dict[str, str] = {
    "downloads": "downloads", "likes": "likes", "createdAt": "created_ms",
    "lastModified": "modified_ms", "trendingScore": "trending",
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


def parse_pairs(raw_query: str) -> list[tuple[str, str]]:
    return parse_qsl(raw_query, keep_blank_values=True)


def parse_expand(pairs: list[tuple[str, str]]) -> list[str]:
    expand = [v for k, v in pairs if k in ("expand", "expand[]")]
    bad = [e for e in expand if e not in EXPANDABLE]
    if bad:
        raise ApiError(400, f'"expand" must be one of {", ".join(EXPANDABLE)} (got {bad[0]!r})')
    return list(dict.fromkeys(expand))


def parse_list(pairs: list[tuple[str, str]], max_page_size: int) -> ListQuery:
    one = {k: v for k, v in pairs}
    q = ListQuery(limit=max_page_size)
    if "limit" in one:
        try:
            q.limit = int(one["limit"])
        except ValueError:
            raise ApiError(400, f"Invalid limit: {one['limit']!r} is not a number") from None
        if q.limit < 1:
            raise ApiError(400, "Invalid limit: must be a positive number")
        q.limit = min(q.limit, max_page_size)  # the Hub silently caps page sizes
    if one.get("sort"):
        if one["sort"] not in SORT_COLUMNS:
            raise ApiError(400, "Invalid sort parameter")
        q.sort = one["sort"]
    # The Hub sorts descending only; `direction` ascends only for createdAt.
    q.descending = not (q.sort == "createdAt" and one.get("direction") not in (None, "", "-1"))
    q.search = one.get("search") or None
    q.author = one.get("author") or None
    q.pipeline_tag = one.get("pipeline_tag") or None
    q.filters = [v for k, v in pairs if k in ("filter", "filter[]") and v]
    q.full = one.get("full") in _TRUE
    q.config = one.get("config") in _TRUE
    q.card_data = one.get("cardData") in _TRUE
    q.expand = parse_expand(pairs)
    if q.expand and (q.full or q.config or q.card_data):
        raise ApiError(400, "`expand` cannot be used if `full`, `cardData` or `config` are passed")
    q.cursor = one.get("cursor") or None
    return q


def object_id_order(object_id: str) -> int:
    """A number that orders Mongo ObjectIds as the Hub's tiebreak does: creation second (first 4
    bytes), then the counter (last 3 bytes)."""
    return int(object_id[:8], 16) * (1 << 24) + int(object_id[-6:], 16)
