"""Pace the crawl by the Hub's rate-limit headers, and honour its 429s.

The Hub keeps separate quotas (buckets): "api" for the API and "resolvers" for file downloads such
as model cards. Each bucket has its own gate here, so waiting for one never stalls the other.

Pacing: the Hub sends ``RateLimit: "api";r=<remaining>;t=<seconds to reset>`` on its responses.
Spreading the remaining requests evenly over the rest of the window (one every ``t / r`` seconds)
uses the whole quota without running into it, instead of hammering until a 429.

Scrapy's RetryMiddleware retries at once and ignores ``Retry-After`` (scrapy#3849), which against a
fixed-window quota only burns more of the window. Here a 429 closes a gate for the whole crawl (the
quota is per client, not per request) until the time the Hub named; requests that reach the
downloader meanwhile wait at the gate, occupying their concurrency slot, so the engine stops
feeding new ones. The retried request is built by Scrapy's own ``get_retry_request``.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

from hfhub.crawl.ratelimit import parse_ratelimit, wait_after_429

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def bucket_of(request: Request) -> str:
    """The Hub's quota a request counts against: file downloads ("resolvers") or the API."""
    return "resolvers" if "/resolve/" in request.url or "/raw/" in request.url else "api"


async def sleep(seconds: float) -> None:
    """Wait without blocking the reactor, whichever reactor is installed."""
    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))  # type: ignore[arg-type]


class HubRateLimitMiddleware:
    def __init__(self, crawler: Crawler, settings: BaseSettings) -> None:
        self.crawler = crawler
        self.max_retries = settings.getint("HFHUB_RATELIMIT_MAX_RETRIES")
        self.max_wait = settings.getfloat("HFHUB_RATELIMIT_MAX_WAIT")
        self.default_wait = settings.getfloat("HFHUB_RATELIMIT_DEFAULT_WAIT")
        # per bucket: the time.monotonic() before which no request of that bucket is sent
        self.gate_opens_at: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, crawler.settings)

    def _close_gate(self, bucket: str, seconds: float) -> None:
        opens_at = time.monotonic() + min(seconds, self.max_wait)
        self.gate_opens_at[bucket] = max(self.gate_opens_at.get(bucket, 0.0), opens_at)

    def _pace(self, request: Request, response: Response) -> None:
        state = parse_ratelimit(response.headers)
        if state is None:
            return
        interval = state.reset_in / state.remaining if state.remaining else state.reset_in
        self._close_gate(state.bucket or bucket_of(request), interval)

    async def process_request(self, request: Request) -> None:
        bucket = bucket_of(request)
        while (wait := self.gate_opens_at.get(bucket, 0.0) - time.monotonic()) > 0:
            await sleep(wait)

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status != 429:
            self._pace(request, response)
            return response
        if request.meta.get("dont_retry", False):
            return response
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("hfhub/crawl/ratelimit/429")
        wait = wait_after_429(response.headers, self.default_wait, self.max_wait)
        stats.set_value("hfhub/crawl/ratelimit/wait_seconds", stats.get_value("hfhub/crawl/ratelimit/wait_seconds", 0.0) + wait)
        state = parse_ratelimit(response.headers)
        self._close_gate(state.bucket if state and state.bucket else bucket_of(request), wait)
        logger.info(
            "Hub rate limit (429): pausing requests for %(wait).1fs before retrying %(url)s",
            {"wait": wait, "url": request.url},
        )
        assert self.crawler.spider is not None
        retry = get_retry_request(
            request,
            spider=self.crawler.spider,
            reason="429 Too Many Requests",
            max_retry_times=self.max_retries,
            stats_base_key="hfhub/crawl/ratelimit/retry",
        )
        if retry is not None:
            retry.meta["hfhub_rate_limited"] = True  # it waited at the gate: no backoff on top (middlewares.backoff)
        return retry or response
