"""A models dataset written straight from the fake Hub's corpus, without crawling.

For tests and benchmarks of the index: a 1M-model crawl takes minutes, generating the same records
takes about one. Records go through the crawl's own mapping and validation
(``model_item_from_api`` + ``validate_item``), so the rows are what a crawl would write. The enrichment
columns are filled by ``hfhub.enrich`` when it provides ``enrich_item``; otherwise by the simple
stand-ins below, which are only meant to give the index realistic inputs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from hfhub.fakehub import card
from hfhub.fakehub.corpus import Corpus
from hfhub.hubrecord import model_item_from_api
from hfhub.index.text import fallback_search_text
from hfhub.schema import MODEL_SCHEMA
from hfhub.validation import InvalidRecord, validate_item

ENRICHED_FIELDS = [
    pa.field("search_text", pa.string()),
    pa.field("weights_bytes", pa.int64()),
    pa.field("quantization", pa.string()),
    pa.field("est_min_gpu_gb", pa.int64()),
    pa.field("est_mem_stored_gb", pa.float64()),
    pa.field("base_model_relation", pa.string()),
    pa.field("popularity_score", pa.float64()),
]
GPU_SIZES_GB = (8, 12, 16, 24, 40, 48, 80)
_DTYPE_BYTES = {"F32": 4.0, "BF16": 2.0, "F16": 2.0, "I8": 1.0, "U8": 1.0, "F8_E4M3": 1.0}


def _summary(record: dict[str, Any]) -> str:
    body = card.render(record).split("\n# ", 1)[-1]
    paragraphs = body.split("\n\n")
    return paragraphs[1] if len(paragraphs) > 1 else ""


def _standin_enrichment(row: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    dtypes = row.get("param_dtypes") or {}
    weights = sum(int(n * _DTYPE_BYTES.get(k, 2.0)) for k, n in dtypes.items()) or None
    if weights is None and row.get("gguf_total_file_size"):
        weights = row["gguf_total_file_size"]
    quant = row.get("quant_method") or ("gguf" if row.get("library_name") == "gguf" else None)
    mem = weights * 1.2 / 1e9 if weights else None
    relation = next((t.split(":")[1] for t in row.get("tags") or [] if t.count(":") == 2
                     and t.startswith("base_model:")), None)
    return {
        "search_text": f"{fallback_search_text(row)} {_summary(record)}",
        "weights_bytes": weights,
        "quantization": quant,
        "est_min_gpu_gb": next((g for g in GPU_SIZES_GB if mem is not None and mem <= g), None),
        "est_mem_stored_gb": mem,
        "base_model_relation": relation,
        "popularity_score": min(100.0, 100 * math.log10(1 + (row.get("downloads") or 0)) / 7),
    }


def _enricher() -> Any:
    try:
        from hfhub.enrich import enrich_item  # type: ignore[attr-defined]
    except ImportError:
        return None
    return enrich_item


def _rows(corpus: Corpus, start: int, stop: int, crawled_at: datetime) -> Iterator[dict[str, Any]]:
    enrich = _enricher()
    for record in corpus.records(list(range(start, stop))):
        item = model_item_from_api(record, crawled_at)
        try:
            validate_item(item)
        except InvalidRecord:
            continue
        if enrich is not None:
            enrich(item)
            row = asdict(item)
        else:
            row = asdict(item)
            row.update(_standin_enrichment(row, record))
        if isinstance(row.get("param_dtypes"), dict):
            row["param_dtypes"] = list(row["param_dtypes"].items())
        yield row


def dataset_schema() -> pa.Schema:
    names = set(MODEL_SCHEMA.names)
    return pa.schema([*MODEL_SCHEMA, *(f for f in ENRICHED_FIELDS if f.name not in names)])


def write_dataset(out: Path, models: int, seed: int = 1, rows_per_part: int = 50_000) -> Path:
    """Write ``models`` fake models as ``out/part-synthetic-NNNNN.parquet``; return ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(models, seed=seed)
    schema = dataset_schema()
    crawled_at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for part, start in enumerate(range(0, models, rows_per_part)):
        rows = list(_rows(corpus, start, min(models, start + rows_per_part), crawled_at))
        columns = {name: [r.get(name) for r in rows] for name in schema.names}
        table = pa.Table.from_pydict(columns, schema=schema)
        tmp = out / f".part-synthetic-{part:05d}.parquet.tmp"
        pq.write_table(table, tmp, compression="zstd")
        tmp.replace(out / f"part-synthetic-{part:05d}.parquet")
    return out
