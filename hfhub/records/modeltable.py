"""Repos as Arrow and back: items to a table in their table's schema, a table to items.

Pure functions, no Scrapy. Models by default; a datasets or Spaces table is given its schema
(``hfhub.records.schema``). A repo whose values validation accepted but Arrow cannot hold (e.g. a
derived size beyond int64) is left out and reported, never the whole page.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from hfhub.records.model import ModelItem
from hfhub.records.schema import MODEL_SCHEMA, cached_per_schema


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


@cached_per_schema
def _row_getter(schema: pa.Schema) -> Callable[[Any], tuple[Any, ...]]:
    """An item's values in the schema's column order, in one C call."""
    return operator.attrgetter(*schema.names)


def models_to_table(models: list[Any], report: StepReport, schema: pa.Schema = MODEL_SCHEMA) -> pa.Table:
    """The repos as a table in ``schema``; those Arrow refuses are reported as ``unconvertible``."""
    try:
        return _to_table(models, schema)
    except _UNCONVERTIBLE:
        kept = []
        for model in models:
            try:
                _to_table([model], schema)
            except _UNCONVERTIBLE:
                report.drop("unconvertible", model.id)
            else:
                kept.append(model)
        return _to_table(kept, schema)


def _to_table(models: list[Any], schema: pa.Schema) -> pa.Table:
    columns = zip(*map(_row_getter(schema), models)) if models else ([] for _ in schema)
    return pa.Table.from_arrays([pa.array(column, field.type) for column, field in zip(columns, schema)],
                                schema=schema)


def table_to_models(table: pa.Table, item_class: type = ModelItem) -> list[Any]:
    """The rows of a table as items (their transient fields left None)."""
    return [item_class(**row) for row in table.to_pylist()]


def model_rows(models: list[Any], schema: pa.Schema = MODEL_SCHEMA) -> list[dict[str, Any]]:
    """The repos as one dict each, with the table's columns in order."""
    return [dict(zip(schema.names, _row_getter(schema)(model))) for model in models]
