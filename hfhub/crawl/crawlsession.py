"""The crawl this process takes part in: its own (``LocalCrawl``) or a cluster's
(``hfhub.cluster.membership.ClusterCrawl``), behind one interface, ``CrawlSession``.

One session per crawler (``crawl_session(crawler)``), shared by the spider, the pipelines and the
extensions; they ask it who the crawl is (id, part-file names), whether it resumes, and whether
this process publishes it.
"""

from __future__ import annotations

import uuid
import weakref
from typing import TYPE_CHECKING, Any, Protocol, cast

from hfhub.crawl.crawlstate import crawl_identity, forget_crawl

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from hfhub.cluster.membership import ClusterCrawl


class CrawlSession(Protocol):
    crawl_id: str
    run_token: str  # carried by this crawl's listing requests: a JOBDIR's stale ones are skipped
    part_stem: str  # the prefix of this process's part files
    checkpoints: bool  # progress is kept in a checkpoint.json (not in Redis)
    shared: bool  # many processes share the crawl (cluster mode)
    may_repeat_rows: bool  # rows this process cannot see may repeat its own (compaction needed)

    @property
    def resumed(self) -> bool:
        """This run continues a crawl begun earlier."""

    def agree_on_args(self, args: dict[str, Any]) -> None:
        """Check that every process of the crawl lists the same thing from the same place."""

    def listing_advanced(self, position: int, next_url: str) -> None: ...

    def listing_finished(self) -> None: ...

    def claim_publication(self) -> bool:
        """Whether this process publishes the finished crawl (in a cluster, exactly one does)."""

    def publication_failed(self) -> None: ...

    def published(self) -> None:
        """The crawl is published: the next run starts a new one."""

    def resume_hint(self) -> str:
        """How to resume the crawl, for a log line ("" if it cannot be)."""


class LocalCrawl:
    """A crawl run by this process alone. With JOBDIR its id survives a restart, so the next run
    continues it (see ``crawl_identity``). ``hfhub.cluster.membership.ClusterCrawl`` is the
    counterpart for a crawl shared by many processes."""

    checkpoints = True  # progress is kept in the crawl's checkpoint.json
    shared = False

    def __init__(self, jobdir: str | None) -> None:
        self.jobdir = jobdir
        self.crawl_id, self.resumed = crawl_identity(jobdir)
        self.may_repeat_rows = self.resumed  # an earlier run's rows are in parts this run cannot see
        self.part_stem = f"part-{self.crawl_id}"
        # Listing requests of this run carry this token; requests of an earlier run that JOBDIR
        # kept queued are skipped, since the listing resumes from the checkpoint instead.
        self.run_token = uuid.uuid4().hex

    def agree_on_args(self, args: dict[str, Any]) -> None:
        pass

    def listing_finished(self) -> None:
        pass

    def listing_advanced(self, position: int, next_url: str) -> None:
        pass  # the checkpoint keeps the listing's place (hfhub.pipelines.parquet)

    def claim_publication(self) -> bool:
        return True

    def publication_failed(self) -> None:
        pass  # the parts and the checkpoint stay: the same JOBDIR publishes again

    def published(self) -> None:
        forget_crawl(self.jobdir)

    def resume_hint(self) -> str:
        return f"; run again with -s JOBDIR={self.jobdir} to resume" if self.jobdir else ""


_sessions: weakref.WeakKeyDictionary[Crawler, CrawlSession] = weakref.WeakKeyDictionary()


def crawl_session(crawler: Crawler) -> CrawlSession:
    """The crawl this process takes part in (``LocalCrawl`` or, with a Redis URL, ``ClusterCrawl``),
    one per crawler, shared by the spider, the pipelines and the cluster components."""
    if crawler not in _sessions:
        from hfhub.cluster import redis_settings, redis_url  # noqa: PLC0415 (scrapy-redis only when used)

        settings = crawler.settings
        if redis_url(settings):
            from scrapy_redis.connection import get_redis_from_settings  # noqa: PLC0415

            from hfhub.cluster.keys import ClusterKeys  # noqa: PLC0415
            from hfhub.cluster.membership import ClusterCrawl, default_worker_id  # noqa: PLC0415

            keys = ClusterKeys(
                crawler.spidercls.name,
                settings.get("SCHEDULER_QUEUE_KEY") or ClusterKeys.queue_pattern,
                settings.get("SCHEDULER_DUPEFILTER_KEY") or ClusterKeys.dupefilter_pattern,
            )
            # (the spider asks before add-ons have run, so before ClusterAddon has set REDIS_URL)
            _sessions[crawler] = ClusterCrawl(
                get_redis_from_settings(redis_settings(settings)), keys,
                settings.get("HFHUB_WORKER_ID") or default_worker_id(),
                settings.getfloat("HFHUB_REDIS_WORKER_TTL"),
            )
        else:
            _sessions[crawler] = LocalCrawl(settings.get("JOBDIR"))
    return _sessions[crawler]


def cluster_session(crawler: Crawler) -> ClusterCrawl:
    """The crawler's session, for the cluster components, which run only in cluster mode."""
    session = crawl_session(crawler)
    if not session.shared:
        raise RuntimeError("not a cluster crawl: HFHUB_REDIS_URL is not set")
    return cast("ClusterCrawl", session)
