"""Publish a finished crawl: its Parquet parts become the dataset's next version (``hfhub.storage.publishing``).

An extension, beside the Parquet pipeline that writes the parts: at ``spider_closed`` (after the
item pipelines have closed, so every part is on disk) a crawl that finished and whose listing
reached its end is compacted and published; any other leaves its parts under ``_inprogress/`` for
a resumed run (same ``JOBDIR``). In a cluster crawl the one worker that sees the crawl complete
publishes every worker's parts. Signals around it: ``crawl_publishing`` before (the cards table
publishes then), ``dataset_published`` after (the index builder runs then).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure

from hfhub import signals as hfhub_signals
from hfhub.crawl.crawlsession import crawl_session
from hfhub.crawl.killpoints import kill_point
from hfhub.records.kinds import repo_kind
from hfhub.storage.publishing import forget_crawl_parts, publish_crawl
from hfhub.storage.versions import dataset_path, inprogress_dir

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def _listing_reached_end(spider: Spider, reason: str) -> bool:
    """Whether the listing provably reached its last page (or its cut-off, or its limit)."""
    reached = getattr(spider, "listing_reached_end", None)
    return True if reached is None else bool(reached(reason))


class PublishCrawl:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats = crawler.stats
        self.session = crawl_session(crawler)
        self.crawl_id = self.session.crawl_id
        self.dataset_dir = dataset_path(crawler.settings["HFHUB_DATASET_DIR"])
        self.parts_dir = inprogress_dir(self.dataset_dir, self.crawl_id)
        self.compression = crawler.settings["HFHUB_PARQUET_COMPRESSION"]
        self.kind_name = crawler.settings["HFHUB_REPO_KIND"]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        mode = getattr(spider, "mode", "full")
        write_failed = bool(self.stats.get_value("hfhub/parts_failed"))
        if reason == "finished" and not write_failed and not _listing_reached_end(spider, reason):
            # e.g. a broken JOBDIR queue lost the listing's next request: the engine closes as
            # "finished", but publishing a full crawl without the rest would drop those models
            self.stats.set_value("hfhub/publish/refused", "the listing did not reach its last page")
            logger.error("the listing did not reach its last page: the crawl is not published")
            reason = "listing_incomplete"
        if reason != "finished" or write_failed:
            logger.warning(
                "crawl ended with %(reason)r: its parts stay in %(dir)s%(resume)s; %(dataset)s is unchanged",
                {"reason": reason, "dir": self.parts_dir, "resume": self.session.resume_hint(),
                 "dataset": self.dataset_dir},
            )
            return
        if not self.session.claim_publication():
            return  # a cluster crawl: another worker publishes it
        # the tables published with the models (cards) go first, so the index built after sees them
        await self.crawler.signals.send_catch_log_async(signal=hfhub_signals.crawl_publishing, crawl_id=self.crawl_id)
        try:
            await maybe_deferred_to_future(deferToThread(self._compact_and_publish, mode))
        except Exception as exc:  # noqa: BLE001 - any failure: counted, logged, and the exit status says so
            self.stats.set_value("hfhub/publish/failed", f"{type(exc).__name__}: {exc}")
            logger.error("publishing the crawl failed (%(error)s); %(dataset)s is unchanged%(resume)s",
                         {"error": exc, "dataset": self.dataset_dir, "resume": self.session.resume_hint()},
                         exc_info=True)
            self.session.publication_failed()
            return
        results = await self.crawler.signals.send_catch_log_async(
            signal=hfhub_signals.dataset_published, dataset_dir=self.dataset_dir, mode=mode,
            models=self.stats.get_value(f"hfhub/{self.kind_name}_published"),
        )
        # (send_catch_log_async hands back the exception itself, send_catch_log a Failure)
        failed = sum(1 for _, result in results if isinstance(result, (Failure, BaseException)))
        if failed:  # Scrapy has logged each with its traceback
            self.stats.set_value("hfhub/publish/handlers_failed", failed)
        # Only now is the crawl done with: killed while the index was built, the same JOBDIR
        # publishes again (a no-op, the version exists) and builds the index, instead of crawling anew.
        await maybe_deferred_to_future(deferToThread(self._forget_published_crawl))

    def _forget_published_crawl(self) -> None:
        kill_point("publish:before_forget")
        self.session.published()
        kill_point("publish:forgotten")
        forget_crawl_parts(self.dataset_dir, self.crawl_id)

    def _compact_and_publish(self, mode: str) -> None:
        # Repeats within the crawl: seen by the dedup pipeline in this run, or unknowable after a
        # resume or in a cluster (other processes' ids were in their memory). Skipped otherwise:
        # reading every id back costs a few hundred MB at two million models.
        publication = publish_crawl(
            self.dataset_dir, self.parts_dir, self.crawl_id, mode=mode, compression=self.compression,
            compact_own_parts=bool(self.session.may_repeat_rows or self.stats.get_value("hfhub/duplicates")),
            empty_part_name=f"{self.session.part_stem}-00000.parquet", schema=repo_kind(self.kind_name).schema,
        )
        self.stats.set_value("hfhub/duplicates_removed", publication.removed)
        self.stats.set_value(f"hfhub/{self.kind_name}_published", publication.models)
        logger.info(
            "published %(mode)s crawl %(crawl)s: %(dir)s now holds %(rows)d %(kind)s (%(version)s); %(removed)d older rows removed",
            {"mode": mode, "kind": self.kind_name, "crawl": self.crawl_id, "dir": self.dataset_dir, "rows": publication.models,
             "version": publication.version, "removed": publication.removed},
        )
