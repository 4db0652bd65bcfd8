"""The Parquet dataset on disk: atomic part files, compaction, the dataset's state.

A published dataset is a folder of part files (``part-<crawl>-00000.parquet`` …) and ``_state.json``
(the last published crawl and its watermark), published in whole versions behind a symlink
(``hfhub.storage.versions``, which also says where crawls in progress keep their parts). pyarrow, pandas
and DuckDB (with a ``*.parquet`` glob) skip paths starting with ``_`` or ``.``, so temporary files
are never read as data. Every part is written under a temporary ``.``-prefixed name, fsynced, and
renamed into place: a part file either is complete or does not exist, whenever the process dies.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from hfhub.crawl.killpoints import fail_point
from hfhub.paths import stats_file_name
from hfhub.records.schema import MODEL_SCHEMA

DATASET_STATE = "_state.json"
PART_GLOB = "part-*.parquet"
# zstd at its standard level 3, with dictionary encoding only where values repeat (below). Measured
# on a 20,000-model part: 168 bytes a model in 3.2 µs of CPU, against 186 bytes in 6.8 µs for level
# 6 with a dictionary for every column; read back as fast or faster.
COMPRESSION_LEVELS = {"zstd": 3}
# Columns with a value per model that (almost) never repeats: ids, hashes, times, the search text,
# sizes and the estimates derived from them. A dictionary for these grows as large as the column
# before the writer gives up on it (after 1 MB), which costs CPU and bytes for nothing.
UNIQUE_VALUED_COLUMNS = frozenset({
    "id", "name", "sha", "created_at", "last_modified", "search_text", "num_parameters", "used_storage",
    "weights_bytes", "safetensors_total", "est_parameters", "est_active_parameters", "est_mem_stored_gb", "est_mem_fp16_gb", "est_mem_4bit_gb",
    "est_decode_tokens_per_s", "days_since_modified", "recency_score",
})


def dictionary_encoded_paths(schema: pa.Schema) -> list[str]:
    """The Parquet columns to dictionary-encode: those of every field but the unique-valued ones.
    ``use_dictionary`` names leaf columns, so a list's values are ``<name>.list.element`` and a map's
    keys ``<name>.key_value.key`` (its values, parameter counts, seldom repeat). With top-level names
    the tag lists went without a dictionary: 180 instead of 168 bytes a model."""
    paths = []
    for field in schema:
        if field.name in UNIQUE_VALUED_COLUMNS:
            continue
        if pa.types.is_map(field.type):
            paths.append(f"{field.name}.key_value.key")
        elif pa.types.is_list(field.type):
            paths.append(f"{field.name}.list.element")
        else:
            paths.append(field.name)
    return paths


def fsync_path(path: Path) -> None:
    """fsync a file or a folder by its path (a folder: so that renames in it are durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_table(table: pa.Table, path: Path, *, compression: str = "zstd", row_group_size: int | None = None,
                use_dictionary: list[str] | None = None, column_encoding: dict[str, str] | None = None) -> int:
    """Write ``table`` to ``path`` atomically (temporary name, fsync, rename); return the size. By
    default one row group, dictionaries for the columns whose values repeat; a table of another
    shape (the history) names its own."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as sink:
            pq.write_table(
                table, sink, compression=compression, compression_level=COMPRESSION_LEVELS.get(compression),
                row_group_size=row_group_size or max(1, table.num_rows),
                use_dictionary=dictionary_encoded_paths(table.schema) if use_dictionary is None else use_dictionary,
                column_encoding=column_encoding,
            )
            fail_point("write_table")
            sink.flush()
            os.fsync(sink.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)  # a part that could not be written leaves nothing behind
        raise
    os.replace(tmp, path)
    fsync_path(path.parent)
    return path.stat().st_size


def drop_superseded_rows(
    parts: list[Path],
    *,
    compression: str = "zstd",
    schema: pa.Schema = MODEL_SCHEMA,
    newest_by: tuple[str, ...] = ("last_modified", "crawled_at"),
) -> int:
    """Keep one row per ``id`` across ``parts``: the newest by the ``newest_by`` columns in turn
    (for models: ``last_modified``, then ``crawled_at``), then the later part. Rewrites (atomically)
    only the parts that lose rows and returns how many rows were dropped. Safe to run again after a
    crash part-way through."""
    keys = []
    for number, part in enumerate(parts):
        table = pq.read_table(part, columns=["id", *newest_by])
        rows = table.num_rows
        keys.append(table.append_column("part", pa.array(np.full(rows, number, dtype=np.int32)))
                    .append_column("row", pa.array(np.arange(rows, dtype=np.int64))))
    if not keys:
        return 0
    # Arrow all the way (no pandas): the ids of two million models take ~100 MB here, not ~1 GB.
    rows = pa.concat_tables(keys)
    order = pc.sort_indices(
        rows, sort_keys=[(name, "descending", "at_end") for name in ("id", *newest_by, "part", "row")],
    )
    rows = rows.take(order)
    ids = rows["id"]
    superseded = np.zeros(rows.num_rows, dtype=bool)  # the same id as the row before: an older row
    if rows.num_rows > 1:
        same = pc.fill_null(pc.equal(ids.slice(1), ids.slice(0, rows.num_rows - 1)), False)
        superseded[1:] = same.to_numpy()
    lost_parts = rows["part"].to_numpy()[superseded]
    lost_rows = rows["row"].to_numpy()[superseded]
    for number in np.unique(lost_parts):
        path = parts[int(number)]
        table = pq.read_table(path, schema=schema)
        keep = np.ones(table.num_rows, dtype=bool)
        keep[lost_rows[lost_parts == number]] = False
        write_table(table.filter(pa.array(keep)), path, compression=compression)
    return int(superseded.sum())


def conform_table(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` in ``schema``: a part written by an older hfhub lacks the columns added since
    (``raw_json``, ``files``…), which become nulls; a column no longer in the schema is left out."""
    columns = [
        table.column(field.name).cast(field.type) if field.name in table.column_names else pa.nulls(table.num_rows, field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def copy_parts_in_schema(parts: list[Path], into: Path, schema: pa.Schema, *, compression: str) -> list[Path]:
    """Write the parts whose schema is not ``schema`` into ``into``, conformed (``conform_table``);
    return the others, which can be linked as they are."""
    as_they_are = []
    for part in parts:
        if pq.read_schema(part).remove_metadata().equals(schema):
            as_they_are.append(part)
        elif not (into / part.name).exists():
            write_table(conform_table(pq.read_table(part), schema), into / part.name, compression=compression)
    return as_they_are


def dataset_parts(dataset_dir: Path) -> list[Path]:
    return sorted(dataset_dir.glob(PART_GLOB))


def count_rows(parts: list[Path]) -> int:
    return sum(pq.ParquetFile(p).metadata.num_rows for p in parts)


def newest_last_modified(parts: list[Path]) -> datetime | None:
    newest = None
    for part in parts:
        # ParquetFile.read rather than read_table, and the maximum made naive before as_py(): both
        # read_table (pyarrow.dataset) and a zoned timestamp's as_py() (pandas) cost a crawl ~0.2 s
        # of imports at its end. The column is UTC (hfhub.records.schema).
        latest = pc.max(pq.ParquetFile(part).read(columns=["last_modified"]).column("last_modified"))
        if not latest.is_valid:
            continue
        value = latest.cast(pa.timestamp(latest.type.unit)).as_py().replace(tzinfo=UTC)
        if newest is None or value > newest:
            newest = value
    return newest


def dataset_watermark(newest_last_modified: datetime | None, crawl_started: datetime | None) -> datetime | None:
    """The time up to which the dataset has seen every change: the newest ``last_modified`` it
    holds, but no later than the start of the crawl that published it. A model edited or created
    while a crawl ran can be missed by it (an edit moves a model above a ``lastModified`` cursor; a
    new model sits above a ``createdAt`` one), and its ``lastModified`` is after that start, so an
    incremental refresh from this watermark lists it, however long the crawl took."""
    if newest_last_modified is None or crawl_started is None:
        return newest_last_modified
    return min(newest_last_modified, crawl_started)


def stats_file_beside(dataset_dir: Path | str, kind_name: str = "models") -> Path:
    """Where a crawl saves its stats unless told otherwise: beside its dataset folder
    (``output/models`` → ``output/crawl_stats.json``; ``output/datasets`` →
    ``output/crawl_stats-datasets.json``)."""
    return Path(dataset_dir).parent / stats_file_name(kind_name)


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, fsynced and renamed over ``path``: a
    failure (a full disk) leaves the old file whole, and no temporary file behind."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json_atomically(path: Path, data: dict[str, Any]) -> None:
    write_bytes_atomically(path, json.dumps(data, indent=2, default=str).encode())


def write_dataset_state(dataset_dir: Path, state: dict[str, Any]) -> None:
    """``_state.json`` beside the parts: what the last published crawl was and its watermark
    (the newest ``last_modified`` in the dataset), which an incremental refresh starts from."""
    write_json_atomically(dataset_dir / DATASET_STATE, state)


def read_dataset_state(dataset_dir: Path) -> dict[str, Any] | None:
    path = dataset_dir / DATASET_STATE
    return json.loads(path.read_text()) if path.exists() else None
