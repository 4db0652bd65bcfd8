"""Scrapy add-on: turn a crawl into a cluster worker when a Redis URL is set.

Add-ons run after every settings source (settings.py, ``-s``, scrapyd's ``setting=``) is applied,
so ``-s HFHUB_REDIS_URL=…`` on the command line is enough to switch the scheduler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hfhub.cluster import redis_url

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

SCHEDULER = "hfhub.cluster.scheduler.ClusterScheduler"
DUPEFILTER = "scrapy_redis.dupefilter.RFPDupeFilter"
COORDINATOR = "hfhub.cluster.coordinator.ClusterCoordinator"


class ClusterAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        url = redis_url(settings)
        if not url:
            return
        own, theirs = settings.get("HFHUB_REDIS_URL"), settings.get("REDIS_URL")
        if own and theirs and own != theirs:
            raise ValueError("HFHUB_REDIS_URL and REDIS_URL name different Redis servers; set one of them")
        settings.set("REDIS_URL", url, priority="addon")
        # Leases need hfhub's scheduler (subclasses of scrapy-redis's); scrapy-redis's
        # own class names, as its docs give them, are replaced rather than refused.
        scheduler = settings.get("SCHEDULER")
        local = ("scrapy.core.scheduler.Scheduler", "hfhub.crawl.scheduler.JobdirScheduler")  # the project's own default
        if scheduler not in (*local, "scrapy_redis.scheduler.Scheduler", SCHEDULER):
            raise ValueError(f"cluster mode needs SCHEDULER={SCHEDULER} (got {scheduler})")
        settings.set("SCHEDULER", SCHEDULER, priority="cmdline")
        # Scrapy's own DUPEFILTER_CLASS default is per process; the shared one is scrapy-redis's.
        if settings.get("DUPEFILTER_CLASS") == "scrapy.dupefilters.RFPDupeFilter":
            settings.set("DUPEFILTER_CLASS", DUPEFILTER, priority=settings.getpriority("DUPEFILTER_CLASS") or "addon")
        # A worker that stops must not take the shared queue with it (scrapy-redis's default is to
        # clear it on close). -s SCHEDULER_PERSIST=False restores that, for one-worker crawls.
        settings.set("SCHEDULER_PERSIST", True, priority="addon")
        extensions = settings.getdict("EXTENSIONS")
        extensions[COORDINATOR] = 120
        settings.set("EXTENSIONS", extensions, priority=settings.getpriority("EXTENSIONS") or 0)
