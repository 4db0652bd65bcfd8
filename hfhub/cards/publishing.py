"""The cards table, published in whole versions like the models dataset (``hfhub.storage.versions``).

A crawl writes its card parts into ``output/.cards/inprogress/<crawl id>/``; readers of
``output/cards`` see none of them until the crawl is published. Then the next version is built
beside the published one: hard links to the published parts, the crawl's parts, and the parts that
lose rows rewritten, so that it holds one row per model (the most recently fetched card). The link
then moves in one step: a reader never sees a row twice, nor a part missing. A crawl that is not
published keeps its card parts for its resume (the same JOBDIR, or a cluster's next workers).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from hfhub.cards.table import CARDS_SCHEMA
from hfhub.crawl.crawlstate import new_crawl_id
from hfhub.storage.dataset import (
    PART_GLOB,
    count_rows,
    drop_superseded_rows,
    read_dataset_state,
    write_dataset_state,
)
from hfhub.storage.versions import (
    VERSIONS,
    current_version,
    inprogress_dir,
    link_into,
    publish_version,
    store_dir,
)


@dataclass(frozen=True)
class CardsPublication:
    version: Path
    cards: int  # rows of the published version
    removed: int  # older cards of the same models dropped while building it


def cards_inprogress_dir(cards_dir: Path, crawl_id: str) -> Path:
    """Where a crawl's card parts wait for its publication."""
    return inprogress_dir(cards_dir, crawl_id)


def cards_of_crawl(cards_dir: Path, crawl_id: str) -> list[Path]:
    """The folders whose parts hold the cards a crawl has: the published table and its own parts."""
    return [cards_dir, cards_inprogress_dir(cards_dir, crawl_id)]


def publish_cards(cards_dir: Path, crawl_id: str, *, compression: str) -> CardsPublication | None:
    """Publish the card parts of crawl ``crawl_id`` as the cards table's next version (None if it
    wrote none). Safe to run again after a crash part-way through: the parts stay in place until the
    new version is published, and their rows, published twice, are compacted away."""
    published = publish_rows_table(cards_dir, crawl_id, compression=compression, schema=CARDS_SCHEMA, rows_key="cards")
    return None if published is None else CardsPublication(*published)


def publish_rows_table(
    table_dir: Path, crawl_id: str, *, compression: str, schema: pa.Schema, rows_key: str,
) -> tuple[Path, int, int] | None:
    """``publish_cards`` for any table kept beside the models table, one row per ``id`` (the newest
    ``fetched_at``): the cards, the configs (``hfhub.configs``). (version, rows, rows removed), or
    None when the crawl wrote no part; the version's state says the rows under ``rows_key``."""
    own_dir = inprogress_dir(table_dir, crawl_id)
    own = sorted(own_dir.glob(PART_GLOB))
    if not own:
        return None
    removed = 0

    def fill(version: Path) -> None:
        nonlocal removed
        previous = current_version(table_dir)
        if previous is not None:
            link_into(sorted(previous.glob(PART_GLOB)), version)
        # a part of the same name is the same file, published by a run killed before it removed them
        link_into([part for part in own if not (version / part.name).exists()], version)
        parts = sorted(version.glob(PART_GLOB))
        removed = drop_superseded_rows(parts, compression=compression, schema=schema, newest_by=("fetched_at",))
        write_dataset_state(version, {
            "crawl_id": crawl_id, rows_key: count_rows(sorted(version.glob(PART_GLOB))),
            "published_at": datetime.now(UTC).isoformat(),
        })

    # a version per publication: a crawl's resumed run may publish the rows its earlier runs did not;
    # one this crawl began building when it was killed is removed (no one else publishes its rows)
    for building in (store_dir(table_dir) / VERSIONS).glob(f".*-{crawl_id}.tmp"):
        shutil.rmtree(building)
    version = publish_version(table_dir, f"{new_crawl_id()}-{crawl_id}", fill, legacy_state=False)
    shutil.rmtree(own_dir, ignore_errors=True)
    state = read_dataset_state(version) or {}
    return version, int(state.get(rows_key, 0)), removed
