"""Which of a crawl's models still lack the card of their revision, once its listing is over.

A card request lives in Scrapy's queue and a fetched card in the cards pipeline's buffer until a
part is written; a kill loses both, and the resumed crawl lists only the pages after its
checkpoint again. So a crawl with ``cards=1``, alone, ends by asking once more for every card its
written models lack (``hfhub.spiders.models``): a resumed crawl ends with every card, as one that
was never killed. (In a cluster the leases keep card requests; see ``hfhub.cluster``.)
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from hfhub.cards.table import card_key, known_card_shas
from hfhub.storage.dataset import PART_GLOB


def missing_cards(parts_dir: Path, cards_dirs: list[Path]) -> list[tuple[str, str]]:
    """(id, sha) of the models in ``parts_dir``'s parts whose card at that sha is in none of
    ``cards_dirs`` (the table, and the crawl's own card parts not yet published)."""
    known = known_card_shas(*cards_dirs)
    missing: dict[str, str] = {}
    for part in sorted(parts_dir.glob(PART_GLOB)):
        table = pq.read_table(part, columns=["id", "sha"])
        for model_id, sha in zip(table.column("id").to_pylist(), table.column("sha").to_pylist()):
            if sha is not None and card_key(model_id, sha) not in known:
                missing[model_id] = sha
    return sorted(missing.items())
