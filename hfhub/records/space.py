"""One Space of the Hub, as the API describes it (``SpaceItem``), and the mapping of one record of
``/api/spaces`` onto it.

Every field is a column of the Spaces table (``hfhub.records.schema.SPACE_SCHEMA``, documented in
docs/fields.md, "Spaces"). The SDK is the record's ``sdk`` (else the card's); the stage and hardware
come from ``runtime``, which stays whole in ``raw_json``. ``models`` and ``datasets`` are the ids the
Hub links the Space to: the links across the three tables (``hfhub.links``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hfhub.records.shapes import (
    as_list,
    file_names,
    gated_and_mode,
    len_or_none,
    mapping_or_empty,
    prefixed_tag_values,
    repo_author_and_name,
)

# API key -> the column that holds its value as given (what raw_json leaves out; hfhub.records.raw)
HELD_BY_COLUMN: dict[str, str] = {
    "id": "id", "author": "author", "sha": "sha", "createdAt": "created_at", "lastModified": "last_modified",
    "likes": "likes", "trendingScore": "trending_score", "tags": "tags", "subdomain": "subdomain",
    "host": "host", "region": "region", "models": "models", "datasets": "datasets", "gated": "gated",
    "private": "private", "disabled": "disabled", "usedStorage": "used_storage", "siblings": "files",
    "sdk": "sdk",
}
_TAG_PREFIXES = ("license", "arxiv")


@dataclass
class SpaceItem:
    # identity
    id: Any = None
    author: Any = None
    name: Any = None
    sha: Any = None
    # time
    created_at: Any = None
    last_modified: Any = None
    # popularity (Spaces have no download counts)
    likes: Any = None
    trending_score: Any = None
    # what it is
    tags: Any = None
    sdk: Any = None
    subdomain: Any = None
    host: Any = None
    region: Any = None
    models: Any = None
    datasets: Any = None
    # access
    gated: Any = None
    gated_mode: Any = None
    private: Any = None
    disabled: Any = None
    # repository and runtime
    used_storage: Any = None
    files: Any = None
    file_count: Any = None
    runtime_stage: Any = None
    hardware_current: Any = None
    hardware_requested: Any = None
    # from the card
    sdk_version: Any = None
    title: Any = None
    short_description: Any = None
    crawled_at: datetime | None = None
    # --- derived (docs/fields.md) ---
    license: Any = None
    arxiv_ids: Any = None
    popularity_score: Any = None
    days_since_modified: Any = None
    recency_score: Any = None
    search_text: Any = None
    raw_json: Any = None
    # --- transient, not written ---
    api_record: Any = None


def space_item_from_api(record: Any, crawled_at: datetime) -> SpaceItem:
    """The ``SpaceItem`` for one listing record; never raises, whatever ``record`` holds."""
    rec = mapping_or_empty(record)
    card = mapping_or_empty(rec.get("cardData"))
    runtime = mapping_or_empty(rec.get("runtime"))
    hardware = mapping_or_empty(runtime.get("hardware"))
    tags = rec.get("tags")
    tagged = prefixed_tag_values(tags, _TAG_PREFIXES)
    repo_id = rec.get("id")
    author, name = repo_author_and_name(repo_id, rec.get("author"))
    gated, gated_mode = gated_and_mode(rec.get("gated"))
    license_ = as_list(card.get("license")) or tagged["license"]
    return SpaceItem(
        id=repo_id,
        author=author,
        name=name,
        sha=rec.get("sha"),
        created_at=rec.get("createdAt"),
        last_modified=rec.get("lastModified"),
        likes=rec.get("likes"),
        trending_score=rec.get("trendingScore"),
        tags=tags,
        sdk=rec["sdk"] if rec.get("sdk") is not None else card.get("sdk"),
        subdomain=rec.get("subdomain"),
        host=rec.get("host"),
        region=rec.get("region"),
        models=rec.get("models"),
        datasets=rec.get("datasets"),
        gated=gated,
        gated_mode=gated_mode,
        private=rec.get("private"),
        disabled=rec.get("disabled"),
        used_storage=rec.get("usedStorage"),
        files=file_names(rec.get("siblings")),
        file_count=len_or_none(rec.get("siblings")),
        runtime_stage=runtime.get("stage"),
        hardware_current=hardware.get("current"),
        hardware_requested=hardware.get("requested"),
        sdk_version=card.get("sdk_version"),
        title=card.get("title"),
        short_description=card.get("short_description"),
        crawled_at=crawled_at,
        license=license_[0] if isinstance(license_, list) and license_ else None,
        arxiv_ids=tagged["arxiv"] or None,
        api_record=rec,
    )
