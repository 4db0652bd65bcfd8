"""The Arrow schemas of the three tables (models, datasets, Spaces): the one statement of each
column's type.

The validation pipeline checks items against them and the Parquet writer writes with them, so a
column can never change type between part files. Every table ends with ``raw_json``: the properties
the API returned that no typed column holds as given (``hfhub.records.raw``), so nothing the Hub
said is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pyarrow as pa

T = TypeVar("T")


def cached_per_schema(build: Callable[[pa.Schema], T]) -> Callable[[pa.Schema], T]:
    """``build(schema)``, made once per schema object. Not ``functools.cache``: hashing a pyarrow
    schema walks its fields (~30 µs for the models' 63), which per record cost a third of a page's work."""
    built: dict[int, tuple[pa.Schema, T]] = {}

    def cached(schema: pa.Schema) -> T:
        hit = built.get(id(schema))
        if hit is None or hit[0] is not schema:
            hit = built[id(schema)] = (schema, build(schema))
        return hit[1]

    return cached

TIMESTAMP = pa.timestamp("ms", tz="UTC")
STRINGS = pa.list_(pa.string())

# The columns every table has, in the same places: who and when, …
_IDENTITY = [
    pa.field("id", pa.string(), nullable=False),
    pa.field("author", pa.string()),
    pa.field("name", pa.string()),
    pa.field("sha", pa.string()),
    pa.field("created_at", TIMESTAMP),
    pa.field("last_modified", TIMESTAMP),
]
# … who may see it, …
_ACCESS = [
    pa.field("gated", pa.bool_()),
    pa.field("gated_mode", pa.string()),
    pa.field("private", pa.bool_()),
    pa.field("disabled", pa.bool_()),
]
# … and, last, the derived scores, the search text and what no typed column holds
_SCORES_AND_RAW = [
    pa.field("popularity_score", pa.float64()),
    pa.field("days_since_modified", pa.float64()),
    pa.field("recency_score", pa.float64()),
    pa.field("search_text", pa.string()),
    pa.field("raw_json", pa.string()),
]

MODEL_SCHEMA = pa.schema(
    [
        *_IDENTITY,
        pa.field("downloads", pa.int64()),
        pa.field("downloads_all_time", pa.int64()),
        pa.field("likes", pa.int64()),
        pa.field("trending_score", pa.float64()),
        pa.field("pipeline_tag", pa.string()),
        pa.field("library_name", pa.string()),
        pa.field("tags", STRINGS),
        pa.field("license", pa.string()),
        pa.field("license_name", pa.string()),
        pa.field("languages", STRINGS),
        pa.field("datasets", STRINGS),
        pa.field("base_models", STRINGS),
        pa.field("architectures", STRINGS),
        pa.field("model_type", pa.string()),
        *_ACCESS,
        pa.field("num_parameters", pa.int64()),
        pa.field("num_parameters_source", pa.string()),
        pa.field("safetensors_total", pa.int64()),
        pa.field("param_dtypes", pa.map_(pa.string(), pa.int64())),
        pa.field("gguf_architecture", pa.string()),
        pa.field("gguf_context_length", pa.int64()),
        pa.field("gguf_total_file_size", pa.int64()),
        pa.field("quant_method", pa.string()),
        pa.field("moe_num_experts", pa.int64()),
        pa.field("moe_experts_per_token", pa.int64()),
        pa.field("used_storage", pa.int64()),
        pa.field("file_count", pa.int64()),
        pa.field("spaces_count", pa.int64()),
        pa.field("spaces", STRINGS),
        pa.field("files", STRINGS),
        pa.field("children_model_count", pa.int64()),
        pa.field("crawled_at", TIMESTAMP),
        # derived by the enrichment pipeline (docs/fields.md says how)
        pa.field("dominant_dtype", pa.string()),
        pa.field("weights_bytes", pa.int64()),
        pa.field("bytes_per_parameter", pa.float64()),
        pa.field("quantization", pa.string()),
        pa.field("gguf_quant_types", STRINGS),
        pa.field("est_parameters", pa.int64()),
        pa.field("packed_weights_counted_as", pa.string()),
        pa.field("moe_evidence", pa.string()),
        pa.field("est_active_parameters", pa.int64()),
        pa.field("base_model_relation", pa.string()),
        pa.field("arxiv_ids", STRINGS),
        pa.field("est_mem_stored_gb", pa.float64()),
        pa.field("est_mem_fp16_gb", pa.float64()),
        pa.field("est_mem_4bit_gb", pa.float64()),
        pa.field("est_min_gpu_gb", pa.int64()),
        pa.field("est_min_cpu_ram_gb", pa.int64()),
        pa.field("est_decode_tokens_per_s", pa.float64()),
        *_SCORES_AND_RAW,
    ]
)

COLUMNS: tuple[str, ...] = tuple(MODEL_SCHEMA.names)

DATASET_SCHEMA = pa.schema(
    [
        *_IDENTITY,
        pa.field("downloads", pa.int64()),
        pa.field("downloads_all_time", pa.int64()),
        pa.field("likes", pa.int64()),
        pa.field("trending_score", pa.float64()),
        pa.field("tags", STRINGS),
        pa.field("pretty_name", pa.string()),
        pa.field("description", pa.string()),
        pa.field("citation", pa.string()),
        pa.field("paperswithcode_id", pa.string()),
        *_ACCESS,
        pa.field("main_size", pa.int64()),
        pa.field("used_storage", pa.int64()),
        pa.field("files", STRINGS),
        pa.field("file_count", pa.int64()),
        pa.field("crawled_at", TIMESTAMP),
        # derived (docs/fields.md, "Datasets"): from the tags, else the card
        pa.field("task_categories", STRINGS),
        pa.field("task_ids", STRINGS),
        pa.field("modalities", STRINGS),
        pa.field("formats", STRINGS),
        pa.field("size_category", pa.string()),
        pa.field("languages", STRINGS),
        pa.field("license", pa.string()),
        pa.field("libraries", STRINGS),
        pa.field("arxiv_ids", STRINGS),
        pa.field("config_names", STRINGS),
        *_SCORES_AND_RAW,
    ]
)

SPACE_SCHEMA = pa.schema(
    [
        *_IDENTITY,
        pa.field("likes", pa.int64()),
        pa.field("trending_score", pa.float64()),
        pa.field("tags", STRINGS),
        pa.field("sdk", pa.string()),
        pa.field("subdomain", pa.string()),
        pa.field("host", pa.string()),
        pa.field("region", pa.string()),
        pa.field("models", STRINGS),
        pa.field("datasets", STRINGS),
        *_ACCESS,
        pa.field("used_storage", pa.int64()),
        pa.field("files", STRINGS),
        pa.field("file_count", pa.int64()),
        pa.field("runtime_stage", pa.string()),
        pa.field("hardware_current", pa.string()),
        pa.field("hardware_requested", pa.string()),
        pa.field("sdk_version", pa.string()),
        pa.field("title", pa.string()),
        pa.field("short_description", pa.string()),
        pa.field("crawled_at", TIMESTAMP),
        # derived (docs/fields.md, "Spaces")
        pa.field("license", pa.string()),
        pa.field("arxiv_ids", STRINGS),
        *_SCORES_AND_RAW,
    ]
)
