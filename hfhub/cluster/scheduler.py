"""scrapy-redis's scheduler, with leased pops and a worker that hands back its leases on close.

What scrapy-redis 0.9.1 (its last release, 2024) lacks for this project, and what is done here:

* Pops delete a request from Redis, so a killed worker loses what it popped: the queue is
  ``LeasedPriorityQueue`` (pop = lease) and a closing worker returns its unsettled leases.
* The queue class is built with the same four arguments for every queue; ours also needs the
  lease keys, so ``open`` (re-stated) builds it itself (``SCHEDULER_QUEUE_CLASS`` must stay
  scrapy-redis's default, the priority queue, which ours extends). scrapy-redis's ``open`` also
  calls the deprecated ``Spider.log``.
* Its ``enqueue_request``/``next_request`` pass ``spider=`` to the stats collector, which Scrapy
  2.13+ deprecates (a warning per crawl); they are re-stated here without it.
* Its connections are made from the settings, so a password would have to be in ``REDIS_URL`` or
  ``REDIS_PARAMS``, which Scrapy logs: here they come from a private copy that adds the password
  from the environment (``hfhub.cluster.redis_settings``).
* ``SCHEDULER_IDLE_BEFORE_CLOSE`` would block the reactor in ``BRPOP``; it is not used (idle
  workers poll instead, see ``ClusterCoordinator``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.utils.misc import load_object
from scrapy_redis import defaults
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from hfhub.cluster import redis_settings
from hfhub.cluster.leases import PARENT_META
from hfhub.signals import request_scheduled
from hfhub.crawlstate import crawl_session

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from typing_extensions import Self

    from hfhub.cluster.membership import ClusterCrawl

logger = logging.getLogger(__name__)
PRIORITY_QUEUE = defaults.SCHEDULER_QUEUE_CLASS


class ClusterScheduler(Scheduler):
    membership: ClusterCrawl

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        # with the private settings that carry the password (scrapy-redis reads REDIS_PARAMS)
        scheduler = cls.from_settings(redis_settings(crawler.settings))
        scheduler.stats = crawler.stats
        scheduler.signals = crawler.signals
        if crawler.settings.getint("SCHEDULER_IDLE_BEFORE_CLOSE"):
            raise ValueError("SCHEDULER_IDLE_BEFORE_CLOSE blocks the reactor; leave it at 0 in hfhub")
        if crawler.settings.getbool("SCHEDULER_FLUSH_ON_START"):
            raise ValueError("SCHEDULER_FLUSH_ON_START would empty the shared queue whenever a worker joins")
        if scheduler.queue_cls != PRIORITY_QUEUE:
            raise ValueError(f"hfhub's cluster mode uses its own leased {PRIORITY_QUEUE}; unset SCHEDULER_QUEUE_CLASS")
        scheduler.membership = crawl_session(crawler)  # type: ignore[assignment]
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = self.membership.leased_queue(spider, self.serializer)
        if not self.df:
            dupefilter_cls = load_object(self.dupefilter_cls)
            if issubclass(dupefilter_cls, RFPDupeFilter):  # on this connection, which has the password
                key = self.membership.keys.dupefilter
                self.df = dupefilter_cls(self.server, key=key, debug=spider.settings.getbool("DUPEFILTER_DEBUG"))
            else:
                self.df = dupefilter_cls.from_spider(spider)
        if queued := len(self.queue):
            logger.info("cluster queue holds %(n)d requests: continuing the crawl", {"n": queued})

    def enqueue_request(self, request: Request) -> bool:
        parent = request.meta.pop(PARENT_META, None)
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        queued = self.queue.push_unseen(request, fingerprint, self.df.key)
        if queued:
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/redis")
        else:
            self.df.log(request, self.spider)
        if parent is not None:  # in Redis now (or a duplicate of what is): one output of its parent done
            self.signals.send_catch_log(signal=request_scheduled, lease=parent)
        return queued

    def next_request(self) -> Request | None:
        request = self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def close(self, reason: str) -> None:
        # Item pipelines have flushed by now (the engine closes them first): what is still leased
        # was in flight, and goes back to the queue for another worker.
        returned = self.membership.leave()
        if returned and self.stats:
            self.stats.inc_value("hfhub/cluster/leases_returned", returned)
        super().close(reason)
