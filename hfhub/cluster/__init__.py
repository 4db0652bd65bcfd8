"""Cluster mode: any number of ``scrapy crawl models`` processes share one crawl through Redis.

Turned on by ``-s HFHUB_REDIS_URL=redis://host:6379/0`` (or scrapy-redis's own ``REDIS_URL``); the
``ClusterAddon`` then swaps in scrapy-redis's shared scheduler queue and request dupefilter. How
the work is shared:

* The listing runs once. Listing requests are filtered by the shared dupefilter (a single process
  sends them with ``dont_filter=True``), so of N workers that all start the crawl, one enqueues the
  first page; each page's parse enqueues the next, and whichever worker is free fetches it.
* Card requests go through the same queue, so they fan out to every worker.
* A worker that dies loses nothing. scrapy-redis pops a request *out* of Redis, so a killed worker
  would lose what it had popped: requests in flight, and items still in its Parquet buffer. Here a
  pop moves the request into the worker's lease hash in the same Redis call
  (``hfhub.cluster.queue``); the lease is settled only once every item the request produced is in a
  written part file and every request it yielded is in Redis (``hfhub.cluster.leases``). Marking a
  request seen and queueing it are one step, so a kill cannot leave it seen but never queued. A worker that stops heart-beating has its leases put
  back in the queue by the others (``hfhub.cluster.membership``).
* The crawl is complete when the last listing page has been parsed, the queue is empty and no
  worker holds a lease. The first worker to see that publishes the dataset (one row per model, from
  every worker's part files); the others just stop.
* ``SCHEDULER_PERSIST`` (on by default here) keeps queue, dupefilter and leases in Redis when
  workers stop, so a stopped cluster resumes where it was when workers are started again.
* Redis itself may stop answering, and come back with some of its writes or none
  (``hfhub.cluster.outage``): workers keep what Redis could not take and carry on when it answers.
  A listing whose next request was lost (nothing queued or leased, the listing not over) is sent
  again from a cursor kept in Redis; a crawl whose keys are gone is made again by one worker, which
  lists again from the first page (``hfhub.cluster.coordinator``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

# The Redis password is read from the environment, like HF_TOKEN: Scrapy logs the settings given
# with -s, so a password in HFHUB_REDIS_URL or REDIS_PARAMS would land in the log.
PASSWORD_ENV = "HFHUB_REDIS_PASSWORD"


def redis_url(settings: BaseSettings) -> str | None:
    """The Redis URL of the cluster, or None when this crawl runs alone."""
    return settings.get("HFHUB_REDIS_URL") or settings.get("REDIS_URL") or None


def redis_settings(settings: BaseSettings) -> BaseSettings:
    """A private copy of the settings for scrapy-redis's connection helpers: the cluster's URL, and
    the password from the environment. The copy is never logged."""
    private = settings.copy()
    private.frozen = False  # a copy of the crawler's frozen settings is frozen too
    private.set("REDIS_URL", redis_url(settings))
    if password := os.environ.get(PASSWORD_ENV):
        private.set("REDIS_PARAMS", {**private.getdict("REDIS_PARAMS"), "password": password})
    return private
