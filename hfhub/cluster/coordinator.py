"""The cluster worker's extension: heartbeat, settling leases, and deciding when the crawl is over.

* Every ``HFHUB_REDIS_HEARTBEAT`` seconds: refresh this worker's heartbeat (it expires after
  ``HFHUB_REDIS_WORKER_TTL``) and put the leases of workers whose heartbeat expired back in the queue.
* Leases settle when their requests' items are stored (``hfhub.cluster.leases.LeaseBook``).
* An idle worker does not close: other workers may still enqueue work. When the queue is empty it
  asks the pipelines to write out their buffers (held items keep leases open), and it closes as
  ``finished`` once the whole cluster crawl is complete.

scrapy-redis's last release feeds idle spiders only on Scrapy's 5 s engine heartbeat (scrapy-redis
#317); here the engine's heartbeat is set to ``HFHUB_REDIS_IDLE_POLL`` so that an idle worker picks
up new requests within that time (``ExecutionEngine._SLOT_HEARTBEAT_INTERVAL``, read when the
engine starts; Scrapy has no setting for it).
"""

from __future__ import annotations

import logging
import secrets
from collections import Counter, deque
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.task import LoopingCall

from hfhub import signals as hfhub_signals
from hfhub.cluster import redis_url
from hfhub.cluster.leases import LeaseBook
from hfhub.cluster.membership import MAX_LISTING_RESTARTS
from hfhub.cluster.outage import REDIS_ERRORS
from hfhub.crawl.crawlsession import cluster_session
from hfhub.items import RepoPage

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

    from hfhub.cluster.membership import ClusterCrawl

logger = logging.getLogger(__name__)


