"""Second pipeline: fill the derived fields (``hfhub.enrichment.enrich_item``).

A ``ModelPage`` was enriched as it was built (``hfhub.pagework.build_page``, in the page pool), by
the same function; a ``ModelItem`` yielded on its own is enriched here."""

from __future__ import annotations

from typing import Any

from hfhub.enrichment import enrich_item
from hfhub.items import ModelItem


class EnrichModelPipeline:
    def process_item(self, item: Any) -> Any:
        if isinstance(item, ModelItem):
            enrich_item(item)
        return item  # pages arrive enriched; other item kinds (cards) pass through
