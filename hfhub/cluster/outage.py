"""A Redis server that stops answering, for a while, under a cluster crawl.

Every Redis call of a worker may fail while its server restarts (refused connections, then
``LOADING`` while it reads its append-only file back). Nothing is lost meanwhile: requests that
could not be pushed wait in the worker (``hfhub.cluster.scheduler``), leases stay unsettled, and the
heartbeat and idle checks try again on their next turn. ``RedisOutage`` only says so once per outage
instead of once per call, and counts the failed calls (``hfhub/cluster/redis_errors``).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import redis

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

# what a Redis server that is down, restarting or loading raises (BusyLoadingError is a ConnectionError)
REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError)


class RedisOutage:
    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats
        self.since: float | None = None  # monotonic time of the first failure of this outage

    def failed(self, exc: BaseException) -> None:
        if self.stats is not None:
            self.stats.inc_value("hfhub/cluster/redis_errors")
        if self.since is None:
            self.since = time.monotonic()
            logger.warning("Redis does not answer (%(error)s): waiting for it; what this worker holds is kept",
                           {"error": exc})

    def answered(self) -> None:
        if self.since is not None:
            logger.info("Redis answers again after %(s).1f s", {"s": time.monotonic() - self.since})
            if self.stats is not None:
                self.stats.inc_value("hfhub/cluster/redis_outages")
            self.since = None

    @property
    def down(self) -> bool:
        return self.since is not None
