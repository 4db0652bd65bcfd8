"""First pipeline: every item conforms to the dataset schema, or is dropped with a counted reason."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from hfhub.items import ModelItem, ModelPage
from hfhub.pipelines.offreactor import PageWorker
from hfhub.validation import InvalidRecord, validate_item

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

logger = logging.getLogger(__name__)


class ValidateModelPipeline:
    """Nulls fields of the wrong type (``hfhub/nulled/<field>``) and drops records without a usable
    id (``hfhub/dropped/<reason>``): a dropped record leaves its page's ``models``. Each reason is logged once, with an example, at WARNING; the
    counts are in the stats. The crawl never stops for a bad record."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self._reasons_logged: set[str] = set()
        self.worker = PageWorker("hfhub-validate")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, ModelPage):
            item.models = await self.worker.run(self.valid_models, item.models)
        return item  # other item kinds (cards) pass through

    def valid_models(self, models: list[ModelItem]) -> list[ModelItem]:
        return [model for model in models if self.valid(model)]

    def close_spider(self) -> None:
        self.worker.close()

    def valid(self, item: ModelItem) -> bool:
        """Make ``item`` conform (nulling what does not), or count and log why it cannot."""
        try:
            report = validate_item(item)
        except InvalidRecord as exc:
            self.stats.inc_value(f"hfhub/dropped/{exc.reason}")
            if self._first_time(f"dropped/{exc.reason}"):
                logger.warning(
                    "dropping records with %(reason)s (counted in hfhub/dropped/%(reason)s), e.g. id=%(id)r",
                    {"reason": exc.reason, "id": repr(item.id)[:120]},
                )
            return False
        for name in report.nulled:
            self.stats.inc_value(f"hfhub/nulled/{name}")
            if self._first_time(f"nulled/{name}"):
                logger.warning(
                    "nulling %(field)s values of the wrong type (counted in hfhub/nulled/%(field)s), e.g. in %(id)s",
                    {"field": name, "id": item.id},
                )
        return True

    def _first_time(self, reason: str) -> bool:
        if reason in self._reasons_logged:
            return False
        self._reasons_logged.add(reason)
        return True
