"""One model of the Hub, as the API describes it (``ModelItem``).

Every field maps to a column of the Parquet dataset (``hfhub.records.schema.MODEL_SCHEMA``); the meaning,
source and type of each is documented in ``docs/fields.md``. Missing optional data is ``None``,
never invented.

The ``models`` spider yields them a listing page at a time (``hfhub.items.ModelPage``, whose
``models`` are these); the pipelines also take them one by one, from a spider of your own.

``model_item_from_api`` fills the fields with values as the API gave them (``Any``); validation
(``hfhub.records.validation``: in ``build_page`` for a page, in ``ValidateModelPipeline`` for a
single item) then checks each value against the schema and nulls or drops with a counted reason,
instead of failing while mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass
class ModelItem:
    # identity
    id: Any = None
    author: Any = None
    name: Any = None
    sha: Any = None
    # time
    created_at: Any = None  # a datetime once validated
    last_modified: Any = None
    # popularity
    downloads: Any = None
    downloads_all_time: Any = None
    likes: Any = None
    trending_score: Any = None
    # what it is
    pipeline_tag: Any = None
    library_name: Any = None
    tags: Any = None
    license: Any = None
    license_name: Any = None
    languages: Any = None
    datasets: Any = None
    base_models: Any = None
    architectures: Any = None
    model_type: Any = None
    # access
    gated: Any = None
    gated_mode: Any = None
    private: Any = None
    disabled: Any = None
    # weights
    num_parameters: Any = None
    num_parameters_source: Any = None
    safetensors_total: Any = None
    param_dtypes: Any = None
    gguf_architecture: Any = None
    gguf_context_length: Any = None
    gguf_total_file_size: Any = None
    quant_method: Any = None
    moe_num_experts: Any = None
    moe_experts_per_token: Any = None
    # repository
    used_storage: Any = None
    file_count: Any = None
    spaces_count: Any = None
    spaces: Any = None  # ids of the Spaces that use the model (the API's ``spaces``)
    files: Any = None  # the repo's file names (the API's ``siblings``)
    children_model_count: Any = None
    # provenance: when hfhub fetched this record (not a Hub field)
    crawled_at: datetime | None = None
    # --- derived by EnrichModelPipeline (hfhub/records/enrichment/), documented in docs/fields.md ---
    dominant_dtype: Any = None
    weights_bytes: Any = None
    bytes_per_parameter: Any = None
    quantization: Any = None
    gguf_quant_types: Any = None
    est_parameters: Any = None
    packed_weights_counted_as: Any = None
    moe_evidence: Any = None
    est_active_parameters: Any = None
    base_model_relation: Any = None
    arxiv_ids: Any = None
    est_mem_stored_gb: Any = None
    est_mem_fp16_gb: Any = None
    est_mem_4bit_gb: Any = None
    est_min_gpu_gb: Any = None
    est_min_cpu_ram_gb: Any = None
    est_decode_tokens_per_s: Any = None
    popularity_score: Any = None
    days_since_modified: Any = None
    recency_score: Any = None
    search_text: Any = None
    # the API's properties that no typed column holds as given, as JSON text (hfhub.records.raw)
    raw_json: Any = None
    # --- transient, not written to the dataset ---
    api_record: Any = None  # the record as the API gave it, until raw_json is made from it
