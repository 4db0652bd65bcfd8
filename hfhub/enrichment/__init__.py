"""Derived fields of a model: pure functions over a validated ``ModelItem``.

``enrich_item`` fills every derived field; the formulas and their stated constants live in
``weights``, ``metadata`` and ``scores`` and are documented in docs/fields.md.
"""

from __future__ import annotations

from hfhub.enrichment import metadata, moe, scores, weights
from hfhub.items import ModelItem


def enrich_item(item: ModelItem) -> ModelItem:
    """Fill ``item``'s derived fields in place (and return it). Never raises on a validated item."""
    item.languages = metadata.languages(item.languages, item.tags)
    item.base_model_relation = metadata.base_model_relation(item.tags)
    item.arxiv_ids = metadata.arxiv_ids(item.tags)

    item.dominant_dtype = weights.dominant_dtype(item.param_dtypes)
    item.gguf_quant_types = weights.gguf_quant_types(item.files)
    params = item.num_parameters
    item.weights_bytes = weights.weights_bytes(
        item.param_dtypes, params, item.num_parameters_source, item.gguf_total_file_size, item.gguf_quant_types
    )
    has_gguf = item.num_parameters_source == "gguf" or item.gguf_architecture is not None
    item.quantization = weights.quantization(
        item.quant_method, item.tags, item.library_name, item.param_dtypes, item.gguf_quant_types, has_gguf
    )
    item.parameters_packed = weights.parameters_packed(item.quantization, item.param_dtypes)
    # a count of packed containers is not a count of weights: what is derived from it stays unknown
    weights_counted = None if item.parameters_packed else params
    if item.weights_bytes and weights_counted:
        item.bytes_per_parameter = round(item.weights_bytes / weights_counted, 4)
    item.moe_evidence = moe.evidence(
        item.architectures, item.model_type, item.gguf_architecture, item.name, item.moe_num_experts
    )
    item.est_active_parameters = moe.active_parameters(
        weights_counted, item.moe_evidence, item.name, item.moe_num_experts, item.moe_experts_per_token
    )
    item.est_mem_stored_gb = weights.gigabytes_needed(item.weights_bytes)
    item.est_mem_fp16_gb = weights.gigabytes_needed(weights_counted * 2 if weights_counted else None)
    item.est_mem_4bit_gb = weights.gigabytes_needed(weights_counted * 0.5 if weights_counted else None)
    item.est_min_gpu_gb = weights.smallest_tier(item.est_mem_stored_gb, weights.GPU_TIERS_GB)
    item.est_min_cpu_ram_gb = weights.smallest_tier(
        item.est_mem_stored_gb, weights.CPU_RAM_TIERS_GB, weights.CPU_RAM_HEADROOM_GB
    )
    item.est_decode_tokens_per_s = weights.decode_tokens_per_s(item.weights_bytes, _active_share(item))

    item.popularity_score = scores.popularity_score(item.downloads, item.likes)
    item.days_since_modified = scores.days_since(item.last_modified, item.crawled_at)
    item.recency_score = scores.recency_score(item.days_since_modified)
    item.search_text = scores.search_text(
        model_id=item.id,
        pipeline_tag=item.pipeline_tag,
        library=item.library_name,
        architectures=item.architectures,
        model_type=item.model_type,
        languages=item.languages,
        license_id=item.license,
        tags=item.tags,
        datasets=item.datasets,
        quantization=item.quantization,
        num_parameters=params,
    )
    return item


def _active_share(item: ModelItem) -> float | None:
    """The share of the weights a token reads: all of a model without MoE evidence; for a mixture
    of experts, active / total when both are known (else None)."""
    if item.moe_evidence is None:
        return 1.0
    if item.est_active_parameters and item.num_parameters and not item.parameters_packed:
        return min(1.0, item.est_active_parameters / item.num_parameters)
    return None
