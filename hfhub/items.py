"""The items hfhub's spider yields, for pipelines and feed exports of your own.

- ``ModelPage``, ``DatasetPage``, ``SpacePage`` (all ``RepoPage``): one listing page of repos,
  validated and enriched, as an Arrow table with an item view (``page.repos``; ``page.models`` on a
  ``ModelPage``); the ``models``, ``datasets`` and ``spaces`` spiders yield these.
- ``ModelItem``, ``DatasetItem``, ``SpaceItem``: one repo, every field a column of its table
  (``docs/fields.md``); hfhub's pipelines also take these one by one, from a spider of your own.
- ``CardItem``: a model's or dataset's parsed card (``-a cards=1``).
- ``ConfigItem``: a model's parsed config.json (``-a configs=1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hfhub.records.dataset import DatasetItem
from hfhub.records.model import ModelItem
from hfhub.records.modelpage import DatasetPage, ModelPage, RepoPage, SpacePage
from hfhub.records.space import SpaceItem

__all__ = ["CardItem", "ConfigItem", "DatasetItem", "DatasetPage", "ModelItem", "ModelPage", "RepoPage", "SpaceItem", "SpacePage"]


@dataclass
class CardItem:
    """A model's or dataset's card (README.md), parsed; one row of the cards table (``hfhub.cards.table``).

    ``card`` is None when the repo has no card (a 404): the row is still kept, so the same ``sha``
    is not asked for again."""

    id: str
    sha: str | None
    fetched_at: datetime
    card: Any = None  # hfhub.cards.ParsedCard | hfhub.cards.CardRejected | None
    lease: str | None = None  # cluster mode: the lease of the request it came from (not stored)


@dataclass
class ConfigItem:
    """A model's config.json, parsed; one row of the configs table (``hfhub.configs.table``).

    ``config`` is None when the repo has no config.json at that revision (a 404): the row is kept
    all the same, so the same ``sha`` is not asked for again. ``weights_bytes`` is the listing's, for
    the memory estimates."""

    id: str
    sha: str | None
    fetched_at: datetime
    weights_bytes: int | None = None
    config: Any = None  # hfhub.configs.parse.ParsedConfig | hfhub.configs.parse.ConfigRejected | None
    lease: str | None = None  # cluster mode: the lease of the request it came from (not stored)
