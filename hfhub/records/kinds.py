"""The three kinds of Hub repo hfhub mirrors — models, datasets, Spaces — and what differs between them.

A ``RepoKind`` is everything the crawl needs to know of one listing endpoint: its path
(``/api/<name>``), the properties it can expand (huggingface_hub's ``ExpandModelProperty_T``,
``ExpandDatasetProperty_T``, ``ExpandSpaceProperty_T``), the table's item and schema, and the record
core's steps for it (map, enrich; validation is the schema's). The spiders, the page work, the
pipelines and the publishing read the kind by its name (the ``HFHUB_REPO_KIND`` setting, which each
spider sets); nothing else in the crawl depends on which kind it lists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa

from hfhub.records import dataset, hubrecord, space
from hfhub.records.enrichment import enrich_item
from hfhub.records.enrichment.repos import enrich_dataset, enrich_space
from hfhub.records.model import ModelItem
from hfhub.records.schema import DATASET_SCHEMA, MODEL_SCHEMA, SPACE_SCHEMA


@dataclass(frozen=True)
class RepoKind:
    name: str  # "models": the spider, the endpoint (/api/models), the default folder (output/models)
    singular: str  # "model"
    item_class: type
    schema: pa.Schema
    from_api: Callable[[Any, datetime], Any]
    enrich: Callable[[Any], Any]
    held_by_column: Mapping[str, str]  # API key -> the column holding it as given (hfhub.records.raw)
    expandable: tuple[str, ...]  # every property the endpoint expands (huggingface_hub's Expand…Property_T)
    expand_default: tuple[str, ...]  # what a crawl asks for unless HFHUB_EXPAND_<NAME> says otherwise
    sort_keys: tuple[str, ...]  # the listing's sort keys
    url_prefix: str  # of the repo's pages and files on the Hub: "" (models), "datasets/", "spaces/"

    @property
    def expand_setting(self) -> str:
        return f"HFHUB_EXPAND_{self.name.upper()}"

    def repo_url(self, endpoint: str, repo_id: str) -> str:
        return f"{endpoint.rstrip('/')}/{self.url_prefix}{repo_id}"

    def expand_properties(self, setting: Any) -> tuple[str, ...]:
        """The properties to expand for a value of ``HFHUB_EXPAND_<NAME>``: None for the default,
        ``all`` for every one, else the names given (a list, or one string separated by commas)
        plus those the crawl itself reads (``CRAWL_NEEDS``)."""
        if setting is None or setting == "" or setting == []:
            return self.expand_default
        names = setting.split(",") if isinstance(setting, str) else list(setting)
        names = [name.strip() for name in names if name.strip()]
        if names == ["all"]:
            return self.expandable
        unknown = [name for name in names if name not in self.expandable]
        if unknown:
            raise ValueError(
                f"{self.expand_setting}: {', '.join(unknown)} not expandable on /api/{self.name}; "
                f"choose from {', '.join(self.expandable)} (or all)"
            )
        return tuple(dict.fromkeys([*CRAWL_NEEDS, *names]))


# What the crawl reads whatever else is asked for: createdAt (a full crawl's order check),
# lastModified (the incremental cut-off and watermark), sha (cards, once per revision).
CRAWL_NEEDS = ("createdAt", "lastModified", "sha")

# huggingface_hub src/huggingface_hub/hf_api.py at ee0a4510 (2026-08-20), ExpandModelProperty_T
MODEL_EXPANDABLE = (
    "author", "baseModels", "cardData", "childrenModelCount", "config", "createdAt", "disabled", "downloads",
    "downloadsAllTime", "evalResults", "gated", "gguf", "inference", "inferenceProviderMapping", "lastModified",
    "library_name", "likes", "mask_token", "model-index", "pipeline_tag", "private", "resourceGroup",
    "safetensors", "sha", "siblings", "spaces", "tags", "transformersInfo", "trendingScore", "usedStorage",
    "widgetData",
)
# ExpandDatasetProperty_T, same file and commit
DATASET_EXPANDABLE = (
    "author", "cardData", "citation", "createdAt", "description", "disabled", "downloads", "downloadsAllTime",
    "gated", "lastModified", "likes", "mainSize", "paperswithcode_id", "private", "resourceGroup", "sha",
    "siblings", "tags", "trendingScore", "usedStorage",
)
# ExpandSpaceProperty_T, same file and commit
SPACE_EXPANDABLE = (
    "author", "cardData", "createdAt", "datasets", "disabled", "lastModified", "likes", "models", "private",
    "region", "resourceGroup", "runtime", "sdk", "sha", "siblings", "subdomain", "tags", "trendingScore",
    "usedStorage",
)
# Models by default: what the typed columns read, and the blocks users asked not to lose (kept in
# raw_json). Left out unless asked for: inference and inferenceProviderMapping (live serving state,
# not repo metadata), evalResults, mask_token, resourceGroup, baseModels (the base_model: tags say it).
# A page is one API call whatever it expands, so the quota (calls per 5 minutes) is the same.
MODEL_EXPAND_DEFAULT = (*hubrecord.EXPAND_PROPERTIES, "transformersInfo", "model-index", "widgetData")

MODELS = RepoKind(
    name="models", singular="model", item_class=ModelItem, schema=MODEL_SCHEMA,
    from_api=hubrecord.model_item_from_api, enrich=enrich_item, held_by_column=hubrecord.HELD_BY_COLUMN,
    expandable=MODEL_EXPANDABLE, expand_default=MODEL_EXPAND_DEFAULT,
    sort_keys=("downloads", "likes", "createdAt", "lastModified", "trendingScore"), url_prefix="",
)
DATASETS = RepoKind(
    name="datasets", singular="dataset", item_class=dataset.DatasetItem, schema=DATASET_SCHEMA,
    from_api=dataset.dataset_item_from_api, enrich=enrich_dataset, held_by_column=dataset.HELD_BY_COLUMN,
    expandable=DATASET_EXPANDABLE, expand_default=DATASET_EXPANDABLE,
    sort_keys=("downloads", "likes", "createdAt", "lastModified", "trendingScore"), url_prefix="datasets/",
)
SPACES = RepoKind(
    name="spaces", singular="space", item_class=space.SpaceItem, schema=SPACE_SCHEMA,
    from_api=space.space_item_from_api, enrich=enrich_space, held_by_column=space.HELD_BY_COLUMN,
    expandable=SPACE_EXPANDABLE, expand_default=SPACE_EXPANDABLE,
    sort_keys=("likes", "createdAt", "lastModified", "trendingScore"), url_prefix="spaces/",
)
KINDS: dict[str, RepoKind] = {kind.name: kind for kind in (MODELS, DATASETS, SPACES)}


def repo_kind(name: str) -> RepoKind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown repo kind {name!r}; one of {', '.join(KINDS)}") from None


def kind_of_item(item: Any) -> RepoKind | None:
    """The kind whose item ``item`` is, or None for any other object."""
    for kind in KINDS.values():
        if isinstance(item, kind.item_class):
            return kind
    return None
