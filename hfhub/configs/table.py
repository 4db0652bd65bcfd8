"""The configs table: one row per fetched ``config.json``, keyed by model id and the sha it was fetched at.

Configs live in their own Parquet dataset (``output/configs/``, ``HFHUB_CONFIGS_DIR``) beside the
models table, published with it like the cards table (``hfhub.cards.publishing``), one row per model
(its most recently fetched config). Every config asked for gets a row, so the same sha is never
asked for again; ``status`` says what came back: ``parsed``; ``rejected`` (``reject_reason``:
one of ``hfhub.configs.parse.REJECTION_REASONS``, or ``too_large``: over ``HFHUB_CONFIG_MAX_DOWNLOAD``,
not downloaded); or ``missing``, a repo without a config.json at that revision (the Hub answered 404).
The columns and formulas are in docs/fields.md ("The configs table").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from hfhub.cards.table import card_key, known_card_shas
from hfhub.configs.parse import CONTEXTS, ConfigFacts, ConfigRejected, ParsedConfig
from hfhub.records.enrichment.kvcache import memory_bytes_at
from hfhub.records.schema import STRINGS, TIMESTAMP
from hfhub.storage.dataset import write_table

CONFIGS_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("sha", pa.string()),
        pa.field("fetched_at", TIMESTAMP),
        pa.field("status", pa.string()),
        pa.field("reject_reason", pa.string()),
        pa.field("config_bytes", pa.int64()),
        pa.field("config_json", pa.string()),
        pa.field("model_type", pa.string()),
        pa.field("architectures", STRINGS),
        pa.field("torch_dtype", pa.string()),
        pa.field("max_context", pa.int64()),
        pa.field("num_layers", pa.int32()),
        pa.field("num_attention_heads", pa.int32()),
        pa.field("num_kv_heads", pa.int32()),
        pa.field("head_dim", pa.int32()),
        pa.field("kv_lora_rank", pa.int32()),
        pa.field("qk_rope_head_dim", pa.int32()),
        pa.field("sliding_window", pa.int64()),
        pa.field("attention", pa.string()),
        pa.field("weights_bytes", pa.int64()),
        pa.field("est_kv_bytes_per_token", pa.int64()),
        pa.field("est_kv_global_bytes_per_token", pa.int64()),
        *(pa.field(f"est_kv_bytes_at_{name}", pa.int64()) for name in CONTEXTS),
        *(pa.field(f"est_memory_gb_at_{name}", pa.float64()) for name in CONTEXTS),
    ]
)
CONFIG_STATUSES = ("parsed", "rejected", "missing")
# config_json is unique per row: a dictionary would only cost
_DICTIONARY_COLUMNS = [f.name for f in CONFIGS_SCHEMA if f.name not in ("id", "sha", "config_json", "fetched_at")]


def config_row(
    model_id: str, sha: str | None, fetched_at: datetime, weights_bytes: int | None,
    config: ParsedConfig | ConfigRejected | None,
) -> dict[str, Any]:
    """The table row of one parsed or rejected config, or of a repo without one (``config`` None)."""
    row: dict[str, Any] = {"id": model_id, "sha": sha, "fetched_at": fetched_at, "weights_bytes": weights_bytes}
    if config is None:
        return {**row, "status": "missing"}
    row.update(config_bytes=config.config_bytes, config_json=config.text)
    if isinstance(config, ConfigRejected):
        return {**row, "status": "rejected", "reject_reason": config.reason}
    return {**row, "status": "parsed", **_fact_columns(config.facts, weights_bytes)}


def _fact_columns(facts: ConfigFacts, weights_bytes: int | None) -> dict[str, Any]:
    columns: dict[str, Any] = {
        "model_type": facts.model_type, "architectures": list(facts.architectures or ()) or None,
        "torch_dtype": facts.torch_dtype, "max_context": facts.max_context, "num_layers": facts.layers,
        "num_attention_heads": facts.attention_heads, "num_kv_heads": facts.kv_heads, "head_dim": facts.head_dim,
        "kv_lora_rank": facts.kv_lora_rank, "qk_rope_head_dim": facts.qk_rope_head_dim,
        "sliding_window": facts.sliding_window, "attention": facts.attention,
        "est_kv_bytes_per_token": facts.kv_bytes_per_token,
        "est_kv_global_bytes_per_token": facts.kv_global_bytes_per_token,
    }
    for name, tokens in CONTEXTS.items():
        columns[f"est_kv_bytes_at_{name}"] = (facts.kv_bytes_at or {}).get(name)
        memory = memory_bytes_at(weights_bytes, facts.kv_bytes_per_token, facts.kv_global_bytes_per_token,
                                 facts.sliding_window, tokens, facts.max_context)
        columns[f"est_memory_gb_at_{name}"] = None if memory is None else round(memory / 1e9, 6)
    return columns


def configs_table(rows: Iterable[Mapping[str, Any]]) -> pa.Table:
    table = pa.Table.from_pylist([dict(row) for row in rows], schema=CONFIGS_SCHEMA)
    if table.column("id").null_count:
        raise ValueError("every config row needs an id")
    return table


def write_configs(rows: Iterable[Mapping[str, Any]], path: Path, *, compression: str = "zstd") -> int:
    """Write ``rows`` as one part file at ``path``, atomically; return the file's size in bytes."""
    table = configs_table(rows)
    if not table.num_rows:
        raise ValueError(f"no config rows to write to {path}")
    return write_table(table, path, compression=compression, use_dictionary=_DICTIONARY_COLUMNS)


# (id, sha) keys: the same as the cards table's, over the same two columns
config_key = card_key
known_config_shas = known_card_shas
