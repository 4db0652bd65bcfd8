"""The side tables an index reads beside the repo table, joined by id: the cards table's summaries
(their opening words join the row's document) and the configs table's facts (``-a configs=1``:
the KV cache per token and the context length, for ``--fits-gpu-gb … --context …`` and
``--min-context``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

# Of a model card's summary (hfhub/cards), the first characters join the model's search_text: what a
# model is lives in its card, and 600 characters carry the card's opening description while keeping
# the text table at most ~1.2 GB for two million cards.
CARD_TEXT_CHARS = 600


def card_summaries(cards_dir: Path | None) -> pa.Table | None:
    """(id, summary prefix) of every card in the cards table, or None when there is none."""
    parts = sorted(cards_dir.glob("part-*.parquet")) if cards_dir and cards_dir.is_dir() else []
    tables = []
    for part in parts:
        table = pq.read_table(part, columns=["id", "summary"])
        summary = pc.utf8_slice_codeunits(table.column("summary"), 0, CARD_TEXT_CHARS)
        tables.append(pa.table({"id": table.column("id"), "card_text": summary}))
    return pa.concat_tables(tables) if tables else None


def with_card_text(ids: pa.Array, text: pa.Array, cards: pa.Table | None) -> pa.Array:
    """``text`` with each model's card summary appended (the row order of ``ids`` is kept)."""
    if cards is None:
        return text
    card_text = pc.fill_null(_joined(ids, cards).column("card_text"), "").combine_chunks()
    return pc.binary_join_element_wise(pc.fill_null(text, ""), card_text, " ")



# The configs table's columns an index keeps, under its own names.
CONFIG_COLUMNS = {
    "est_kv_bytes_per_token": "est_kv_bytes_per_token",
    "est_kv_global_bytes_per_token": "est_kv_global_bytes_per_token",
    "sliding_window": "kv_sliding_window",
    "max_context": "config_max_context",
}


def config_facts(configs_dir: Path | None) -> pa.Table | None:
    """(id, the configs table's ``CONFIG_COLUMNS``) of every parsed config, or None without a table."""
    parts = sorted(configs_dir.glob("part-*.parquet")) if configs_dir and configs_dir.is_dir() else []
    tables = []
    for part in parts:
        table = pq.read_table(part, columns=["id", "status", "fetched_at", *CONFIG_COLUMNS])
        tables.append(table.filter(pc.equal(table.column("status"), "parsed")))
    if not tables:
        return None
    # one row per id, the latest fetched (the table keeps one; a join must never duplicate a model)
    frame = pa.concat_tables(tables).to_pandas(types_mapper=pd.ArrowDtype)
    frame = frame.sort_values("fetched_at", kind="stable").drop_duplicates("id", keep="last")
    table = pa.Table.from_pandas(frame[["id", *CONFIG_COLUMNS]], preserve_index=False)
    return table.rename_columns(["id", *CONFIG_COLUMNS.values()])


def with_config_facts(batch: pa.RecordBatch, configs: pa.Table | None) -> pa.RecordBatch:
    """``batch`` with the configs' columns (nulls for a model without a parsed config)."""
    if configs is None:
        return batch
    joined = _joined(batch.column("id"), configs)
    arrays = [*batch.columns, *(joined.column(name).combine_chunks() for name in CONFIG_COLUMNS.values())]
    return pa.RecordBatch.from_arrays(arrays, names=[*batch.schema.names, *CONFIG_COLUMNS.values()])


def _joined(ids: pa.Array, table: pa.Table) -> pa.Table:
    """``table``'s rows for ``ids``, in their order (nulls for an id it lacks; it holds each id once)."""
    rows = pa.table({"id": ids, "_row": pa.array(np.arange(len(ids)))})
    return rows.join(table, "id", join_type="left outer").sort_by("_row")
