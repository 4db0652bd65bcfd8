"""Item pipelines with a bug, for tests of what such a bug costs a crawl (tests/test_resume.py,
tests/test_cluster.py, tests/test_cards_crawl.py)."""

from __future__ import annotations

import zlib
from typing import Any

from scrapy import Request

from hfhub.items import CardItem, ModelPage

FAILING_PAGE = 3  # it fails on the third listing page that reaches it in this process


class FailOnOneListingPage:
    def __init__(self) -> None:
        self.pages_seen = 0

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ModelPage):
            self.pages_seen += 1
            if self.pages_seen == FAILING_PAGE:
                raise RuntimeError(f"a bug met on listing page {item.listing_page}")
        return item


class FailOnSomeCards:
    """Fails on every card whose model id has an even CRC: a bug that hits many items alike."""

    def process_item(self, item: Any) -> Any:
        if isinstance(item, CardItem) and zlib.crc32(item.id.encode()) % 2 == 0:
            raise ValueError(f"a bug met on the card of {item.id}")
        return item


class LoseTheListingAfterTwoPages:
    """A spider middleware that swallows the third listing request, as a broken JOBDIR queue or an
    exception in a task nobody awaits did: the engine then finds nothing to do and closes as
    "finished" although the listing never reached its last page."""

    def __init__(self) -> None:
        self.listing_requests = 0

    def process_spider_output(self, response: Any, result: Any) -> Any:
        for entry in result:
            if isinstance(entry, Request) and "/api/models?" in entry.url:
                self.listing_requests += 1
                if self.listing_requests == 2:
                    continue
            yield entry

    async def process_spider_output_async(self, response: Any, result: Any) -> Any:
        async for entry in result:
            if isinstance(entry, Request) and "/api/models?" in entry.url:
                self.listing_requests += 1
                if self.listing_requests == 2:
                    continue
            yield entry
