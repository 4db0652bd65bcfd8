"""Append a published crawl's snapshot to the history (``hfhub.history.schema`` says the layout).

Pure functions over files, no Scrapy: the ``CrawlHistory`` extension calls ``append_snapshot`` once
a crawl is published. A full crawl's snapshot is every repo of the published version, plus a
``deleted`` row for each repo the previous full snapshot held and this one does not; an incremental
refresh's is the repos it listed, as the merged version holds them (one row each, the newest).

The file is written in a hidden staging folder (readers skip names starting with "."), then renamed
into its date folder: a crash leaves either no snapshot of the crawl or all of it, and the same crawl
published again writes the same name, so its day is never counted twice.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from hfhub.crawl.killpoints import kill_point
from hfhub.history.schema import HISTORY_SCHEMA, PARTITION, TABLE_COLUMNS
from hfhub.storage.dataset import PART_GLOB, fsync_path, write_table

STAGING = ".staging"
# Measured on 30 daily snapshots of 1M repos (benchmarks/bench_trends.py): rows sorted by id, ids
# delta-encoded, lastModified delta-encoded, dictionaries for the rest but the sha (random hex):
# 34.8 bytes a repo a snapshot against 37.3 with the tables' settings; row groups of 131,072 rows
# let a reader of one repo skip most of each file (repo_series over 30 days: 3.3 s → 0.7 s).
ROW_GROUP = 131_072
DICTIONARY = ["crawled_at", "crawl_id", "mode", "deleted", "downloads", "downloads_all_time", "likes", "trending_score"]
ENCODING = {"id": "DELTA_BYTE_ARRAY", "last_modified": "DELTA_BINARY_PACKED"}
# the crawl's mode and start, in each file's metadata: which file holds the last full crawl is read
# from the footers, without reading any column
MODE_KEY, CRAWLED_AT_KEY = b"hfhub.mode", b"hfhub.crawled_at"


@dataclass(frozen=True)
class Snapshot:
    path: Path
    rows: int  # repos seen by the crawl
    deleted: int  # repos of the previous full crawl no longer listed (full crawls only)
    bytes: int


def snapshot_path(history_dir: Path, kind: str, crawled_at: datetime, crawl_id: str) -> Path:
    return history_dir / kind / f"{PARTITION}={crawled_at:%Y-%m-%d}" / f"part-{crawl_id}.parquet"


def _seen_rows(version: Path, crawl_ids: pa.Array | None) -> pa.Table:
    """The history columns of the published version's rows (of ``crawl_ids`` only, when given)."""
    dataset = ds.dataset(sorted(version.glob(PART_GLOB)), format="parquet")
    present = [name for name in TABLE_COLUMNS if name in dataset.schema.names]
    where = pc.field("id").isin(crawl_ids) if crawl_ids is not None else None
    table = dataset.to_table(columns=present, filter=where)
    columns = [table.column(name) if name in present else pa.nulls(table.num_rows, HISTORY_SCHEMA.field(name).type)
               for name in TABLE_COLUMNS]
    return pa.table(dict(zip(TABLE_COLUMNS, columns)))


def _crawl_ids(parts_dir: Path) -> pa.Array:
    """The ids an incremental crawl listed (its own parts, before they are forgotten)."""
    parts = sorted(parts_dir.glob(PART_GLOB))
    if not parts:
        return pa.array([], pa.string())
    ids = ds.dataset(parts, format="parquet").to_table(columns=["id"]).column("id").combine_chunks()
    return pc.unique(ids)


def previous_state(history_dir: Path, kind: str, before: datetime, crawl_id: str) -> list[Path]:
    """The snapshots that say which repos there were before ``before``: the newest full crawl's
    before it and the incremental refreshes after that one (not this crawl's own)."""
    snapshots = []
    for path in (history_dir / kind).glob(f"{PARTITION}=*/part-*.parquet"):
        if path.name == f"part-{crawl_id}.parquet":
            continue
        metadata = pq.read_schema(path).metadata or {}
        started = metadata.get(CRAWLED_AT_KEY, b"").decode()
        if started < before.isoformat():
            snapshots.append((started, metadata.get(MODE_KEY) == b"full", path))
    snapshots.sort()
    fulls = [n for n, (_, full, _) in enumerate(snapshots) if full]
    return [path for _, _, path in snapshots[fulls[-1]:]] if fulls else []


