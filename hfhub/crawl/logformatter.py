"""Scrapy's log formatter, minus the per-item "Scraped from" line, and each item error logged once.

A full mirror scrapes two million items; a DEBUG record for each (built even when DEBUG is filtered
out) cost about 3 % of the crawl's CPU in a cProfile of a 20,000-model crawl, and nobody reads two
million such lines. The crawl's progress and summary come from ``hfhub.extensions.progress`` instead.

The first item a pipeline fails on with a given exception is logged at ERROR with its traceback;
the same failure on further items of the same kind goes to DEBUG (Scrapy attaches the traceback to
the record either way), since one bug would otherwise print two million tracebacks. Every one is
counted (``hfhub.extensions.itemerrors``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.logformatter import LogFormatter

from hfhub.extensions.itemerrors import error_key

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.http import Response
    from scrapy.logformatter import LogFormatterResult
    from twisted.python.failure import Failure


class QuietItemsLogFormatter(LogFormatter):
    def __init__(self) -> None:
        self._errors_logged: set[tuple[str, str]] = set()

    def scraped(self, item: Any, response: Response | Failure | None, spider: Spider) -> None:  # type: ignore[override]
        return None

    def item_error(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider,
    ) -> LogFormatterResult:
        kind = (type(item).__name__, type(exception).__name__)
        if kind not in self._errors_logged:
            self._errors_logged.add(kind)
            return {
                "level": logging.ERROR,
                "msg": "a pipeline failed on %(kind)s %(item)s (%(error)s); further %(kind)s items failing with "
                       "%(error)s are counted in %(key)s, not logged",
                "args": {"kind": kind[0], "item": item, "error": kind[1], "key": error_key(item, exception)},
            }
        return {"level": logging.DEBUG, "msg": "a pipeline failed on %(item)s", "args": {"item": item}}
