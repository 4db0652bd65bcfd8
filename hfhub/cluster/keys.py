"""Names of the Redis keys of cluster crawls.

A few keys are per spider: which crawl is current, and the last one published. Everything else
belongs to one crawl and has the crawl's id in its name, so that the workers of a finished crawl
that are still shutting down never touch the next crawl's queue. The queue and dupefilter keys are
scrapy-redis's (``SCHEDULER_QUEUE_KEY``, ``SCHEDULER_DUPEFILTER_KEY``) followed by the crawl's id.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapy_redis import defaults


@dataclass(frozen=True)
class ClusterKeys:
    spider: str
    queue_pattern: str = defaults.SCHEDULER_QUEUE_KEY
    dupefilter_pattern: str = defaults.SCHEDULER_DUPEFILTER_KEY
    crawl_id: str = ""  # set once the worker has joined a crawl

    def _own(self, name: str) -> str:
        return f"{self.spider}:hfhub:{name}"

    def _crawl(self, name: str) -> str:
        if not self.crawl_id:
            raise RuntimeError("the keys of a crawl are named only once its id is known")
        return f"{self.spider}:hfhub:{self.crawl_id}:{name}"

    # --- per spider -------------------------------------------------------------------------------
    @property
    def current(self) -> str:  # id of the crawl new workers join (string)
        return self._own("crawl")

    @property
    def finished(self) -> str:  # id of the last crawl published, for a day (string)
        return self._own("finished")

    def alive(self, worker: str) -> str:  # a worker's heartbeat, with a TTL (string)
        return self._own(f"alive:{worker}")

    # --- per crawl ----------------------------------------------------------------------------------
    @property
    def queue(self) -> str:  # scrapy-redis's request queue (sorted set)
        return f"{self.queue_pattern % {'spider': self.spider}}:{self.crawl_id}" if self.crawl_id else self._crawl("")

    @property
    def dupefilter(self) -> str:  # scrapy-redis's request fingerprints (set)
        return f"{self.dupefilter_pattern % {'spider': self.spider}}:{self.crawl_id}" if self.crawl_id else self._crawl("")

    @property
    def crawl_args(self) -> str:  # the spider arguments of the crawl, JSON (string)
        return self._crawl("args")

    @property
    def listing_done(self) -> str:  # set once the last listing page is parsed (string)
        return self._crawl("listing_done")

    @property
    def workers(self) -> str:  # ids of the workers taking part (set)
        return self._crawl("workers")

    @property
    def listing_cursor(self) -> str:  # the furthest next-page link parsed: position, url (hash)
        return self._crawl("listing_cursor")

    @property
    def listing_restarts(self) -> str:  # times the listing was started again from the cursor (hash)
        return self._crawl("listing_restarts")

    @property
    def publisher(self) -> str:  # the worker that publishes the crawl (string)
        return self._crawl("publisher")

    def leases(self, worker: str) -> str:  # requests a worker popped, not yet settled (hash)
        return self._crawl(f"leases:{worker}")

    def lease_prefix(self) -> str:
        return self._crawl("leases:")
