"""Feed exports of repos: ``scrapy crawl models -O models.jsonl`` (or ``.json``, ``.csv``,
``.parquet``; likewise ``scrapy crawl datasets``/``spaces``) writes one record per repo with its
table's columns.

Scrapy's own exporters, taught that a page item (``ModelPage``, ``DatasetPage``, ``SpacePage``) is
many repos (``FEED_EXPORTERS`` in ``hfhub.settings``); Scrapy builds them with ``from_crawler``, so
each knows the crawl's kind (``HFHUB_REPO_KIND``) and its columns. Times are ISO 8601 with their
zone (Scrapy's JSON encoder would drop the zone and the microseconds); in CSV, list and map values
are JSON, so a tag with a comma stays whole. Only repos are exported: cards (``-a cards=1``) have
their own table (``HFHUB_CARDS_DIR``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson
import pyarrow.parquet as pq
from scrapy.exporters import BaseItemExporter, CsvItemExporter, JsonItemExporter, JsonLinesItemExporter

from hfhub.items import RepoPage
from hfhub.records.kinds import MODELS, RepoKind, repo_kind
from hfhub.records.modeltable import StepReport, model_rows, models_to_table

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


class _OneRecordPerRepo:
    kind: RepoKind = MODELS

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: Any, **kwargs: Any) -> Self:
        return cls(file, kind=repo_kind(crawler.settings["HFHUB_REPO_KIND"]), **kwargs)  # type: ignore[call-arg]

    def export_item(self, item: Any) -> None:
        if isinstance(item, RepoPage):
            rows = item.rows()
        elif isinstance(item, self.kind.item_class):
            rows = model_rows([item], self.kind.schema)
        else:
            return  # not a repo of this crawl's kind
        for row in rows:
            super().export_item(row)  # type: ignore[misc]

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, datetime):
            value = value.isoformat()
        return super().serialize_field(field, name, value)  # type: ignore[misc]


class ModelsJsonLinesExporter(_OneRecordPerRepo, JsonLinesItemExporter):
    def __init__(self, file: Any, kind: RepoKind = MODELS, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(file, **kwargs)


class ModelsJsonExporter(_OneRecordPerRepo, JsonItemExporter):
    def __init__(self, file: Any, kind: RepoKind = MODELS, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(file, **kwargs)


class ModelsCsvExporter(_OneRecordPerRepo, CsvItemExporter):
    def __init__(self, file: Any, kind: RepoKind = MODELS, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("fields_to_export", list(kind.schema.names))  # the same header whatever comes first
        super().__init__(file, **kwargs)

    def serialize_field(self, field: Any, name: str, value: Any) -> Any:
        if isinstance(value, (list, dict)):
            return orjson.dumps(value, default=str).decode()
        return super().serialize_field(field, name, value)


class ModelsParquetExporter(BaseItemExporter):
    """The repos as one Parquet file in their table's schema."""

    def __init__(self, file: BinaryIO, kind: RepoKind = MODELS, **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.kind = kind
        self.writer: pq.ParquetWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: BinaryIO, **kwargs: Any) -> Self:
        return cls(file, kind=repo_kind(crawler.settings["HFHUB_REPO_KIND"]), **kwargs)

    def start_exporting(self) -> None:
        self.writer = pq.ParquetWriter(self.file, self.kind.schema, compression="zstd")

    def export_item(self, item: Any) -> None:
        assert self.writer is not None
        if isinstance(item, RepoPage):
            item.settle()  # (the Parquet pipeline settled it already, and counted what Arrow refused)
            table = item.table
        elif isinstance(item, self.kind.item_class):
            table = models_to_table([item], StepReport(), self.kind.schema)
        else:
            return
        if table.num_rows:
            self.writer.write_table(table)

    def finish_exporting(self) -> None:
        if self.writer is not None:
            self.writer.close()
