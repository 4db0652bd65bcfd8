"""When a leased request is done with: all its output handled, and every item it produced stored.

The spider's callbacks are wrapped with ``@settles_lease``: each item a leased request produces is
tagged with the lease, and once the callback's output is exhausted the count is announced
(``request_handled``). The Parquet writers announce items as their part files land
(``items_stored``); items dropped on the way count as handled too. ``LeaseBook`` matches the two
and settles a lease when both sides agree. Outside cluster mode requests carry no lease and the
wrapper only passes the output through.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from scrapy.exceptions import CloseSpider
from scrapy.http import Response

from hfhub.cluster.queue import LEASE_META
from hfhub.signals import request_handled


def settles_lease(callback: Callable[..., Iterable[Any] | None]) -> Callable[..., Iterator[Any]]:
    """Wrap a spider callback or errback (``(self, response_or_failure)``)."""

    @functools.wraps(callback)
    def wrapper(spider: Any, result: Any) -> Iterator[Any]:
        request = result.request if isinstance(result, Response) else getattr(result, "request", None)
        lease = request.meta.get(LEASE_META) if request is not None else None
        output = callback(spider, result) or ()
        if lease is None:
            yield from output
            return
        items = 0
        try:
            for thing in output:
                if hasattr(thing, "lease"):
                    thing.lease = lease
                    items += 1
                yield thing
        except CloseSpider:
            raise  # the crawl stops here; the request stays leased, to be tried again on resume
        except Exception:
            spider.crawler.signals.send_catch_log(signal=request_handled, lease=lease, items=items)
            raise
        spider.crawler.signals.send_catch_log(signal=request_handled, lease=lease, items=items)

    return wrapper


class LeaseBook:
    """Per lease in progress: items expected (once known) and items handled so far."""

    def __init__(self, settle: Callable[[str], None]) -> None:
        self._settle = settle
        self._expected: dict[str, int] = {}
        self._handled: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._expected.keys() | self._handled.keys())

    def request_handled(self, lease: str, items: int) -> None:
        self._expected[lease] = items
        self._check(lease)

    def items_handled(self, leases: Counter[str]) -> None:
        self._handled.update(leases)
        for lease in leases:
            self._check(lease)

    def _check(self, lease: str) -> None:
        expected = self._expected.get(lease)
        if expected is not None and self._handled[lease] >= expected:
            del self._expected[lease]
            self._handled.pop(lease, None)
            self._settle(lease)
