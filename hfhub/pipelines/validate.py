"""First pipeline: every repo conforms to its table's schema, or is dropped with a counted reason."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from hfhub.items import RepoPage
from hfhub.records.kinds import kind_of_item
from hfhub.records.modeltable import StepReport
from hfhub.records.raw import fill_raw_json
from hfhub.records.validation import validate_models

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class ValidateModelPipeline:
    """Nulls fields of the wrong type (``hfhub/nulled/<field>``) and drops records without a usable
    id (``hfhub/dropped/<reason>``). Each reason is logged once, with an example, at WARNING; the
    counts are in the stats. The crawl never stops for a bad record.

    A page (``ModelPage``, ``DatasetPage``, ``SpacePage``) was validated as it was built
    (``hfhub.crawl.pagework.build_page``, in the page pool): here its report is counted. An item
    (``ModelItem``, ``DatasetItem``, ``SpaceItem``) yielded on its own is validated here, by the same
    checks (``hfhub.records.validation``), and its ``raw_json`` made from its ``api_record``."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self._reasons_logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, RepoPage):
            self.account(item.report)
        elif (kind := kind_of_item(item)) is not None:
            report = StepReport()
            kept = validate_models([item], report, kind.schema)
            self.account(report)
            if not kept:
                raise DropItem(f"invalid {kind.singular} record: {next(iter(report.dropped))}")
            fill_raw_json(kept, kind.held_by_column)
        return item  # other item kinds (cards) pass through

    def account(self, report: StepReport) -> None:
        for reason, count in report.dropped.items():
            self.stats.inc_value(f"hfhub/dropped/{reason}", count)
            if self._first_time(f"dropped/{reason}"):
                logger.warning(
                    "dropping records with %(reason)s (counted in hfhub/dropped/%(reason)s), e.g. id=%(id)s",
                    {"reason": reason, "id": report.dropped_example[reason]},
                )
        for name, count in report.nulled.items():
            self.stats.inc_value(f"hfhub/nulled/{name}", count)
            if self._first_time(f"nulled/{name}"):
                logger.warning(
                    "nulling %(field)s values of the wrong type (counted in hfhub/nulled/%(field)s), e.g. in %(id)s",
                    {"field": name, "id": report.nulled_example[name]},
                )

    def _first_time(self, reason: str) -> bool:
        if reason in self._reasons_logged:
            return False
        self._reasons_logged.add(reason)
        return True
