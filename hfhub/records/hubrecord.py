"""Map one record of the Hub's ``/api/models`` listing onto a ``ModelItem``.

Pure functions, no Scrapy. They normalise the shapes the Hub really uses (a card's ``language`` is a
string or a list, ``gated`` is ``false``/``"auto"``/``"manual"``, ``siblings`` may be null) and never
raise on arbitrary JSON: values of unexpected types pass through unchanged for
``ValidateModelPipeline`` to judge.

Where a record contradicts itself, the part that describes the files wins over a number written by
hand: ``safetensors.total`` can disagree with its per-dtype counts (huggingface_hub#4221:
``{"parameters": {"BF16": 7615616512}, "total": 333312}``, a value from the repo's own metadata), so
the parameter count is the per-dtype sum and the Hub's ``total`` is kept beside it as
``safetensors_total``. The ``base_model:`` tags name a base by its current id (the Hub resolves
renames); a card's ``base_model`` is whatever its author typed, possibly a former id
(``meta-llama/Meta-Llama-3.1-8B``), so the tags come first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hfhub.records.model import ModelItem
from hfhub.records.shapes import (
    as_list,
    file_names,
    gated_and_mode,
    len_or_none,
    mapping_or_empty,
    prefixed_tag_values,
    repo_author_and_name,
)

# Properties requested with expand[]: everything the item reads, nothing more (siblings and config
# are large; they are asked for because file_count, architectures and quant_method need them).
EXPAND_PROPERTIES: tuple[str, ...] = (
    "author",
    "cardData",
    "childrenModelCount",
    "config",
    "createdAt",
    "disabled",
    "downloads",
    "downloadsAllTime",
    "gated",
    "gguf",
    "lastModified",
    "library_name",
    "likes",
    "pipeline_tag",
    "private",
    "safetensors",
    "sha",
    "siblings",
    "spaces",
    "tags",
    "trendingScore",
    "usedStorage",
)


_TAG_PREFIXES = ("license", "dataset", "base_model")


def _first_or_none(values: list[str]) -> str | None:
    return values[0] if values else None


def _from_card_or_tags(card: dict[str, Any], key: str, tagged: dict[str, list[str]], prefix: str) -> Any:
    """A card field when the card has it, else the values of the matching ``prefix:`` tags."""
    if card.get(key) is not None:
        return as_list(card[key])
    return tagged[prefix] or None


def _base_models(card: dict[str, Any], tagged: dict[str, list[str]]) -> Any:
    # "base_model:quantized:org/x" and friends name the relation; keep the plain form's model ids.
    values = [v for v in tagged["base_model"] if ":" not in v]
    if values:
        return values
    return as_list(card.get("base_model"))


def _parameters(safetensors: dict[str, Any], gguf: dict[str, Any]) -> tuple[Any, Any, Any]:
    """(count, source, by_dtype): the safetensors per-dtype sum, else the Hub's safetensors
    ``total`` (no per-dtype counts), else the GGUF header's total."""
    by_dtype = safetensors.get("parameters")
    if isinstance(by_dtype, dict) and by_dtype:
        values = list(by_dtype.values())
        if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return sum(values), "safetensors", by_dtype
    if safetensors.get("total") is not None:
        return safetensors["total"], "safetensors_total", by_dtype
    if gguf.get("total") is not None:
        return gguf["total"], "gguf", by_dtype
    return None, None, by_dtype


def _children_count(value: Any) -> Any:
    """``childrenModelCount`` comes as ``{"adapter": n, "finetune": n, "merge": n, "quantized": n}``
    (older responses: a plain number); the column holds the total."""
    if isinstance(value, dict):
        counts = list(value.values())
        if all(isinstance(c, int) and not isinstance(c, bool) for c in counts):
            return sum(counts)
    return value


# config.json names for the experts of a mixture-of-experts model, by model family
_EXPERT_KEYS = ("num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts")
_EXPERTS_PER_TOKEN_KEYS = ("num_experts_per_tok", "num_experts_per_token", "moe_topk", "top_k")


def _first_present(config: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if (value := config.get(key)) is not None:
            return value
    return None


def model_item_from_api(record: Any, crawled_at: datetime) -> ModelItem:
    """The ``ModelItem`` for one listing record; never raises, whatever ``record`` holds."""
    rec = mapping_or_empty(record)
    card = mapping_or_empty(rec.get("cardData"))
    config = mapping_or_empty(rec.get("config"))
    safetensors = mapping_or_empty(rec.get("safetensors"))
    gguf = mapping_or_empty(rec.get("gguf"))
    tags = rec.get("tags")
    tagged = prefixed_tag_values(tags, _TAG_PREFIXES)
    model_id = rec.get("id", rec.get("modelId"))
    num_parameters, num_parameters_source, param_dtypes = _parameters(safetensors, gguf)
    gated, gated_mode = gated_and_mode(rec.get("gated"))
    author, name = repo_author_and_name(model_id, rec.get("author"))
    return ModelItem(
        id=model_id,
        author=author,
        name=name,
        sha=rec.get("sha"),
        created_at=rec.get("createdAt"),
        last_modified=rec.get("lastModified"),
        downloads=rec.get("downloads"),
        downloads_all_time=rec.get("downloadsAllTime"),
        likes=rec.get("likes"),
        trending_score=rec.get("trendingScore"),
        pipeline_tag=rec.get("pipeline_tag"),
        library_name=rec.get("library_name"),
        tags=tags,
        license=card["license"] if "license" in card else _first_or_none(tagged["license"]),
        license_name=card.get("license_name"),
        languages=as_list(card.get("language")),
        datasets=_from_card_or_tags(card, "datasets", tagged, "dataset"),
        base_models=_base_models(card, tagged),
        architectures=config.get("architectures"),
        model_type=config.get("model_type"),
        gated=gated,
        gated_mode=gated_mode,
        private=rec.get("private"),
        disabled=rec.get("disabled"),
        num_parameters=num_parameters,
        num_parameters_source=num_parameters_source,
        safetensors_total=safetensors.get("total"),
        param_dtypes=param_dtypes,
        gguf_architecture=gguf.get("architecture"),
        gguf_context_length=gguf.get("context_length"),
        gguf_total_file_size=gguf.get("totalFileSize"),
        quant_method=mapping_or_empty(config.get("quantization_config")).get("quant_method"),
        moe_num_experts=_first_present(config, _EXPERT_KEYS),
        moe_experts_per_token=_first_present(config, _EXPERTS_PER_TOKEN_KEYS),
        used_storage=rec.get("usedStorage"),
        file_count=len_or_none(rec.get("siblings")),
        spaces_count=len_or_none(rec.get("spaces")),
        spaces=rec.get("spaces"),
        children_model_count=_children_count(rec.get("childrenModelCount")),
        crawled_at=crawled_at,
        files=file_names(rec.get("siblings")),
        api_record=rec,
    )


# API key -> the column that holds its value as given (what raw_json leaves out; hfhub.records.raw).
# config, cardData, safetensors, gguf, childrenModelCount and the blocks without a column stay raw.
HELD_BY_COLUMN: dict[str, str] = {
    "id": "id", "modelId": "id", "author": "author", "sha": "sha", "createdAt": "created_at",
    "lastModified": "last_modified", "downloads": "downloads", "downloadsAllTime": "downloads_all_time",
    "likes": "likes", "trendingScore": "trending_score", "pipeline_tag": "pipeline_tag",
    "library_name": "library_name", "tags": "tags", "gated": "gated", "private": "private",
    "disabled": "disabled", "usedStorage": "used_storage", "spaces": "spaces", "siblings": "files",
}
