"""Second pipeline: fill the derived fields (``hfhub.enrichment.enrich_item``)."""

from __future__ import annotations

from typing import Any

from hfhub.enrichment import enrich_item
from hfhub.items import ModelPage
from hfhub.pipelines.offreactor import PageWorker


class EnrichModelPipeline:
    def __init__(self) -> None:
        self.worker = PageWorker("hfhub-enrich")

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, ModelPage):
            await self.worker.run(self.enrich_page, item)
        return item  # other item kinds (cards) pass through

    @staticmethod
    def enrich_page(page: ModelPage) -> None:
        for model in page.models:
            enrich_item(model)

    def close_spider(self) -> None:
        self.worker.close()
