"""The cards table: one row per fetched card, keyed by model id and the sha it was fetched at.

Cards live in their own Parquet dataset (``output/cards/``) so the models table stays small. A part
file is written atomically by ``hfhub.storage.dataset.write_table`` (temporary ``.``-prefixed name, fsync,
rename), so a reader never sees half a part.

Every card asked for gets a row, so the same sha is never asked for again; ``status`` says what came
back: ``parsed``; ``rejected`` (``CardRejected``: empty or binary, null ``summary``, ``headings`` and
``language``); or ``missing``, a repo without a README (the Hub answered 404; ``card_bytes`` null).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from hfhub.cards.parse import CardRejected, ParsedCard
from hfhub.records.schema import STRINGS, TIMESTAMP
from hfhub.storage.dataset import PART_GLOB, write_table

CARDS_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("sha", pa.string()),
        pa.field("fetched_at", TIMESTAMP),
        pa.field("summary", pa.string()),
        pa.field("headings", STRINGS),
        pa.field("language", pa.string()),
        pa.field("card_bytes", pa.int64()),
        pa.field("status", pa.string()),
    ]
)
CARD_STATUSES = ("parsed", "rejected", "missing")


def card_row(
    model_id: str, sha: str | None, fetched_at: datetime, card: ParsedCard | CardRejected | None
) -> dict[str, Any]:
    """The table row of one parsed or rejected card, or of a repo without one (``card`` None)."""
    row: dict[str, Any] = {"id": model_id, "sha": sha, "fetched_at": fetched_at,
                           "summary": None, "headings": None, "language": None}
    if card is None:
        return {**row, "card_bytes": None, "status": "missing"}
    if isinstance(card, ParsedCard):
        row.update(summary=card.summary, headings=list(card.headings), language=card.language)
    return {**row, "card_bytes": card.card_bytes, "status": "parsed" if isinstance(card, ParsedCard) else "rejected"}


def cards_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    """``rows`` (dicts with the schema's column names; missing ones are null) as a table."""
    table = pa.Table.from_pylist([dict(row) for row in rows], schema=CARDS_SCHEMA)
    # pyarrow does not enforce a field's nullable=False; the id is the table's key.
    if table.column("id").null_count:
        raise ValueError("every card row needs an id")
    return table


def write_cards(rows: Iterable[Mapping[str, Any]], path: Path, *, compression: str = "zstd") -> int:
    """Write ``rows`` as one part file at ``path``, atomically; return the file's size in bytes."""
    table = cards_table(rows)
    if not table.num_rows:
        raise ValueError(f"no card rows to write to {path}")
    return write_table(table, path, compression=compression)


def card_key(model_id: str, sha: str | None) -> int:
    digest = hashlib.blake2b(f"{model_id}@{sha}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def known_card_shas(*cards_dirs: Path) -> set[int]:
    """Keys (``card_key``) of the (model, sha) pairs whose card the parts in ``cards_dirs`` (the
    table, a crawl's parts not yet published) already hold: ~70 bytes each in memory."""
    keys: set[int] = set()
    for part in sorted(part for cards_dir in cards_dirs for part in cards_dir.glob(PART_GLOB)):
        table = pq.read_table(part, columns=["id", "sha"])
        keys.update(card_key(i, s) for i, s in zip(table.column("id").to_pylist(), table.column("sha").to_pylist()))
    return keys
