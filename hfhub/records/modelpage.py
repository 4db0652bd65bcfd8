"""The items a listing spider yields: one listing page of repos, as an Arrow table.

One Scrapy item per page rather than per repo: Scrapy's per-item machinery (signals, the pipeline
chain, a task per item) would cost as much as hfhub's own per-repo work. The page arrives validated
and enriched (``hfhub.crawl.pagework.build_page``, the same steps the pipelines run on single
items), in its table's schema. ``ModelPage`` (the ``models`` spider), ``DatasetPage`` (``datasets``)
and ``SpacePage`` (``spaces``) are the same but for their kind (``hfhub.records.kinds``).

A pipeline of your own reads and changes the repos through ``page.repos`` (``page.models`` on a
``ModelPage``): items (``ModelItem``, ``DatasetItem``, ``SpaceItem``) made from the table when first
asked for; change them in place, or assign a new list. Once read that way, the items are the page:
the Parquet pipeline and the feed exports write them as they are then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import pyarrow as pa

from hfhub.records.kinds import RepoKind, repo_kind
from hfhub.records.modeltable import StepReport, model_rows, models_to_table, table_to_models


@dataclass(eq=False)
class RepoPage:
    table: pa.Table = field(repr=False)  # the repos, in their table's schema (hfhub.records.schema)
    listed: int  # records the page held: the repos kept plus those left out on the way
    report: StepReport = field(default_factory=StepReport, repr=False)  # what the steps left out or nulled
    listing_page: int | None = None  # sequence number of the page in this process (the checkpoint)
    lease: str | None = None  # cluster mode: the lease of the request it came from (hfhub.cluster.leases)
    _items: list[Any] | None = field(default=None, repr=False)
    kind_name: ClassVar[str] = "models"

    @property
    def kind(self) -> RepoKind:
        return repo_kind(self.kind_name)

    @property
    def repos(self) -> list[Any]:
        if self._items is None:
            self._items = table_to_models(self.table, self.kind.item_class)
        return self._items

    @repos.setter
    def repos(self, items: list[Any]) -> None:
        self._items = list(items)

    @property
    def ids(self) -> list[str]:
        if self._items is not None:
            return [item.id for item in self._items]
        return self.table.column("id").to_pylist()

    def __len__(self) -> int:
        return len(self._items) if self._items is not None else self.table.num_rows

    def rows(self) -> list[dict[str, Any]]:
        """One dict per repo, with the table's columns (maps as dicts)."""
        if self._items is not None:
            return model_rows(self._items, self.kind.schema)
        return self.table.to_pylist(maps_as_pydicts="strict")

    def settle(self) -> StepReport:
        """Make ``table`` hold the repos as they are now (after a pipeline read or changed them);
        what Arrow could not hold of them is reported, and left out."""
        report = StepReport()
        if self._items is not None:
            self.table, self._items = models_to_table(self._items, report, self.kind.schema), None
        return report


@dataclass(eq=False)
class ModelPage(RepoPage):
    """A page of ``/api/models``: ``page.models`` are its ``ModelItem``s."""

    kind_name: ClassVar[str] = "models"

    @property
    def models(self) -> list[Any]:
        return self.repos

    @models.setter
    def models(self, models: list[Any]) -> None:
        self.repos = models


@dataclass(eq=False)
class DatasetPage(RepoPage):
    """A page of ``/api/datasets``: ``page.repos`` are its ``DatasetItem``s."""

    kind_name: ClassVar[str] = "datasets"


@dataclass(eq=False)
class SpacePage(RepoPage):
    """A page of ``/api/spaces``: ``page.repos`` are its ``SpaceItem``s."""

    kind_name: ClassVar[str] = "spaces"


PAGE_CLASSES: dict[str, type[RepoPage]] = {cls.kind_name: cls for cls in (ModelPage, DatasetPage, SpacePage)}
