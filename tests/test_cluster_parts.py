"""The cluster's parts one at a time: the lease book, the add-on's settings, and the Redis side of
membership and the leased queue against a real redis-server."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import redis
import scrapy
from scrapy.settings import Settings

from hfhub.cluster.addon import COORDINATOR, SCHEDULER, ClusterAddon
from hfhub.cluster.keys import ClusterKeys
from hfhub.cluster.leases import LeaseBook
from hfhub.cluster.localredis import LocalRedis
from hfhub.cluster.membership import ClusterCrawl
from hfhub.cluster.queue import LEASE_META, LeasedPriorityQueue


def test_a_lease_settles_once_its_request_is_handled_and_every_item_stored() -> None:
    settled: list[str] = []
    book = LeaseBook(settled.append)
    book.outputs_done(Counter({"1": 2}))  # outputs can be done before the callback has returned
    book.request_handled("1", outputs=3)
    assert settled == []
    book.outputs_done(Counter({"1": 1}))
    assert settled == ["1"]
    book.request_handled("2", outputs=0)  # a request that produced nothing settles at once
    assert settled == ["1", "2"]
    book.request_handled("3", outputs=2)  # one of its outputs dropped on the way: settled once idle
    book.outputs_done(Counter({"3": 1}))
    assert settled == ["1", "2"]
    assert book.settle_handled() == 1 and settled == ["1", "2", "3"]
    assert len(book) == 0


def test_the_addon_turns_a_crawl_into_a_cluster_worker_only_with_a_redis_url() -> None:
    alone = Settings({"SCHEDULER": "scrapy.core.scheduler.Scheduler"})
    ClusterAddon().update_settings(alone)
    assert alone["SCHEDULER"] == "scrapy.core.scheduler.Scheduler"

    worker = Settings({"SCHEDULER": "scrapy.core.scheduler.Scheduler",
                       "DUPEFILTER_CLASS": "scrapy.dupefilters.RFPDupeFilter"})
    worker.set("HFHUB_REDIS_URL", "redis://10.0.0.5:6379/0", priority="cmdline")
    ClusterAddon().update_settings(worker)
    assert worker["SCHEDULER"] == SCHEDULER
    assert worker["REDIS_URL"] == "redis://10.0.0.5:6379/0"
    assert worker["DUPEFILTER_CLASS"] == "scrapy_redis.dupefilter.RFPDupeFilter"
    assert worker.getbool("SCHEDULER_PERSIST")
    assert COORDINATOR in worker.getdict("EXTENSIONS")


def test_the_addon_refuses_two_different_redis_urls() -> None:
    settings = Settings({"HFHUB_REDIS_URL": "redis://a:6379/0", "REDIS_URL": "redis://b:6379/0"})
    with pytest.raises(ValueError, match="different Redis servers"):
        ClusterAddon().update_settings(settings)


@pytest.fixture(scope="module")
def server() -> Iterator[redis.Redis]:
    with LocalRedis() as local:
        yield redis.Redis(port=local.port)


@pytest.fixture()
def keys(server: redis.Redis) -> ClusterKeys:
    server.flushdb()
    return ClusterKeys("models")


def leased(member: ClusterCrawl) -> int:
    keys = member.keys
    return sum(member.server.hlen(keys.leases(w.decode())) for w in member.server.smembers(keys.workers))


def test_workers_join_one_crawl_and_must_agree_on_its_arguments(server: redis.Redis, keys: ClusterKeys) -> None:
    first = ClusterCrawl(server, keys, "a", heartbeat_ttl=5)
    second = ClusterCrawl(server, keys, "b", heartbeat_ttl=5)
    assert first.crawl_id == second.crawl_id
    assert (first.joined_running_crawl, second.joined_running_crawl) == (False, True)
    first.agree_on_args({"cards": True, "limit": None})
    second.agree_on_args({"cards": True, "limit": None})
    with pytest.raises(ValueError, match="same -a arguments"):
        ClusterCrawl(server, keys, "c", heartbeat_ttl=5).agree_on_args({"cards": False, "limit": None})


def _queue(member: ClusterCrawl) -> LeasedPriorityQueue:
    return member.leased_queue(scrapy.Spider("models"), None)


def test_a_pop_is_a_lease_that_a_dead_workers_peers_put_back(server: redis.Redis, keys: ClusterKeys) -> None:
    live = ClusterCrawl(server, keys, "live", heartbeat_ttl=5)
    doomed = ClusterCrawl(server, keys, "doomed", heartbeat_ttl=0.2)
    queue = _queue(doomed)
    queue.push(scrapy.Request("https://hub.test/a", priority=10))
    queue.push(scrapy.Request("https://hub.test/b"))

    popped = queue.pop()
    assert popped is not None and popped.url == "https://hub.test/a"  # highest priority first
    assert popped.meta[LEASE_META]
    assert (len(queue), leased(live)) == (1, 1)  # out of the queue, but still in Redis

    # its heartbeat expires: the live worker returns the lease to the queue
    server.delete(keys.alive(doomed.worker_id))  # as if its heartbeat had expired
    assert live.return_dead_workers_leases() == 1
    assert (len(queue), leased(live)) == (2, 0)
    again = _queue(live).pop()
    assert again is not None and again.url == "https://hub.test/a"  # with its priority kept


def test_a_settled_lease_leaves_redis_and_a_requeued_copy_settles_its_original(
    server: redis.Redis, keys: ClusterKeys,
) -> None:
    worker = ClusterCrawl(server, keys, "w", heartbeat_ttl=5)
    queue = _queue(worker)
    queue.push(scrapy.Request("https://hub.test/a"))
    queue.push(scrapy.Request("https://hub.test/b"))
    first, second = queue.pop(), queue.pop()
    assert first is not None and second is not None and leased(worker) == 2
    worker.settle(first.meta[LEASE_META])
    assert leased(worker) == 1
    queue.push(second.replace(dont_filter=True))  # a retry: the copy carries the lease
    assert (leased(worker), len(queue)) == (0, 1)
    requeued = queue.pop()
    assert requeued is not None and requeued.meta[LEASE_META] != second.meta[LEASE_META]  # a new lease


def test_the_crawl_is_complete_only_when_listed_and_nothing_is_queued_or_leased(
    server: redis.Redis, keys: ClusterKeys,
) -> None:
    worker = ClusterCrawl(server, keys, "w", heartbeat_ttl=5)
    queue = _queue(worker)
    queue.push(scrapy.Request("https://hub.test/a"))
    assert not worker.complete()  # listing not over
    worker.listing_finished()
    assert not worker.complete()  # queued
    request = queue.pop()
    assert request is not None and not worker.complete()  # leased
    worker.settle(request.meta[LEASE_META])
    assert worker.complete()
    assert worker.claim_publication()
    # the claim retires the crawl: a worker started now begins the next crawl
    late = ClusterCrawl(server, keys, "late", heartbeat_ttl=5)
    assert late.crawl_id != worker.crawl_id and not late.joined_running_crawl


def test_a_worker_id_in_use_by_a_live_worker_is_refused(server: redis.Redis, keys: ClusterKeys) -> None:
    ClusterCrawl(server, keys, "twin", heartbeat_ttl=5)
    with pytest.raises(ValueError, match="already uses the id"):
        ClusterCrawl(server, keys, "twin", heartbeat_ttl=5)
