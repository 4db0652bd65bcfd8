"""Write fetched model cards to their own Parquet table (``HFHUB_CARDS_DIR``, ``output/cards``).

The cards table is kept apart so the models table stays small. It grows across crawls: each crawl
writes part files (atomic, like the models dataset) beside the table, and when the crawl is
published the table's next version adds them, compacted to one row per model, the most recently
fetched (``hfhub.cards.publishing``). The spider asks for a card only when the model's ``sha``
differs from the one the table (or the crawl's own parts) holds (``hfhub.cards.table.known_card_shas``).
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from hfhub import signals as hfhub_signals
from hfhub.cards.publishing import cards_inprogress_dir, publish_cards
from hfhub.cards.table import card_row, write_cards
from hfhub.crawl.crawlsession import cluster_session, crawl_session
from hfhub.crawl.crawlstate import new_crawl_id
from hfhub.items import CardItem
from hfhub.storage.versions import check_dataset_path, dataset_path

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class CardsParquetPipeline:
    def __init__(self, crawler: Crawler, cards_dir: Path, rows_per_part: int, compression: str) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.session = crawl_session(crawler)
        self.cards_dir = cards_dir
        self.parts_dir = cards_inprogress_dir(cards_dir, self.session.crawl_id)
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
        if not settings["HFHUB_CARDS_DIR"]:
            raise NotConfigured
        cards_dir = dataset_path(settings["HFHUB_CARDS_DIR"])
        check_dataset_path(cards_dir, legacy_state=False)  # before anything is written (hfhub.storage.versions)
        pipeline = cls(
            crawler, cards_dir, settings.getint("HFHUB_CARDS_ROWS_PER_PART"), settings["HFHUB_PARQUET_COMPRESSION"],
        )
        crawler.signals.connect(pipeline.publish, signal=hfhub_signals.crawl_publishing)
        crawler.signals.connect(pipeline.flush, signal=hfhub_signals.flush_buffers)
        return pipeline

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, CardItem):
            return item
        self._rows.append(card_row(item.id, item.sha, item.fetched_at, item.card))
        if item.lease is not None:
            self._leases[item.lease] += 1
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
            await maybe_deferred_to_future(deferToThread(write_cards, rows, path, compression=self.compression))
        except Exception as exc:  # noqa: BLE001 (any write failure)
            # Like a models part: without it the crawl is incomplete, so it must not count as finished
            # (in a cluster, the rows' requests stay leased and go back to the queue).
            self.stats.inc_value("hfhub/cards/parts_failed")
            logger.error("could not write %(path)s: %(error)s", {"path": path, "error": exc})
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="dataset_write_failed"))
            return
        self.stats.inc_value("hfhub/cards/written", len(rows))
        if leases:
            self.crawler.signals.send_catch_log(signal=hfhub_signals.items_stored, leases=leases)

    async def publish(self, crawl_id: str) -> None:
        """The crawl is being published: so are the cards of all its runs (and, in a cluster, of
        all its workers)."""
        try:
            publication = await maybe_deferred_to_future(deferToThread(
                publish_cards, self.cards_dir, crawl_id, compression=self.compression))
        except Exception as exc:  # any failure: counted, logged, and the exit status says so
            self.stats.set_value("hfhub/cards/publish_failed", f"{type(exc).__name__}: {exc}")
            logger.exception("publishing the cards failed (%(error)s); %(dir)s is unchanged, the crawl's cards "
                             "stay in %(parts)s", {"error": exc, "dir": self.cards_dir, "parts": self.parts_dir})
            return
        if publication is None:
            return
        self.stats.set_value("hfhub/cards/superseded_removed", publication.removed)
        self.stats.set_value("hfhub/cards/published", publication.cards)
        logger.info("published the cards table: %(dir)s now holds %(n)d cards (%(version)s); %(removed)d older "
                    "rows removed", {"dir": self.cards_dir, "n": publication.cards, "version": publication.version,
                                     "removed": publication.removed})
