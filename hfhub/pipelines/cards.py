"""Write fetched model cards to their own Parquet table (``HFHUB_CARDS_DIR``, ``output/cards``).

The cards table is kept apart so the models table stays small. It grows across crawls: each crawl
writes part files (atomic, like the models dataset) beside the table, and when the crawl is
published the table's next version adds them, compacted to one row per model, the most recently
fetched (``hfhub.cards.publishing``, ``hfhub.pipelines.sidetable``). The spider asks for a card only
when the model's ``sha`` differs from the one the table (or the crawl's own parts) holds
(``hfhub.cards.table.known_card_shas``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hfhub.cards.table import CARDS_SCHEMA, card_row, write_cards
from hfhub.items import CardItem
from hfhub.pipelines.sidetable import SideTablePipeline

if TYPE_CHECKING:
    from pathlib import Path


class CardsParquetPipeline(SideTablePipeline):
    item_class = CardItem
    dir_setting = "HFHUB_CARDS_DIR"
    rows_setting = "HFHUB_CARDS_ROWS_PER_PART"
    stats_prefix = "hfhub/cards"
    what = "cards"
    schema = CARDS_SCHEMA

    def row(self, item: CardItem) -> dict[str, Any]:
        return card_row(item.id, item.sha, item.fetched_at, item.card)

    def write(self, rows: list[dict[str, Any]], path: Path) -> int:
        return write_cards(rows, path, compression=self.compression)
