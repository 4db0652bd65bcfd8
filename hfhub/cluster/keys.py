"""Names of the Redis keys one cluster crawl uses. Queue and dupefilter keys are scrapy-redis's
(``SCHEDULER_QUEUE_KEY``, ``SCHEDULER_DUPEFILTER_KEY``); hfhub's own keys sit next to them."""

from __future__ import annotations

from dataclasses import dataclass

from scrapy_redis import defaults


@dataclass(frozen=True)
class ClusterKeys:
    spider: str
    queue_pattern: str = defaults.SCHEDULER_QUEUE_KEY
    dupefilter_pattern: str = defaults.SCHEDULER_DUPEFILTER_KEY

    @property
    def queue(self) -> str:
        return self.queue_pattern % {"spider": self.spider}

    @property
    def dupefilter(self) -> str:
        return self.dupefilter_pattern % {"spider": self.spider}

    def _own(self, name: str) -> str:
        return f"{self.spider}:hfhub:{name}"

    @property
    def crawl(self) -> str:  # the crawl's id (string)
        return self._own("crawl")

    @property
    def crawl_args(self) -> str:  # the spider arguments of the crawl, JSON (string)
        return self._own("crawl_args")

    @property
    def listing_done(self) -> str:  # set once the last listing page is parsed (string)
        return self._own("listing_done")

    @property
    def workers(self) -> str:  # ids of the workers that joined (set)
        return self._own("workers")

    @property
    def lease_seq(self) -> str:  # counter for lease ids (string)
        return self._own("lease_seq")

    def publisher(self, crawl_id: str) -> str:  # the worker that publishes the crawl (string)
        return self._own(f"publisher:{crawl_id}")

    @property
    def finished(self) -> str:  # id of the last crawl published, for a day (string)
        return self._own("finished")

    def alive(self, worker: str) -> str:  # a worker's heartbeat, with a TTL (string)
        return self._own(f"alive:{worker}")

    def leases(self, worker: str) -> str:  # requests a worker popped, not yet settled (hash)
        return self._own(f"leases:{worker}")
