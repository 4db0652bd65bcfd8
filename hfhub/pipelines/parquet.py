"""Last pipeline: buffer items column by column and write them as Parquet part files.

Each part is written in a worker thread (``deferToThread``) so the reactor keeps downloading and
parsing while pyarrow converts and compresses; at most one write is in flight, which bounds memory
to two buffers. When the crawl finishes, its parts replace the published dataset
(``hfhub.dataset.publish``); an interrupted or failed crawl leaves them under ``_inprogress/``.
"""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.threads import deferToThread

import pyarrow.parquet as pq

from hfhub.dataset import PART_GLOB, crawl_dir, drop_superseded_rows, publish, write_part
from hfhub.schema import COLUMNS

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred
    from twisted.python.failure import Failure
    from typing_extensions import Self

    from hfhub.items import ModelItem

logger = logging.getLogger(__name__)


def new_crawl_id() -> str:
    return f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{uuid.uuid4().hex[:8]}"


class ParquetDatasetPipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.dataset_dir = Path(settings["HFHUB_DATASET_DIR"]).resolve()
        self.rows_per_part = settings.getint("HFHUB_PARQUET_ROWS_PER_PART")
        self.compression = settings["HFHUB_PARQUET_COMPRESSION"]
        if self.rows_per_part < 1:
            raise ValueError("HFHUB_PARQUET_ROWS_PER_PART must be at least 1")
        self.crawl_id = new_crawl_id()
        self.parts_dir = crawl_dir(self.dataset_dir, self.crawl_id)
        self._buffer = self._empty_buffer()
        self._buffered = 0
        self._next_part = 0
        self._writing: Deferred[int] | None = None
        self._write_failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    @staticmethod
    def _empty_buffer() -> dict[str, list[Any]]:
        return {name: [] for name in COLUMNS}

    def open_spider(self) -> None:
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        logger.info("writing Parquet parts to %(dir)s", {"dir": self.parts_dir})

    async def process_item(self, item: ModelItem) -> ModelItem:
        buffer = self._buffer
        for name in COLUMNS:
            buffer[name].append(getattr(item, name))
        self._buffered += 1
        if self._buffered >= self.rows_per_part:
            await self._flush()
        return item

    async def close_spider(self) -> None:
        if self._buffered or self._next_part == 0:
            # A crawl that found nothing still writes an empty part, so the dataset keeps its schema.
            await self._flush()
        await self._wait_for_write()

    async def _flush(self) -> None:
        await self._wait_for_write()
        columns, rows = self._buffer, self._buffered
        self._buffer, self._buffered = self._empty_buffer(), 0
        path = self.parts_dir / f"part-{self.crawl_id}-{self._next_part:05d}.parquet"
        self._next_part += 1
        self._writing = deferToThread(write_part, columns, path, compression=self.compression)
        self._writing.addCallbacks(self._part_written, self._part_failed, (rows, path), errbackArgs=(path,))

    async def _wait_for_write(self) -> None:
        if self._writing is not None:
            writing, self._writing = self._writing, None
            await maybe_deferred_to_future(writing)

    def _part_written(self, size: int, rows: int, path: Path) -> int:
        assert self.stats is not None
        self.stats.inc_value("hfhub/models_written", rows)
        self.stats.inc_value("hfhub/parts_written")
        self.stats.inc_value("hfhub/bytes_written", size)
        logger.debug("wrote %(rows)d models to %(path)s", {"rows": rows, "path": path})
        return size

    def _part_failed(self, failure: Failure, path: Path) -> int:
        """A part that cannot be written fails the crawl: publishing without it would lose rows."""
        assert self.stats is not None and self.crawler.engine is not None
        self.stats.inc_value("hfhub/parts_failed")
        logger.error(
            "could not write %(path)s: %(error)s", {"path": path, "error": failure.getErrorMessage()}
        )
        self._write_failed = True
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="dataset_write_failed"))
        return 0

    def spider_closed(self, spider: Spider, reason: str) -> Deferred[None] | None:
        if reason != "finished" or self._write_failed:
            logger.warning(
                "crawl ended with %(reason)r: its parts stay in %(dir)s; %(dataset)s is unchanged",
                {"reason": reason, "dir": self.parts_dir, "dataset": self.dataset_dir},
            )
            return None
        return deferToThread(self._compact_and_publish)

    def _compact_and_publish(self) -> None:
        assert self.stats is not None
        if self.stats.get_value("hfhub/duplicates"):
            parts = sorted(self.parts_dir.glob(PART_GLOB))
            removed = drop_superseded_rows(parts, compression=self.compression)
            self.stats.set_value("hfhub/duplicates_removed", removed)
            logger.info("kept the newest record of each repeated model: %(n)d older rows removed", {"n": removed})
        published = publish(self.dataset_dir, self.crawl_id)
        rows = sum(pq.ParquetFile(p).metadata.num_rows for p in published)
        self.stats.set_value("hfhub/models_published", rows)
        logger.info(
            "published %(rows)d models in %(parts)d Parquet part file(s) to %(dir)s",
            {"rows": rows, "parts": len(published), "dir": self.dataset_dir},
        )
