"""Scrapy's log formatter, minus the per-item "Scraped from" line.

A full mirror scrapes two million items; a DEBUG record for each (built even when DEBUG is filtered
out) cost about 3 % of the crawl's CPU in a cProfile of a 20,000-model crawl, and nobody reads two
million such lines. The
crawl's progress and summary come from ``hfhub.extensions.progress`` instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.logformatter import LogFormatter

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.http import Response
    from twisted.python.failure import Failure


class QuietItemsLogFormatter(LogFormatter):
    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> None:  # type: ignore[override]
        return None
