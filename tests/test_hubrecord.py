"""Mapping real Hub listing records (shapes as the Hub returns them) onto ModelItem."""

from __future__ import annotations

from datetime import UTC, datetime

from hfhub.records.hubrecord import model_item_from_api

NOW = datetime(2026, 11, 26, tzinfo=UTC)

# Shaped like a real `GET /api/models?expand[]=...` record of a quantized, gated LLM repo.
QUANTIZED_LLM = {
    "_id": "66a0b1c2d3e4f5a6b7c8d9e0",
    "id": "someorg/Llama-3-8B-Instruct-AWQ",
    "author": "someorg",
    "sha": "0123456789abcdef0123456789abcdef01234567",
    "createdAt": "2024-07-24T10:00:00.000Z",
    "lastModified": "2024-08-01T08:30:12.000Z",
    "downloads": 12345,
    "downloadsAllTime": 99999,
    "likes": 42,
    "trendingScore": 3,
    "pipeline_tag": "text-generation",
    "library_name": "transformers",
    "private": False,
    "disabled": False,
    "gated": "manual",
    "tags": [
        "transformers", "safetensors", "llama", "text-generation", "en", "ja",
        "base_model:meta-llama/Meta-Llama-3-8B-Instruct",
        "base_model:quantized:meta-llama/Meta-Llama-3-8B-Instruct",
        "license:llama3", "4-bit", "awq", "region:us",
    ],
    "cardData": {"license": "llama3", "language": ["en", "ja"], "base_model": "meta-llama/Meta-Llama-3-8B-Instruct"},
    "config": {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "quantization_config": {"bits": 4, "quant_method": "awq"},
    },
    "safetensors": {"parameters": {"I32": 879_230_976, "F16": 1_050_939_392}, "total": 1_930_170_368},
    "siblings": [{"rfilename": "config.json"}, {"rfilename": "model.safetensors"}, {"rfilename": "README.md"}],
    "spaces": ["someone/chat-demo"],
    "usedStorage": 5_730_000_000,
    "childrenModelCount": {"adapter": 2, "finetune": 5, "merge": 0, "quantized": 11},
}


def test_a_full_record_maps_field_by_field():
    item = model_item_from_api(QUANTIZED_LLM, NOW)
    assert item.id == "someorg/Llama-3-8B-Instruct-AWQ"
    assert (item.author, item.name) == ("someorg", "Llama-3-8B-Instruct-AWQ")
    assert item.created_at == "2024-07-24T10:00:00.000Z"
    assert (item.downloads, item.downloads_all_time, item.likes) == (12345, 99999, 42)
    assert (item.gated, item.gated_mode) == (True, "manual")
    assert item.license == "llama3"
    assert item.languages == ["en", "ja"]
    assert item.base_models == ["meta-llama/Meta-Llama-3-8B-Instruct"]
    assert item.architectures == ["LlamaForCausalLM"]
    assert item.quant_method == "awq"
    assert (item.num_parameters, item.num_parameters_source) == (1_930_170_368, "safetensors")
    assert item.param_dtypes == {"I32": 879_230_976, "F16": 1_050_939_392}
    assert (item.file_count, item.spaces_count) == (3, 1)
    assert item.children_model_count == 18
    assert item.crawled_at == NOW


def test_parameters_are_the_sum_of_dtypes_and_the_hubs_total_is_kept_beside_it():
    record = {"id": "a/b", "safetensors": {"parameters": {"BF16": 7_000, "F32": 5}, "total": 333}}
    item = model_item_from_api(record, NOW)
    assert (item.num_parameters, item.num_parameters_source, item.safetensors_total) == (7_005, "safetensors", 333)
    only_total = model_item_from_api({"id": "a/b", "safetensors": {"total": 42}}, NOW)
    assert (only_total.num_parameters, only_total.num_parameters_source) == (42, "safetensors_total")


def test_base_models_come_from_the_tags_before_a_card_that_names_a_former_id():
    # real: meta-llama/Llama-3.1-8B-Instruct (huggingface_hub's cassettes, tests/data/real_hub)
    record = {"id": "meta-llama/Llama-3.1-8B-Instruct", "cardData": {"base_model": "meta-llama/Meta-Llama-3.1-8B"},
              "tags": ["base_model:meta-llama/Llama-3.1-8B", "base_model:finetune:meta-llama/Llama-3.1-8B"]}
    assert model_item_from_api(record, NOW).base_models == ["meta-llama/Llama-3.1-8B"]
    card_only = {"id": "a/b", "cardData": {"base_model": ["x/y", "x/z"]}}
    assert model_item_from_api(card_only, NOW).base_models == ["x/y", "x/z"]


def test_license_name_is_kept_for_other_licenses():
    record = {"id": "a/b", "cardData": {"license": "other", "license_name": "acme-community-license"}}
    item = model_item_from_api(record, NOW)
    assert (item.license, item.license_name) == ("other", "acme-community-license")


def test_gguf_repo_takes_parameters_from_the_gguf_header():
    record = {
        "id": "someone/Qwen2.5-7B-Instruct-GGUF",
        "gguf": {"total": 7_615_616_512, "architecture": "qwen2", "context_length": 32768, "totalFileSize": 4_683_073_952},
        "tags": ["gguf", "base_model:quantized:Qwen/Qwen2.5-7B-Instruct", "base_model:Qwen/Qwen2.5-7B-Instruct"],
    }
    item = model_item_from_api(record, NOW)
    assert (item.num_parameters, item.num_parameters_source) == (7_615_616_512, "gguf")
    assert (item.gguf_architecture, item.gguf_context_length, item.gguf_total_file_size) == ("qwen2", 32768, 4_683_073_952)
    assert item.base_models == ["Qwen/Qwen2.5-7B-Instruct"]


def test_card_fields_fall_back_to_tags_and_single_strings_become_lists():
    record = {"id": "x/y", "tags": ["license:mit", "dataset:squad", "dataset:glue"], "cardData": {"language": "fr"}}
    item = model_item_from_api(record, NOW)
    assert item.license == "mit"
    assert item.datasets == ["squad", "glue"]
    assert item.languages == ["fr"]


def test_a_record_with_no_metadata_is_all_nulls_but_the_id():
    item = model_item_from_api({"id": "gpt2"}, NOW)
    assert item.id == "gpt2" and item.author is None and item.name == "gpt2"
    assert item.num_parameters is None and item.tags is None and item.gated is None
    assert item.file_count is None


def test_gated_false():
    assert (model_item_from_api({"id": "a/b", "gated": False}, NOW).gated) is False


def test_anything_that_is_not_a_record_maps_without_raising():
    for junk in (None, 3, "text", [1, 2], {"cardData": "oops", "config": [], "safetensors": 5, "gguf": "x"}):
        item = model_item_from_api(junk, NOW)
        assert item.num_parameters is None
