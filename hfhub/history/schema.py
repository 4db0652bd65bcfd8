"""The history's layout and schema: one statement of each, for its writer and its readers.

Layout, for ``HFHUB_HISTORY_DIR = output/history``::

    output/history/<kind>/date=YYYY-MM-DD/part-<crawl id>.parquet

``<kind>`` is ``models``, ``datasets`` or ``spaces``; ``date`` is the UTC day the crawl started
(hive partitioning: ``pyarrow.dataset.dataset(path, partitioning="hive")`` and DuckDB's
``hive_partitioning=true`` read only the days a filter names). One file per crawl, named after the
crawl: the same crawl published again (a resumed publication) replaces its own file, so a day is
never counted twice. A file is written aside and renamed into place: a crash leaves no half snapshot.

Each row is one repo as one crawl saw it. A full crawl writes every repo it listed, plus one row with
``deleted`` true (and null counts) for each repo of the previous full crawl it no longer found; an
incremental refresh writes the repos it saw (those changed since the last crawl). So the newest row
of a repo at or before a time is what hfhub knew of it then.
"""

from __future__ import annotations

import pyarrow as pa

TIMESTAMP = pa.timestamp("ms", tz="UTC")

HISTORY_SCHEMA = pa.schema([
    pa.field("id", pa.string(), nullable=False),
    pa.field("crawled_at", TIMESTAMP, nullable=False),  # when the crawl started (the same for all its rows)
    pa.field("crawl_id", pa.string(), nullable=False),
    pa.field("mode", pa.string(), nullable=False),  # full or incremental
    pa.field("deleted", pa.bool_(), nullable=False),  # gone since the previous full crawl (counts null)
    pa.field("downloads", pa.int64()),  # the Hub's rolling 30-day count (Spaces: null)
    pa.field("downloads_all_time", pa.int64()),
    pa.field("likes", pa.int64()),
    pa.field("trending_score", pa.float64()),
    pa.field("sha", pa.string()),
    pa.field("last_modified", TIMESTAMP),
    pa.field("created_at", TIMESTAMP),
])
# Where each comes from in the crawl's table (the same names; Spaces have no downloads columns)
TABLE_COLUMNS = ("id", "downloads", "downloads_all_time", "likes", "trending_score", "sha", "last_modified",
                 "created_at")
PARTITION = "date"
