"""Item pipelines with a bug, for tests of what such a bug costs a crawl (tests/test_resume.py,
tests/test_cluster.py, tests/test_cards_crawl.py)."""

from __future__ import annotations

from typing import Any

import zlib

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
