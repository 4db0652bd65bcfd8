"""The cards table: explicit schema, atomic part files, rejected cards kept as null rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hfhub.cards import CardRejected, parse_card
from hfhub.cards.table import CARDS_SCHEMA, card_row, cards_table, write_cards

FETCHED = datetime(2025, 3, 1, 12, 30, 15, 123000, tzinfo=UTC)


def test_schema() -> None:
    assert CARDS_SCHEMA.names == ["id", "sha", "fetched_at", "summary", "headings", "language", "card_bytes", "status"]
    assert not CARDS_SCHEMA.field("id").nullable
    assert CARDS_SCHEMA.field("fetched_at").type == pa.timestamp("ms", tz="UTC")
    assert CARDS_SCHEMA.field("headings").type == pa.list_(pa.string())
    assert CARDS_SCHEMA.field("card_bytes").type == pa.int64()


def test_write_and_read_back(tmp_path: Path) -> None:
    raw = b"---\nlicense: mit\n---\n# Owl\n\nOwl is a model that reads the night sky.\n"
    parsed = parse_card(raw)
    rejected = parse_card(b"\x00\x01binary")
    assert isinstance(rejected, CardRejected)
    rows = [card_row("acme/owl", "a" * 40, FETCHED, parsed), card_row("acme/junk", None, FETCHED, rejected),
            card_row("acme/no-readme", "b" * 40, FETCHED, None)]
    path = tmp_path / "part-00000.parquet"
    size = write_cards(rows, path, compression="zstd")

    assert size == path.stat().st_size
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left behind
    table = pq.read_table(path)
    assert table.schema.equals(CARDS_SCHEMA)
    assert table.to_pylist() == [
        {"id": "acme/owl", "sha": "a" * 40, "fetched_at": FETCHED,
         "summary": "Owl\nOwl is a model that reads the night sky.", "headings": ["Owl"], "language": "en",
         "card_bytes": len(raw), "status": "parsed"},
        {"id": "acme/junk", "sha": None, "fetched_at": FETCHED, "summary": None, "headings": None,
         "language": None, "card_bytes": 8, "status": "rejected"},
        {"id": "acme/no-readme", "sha": "b" * 40, "fetched_at": FETCHED, "summary": None, "headings": None,
         "language": None, "card_bytes": None, "status": "missing"},
    ]


def test_rows_need_an_id_and_a_part_needs_rows(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="id"):
        cards_table([{"id": None, "summary": "x"}])
    with pytest.raises(ValueError, match="no card rows"):
        write_cards([], tmp_path / "part.parquet")
    assert not list(tmp_path.iterdir())


def test_missing_columns_are_null() -> None:
    assert cards_table([{"id": "a/b"}]).to_pylist() == [
        {"id": "a/b", "sha": None, "fetched_at": None, "summary": None, "headings": None, "language": None,
         "card_bytes": None, "status": None}
    ]
