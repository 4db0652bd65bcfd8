"""Derived fields of a model: pure functions over a validated ``ModelItem``.

``enrich_item`` fills every derived field; the formulas and their stated constants live in
``weights``, ``metadata`` and ``scores`` and are documented in docs/fields.md.
"""

from __future__ import annotations

from hfhub.records.enrichment import metadata, moe, packing, scores, weights
from hfhub.records.model import ModelItem


def enrich_item(item: ModelItem) -> ModelItem:
    """Fill ``item``'s derived fields in place (and return it). Never raises on a validated item."""
    item.languages = metadata.languages(item.languages, item.tags)
    item.base_model_relation = metadata.base_model_relation(item.tags)
    item.arxiv_ids = metadata.arxiv_ids(item.tags)
    _weights(item)
    _estimates(item)
    _scores(item)
    return item


def enrich_models(models: list[ModelItem]) -> None:
    for model in models:
        enrich_item(model)


def _weights(item: ModelItem) -> None:
    """What the weights are: dtype, quantization, how they are packed, their size and count."""
    item.dominant_dtype = weights.dominant_dtype(item.param_dtypes)
    item.gguf_quant_types = weights.gguf_quant_types(item.files)
    has_gguf = item.num_parameters_source == "gguf" or item.gguf_architecture is not None
    item.quantization = weights.quantization(
        item.quant_method, item.tags, item.library_name, item.param_dtypes, item.gguf_quant_types, has_gguf
    )
    params = item.num_parameters
    item.weights_bytes = weights.weights_bytes(
        item.param_dtypes, params, item.num_parameters_source, item.gguf_total_file_size, item.gguf_quant_types
    )
    item.est_parameters = params
    pack = packing.packing(item.quantization, item.param_dtypes, item.used_storage, item.name, item.tags,
                           weights.DTYPE_BYTES)
    if pack is not None:
        item.packed_weights_counted_as = pack.counted
        item.est_parameters = packing.weights_held(item.param_dtypes, pack)
        if item.weights_bytes is not None:
            item.weights_bytes = packing.stored_bytes(item.param_dtypes, pack, weights.DTYPE_BYTES)
    if item.weights_bytes and item.est_parameters:
        item.bytes_per_parameter = round(item.weights_bytes / item.est_parameters, 4)


def _estimates(item: ModelItem) -> None:
    """What running the model takes (``est_``: estimates by the formulas of docs/fields.md)."""
    est_params = item.est_parameters
    item.moe_evidence = moe.evidence(
        item.architectures, item.model_type, item.gguf_architecture, item.name, item.moe_num_experts
    )
    item.est_active_parameters = moe.active_parameters(
        est_params, item.moe_evidence, item.name, item.moe_num_experts, item.moe_experts_per_token
    )
    item.est_mem_stored_gb = weights.gigabytes_needed(item.weights_bytes)
    item.est_mem_fp16_gb = weights.gigabytes_needed(est_params * 2 if est_params else None)
    item.est_mem_4bit_gb = weights.gigabytes_needed(est_params * 0.5 if est_params else None)
    item.est_min_gpu_gb = weights.smallest_tier(item.est_mem_stored_gb, weights.GPU_TIERS_GB)
    item.est_min_cpu_ram_gb = weights.smallest_tier(
        item.est_mem_stored_gb, weights.CPU_RAM_TIERS_GB, weights.CPU_RAM_HEADROOM_GB
    )
    item.est_decode_tokens_per_s = weights.decode_tokens_per_s(item.weights_bytes, _active_share(item))


def _scores(item: ModelItem) -> None:
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
        num_parameters=item.est_parameters,
    )


def _active_share(item: ModelItem) -> float | None:
    """The share of the weights a token reads: all of a model without MoE evidence; for a mixture
    of experts, active / total when both are known (else None)."""
    if item.moe_evidence is None:
        return 1.0
    if item.est_active_parameters and item.est_parameters:
        return min(1.0, item.est_active_parameters / item.est_parameters)
    return None
