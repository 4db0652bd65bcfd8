"""Second pipeline: fill the derived fields (``hfhub.enrichment.enrich_item``), in the page's page process."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hfhub.items import ModelPage
from hfhub.pageprocesses import page_processes
from hfhub.pagework import enrich_page

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from typing_extensions import Self


class EnrichModelPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, ModelPage):
            await page_processes(self.crawler).run(item.key, enrich_page)
        return item  # other item kinds (cards) pass through
