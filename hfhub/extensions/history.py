"""Append each published crawl's snapshot to the history (``hfhub.history``), for trends over time.

On ``dataset_published`` (sent by ``PublishCrawl`` once the crawl's version is in place, before the
crawl is forgotten), so a kill while the snapshot is written is finished by the resumed run, whose
publication is a no-op and whose ``dataset_published`` comes again. In a cluster, the worker that
publishes writes it. ``HFHUB_HISTORY_DIR``: the folder (default: ``history`` beside the table's
folder, ``output/history``); the empty string turns history off.

A snapshot is dated by the Hub's clock: the ``Date`` header of the last response this process got
from it (the real Hub's is its time; the fake Hub's its simulated time, which ``/_fake/advance``
moves a day at a time), else the crawl's start. So a history of the fake spans the days it simulated.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from hfhub import signals as hfhub_signals
from hfhub.crawl.crawlsession import crawl_session
from hfhub.crawl.crawlstate import crawl_started_at
from hfhub.history.writer import Snapshot, append_snapshot
from hfhub.storage.versions import current_version, dataset_path, inprogress_dir

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def history_dir_for(setting: str | None, dataset_dir: Path) -> Path:
    """``HFHUB_HISTORY_DIR``, or without one the folder ``history`` beside the table's folder."""
    return Path(setting) if setting else dataset_dir.parent / "history"


class CrawlHistory:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if settings.get("HFHUB_HISTORY_DIR") == "":
            raise NotConfigured("HFHUB_HISTORY_DIR is empty")
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.session = crawl_session(crawler)
        self.kind = settings["HFHUB_REPO_KIND"]
        self.dataset_dir = dataset_path(settings["HFHUB_DATASET_DIR"])
        self.history_dir = history_dir_for(settings.get("HFHUB_HISTORY_DIR"), self.dataset_dir)
        self.compression = settings["HFHUB_PARQUET_COMPRESSION"]
        self.hub_date: bytes | None = None  # the Date header of the Hub's last response

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        crawler.signals.connect(extension.dataset_published, signal=hfhub_signals.dataset_published)
        crawler.signals.connect(extension.response_received, signal=signals.response_received)
        return extension

    def response_received(self, response: Response, **kwargs: Any) -> None:
        self.hub_date = response.headers.get(b"Date") or self.hub_date

    def snapshot_time(self, crawl_id: str) -> datetime:
        """By the Hub's clock (its last Date header), else the crawl's start, else now."""
        if self.hub_date is not None:
            try:
                return parsedate_to_datetime(self.hub_date.decode("latin-1")).astimezone(UTC)
            except (TypeError, ValueError, IndexError):
                pass  # a Date the Hub garbled: the crawl's own clock
        return crawl_started_at(crawl_id) or datetime.now(UTC)

    async def dataset_published(self, mode: str, **kwargs: Any) -> None:
        crawl_id = self.session.crawl_id
        try:
            snapshot: Snapshot = await maybe_deferred_to_future(deferToThread(self._append, crawl_id, mode))
        except Exception:  # noqa: BLE001 - any failure: logged, counted, and the exit status says so
            logger.exception("the crawl's history snapshot could not be written; a resumed run (same JOBDIR) writes it")
            self.stats.inc_value("hfhub/history/failed")
            return
        self.stats.set_value("hfhub/history/rows", snapshot.rows)
        self.stats.set_value("hfhub/history/deleted", snapshot.deleted)
        self.stats.set_value("hfhub/history/bytes", snapshot.bytes)
        logger.info("history: %(rows)d %(kind)s seen, %(deleted)d gone since the last full crawl, in %(path)s",
                    {"rows": snapshot.rows, "kind": self.kind, "deleted": snapshot.deleted, "path": snapshot.path})

    def _append(self, crawl_id: str, mode: str) -> Snapshot:
        version = current_version(self.dataset_dir)
        if version is None:
            raise RuntimeError(f"no published version in {self.dataset_dir}")
        return append_snapshot(
            self.history_dir, self.kind, version, inprogress_dir(self.dataset_dir, crawl_id), crawl_id=crawl_id,
            crawled_at=self.snapshot_time(crawl_id), mode=mode, compression=self.compression,
        )
