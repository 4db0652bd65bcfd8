"""Publish a finished crawl's parts as the dataset's next version (``hfhub.storage.versions``).

A full crawl's version is its own parts; an incremental refresh's is the current version's parts
plus its own, compacted to one row per model. Either is built beside the published one, so readers
go on reading the old version until the link moves, and see no duplicates in between. The crawl's
parts stay where they are until the new version is published, so a publication killed at any
point is done again, from the start, by the next run with the same JOBDIR.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from hfhub.crawl.crawlstate import crawl_started_at
from hfhub.crawl.killpoints import kill_point
from hfhub.records.schema import MODEL_SCHEMA
from hfhub.storage.dataset import (
    PART_GLOB,
    copy_parts_in_schema,
    count_rows,
    dataset_watermark,
    drop_superseded_rows,
    newest_last_modified,
    read_dataset_state,
    write_dataset_state,
    write_table,
)
from hfhub.storage.versions import (
    INPROGRESS,
    VERSIONS,
    current_version,
    link_into,
    publish_version,
    store_dir,
)


@dataclass(frozen=True)
class Publication:
    version: Path
    models: int  # rows of the published version
    removed: int  # older rows of the same models dropped while building it


def publish_crawl(
    dataset_dir: Path, parts_dir: Path, crawl_id: str, *, mode: str, compression: str, compact_own_parts: bool,
    empty_part_name: str, schema: pa.Schema = MODEL_SCHEMA,
) -> Publication:
    """Publish the crawl whose parts are in ``parts_dir`` (``mode`` ``full`` replaces the dataset,
    ``incremental`` merges into it); safe to call again after a crash part-way through. ``schema``:
    the table's (models by default; datasets and Spaces have their own)."""
    removed = 0

    def fill(version: Path) -> None:
        nonlocal removed
        own = sorted(parts_dir.glob(PART_GLOB))
        if not own:  # keep the schema even when nothing was found
            write_table(schema.empty_table(), version / empty_part_name, compression=compression)
        link_into(own, version)
        kill_point("publish:linked")
        previous = current_version(dataset_dir)
        merge = mode != "full" and previous is not None  # its rows supersede older rows of the same models
        if merge and previous is not None:  # parts of an older hfhub get the columns added since
            link_into(copy_parts_in_schema(sorted(previous.glob(PART_GLOB)), version, schema, compression=compression),
                      version)
        if merge or compact_own_parts:  # one pass: a merge's compaction covers the crawl's own repeats
            removed += drop_superseded_rows(sorted(version.glob(PART_GLOB)), compression=compression, schema=schema)
        parts = sorted(version.glob(PART_GLOB))
        watermark = dataset_watermark(newest_last_modified(parts), crawl_started_at(crawl_id))
        write_dataset_state(version, {
            "crawl_id": crawl_id, "mode": mode, "models": count_rows(parts),
            "published_at": datetime.now(UTC).isoformat(),
            "watermark": watermark.isoformat() if watermark else None,
        })

    version = publish_version(dataset_dir, crawl_id, fill)
    state = read_dataset_state(version) or {}
    return Publication(version, int(state.get("models", count_rows(sorted(version.glob(PART_GLOB))))), removed)


def forget_crawl_parts(dataset_dir: Path, crawl_id: str) -> None:
    """Remove a published crawl's parts, and those of any earlier crawl whose version was
    published but whose parts a killed run left behind."""
    store = store_dir(dataset_dir)
    for parts in (store / INPROGRESS).glob("*"):
        if parts.name == crawl_id or (store / VERSIONS / parts.name).is_dir():
            shutil.rmtree(parts, ignore_errors=True)
