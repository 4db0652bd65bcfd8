"""Second pipeline: fill the derived fields (``hfhub.enrichment.enrich_item``)."""

from __future__ import annotations

from typing import Any

from hfhub.enrichment import enrich_item
from hfhub.items import ModelItem


class EnrichModelPipeline:
    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ModelItem):
            return item  # other item kinds (cards) pass through
        return enrich_item(item)
