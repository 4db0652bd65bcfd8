"""Models as Arrow and back: ``ModelItem``s to a table in the dataset schema, a table to ``ModelItem``s.

Pure functions, no Scrapy. A model whose values validation accepted but Arrow cannot hold (e.g. a
derived size beyond int64) is left out and reported, never the whole page.
"""

from __future__ import annotations

import operator
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from hfhub.records.model import ModelItem
from hfhub.records.schema import COLUMNS, MODEL_SCHEMA


@dataclass
class StepReport:
    """What the pure steps left out of a page or nulled in it, with one model id for each reason."""

    dropped: Counter[str] = field(default_factory=Counter)  # reason -> models left out
    dropped_example: dict[str, str] = field(default_factory=dict)  # reason -> repr of one id
    nulled: Counter[str] = field(default_factory=Counter)  # field -> values replaced by None
    nulled_example: dict[str, str] = field(default_factory=dict)  # field -> one model id

    def drop(self, reason: str, model_id: Any) -> None:
        self.dropped[reason] += 1
        self.dropped_example.setdefault(reason, repr(model_id)[:120])

    def null(self, name: str, model_id: str) -> None:
        self.nulled[name] += 1
        self.nulled_example.setdefault(name, model_id)


_UNCONVERTIBLE = (pa.ArrowException, OverflowError, TypeError, ValueError)
_ROW = operator.attrgetter(*COLUMNS)  # a model's values in column order, in one C call


def models_to_table(models: list[ModelItem], report: StepReport) -> pa.Table:
    """The models as a table in the dataset schema; those Arrow refuses are reported as ``unconvertible``."""
    try:
        return _to_table(models)
    except _UNCONVERTIBLE:
        kept = []
        for model in models:
            try:
                _to_table([model])
            except _UNCONVERTIBLE:
                report.drop("unconvertible", model.id)
            else:
                kept.append(model)
        return _to_table(kept)


def _to_table(models: list[ModelItem]) -> pa.Table:
    columns = zip(*map(_ROW, models)) if models else ([] for _ in COLUMNS)
    return pa.Table.from_arrays([pa.array(column, field.type) for column, field in zip(columns, MODEL_SCHEMA)],
                                schema=MODEL_SCHEMA)


def table_to_models(table: pa.Table) -> list[ModelItem]:
    """The rows of a dataset-schema table as ``ModelItem``s (the transient ``files`` left None)."""
    return [ModelItem(**row) for row in table.to_pylist()]


def model_rows(models: list[ModelItem]) -> list[dict[str, Any]]:
    """The models as one dict per model, with the dataset's columns in order."""
    return [dict(zip(COLUMNS, _ROW(model))) for model in models]
