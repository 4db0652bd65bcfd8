"""An item pipeline with a bug, for tests of what such a bug costs a crawl (tests/test_resume.py)."""

from __future__ import annotations

from typing import Any

FAILING_PAGE = 2  # the listing page (0-based) it fails on


class FailOnOneListingPage:
    def process_item(self, item: Any) -> Any:
        if getattr(item, "listing_page", None) == FAILING_PAGE:
            raise RuntimeError(f"a bug met on listing page {FAILING_PAGE}")
        return item
