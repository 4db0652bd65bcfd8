"""Count the items a pipeline failed on, so that a crawl with such failures does not pass for a good one.

Scrapy logs an item a pipeline raised on and goes on with the crawl; nothing else remembers it. Here
each one is counted by item kind (``hfhub/pipeline_errors/<kind>``, e.g. ``CardItem``) and by
exception (``hfhub/pipeline_errors/<kind>/<exception>``). The crawl's summary shows the counts and
``scrapy crawl`` exits with status 1 when there are any (``hfhub.commands.crawl``). The log shows the
first failure of each kind and exception with its traceback, not every repeat
(``hfhub.crawl.logformatter``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from twisted.python.failure import Failure

PREFIX = "hfhub/pipeline_errors/"


def error_key(item: Any, exception: BaseException | None = None) -> str:
    key = f"{PREFIX}{type(item).__name__}"
    return key if exception is None else f"{key}/{type(exception).__name__}"


def pipeline_errors(stats: dict[str, Any]) -> int:
    """Items any pipeline failed on, of every kind, from a crawl's stats."""
    return sum(value for key, value in stats.items() if key.startswith(PREFIX) and key.count("/") == 2)


class ItemErrorStats:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        extension = cls(crawler.stats)
        crawler.signals.connect(extension.item_error, signal=signals.item_error)
        return extension

    def item_error(self, item: Any, failure: Failure, **kwargs: Any) -> None:
        self.stats.inc_value(error_key(item))
        self.stats.inc_value(error_key(item, failure.value))
