"""Second pipeline: fill the derived fields (``hfhub.enrichment.enrich_item``)."""

from __future__ import annotations

from typing import Any

from hfhub.enrichment import enrich_item
from hfhub.items import ModelPage


class EnrichModelPipeline:
    def process_item(self, item: Any) -> Any:
        if isinstance(item, ModelPage):
            for model in item.models:
                enrich_item(model)
        return item  # other item kinds (cards) pass through
