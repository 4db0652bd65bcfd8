"""The pipeline of a table kept beside the models table, one row per item of its own kind: the
cards (``hfhub.pipelines.cards``) and the configs (``hfhub.pipelines.configs``).

Each crawl writes part files (atomic, like the models dataset) beside the table, and when the crawl
is published the table's next version adds them, compacted to one row per model, the most recently
fetched (``hfhub.cards.publishing.publish_rows_table``). A subclass says which items, which folder
setting, how an item becomes a row and a list of rows a part, and its stats' prefix.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from hfhub import signals as hfhub_signals
from hfhub.cards.publishing import publish_rows_table
from hfhub.crawl.crawlsession import cluster_session, crawl_session
from hfhub.crawl.crawlstate import new_crawl_id
from hfhub.storage.versions import check_dataset_path, dataset_path, inprogress_dir

if TYPE_CHECKING:
    from typing import Self

    import pyarrow as pa
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class SideTablePipeline:
    item_class: ClassVar[type]
    dir_setting: ClassVar[str]  # the table's folder (empty: no table, the pipeline is off)
    rows_setting: ClassVar[str]  # rows per part file
    stats_prefix: ClassVar[str]  # hfhub/cards, hfhub/configs
    what: ClassVar[str]  # the rows' name in messages and in the version's state: "cards"
    schema: ClassVar[pa.Schema]

    def __init__(self, crawler: Crawler, table_dir: Path, rows_per_part: int, compression: str) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.session = crawl_session(crawler)
        self.table_dir = table_dir
        self.parts_dir = inprogress_dir(table_dir, self.session.crawl_id)
        self.rows_per_part = rows_per_part
        self.compression = compression
        # own part names per process; in a cluster, named after the worker too
        worker = f"-{cluster_session(crawler).worker_id}" if self.session.shared else ""
        self.part_stem = f"part-{new_crawl_id()}{worker}"
        self._rows: list[dict[str, Any]] = []
        self._leases = Counter[str]()
        self._next_part = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not settings[cls.dir_setting]:
            raise NotConfigured
        table_dir = dataset_path(settings[cls.dir_setting])
        check_dataset_path(table_dir, legacy_state=False)  # before anything is written (hfhub.storage.versions)
        pipeline = cls(crawler, table_dir, settings.getint(cls.rows_setting), settings["HFHUB_PARQUET_COMPRESSION"])
        crawler.signals.connect(pipeline.publish, signal=hfhub_signals.crawl_publishing)
        crawler.signals.connect(pipeline.flush, signal=hfhub_signals.flush_buffers)
        return pipeline

    def row(self, item: Any) -> dict[str, Any]:
        raise NotImplementedError

    def write(self, rows: list[dict[str, Any]], path: Path) -> int:
        raise NotImplementedError

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, self.item_class):
            return item
        self._rows.append(self.row(item))
        lease = getattr(item, "lease", None)
        if lease is not None:
            self._leases[lease] += 1
        if len(self._rows) >= self.rows_per_part:
            await self.flush()
        return item

    async def close_spider(self) -> None:
        await self.flush()

    async def flush(self) -> None:
        if not self._rows:
            return
        rows, leases, self._rows, self._leases = self._rows, self._leases, [], Counter()
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        path = self.parts_dir / f"{self.part_stem}-{self._next_part:05d}.parquet"
        self._next_part += 1
        try:
            await maybe_deferred_to_future(deferToThread(self.write, rows, path))
        except Exception as exc:  # noqa: BLE001 (any write failure)
            # Like a models part: without it the crawl is incomplete, so it must not count as finished
            # (in a cluster, the rows' requests stay leased and go back to the queue).
            self.stats.inc_value(f"{self.stats_prefix}/parts_failed")
            logger.error("could not write %(path)s: %(error)s", {"path": path, "error": exc})
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="dataset_write_failed"))
            return
        self.stats.inc_value(f"{self.stats_prefix}/written", len(rows))
        if leases:
            self.crawler.signals.send_catch_log(signal=hfhub_signals.items_stored, leases=leases)

    async def publish(self, crawl_id: str) -> None:
        """The crawl is being published: so are this table's rows of all its runs (and, in a
        cluster, of all its workers)."""
        try:
            publication = await maybe_deferred_to_future(deferToThread(
                publish_rows_table, self.table_dir, crawl_id, compression=self.compression, schema=self.schema,
                rows_key=self.what))
        except Exception as exc:  # any failure: counted, logged, and the exit status says so
            self.stats.set_value(f"{self.stats_prefix}/publish_failed", f"{type(exc).__name__}: {exc}")
            logger.exception("publishing the %(what)s failed (%(error)s); %(dir)s is unchanged, the crawl's %(what)s "
                             "stay in %(parts)s", {"what": self.what, "error": exc, "dir": self.table_dir,
                                                   "parts": self.parts_dir})
            return
        if publication is None:
            return
        version, rows, removed = publication
        self.stats.set_value(f"{self.stats_prefix}/superseded_removed", removed)
        self.stats.set_value(f"{self.stats_prefix}/published", rows)
        logger.info("published the %(what)s table: %(dir)s now holds %(n)d %(what)s (%(version)s); %(removed)d older "
                    "rows removed", {"what": self.what, "dir": self.table_dir, "n": rows, "version": version,
                                     "removed": removed})
