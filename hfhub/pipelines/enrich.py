"""Second pipeline: fill the derived fields (each kind's ``enrich``: ``hfhub.records.kinds``).

A page was enriched as it was built (``hfhub.crawl.pagework.build_page``, in the page pool), by
the same function; an item (``ModelItem``, ``DatasetItem``, ``SpaceItem``) yielded on its own is enriched here."""

from __future__ import annotations

from typing import Any

from hfhub.records.kinds import kind_of_item


class EnrichModelPipeline:
    def process_item(self, item: Any) -> Any:
        if (kind := kind_of_item(item)) is not None:
            kind.enrich(item)
        return item  # pages arrive enriched; other item kinds (cards) pass through
