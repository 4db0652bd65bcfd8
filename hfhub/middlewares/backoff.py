"""Wait before each retry, longer every time, so that a Hub that is down for a minute does not fail
the crawl in the milliseconds Scrapy's immediate retries take.

Scrapy's RetryMiddleware re-schedules a failed request at once (it has no backoff), so its
``RETRY_TIMES`` attempts against a Hub that restarts are spent before the Hub is back. Here the
n-th retry of a request waits ``HFHUB_RETRY_BACKOFF × 2^(n-1)`` seconds, at most
``HFHUB_RETRY_BACKOFF_MAX``, before it is sent: with the defaults (0.5 s, 60 s, 10 retries) about
four minutes of outage pass before a page fails for good. A retry after a 429 waits at the rate-limit
gate instead (``hfhub.middlewares.ratelimit``), not here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from hfhub.middlewares.ratelimit import sleep

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler

RATE_LIMITED = "hfhub_rate_limited"  # meta: this retry follows a 429


def backoff_seconds(retry: int, base: float, maximum: float) -> float:
    """The wait before the ``retry``-th retry (1, 2, …) of a request."""
    return min(base * 2 ** (retry - 1), maximum) if retry > 0 else 0.0


class RetryBackoffMiddleware:
    def __init__(self, base: float, maximum: float) -> None:
        self.base = base
        self.maximum = maximum

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        base = crawler.settings.getfloat("HFHUB_RETRY_BACKOFF")
        if base <= 0:
            raise NotConfigured
        return cls(base, crawler.settings.getfloat("HFHUB_RETRY_BACKOFF_MAX"))

    async def process_request(self, request: Request) -> None:
        if request.meta.pop(RATE_LIMITED, False):
            return
        wait = backoff_seconds(request.meta.get("retry_times", 0), self.base, self.maximum)
        if wait:
            await sleep(wait)
