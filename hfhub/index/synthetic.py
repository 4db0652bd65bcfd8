"""A models dataset written straight from the fake Hub's corpus, without crawling.

For tests and benchmarks of the index: a 1M-model crawl takes minutes, generating the same records
takes a few. Records go through the crawl's own mapping, validation and enrichment
(``model_item_from_api``, ``validate_item``, ``enrich_item``), so the rows are what a crawl writes
(less deduplication: the corpus has no repeated ids).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from hfhub.enrichment import enrich_item
from hfhub.fakehub.corpus import Corpus
from hfhub.hubrecord import model_item_from_api
from hfhub.schema import MODEL_SCHEMA
from hfhub.validation import InvalidRecord, validate_item


def _rows(corpus: Corpus, start: int, stop: int, crawled_at: datetime) -> Iterator[dict[str, Any]]:
    for record in corpus.records(list(range(start, stop))):
        item = model_item_from_api(record, crawled_at)
        try:
            validate_item(item)
        except InvalidRecord:
            continue
        row = asdict(enrich_item(item))
        if isinstance(row.get("param_dtypes"), dict):
            row["param_dtypes"] = list(row["param_dtypes"].items())
        yield row


def write_dataset(out: Path, models: int, seed: int = 1, rows_per_part: int = 50_000) -> Path:
    """Write ``models`` fake models as ``out/part-synthetic-NNNNN.parquet``; return ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(models, seed=seed)
    schema = MODEL_SCHEMA
    crawled_at = datetime(2026, 1, 1, tzinfo=UTC)
    for part, start in enumerate(range(0, models, rows_per_part)):
        rows = list(_rows(corpus, start, min(models, start + rows_per_part), crawled_at))
        columns = {name: [r.get(name) for r in rows] for name in schema.names}
        table = pa.Table.from_pydict(columns, schema=schema)
        tmp = out / f".part-synthetic-{part:05d}.parquet.tmp"
        pq.write_table(table, tmp, compression="zstd")
        tmp.replace(out / f"part-synthetic-{part:05d}.parquet")
    return out
