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
* A request Redis cannot take (down, restarting) waits in the worker and is pushed when Redis
  answers again; its parent's lease settles only then. Pops fail as "nothing to do" meanwhile.
* ``SCHEDULER_IDLE_BEFORE_CLOSE`` would block the reactor in ``BRPOP``; it is not used (idle
  workers poll instead, see ``ClusterCoordinator``).
"""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, Any

from scrapy.utils.misc import load_object
from scrapy_redis import defaults
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from hfhub.cluster import redis_settings
from hfhub.cluster.leases import PARENT_META
from hfhub.cluster.outage import REDIS_ERRORS
from hfhub.crawl.crawlsession import cluster_session
from hfhub.signals import request_scheduled

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

    from hfhub.cluster.membership import ClusterCrawl

logger = logging.getLogger(__name__)
PRIORITY_QUEUE = defaults.SCHEDULER_QUEUE_CLASS


class ClusterScheduler(Scheduler):
    session: ClusterCrawl
    df: Any  # scrapy-redis's dupefilter, made in open()
    # (request, fingerprint, parent lease) of requests Redis did not take yet (down, restarting)
    unsent: deque[tuple[Request, str | None, str | None]]

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
        scheduler.session = cluster_session(crawler)
        scheduler.session.outage.stats = crawler.stats
        scheduler.unsent = deque()
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = self.session.leased_queue(spider, self.serializer)
        if not self.df:
            dupefilter_cls = load_object(self.dupefilter_cls)
            if issubclass(dupefilter_cls, RFPDupeFilter):  # on this connection, which has the password
                key = self.session.keys.dupefilter
                self.df = dupefilter_cls(self.server, key=key, debug=spider.settings.getbool("DUPEFILTER_DEBUG"))
            else:
                self.df = dupefilter_cls.from_spider(spider)
        if queued := len(self.queue):
            logger.info("cluster queue holds %(n)d requests: continuing the crawl", {"n": queued})

    def enqueue_request(self, request: Request) -> bool:
        parent = request.meta.pop(PARENT_META, None)
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        self.unsent.append((request, fingerprint, parent))
        self.push_unsent()
        return True  # queued in Redis, or kept here until Redis answers again

    def push_unsent(self) -> None:
        """Push the requests Redis could not take yet, in order. A parent lease settles only once
        its requests are in Redis, so a worker killed with requests unsent loses nothing either:
        its peers put the parents back in the queue."""
        while self.unsent:
            request, fingerprint, parent = self.unsent[0]
            try:
                queued = self.queue.push_unseen(request, fingerprint, self.df.key)
            except REDIS_ERRORS as exc:
                self.session.outage.failed(exc)
                return
            self.session.outage.answered()
            self.unsent.popleft()
            if queued:
                if self.stats:
                    self.stats.inc_value("scheduler/enqueued/redis")
            else:
                self.df.log(request, self.spider)
            if parent is not None:  # in Redis now (or a duplicate of what is): one output of its parent done
                self.signals.send_catch_log(signal=request_scheduled, lease=parent)

    def next_request(self) -> Request | None:
        self.push_unsent()
        try:
            request = self.queue.pop()
        except REDIS_ERRORS as exc:
            self.session.outage.failed(exc)
            return None
        self.session.outage.answered()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        if self.unsent:
            return True
        try:
            return super().has_pending_requests()
        except REDIS_ERRORS as exc:
            self.session.outage.failed(exc)
            return True  # not known: not idle

    def close(self, reason: str) -> None:
        # Item pipelines have flushed by now (the engine closes them first): what is still leased
        # was in flight, and goes back to the queue for another worker.
        if self.unsent:
            logger.warning("%(n)d request(s) never reached Redis; the leases they came from return to the "
                           "queue when this worker's heartbeat expires", {"n": len(self.unsent)})
        try:
            returned = self.session.leave()
        except REDIS_ERRORS as exc:
            logger.warning("could not hand back this worker's leases (%(error)s); they return to the queue "
                           "when its heartbeat expires", {"error": exc})
            return
        if returned and self.stats:
            self.stats.inc_value("hfhub/cluster/leases_returned", returned)
        super().close(reason)
