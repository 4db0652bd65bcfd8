"""An item pipeline with a bug, for tests of what such a bug costs a crawl (tests/test_resume.py,
tests/test_cluster.py)."""

from __future__ import annotations

from typing import Any

from hfhub.items import ModelPage

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
