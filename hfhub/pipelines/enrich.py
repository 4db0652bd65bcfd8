"""Second pipeline: fill the derived fields (``hfhub.enrichment.enrich_item``)."""

from __future__ import annotations

from hfhub.enrichment import enrich_item
from hfhub.items import ModelItem


class EnrichModelPipeline:
    def process_item(self, item: ModelItem) -> ModelItem:
        return enrich_item(item)
