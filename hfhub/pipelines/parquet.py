"""Last pipeline: write each page's repos, an Arrow table, as Parquet part files.

A page arrives as an Arrow table (``hfhub.items.ModelPage``, ``DatasetPage``, ``SpacePage``, built in
the page pool), so its repos become Python objects in the crawling process only if a pipeline reads
``page.repos``; an item yielded on its own is buffered as a one-row table. The crawl's kind
(``HFHUB_REPO_KIND``, set by its spider) says which table: its schema, its stats
(``hfhub/<kind>_written``). Each part is written in a worker
thread (``deferToThread``) so the reactor keeps downloading while pyarrow compresses; at most one
write is in flight, which bounds memory to two buffers. After each part, the crawl's checkpoint
moves past the listing pages that are now wholly on disk (``hfhub.crawl.crawlstate``). When the
crawl finishes, the ``PublishCrawl`` extension (``hfhub.extensions.publish``) publishes the parts;
an interrupted or failed crawl leaves them under ``_inprogress/`` for a resumed run (same
``JOBDIR``) to continue. In a cluster crawl (``hfhub.cluster``) every worker writes its own parts
into the same folder.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from scrapy import signals
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure

from hfhub import signals as hfhub_signals
from hfhub.crawl import crawlstate
from hfhub.crawl.crawlsession import crawl_session
from hfhub.crawl.killpoints import kill_point
from hfhub.items import RepoPage
from hfhub.records.kinds import repo_kind
from hfhub.records.modeltable import StepReport, models_to_table
from hfhub.storage.dataset import write_table
from hfhub.storage.versions import check_dataset_path, dataset_path, inprogress_dir

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred


logger = logging.getLogger(__name__)
_PART_NUMBER = re.compile(r"-(\d+)\.parquet$")


def check_compression(codec: str) -> None:
    try:
        available = isinstance(codec, str) and (codec.lower() == "none" or pa.Codec.is_available(codec.lower()))
    except ValueError:  # a name pyarrow does not know at all
        available = False
    if not available:
        raise ValueError(
            f"HFHUB_PARQUET_COMPRESSION={codec!r} is not a compression pyarrow can write; "
            "use zstd (the default), snappy, gzip, lz4, brotli or none"
        )


class ParquetDatasetPipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.kind = repo_kind(settings["HFHUB_REPO_KIND"])
        self.dataset_dir = dataset_path(settings["HFHUB_DATASET_DIR"])
        self.rows_per_part = settings.getint("HFHUB_PARQUET_ROWS_PER_PART")
        self.compression = settings["HFHUB_PARQUET_COMPRESSION"]
        if self.rows_per_part < 1:
            raise ValueError("HFHUB_PARQUET_ROWS_PER_PART must be at least 1")
        check_compression(self.compression)
        self.session = crawl_session(crawler)
        self.crawl_id = self.session.crawl_id
        check_dataset_path(self.dataset_dir)  # before anything is written (hfhub.storage.versions)
        self.parts_dir = inprogress_dir(self.dataset_dir, self.crawl_id)
        self.ledger = crawlstate.PageLedger(
            crawlstate.read_checkpoint(self.parts_dir) if self.session.checkpoints else crawlstate.Checkpoint()
        )
        self._buffer: list[pa.Table] = []
        self._buffer_pages, self._buffer_leases = Counter[int](), Counter[str]()
        self._buffered = 0
        self._next_part = self._first_free_part_number()
        self._writing: Deferred[Any] | None = None
        self._pipeline_error = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.page_listed, signal=hfhub_signals.page_listed)
        crawler.signals.connect(pipeline.item_not_written, signal=signals.item_dropped)
        crawler.signals.connect(pipeline.item_not_written, signal=signals.item_error)
        crawler.signals.connect(pipeline.flush_buffers, signal=hfhub_signals.flush_buffers)
        return pipeline

    def _first_free_part_number(self) -> int:
        own_parts = self.parts_dir.glob(f"{self.session.part_stem}-*.parquet")
        numbers = [int(m.group(1)) for p in own_parts if (m := _PART_NUMBER.search(p.name))]
        return max(numbers, default=-1) + 1

    def open_spider(self) -> None:
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        if self.session.checkpoints and self.session.resumed:
            checkpoint = self.ledger.checkpoint
            logger.info(
                "resuming crawl %(id)s: %(pages)d pages (%(models)d models) already written in %(dir)s",
                {"id": self.crawl_id, "pages": checkpoint.pages, "models": checkpoint.models, "dir": self.parts_dir},
            )
        else:
            logger.info("writing Parquet parts to %(dir)s", {"dir": self.parts_dir})

    # --- the page ledger ------------------------------------------------------------------------
    def page_listed(self, seq: int, count: int, next_url: str | None) -> None:
        self.ledger.page_listed(seq, count, next_url)
        if count == 0:
            self._advance_checkpoint()

    def item_not_written(self, item: Any, failure: Failure | None = None, **kwargs: Any) -> None:
        """A page that a pipeline dropped is done with: the checkpoint must not wait for it. Not so a
        page lost to an error (a pipeline that failed on it): a resumed run must list it again, and
        this one closes without publishing."""
        if not isinstance(item, (RepoPage, self.kind.item_class)):
            return
        if failure is not None:
            self._pipeline_failed(item)
        elif isinstance(item, RepoPage) and item.listing_page is not None:
            self.ledger.handled(Counter({item.listing_page: item.listed}))

    def _pipeline_failed(self, item: Any) -> None:
        """A bug met on a page (Scrapy has logged its traceback). Publishing a full crawl without the
        page would take its models out of the dataset, so the crawl closes as ``pipeline_error``."""
        assert self.crawler.engine is not None
        # not "dropped": a resumed run lists these models again
        self.stats.inc_value(f"hfhub/pipeline_error/{self.kind.name}", len(item) if isinstance(item, RepoPage) else 1)
        if self._pipeline_error:
            return
        self._pipeline_error = True
        where = f"listing page {item.listing_page}" if isinstance(item, RepoPage) else f"{self.kind.singular} {item.id!r}"
        logger.error("a pipeline failed on %(where)s; closing the crawl (its parts stay for a resumed run)",
                     {"where": where})
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="pipeline_error"))

    def _advance_checkpoint(self) -> None:
        before = self.ledger.checkpoint.pages
        if self.session.checkpoints and self.ledger.advance():
            crawlstate.write_checkpoint(self.parts_dir, self.ledger.checkpoint)
            # pages complete out of order (two page processes), so the checkpoint may pass several
            for passed in range(before + 1, self.ledger.checkpoint.pages + 1):
                kill_point(f"checkpoint:{passed}")

    # --- buffering and writing ------------------------------------------------------------------
    async def process_item(self, item: Any) -> Any:
        if isinstance(item, self.kind.item_class):
            return await self._buffer_models(item)
        if not isinstance(item, RepoPage):
            return item
        if item.kind_name != self.kind.name:
            raise TypeError(f"a {item.kind_name} page in a crawl of {self.kind.name} (HFHUB_REPO_KIND)")
        self._account_unconvertible(item.settle())  # the models as a pipeline may have changed them
        table = item.table
        if not table.num_rows:
            return self._done_without_rows(item)
        self._buffer.append(table)
        # the whole page is in this part: its dropped records are done with when the part is
        if item.listing_page is not None:
            self._buffer_pages[item.listing_page] += item.listed
        if item.lease is not None:
            self._buffer_leases[item.lease] += 1
        self._buffered += table.num_rows
        if self._buffered >= self.rows_per_part:
            await self._flush()
        return item

    async def _buffer_models(self, item: Any) -> Any:
        """A repo yielded on its own (a spider of your own): one row in the next part."""
        report = StepReport()
        table = models_to_table([item], report, self.kind.schema)
        self._account_unconvertible(report)
        if table.num_rows:
            self._buffer.append(table)
            self._buffered += 1
            if self._buffered >= self.rows_per_part:
                await self._flush()
        return item

    def _account_unconvertible(self, report: StepReport) -> None:
        count = report.dropped["unconvertible"]
        if count:
            self.stats.inc_value("hfhub/dropped/unconvertible", count)
            logger.warning(
                "dropping %(n)d %(kind)s with values Arrow cannot hold (counted in hfhub/dropped/unconvertible), e.g. %(id)s",
                {"n": count, "kind": self.kind.name, "id": report.dropped_example["unconvertible"]},
            )

    def _done_without_rows(self, item: RepoPage) -> RepoPage:
        """A page with nothing to write is done with at once (checkpoint, lease)."""
        self.item_not_written(item)
        self._advance_checkpoint()
        if item.lease is not None:
            self.crawler.signals.send_catch_log(signal=hfhub_signals.items_stored, leases=Counter({item.lease: 1}))
        return item

    async def close_spider(self) -> None:
        if self._buffered or (self._next_part == 0 and not self.session.shared):
            # A crawl that found nothing still writes an empty part, so the dataset keeps its schema
            # (in a cluster, the publishing worker does, if no worker wrote any).
            await self._flush()
        await self._wait_for_write()

    async def flush_buffers(self) -> None:
        if self._buffered:
            await self._flush()
        await self._wait_for_write()

    async def _flush(self) -> None:
        # Take the buffer before waiting, so items arriving meanwhile start the next one.
        tables, pages, leases, rows = self._buffer, self._buffer_pages, self._buffer_leases, self._buffered
        self._buffer, self._buffer_pages, self._buffer_leases, self._buffered = [], Counter(), Counter(), 0
        path = self.parts_dir / f"{self.session.part_stem}-{self._next_part:05d}.parquet"
        self._next_part += 1
        await self._wait_for_write()
        table = pa.concat_tables(tables) if tables else self.kind.schema.empty_table()
        self._writing = deferToThread(write_table, table, path, compression=self.compression)
        self._writing.addCallbacks(self._part_written, self._part_failed, (rows, pages, leases, path), errbackArgs=(path,))

    async def _wait_for_write(self) -> None:
        while self._writing is not None:
            writing, self._writing = self._writing, None
            await maybe_deferred_to_future(writing)

    def _part_written(self, size: int, rows: int, pages: Counter[int], leases: Counter[str], path: Path) -> None:
        self.stats.inc_value(f"hfhub/{self.kind.name}_written", rows)
        self.stats.inc_value("hfhub/parts_written")
        self.stats.inc_value("hfhub/bytes_written", size)
        self.ledger.handled(pages)
        self._advance_checkpoint()
        if leases:
            self.crawler.signals.send_catch_log(signal=hfhub_signals.items_stored, leases=leases)
        logger.debug("wrote %(rows)d %(kind)s to %(path)s", {"rows": rows, "kind": self.kind.name, "path": path})

    def _part_failed(self, failure: Failure, path: Path) -> None:
        """A part that cannot be written fails the crawl: publishing without it would lose rows."""
        assert self.crawler.engine is not None
        self.stats.inc_value("hfhub/parts_failed")
        logger.error("could not write %(path)s: %(error)s", {"path": path, "error": failure.getErrorMessage()})
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="dataset_write_failed"))