class ClusterCoordinator:
    def __init__(self, crawler: Crawler, session: ClusterCrawl) -> None:
        settings = crawler.settings
        self.crawler = crawler
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.session = session
        self.heartbeat_interval = settings.getfloat("HFHUB_REDIS_HEARTBEAT")
        self.idle_poll = settings.getfloat("HFHUB_REDIS_IDLE_POLL")
        if not 0 < self.heartbeat_interval < session.heartbeat_ttl:
            raise ValueError("HFHUB_REDIS_HEARTBEAT must be positive and below HFHUB_REDIS_WORKER_TTL")
        self.book = LeaseBook(self._settle)
        self.unsettled: deque[str] = deque()  # leases done with that Redis has not heard of yet
        self._heartbeat = LoopingCall(self._beat)
        self._checking = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not redis_url(crawler.settings):
            raise NotConfigured
        coordinator = cls(crawler, cluster_session(crawler))
        connect = crawler.signals.connect
        connect(coordinator.spider_opened, signal=signals.spider_opened)
        connect(coordinator.spider_idle, signal=signals.spider_idle)
        connect(coordinator.spider_closed, signal=signals.spider_closed)
        connect(coordinator.book.request_handled, signal=hfhub_signals.request_handled)
        connect(coordinator.items_stored, signal=hfhub_signals.items_stored)
        connect(coordinator.request_scheduled, signal=hfhub_signals.request_scheduled)
        connect(coordinator.item_not_stored, signal=signals.item_dropped)
        connect(coordinator.item_not_stored, signal=signals.item_error)
        return coordinator

    def spider_opened(self, spider: Spider) -> None:
        session = self.session
        self.stats.set_value("hfhub/cluster/worker", session.worker_id)
        self.stats.set_value("hfhub/cluster/crawl_id", session.crawl_id)
        logger.info(
            "cluster worker %(worker)s %(how)s crawl %(crawl)s",
            {"worker": session.worker_id, "crawl": session.crawl_id,
             "how": "joined" if session.joined_running_crawl else "started"},
        )
        assert self.crawler.engine is not None
        self.crawler.engine._SLOT_HEARTBEAT_INTERVAL = self.idle_poll  # see the module docstring
        self._heartbeat.start(self.heartbeat_interval, now=True)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._heartbeat.running:
            self._heartbeat.stop()

    def _beat(self) -> None:
        # An exception would stop the LoopingCall for good, and the peers would take this worker
        # for dead: a failed beat is logged and the next one tries again.
        try:
            self.session.heartbeat()
            self._settle_now()
            returned = self.session.return_dead_workers_leases()
        except REDIS_ERRORS as exc:
            self.stats.inc_value("hfhub/cluster/heartbeat_errors")
            self.session.outage.failed(exc)
            return
        except Exception as exc:  # noqa: BLE001 (Redis errors of any other kind)
            self.stats.inc_value("hfhub/cluster/heartbeat_errors")
            logger.warning("cluster heartbeat failed (%(error)s); retrying", {"error": exc})
            return
        self.session.outage.answered()
        if returned:
            self.stats.inc_value("hfhub/cluster/leases_reclaimed", returned)

    # --- leases ---------------------------------------------------------------------------------
    def _settle(self, lease: str) -> None:
        self.unsettled.append(lease)
        self._settle_now()

    def _settle_now(self) -> None:
        """Settle the leases that are done with, in Redis; while Redis does not answer they wait here
        (a lease left in Redis is only a request done twice, never one lost)."""
        while self.unsettled:
            try:
                self.session.settle(self.unsettled[0])
            except REDIS_ERRORS as exc:
                self.session.outage.failed(exc)
                return
            self.unsettled.popleft()
            self.stats.inc_value("hfhub/cluster/leases_settled")

    def items_stored(self, leases: Counter[str]) -> None:
        self.book.outputs_done(leases)

    def request_scheduled(self, lease: str) -> None:
        self.book.outputs_done(Counter({lease: 1}))

    def item_not_stored(self, item: Any, failure: Failure | None = None, **kwargs: Any) -> None:
        if failure is not None and isinstance(item, RepoPage):
            return  # lost to this worker (its crawl closes): the lease stays open, to go back to the queue
        lease = getattr(item, "lease", None)
        if lease is not None:
            self.book.outputs_done(Counter({lease: 1}))

    # --- the end of the crawl -------------------------------------------------------------------
    def spider_idle(self, spider: Spider) -> None:
        if not self._checking:
            self._checking = True
            deferred_from_coro(self._when_idle())
        raise DontCloseSpider

    async def _when_idle(self) -> None:
        try:
            await self._check_when_idle()
        except REDIS_ERRORS as exc:  # tried again on the next idle poll
            self.session.outage.failed(exc)
        finally:
            self._checking = False

    async def _check_when_idle(self) -> None:
        session = self.session
        session.send_listing_done()
        self._settle_now()
        if self.unsettled:
            return
        if session.finished_elsewhere():
            await self._close("finished")
            return
        if session.queued():
            return  # work for the engine's next poll
        await self.crawler.signals.send_catch_log_async(signal=hfhub_signals.flush_buffers)
        assert self.crawler.engine is not None
        if self.crawler.engine.spider_is_idle():
            # Idle and flushed: every output is stored, queued, or was dropped on the way (an
            # output the book still misses), so every finished callback's lease can settle ...
            if dropped := self.book.settle_handled():
                self.stats.inc_value("hfhub/cluster/leases_settled_at_idle", dropped)
            # ... and a lease still in Redis is one this process lost track of (a pop whose
            # reply was lost, a settle that failed): back to the queue.
            if not len(self.book) and (orphans := session.return_leases()):
                self.stats.inc_value("hfhub/cluster/orphan_leases_returned", orphans)
                return
        if not len(self.book) and await self._listing_lost():
            return
        if session.complete() and not len(self.book):
            await self._close("finished")

    async def _listing_lost(self) -> bool:
        """Whether the listing had stopped, and was started again (or the crawl given up): its next
        request is gone from Redis (a write a restarted Redis did not keep), or the whole crawl is
        (a Redis restarted without persistence; the workers then carry on with it, from the first
        page, and the repeated rows are compacted away when it is published)."""
        session = self.session
        state = session.listing_state()
        if state == "ok":
            return False
        adopted = False
        if state == "lost":
            adoption = session.adopt_lost_crawl()
            if adoption == "other":
                logger.error("Redis lost cluster crawl %(crawl)s, and another crawl has begun since: this worker "
                             "stops; nothing of crawl %(crawl)s is published", {"crawl": session.crawl_id})
                await self._close("cluster_state_lost")
                return True
            if adoption == "joined":  # another worker made the crawl's keys again, and lists again
                return True
            adopted = True
            self.stats.inc_value("hfhub/cluster/state_lost")
        position, url = session.listing_cursor()
        spider: Any = self.crawler.spider
        request = spider.listing_request(url or spider.first_page_url(), listed_before=position,
                                         epoch=secrets.token_hex(4))
        restarts = session.restart_listing(position, request, stalled_or_not=adopted)
        if restarts == -1:
            return False
        if restarts == -2:
            logger.error("the listing of cluster crawl %(crawl)s stopped %(n)d times after %(pos)d models: giving up; "
                         "nothing is published", {"crawl": session.crawl_id, "n": MAX_LISTING_RESTARTS,
                                                  "pos": position})
            await self._close("cluster_listing_lost")
            return True
        self.stats.inc_value("hfhub/cluster/listing_restarts")
        logger.warning(
            "the listing of cluster crawl %(crawl)s had stopped: %(what)s; listing again from %(where)s",
            {"crawl": session.crawl_id,
             "what": "Redis had lost the crawl (restarted without persistence?)" if state == "lost"
             else "its next page's request was lost (a write a restarted Redis did not keep?)",
             "where": f"the page after {position:,} models" if url else "the first page"},
        )
        return True

    async def _close(self, reason: str) -> None:
        assert self.crawler.engine is not None
        await self.crawler.engine.close_spider_async(reason=reason)
