"""Feed exports of models: ``scrapy crawl models -O models.jsonl`` (or ``.json``, ``.csv``,
``.parquet``) writes one record per model with the dataset's columns.

Scrapy's own exporters, taught that a ``ModelPage`` item is many models (``FEED_EXPORTERS`` in
``hfhub.settings``). Times are ISO 8601 with their zone (Scrapy's JSON encoder would drop the zone
and the microseconds); in CSV, list and map values are JSON, so a tag with a comma stays whole.
Only models are exported: cards (``-a cards=1``) have their own table (``HFHUB_CARDS_DIR``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, BinaryIO

import orjson
import pyarrow.parquet as pq
from scrapy.exporters import BaseItemExporter, CsvItemExporter, JsonItemExporter, JsonLinesItemExporter

from hfhub.items import ModelItem, ModelPage
from hfhub.records.modeltable import StepReport, model_rows, models_to_table
from hfhub.records.schema import COLUMNS, MODEL_SCHEMA


class _OneRecordPerModel:
    def export_item(self, item: Any) -> None:
        if isinstance(item, ModelPage):
            rows = item.rows()
        elif isinstance(item, ModelItem):
            rows = model_rows([item])
        else:
            return  # not a model
        for row in rows:
            super().export_item(row)  # type: ignore[misc]

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, datetime):
            value = value.isoformat()
        return super().serialize_field(field, name, value)  # type: ignore[misc]


class ModelsJsonLinesExporter(_OneRecordPerModel, JsonLinesItemExporter):
    pass


class ModelsJsonExporter(_OneRecordPerModel, JsonItemExporter):
    pass


class ModelsCsvExporter(_OneRecordPerModel, CsvItemExporter):
    def __init__(self, file: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fields_to_export", list(COLUMNS))  # the same header whatever comes first
        super().__init__(file, **kwargs)

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, (list, dict)):
            return orjson.dumps(value, default=str).decode()
        return super().serialize_field(field, name, value)


class ModelsParquetExporter(BaseItemExporter):
    """The models as one Parquet file in the dataset schema."""

    def __init__(self, file: BinaryIO, **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.writer: pq.ParquetWriter | None = None

    def start_exporting(self) -> None:
        self.writer = pq.ParquetWriter(self.file, MODEL_SCHEMA, compression="zstd")

    def export_item(self, item: Any) -> None:
        assert self.writer is not None
        if isinstance(item, ModelPage):
            item.settle()  # (the Parquet pipeline settled it already, and counted what Arrow refused)
            table = item.table
        elif isinstance(item, ModelItem):
            table = models_to_table([item], StepReport())
        else:
            return
        if table.num_rows:
            self.writer.write_table(table)

    def finish_exporting(self) -> None:
        if self.writer is not None:
            self.writer.close()
