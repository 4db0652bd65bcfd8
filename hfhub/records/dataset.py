"""One dataset of the Hub, as the API describes it (``DatasetItem``), and the mapping of one record
of ``/api/datasets`` onto it.

Every field is a column of the datasets table (``hfhub.records.schema.DATASET_SCHEMA``, documented
in docs/fields.md, "Datasets"). The task categories, modalities, formats, size category, languages
and libraries come from the Hub's own prefixed tags (``task_categories:…``, ``modality:…``), which
the Hub derives from the card and the files; where a record has no such tags, the card's YAML
(``cardData``) is read instead. Both stay in ``raw_json``/``tags`` as they were.
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
    "downloads": "downloads", "downloadsAllTime": "downloads_all_time", "likes": "likes",
    "trendingScore": "trending_score", "tags": "tags", "description": "description", "citation": "citation",
    "paperswithcode_id": "paperswithcode_id", "gated": "gated", "private": "private", "disabled": "disabled",
    "mainSize": "main_size", "usedStorage": "used_storage", "siblings": "files",
}
_TAG_PREFIXES = ("task_categories", "task_ids", "modality", "format", "size_categories", "language", "license",
                 "library", "arxiv")


@dataclass
class DatasetItem:
    # identity
    id: Any = None
    author: Any = None
    name: Any = None
    sha: Any = None
    # time
    created_at: Any = None
    last_modified: Any = None
    # popularity
    downloads: Any = None
    downloads_all_time: Any = None
    likes: Any = None
    trending_score: Any = None
    # what it is
    tags: Any = None
    pretty_name: Any = None
    description: Any = None
    citation: Any = None
    paperswithcode_id: Any = None
    # access
    gated: Any = None
    gated_mode: Any = None
    private: Any = None
    disabled: Any = None
    # repository
    main_size: Any = None
    used_storage: Any = None
    files: Any = None
    file_count: Any = None
    crawled_at: datetime | None = None
    # --- derived from the tags, else the card (docs/fields.md) ---
    task_categories: Any = None
    task_ids: Any = None
    modalities: Any = None
    formats: Any = None
    size_category: Any = None
    languages: Any = None
    license: Any = None
    libraries: Any = None
    arxiv_ids: Any = None
    config_names: Any = None
    # --- derived by enrichment (hfhub.records.enrichment.repos) ---
    popularity_score: Any = None
    days_since_modified: Any = None
    recency_score: Any = None
    search_text: Any = None
    raw_json: Any = None
    # --- transient, not written ---
    api_record: Any = None


def _tags_else_card(tagged: dict[str, list[str]], prefix: str, card: dict[str, Any], key: str) -> Any:
    if tagged[prefix]:
        return tagged[prefix]
    return as_list(card.get(key))


def _first(values: Any) -> Any:
    """The first of a list (a card may give one value or several), or the value itself."""
    if isinstance(values, list):
        return values[0] if values else None
    return values


def _config_names(configs: Any) -> Any:
    if not isinstance(configs, list):
        return None
    names = [c["config_name"] for c in configs if isinstance(c, dict) and isinstance(c.get("config_name"), str)]
    return names or None


def dataset_item_from_api(record: Any, crawled_at: datetime) -> DatasetItem:
    """The ``DatasetItem`` for one listing record; never raises, whatever ``record`` holds."""
    rec = mapping_or_empty(record)
    card = mapping_or_empty(rec.get("cardData"))
    tags = rec.get("tags")
    tagged = prefixed_tag_values(tags, _TAG_PREFIXES)
    repo_id = rec.get("id")
    author, name = repo_author_and_name(repo_id, rec.get("author"))
    gated, gated_mode = gated_and_mode(rec.get("gated"))
    files = file_names(rec.get("siblings"))
    return DatasetItem(
        id=repo_id,
        author=author,
        name=name,
        sha=rec.get("sha"),
        created_at=rec.get("createdAt"),
        last_modified=rec.get("lastModified"),
        downloads=rec.get("downloads"),
        downloads_all_time=rec.get("downloadsAllTime"),
        likes=rec.get("likes"),
        trending_score=rec.get("trendingScore"),
        tags=tags,
        pretty_name=card.get("pretty_name"),
        description=rec.get("description"),
        citation=rec.get("citation"),
        paperswithcode_id=rec.get("paperswithcode_id"),
        gated=gated,
        gated_mode=gated_mode,
        private=rec.get("private"),
        disabled=rec.get("disabled"),
        main_size=rec.get("mainSize"),
        used_storage=rec.get("usedStorage"),
        files=files,
        file_count=len_or_none(rec.get("siblings")),
        crawled_at=crawled_at,
        task_categories=_tags_else_card(tagged, "task_categories", card, "task_categories"),
        task_ids=_tags_else_card(tagged, "task_ids", card, "task_ids"),
        modalities=tagged["modality"] or None,
        formats=tagged["format"] or None,
        size_category=_first(_tags_else_card(tagged, "size_categories", card, "size_categories")),
        languages=_tags_else_card(tagged, "language", card, "language"),
        license=_first(as_list(card.get("license")) or None) or _first(tagged["license"]),
        libraries=tagged["library"] or None,
        arxiv_ids=tagged["arxiv"] or None,
        config_names=_config_names(card.get("configs")),
        api_record=rec,
    )
