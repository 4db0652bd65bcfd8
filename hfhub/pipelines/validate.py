"""First pipeline: every model conforms to the dataset schema, or is dropped with a counted reason."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from hfhub.items import ModelPage
from hfhub.pageprocesses import page_processes
from hfhub.pagework import PageValidation, validate_page

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

logger = logging.getLogger(__name__)


class ValidateModelPipeline:
    """Nulls fields of the wrong type (``hfhub/nulled/<field>``) and drops records without a usable
    id (``hfhub/dropped/<reason>``); the page's ``ids`` are those of the models kept. Each reason is
    logged once, with an example, at WARNING; the counts are in the stats. The crawl never stops for
    a bad record. The checks (``hfhub.validation``) run in the page's page process."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self._reasons_logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, ModelPage):
            result = await page_processes(self.crawler).run(item.key, validate_page)
            self.account(result)
            item.ids = result.ids
        return item  # other item kinds (cards) pass through

    def account(self, result: PageValidation) -> None:
        for reason, count in result.dropped.items():
            self.stats.inc_value(f"hfhub/dropped/{reason}", count)
            if self._first_time(f"dropped/{reason}"):
                logger.warning(
                    "dropping records with %(reason)s (counted in hfhub/dropped/%(reason)s), e.g. id=%(id)s",
                    {"reason": reason, "id": result.dropped_example[reason]},
                )
        for name, count in result.nulled.items():
            self.stats.inc_value(f"hfhub/nulled/{name}", count)
            if self._first_time(f"nulled/{name}"):
                logger.warning(
                    "nulling %(field)s values of the wrong type (counted in hfhub/nulled/%(field)s), e.g. in %(id)s",
                    {"field": name, "id": result.nulled_example[name]},
                )

    def _first_time(self, reason: str) -> bool:
        if reason in self._reasons_logged:
            return False
        self._reasons_logged.add(reason)
        return True
