"""A models dataset written straight from the fake Hub's corpus, without crawling.

For tests and benchmarks of the index: a 1M-model crawl takes minutes, generating the same records
takes a few. Records go through the crawl's own steps (``hfhub.crawl.pagework``: mapping, validation,
enrichment, the conversion to Arrow), so the rows are what a crawl writes (less deduplication: the
corpus has no repeated ids).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from hfhub.fakehub.corpus import Corpus
from hfhub.records.enrichment import enrich_models
from hfhub.records.hubrecord import HELD_BY_COLUMN, model_item_from_api
from hfhub.records.modeltable import StepReport, models_to_table
from hfhub.records.raw import fill_raw_json
from hfhub.records.validation import validate_models


def write_dataset(out: Path, models: int, seed: int = 1, rows_per_part: int = 50_000) -> Path:
    """Write ``models`` fake models as ``out/part-synthetic-NNNNN.parquet``; return ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(models, seed=seed)
    crawled_at = datetime(2026, 1, 1, tzinfo=UTC)
    for part, start in enumerate(range(0, models, rows_per_part)):
        records = corpus.records(list(range(start, min(models, start + rows_per_part))))
        report = StepReport()
        items = validate_models([model_item_from_api(record, crawled_at) for record in records], report)
        fill_raw_json(items, HELD_BY_COLUMN)
        enrich_models(items)
        tmp = out / f".part-synthetic-{part:05d}.parquet.tmp"
        pq.write_table(models_to_table(items, report), tmp, compression="zstd")
        tmp.replace(out / f"part-synthetic-{part:05d}.parquet")
    return out
