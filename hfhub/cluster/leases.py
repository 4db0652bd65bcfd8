"""When a leased request is done with: all its output handled, and every item it produced stored.

The spider's callbacks are wrapped with ``@settles_lease``: each item and request a leased request
produces is tagged with the lease, and once the callback's output is exhausted the count is announced
(``request_handled``). The Parquet writers announce items as their part files land
(``items_stored``), the cluster scheduler requests as they reach Redis (``request_scheduled``);
items dropped on the way count as done too. ``LeaseBook`` matches the two
and settles a lease when both sides agree. Outside cluster mode requests carry no lease and the
wrapper only passes the output through.
"""

from __future__ import annotations

import functools
import inspect
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from scrapy.exceptions import CloseSpider
from scrapy.http import Request, Response

from hfhub.signals import request_handled

# Defined here, not beside the Redis queue that stores them: every crawl imports this module (the
# spider and pipelines settle leases), and only a cluster crawl needs scrapy-redis (~50 ms to import).
LEASE_META = "hfhub_lease"
PARENT_META = "hfhub_parent_lease"  # on a request a leased request's callback yielded (not stored)


def settles_lease(callback: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a spider callback or errback (``(self, response_or_failure)``), a plain or an async
    generator."""
    if inspect.isasyncgenfunction(callback):

        @functools.wraps(callback)
        async def async_wrapper(spider: Any, result: Any) -> AsyncIterator[Any]:
            tagger = _LeaseTagger(spider, result)
            with tagger.announcing():
                async for thing in callback(spider, result):
                    yield tagger.tag(thing)

        return async_wrapper

    @functools.wraps(callback)
    def wrapper(spider: Any, result: Any) -> Iterator[Any]:
        tagger = _LeaseTagger(spider, result)
        with tagger.announcing():
            for thing in callback(spider, result) or ():
                yield tagger.tag(thing)

    return wrapper


class _LeaseTagger:
    """Tags a leased request's output with its lease, counting it; announces the count at the end."""

    def __init__(self, spider: Any, result: Any) -> None:
        self.spider = spider
        request = result.request if isinstance(result, Response) else getattr(result, "request", None)
        self.lease: str | None = request.meta.get(LEASE_META) if request is not None else None
        self.outputs = 0

    def tag(self, thing: Any) -> Any:
        if self.lease is None:
            return thing
        if isinstance(thing, Request):
            thing.meta[PARENT_META] = self.lease
            self.outputs += 1
        elif hasattr(thing, "lease"):
            thing.lease = self.lease
            self.outputs += 1
        return thing

    @contextmanager
    def announcing(self) -> Iterator[None]:
        """Around the callback: announce its output count when it ends, also by an error, unless
        the crawl is stopping (then the request stays leased, to be tried again on resume)."""
        try:
            yield
        except CloseSpider:
            raise
        except Exception:
            self.handled()
            raise
        self.handled()

    def handled(self) -> None:
        if self.lease is not None:
            self.spider.crawler.signals.send_catch_log(signal=request_handled, lease=self.lease, outputs=self.outputs)


class LeaseBook:
    """Per lease in progress: outputs expected (once the callback is over) and outputs done so far.

    An item is done when it is stored (or dropped); a request when it is in the shared queue. Scrapy
    exhausts a callback before it has scheduled all the requests it yielded, so the end of the
    callback alone does not mean its requests are safe in Redis."""

    def __init__(self, settle: Callable[[str], None]) -> None:
        self._settle = settle
        self._expected: dict[str, int] = {}
        self._done: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._expected.keys() | self._done.keys())

    def request_handled(self, lease: str, outputs: int) -> None:
        self._expected[lease] = outputs
        self._check(lease)

    def outputs_done(self, leases: Counter[str]) -> None:
        self._done.update(leases)
        for lease in leases:
            self._check(lease)

    def settle_handled(self) -> int:
        """Settle every lease whose callback is over. Only when the crawler is idle, flushed and holds
        nothing: an output still counted missing was dropped on the way (never stored, never queued)."""
        leases = list(self._expected)
        for lease in leases:
            del self._expected[lease]
            self._done.pop(lease, None)
            self._settle(lease)
        return len(leases)

    def _check(self, lease: str) -> None:
        expected = self._expected.get(lease)
        if expected is not None and self._done[lease] >= expected:
            del self._expected[lease]
            self._done.pop(lease, None)
            self._settle(lease)