def _gone_since(previous: list[Path], seen_ids: pa.Array) -> pa.Array:
    """Ids alive in the previous state (the last full crawl, then the refreshes after it, the newest
    row of each id deciding) that this full crawl did not list."""
    if not previous:
        return pa.array([], pa.string())
    alive: dict[str, bool] = {}
    for path in previous:  # oldest first: a later row of an id replaces an earlier one
        rows = pq.read_table(path, columns=["id", "deleted"])
        alive.update(zip(rows.column("id").to_pylist(), rows.column("deleted").to_pylist()))
    listed = pa.array([repo_id for repo_id, deleted in alive.items() if not deleted], pa.string())
    return listed.filter(pc.invert(pc.is_in(listed, value_set=seen_ids)))


def snapshot_table(seen: pa.Table, gone: pa.Array, crawl_id: str, crawled_at: datetime, mode: str) -> pa.Table:
    """The rows of one snapshot, sorted by id (what the history's readers group by)."""
    rows = seen.num_rows + len(gone)

    def constant(value: object, kind: pa.DataType) -> pa.Array:
        return pa.array([value] * rows, kind) if rows else pa.array([], kind)

    deleted = pa.concat_arrays([pa.array([False] * seen.num_rows, pa.bool_()), pa.array([True] * len(gone), pa.bool_())])
    columns = {}
    for field in HISTORY_SCHEMA:
        if field.name == "id":
            columns["id"] = pa.concat_arrays([seen.column("id").combine_chunks().cast(pa.string()), gone.cast(pa.string())])
        elif field.name == "crawled_at":
            columns["crawled_at"] = constant(crawled_at, field.type)
        elif field.name == "crawl_id":
            columns["crawl_id"] = constant(crawl_id, field.type)
        elif field.name == "mode":
            columns["mode"] = constant(mode, field.type)
        elif field.name == "deleted":
            columns["deleted"] = deleted
        else:
            values = seen.column(field.name).combine_chunks().cast(field.type)
            columns[field.name] = pa.concat_arrays([values, pa.nulls(len(gone), field.type)])
    table = pa.table(columns, schema=HISTORY_SCHEMA)
    table = table.take(pc.sort_indices(table, sort_keys=[("id", "ascending")]))
    return table.replace_schema_metadata({MODE_KEY: mode.encode(), CRAWLED_AT_KEY: crawled_at.isoformat().encode()})


def append_snapshot(
    history_dir: Path, kind: str, version: Path, parts_dir: Path, *, crawl_id: str, crawled_at: datetime,
    mode: str, compression: str = "zstd",
) -> Snapshot:
    """Write the snapshot of the crawl ``crawl_id`` whose result is the published ``version``
    (``parts_dir``: the crawl's own parts, read for an incremental refresh's ids)."""
    seen = _seen_rows(version, None if mode == "full" else _crawl_ids(parts_dir))
    gone = pa.array([], pa.string())
    if mode == "full":
        previous = previous_state(history_dir, kind, crawled_at, crawl_id)
        gone = _gone_since(previous, seen.column("id").combine_chunks())
    table = snapshot_table(seen, gone, crawl_id, crawled_at, mode)
    final = snapshot_path(history_dir, kind, crawled_at, crawl_id)
    staging = history_dir / kind / STAGING / final.name
    staging.parent.mkdir(parents=True, exist_ok=True)
    size = write_table(table, staging, compression=compression, row_group_size=ROW_GROUP, use_dictionary=DICTIONARY,
                       column_encoding=ENCODING)
    kill_point("history:staged")
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging, final)
    fsync_path(final.parent)
    return Snapshot(final, seen.num_rows, len(gone), size)
