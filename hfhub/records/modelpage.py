"""The item the ``models`` spider yields: one listing page of models, as an Arrow table.

One Scrapy item per page rather than per model: Scrapy's per-item machinery (signals, the pipeline
chain, a task per item) would cost as much as hfhub's own per-model work. The page arrives validated
and enriched (``hfhub.crawl.pagework.build_page``, the same steps the pipelines run on single
``ModelItem``s), in the dataset schema.

A pipeline of your own reads and changes the models through ``page.models`` (``ModelItem``s, made
from the table when first asked for): change them in place, or assign a new list. Once read that
way, the models are the page: the Parquet pipeline and the feed exports write them as they are then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from hfhub.records.model import ModelItem
from hfhub.records.modeltable import StepReport, model_rows, models_to_table, table_to_models


@dataclass(eq=False)
class ModelPage:
    table: pa.Table = field(repr=False)  # the models, in the dataset schema (hfhub.records.schema.MODEL_SCHEMA)
    listed: int  # records the page held: the models kept plus those left out on the way
    report: StepReport = field(default_factory=StepReport, repr=False)  # what the steps left out or nulled
    listing_page: int | None = None  # sequence number of the page in this process (the checkpoint)
    lease: str | None = None  # cluster mode: the lease of the request it came from (hfhub.cluster.leases)
    _models: list[ModelItem] | None = field(default=None, repr=False)

    @property
    def models(self) -> list[ModelItem]:
        if self._models is None:
            self._models = table_to_models(self.table)
        return self._models

    @models.setter
    def models(self, models: list[ModelItem]) -> None:
        self._models = list(models)

    @property
    def ids(self) -> list[str]:
        if self._models is not None:
            return [model.id for model in self._models]
        return self.table.column("id").to_pylist()

    def __len__(self) -> int:
        return len(self._models) if self._models is not None else self.table.num_rows

    def rows(self) -> list[dict[str, Any]]:
        """One dict per model, with the dataset's columns (maps as dicts)."""
        if self._models is not None:
            return model_rows(self._models)
        return self.table.to_pylist(maps_as_pydicts="strict")

    def settle(self) -> StepReport:
        """Make ``table`` hold the models as they are now (after a pipeline read or changed them);
        what Arrow could not hold of them is reported, and left out."""
        report = StepReport()
        if self._models is not None:
            self.table, self._models = models_to_table(self._models, report), None
        return report
