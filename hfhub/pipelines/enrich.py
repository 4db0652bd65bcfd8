"""Second pipeline: fill the derived fields (``hfhub.records.enrichment.enrich_item``).

A ``ModelPage`` was enriched as it was built (``hfhub.crawl.pagework.build_page``, in the page pool), by
the same function; a ``ModelItem`` yielded on its own is enriched here."""

from __future__ import annotations

from typing import Any

from hfhub.items import ModelItem
from hfhub.records.enrichment import enrich_item


class EnrichModelPipeline:
    def process_item(self, item: Any) -> Any:
        if isinstance(item, ModelItem):
            enrich_item(item)
        return item  # pages arrive enriched; other item kinds (cards) pass through
