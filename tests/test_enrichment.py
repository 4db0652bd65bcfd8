"""Derived fields, checked against values computed by hand for records shaped like the real Hub's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hfhub.records.enrichment import enrich_item, metadata, scores, weights
from hfhub.records.hubrecord import model_item_from_api
from hfhub.records.validation import validate_item

CRAWLED = datetime(2026, 11, 26, tzinfo=UTC)


def enriched(record: dict):
    item = model_item_from_api(record, CRAWLED)
    validate_item(item)
    return enrich_item(item)


def test_bf16_llm_with_f32_norms():
    # an 8B Llama-style repo: 8,030,261,248 BF16 + 266,240 F32 parameters
    item = enriched({
        "id": "acme/Llama-8B-Instruct",
        "pipeline_tag": "text-generation",
        "library_name": "transformers",
        "tags": ["transformers", "safetensors", "llama", "text-generation", "en", "de", "license:llama3.1",
                 "arxiv:2407.21783", "base_model:acme/Llama-8B", "base_model:finetune:acme/Llama-8B"],
        "safetensors": {"parameters": {"BF16": 8_030_261_248, "F32": 266_240}, "total": 8_030_527_488},
        "config": {"architectures": ["LlamaForCausalLM"], "model_type": "llama"},
        "lastModified": "2026-05-30T00:00:00.000Z",
        "downloads": 999_999, "likes": 9_999,
    })
    assert item.dominant_dtype == "BF16"
    assert item.weights_bytes == 8_030_261_248 * 2 + 266_240 * 4 == 16_061_587_456
    assert item.bytes_per_parameter == round(16_061_587_456 / 8_030_527_488, 4) == 2.0001
    assert item.quantization is None
    assert item.est_active_parameters == 8_030_527_488
    assert item.est_mem_stored_gb == round(16_061_587_456 * 1.2 / 1e9, 6) == 19.273905
    assert item.est_mem_fp16_gb == round(8_030_527_488 * 2 * 1.2 / 1e9, 6) == 19.273266
    assert item.est_mem_4bit_gb == round(8_030_527_488 * 0.5 * 1.2 / 1e9, 6) == 4.818316
    assert item.est_min_gpu_gb == 24  # 19.3 GB does not fit 16, fits 24
    assert item.est_min_cpu_ram_gb == 32  # 19.3 + 2 GB headroom
    assert item.est_decode_tokens_per_s == round(1e12 / (8_030_527_488 * 2.0001), 2) == 62.26
    assert item.languages == ["en", "de"]  # from the bare language tags, the card had none
    assert item.base_model_relation == "finetune"
    assert item.arxiv_ids == ["2407.21783"]
    assert item.popularity_score == round(100 * (0.7 * 6 / 7 + 0.3 * 4 / 5), 3) == 84.0
    assert item.days_since_modified == 180.0
    assert item.recency_score == round(0.5 ** (180 / 365), 6)
    assert item.search_text.startswith("acme llama 8b instruct text generation transformers llamaforcausallm")
    assert "english" in item.search_text.split() and "german" in item.search_text.split()


def test_awq_quantized_repo_packed_in_int32():
    item = enriched({
        "id": "q/Model-AWQ",
        "tags": ["base_model:quantized:org/Model", "4-bit", "awq"],
        "safetensors": {"parameters": {"I32": 879_230_976, "F16": 1_050_939_392}},  # no "total", as seen on the Hub
        "config": {"quantization_config": {"quant_method": "awq", "bits": 4}},
    })
    assert item.num_parameters == 1_930_170_368
    assert item.quantization == "awq"
    assert item.dominant_dtype == "F16"
    assert item.weights_bytes == 879_230_976 * 4 + 1_050_939_392 * 2
    assert item.base_model_relation == "quantized"


def test_fp8_dtype_without_quantization_config_is_fp8():
    item = enriched({"id": "a/b-FP8", "safetensors": {"parameters": {"F8_E4M3": 7_000_000_000, "BF16": 500_000_000}}})
    assert item.quantization == "fp8"
    assert item.weights_bytes == 7_000_000_000 + 1_000_000_000


def test_gguf_repo_with_several_quantizations_counts_its_smallest():
    item = enriched({
        "id": "someone/Qwen2.5-7B-Instruct-GGUF",
        "library_name": "gguf",
        "gguf": {"total": 7_615_616_512, "architecture": "qwen2", "context_length": 32768, "totalFileSize": 21_000_000_000},
        "siblings": [{"rfilename": "qwen2.5-7b-instruct-q4_k_m.gguf"}, {"rfilename": "qwen2.5-7b-instruct-Q8_0.gguf"},
                     {"rfilename": "README.md"}],
    })
    assert item.gguf_quant_types == ["Q4_K_M", "Q8_0"]
    assert item.quantization == "gguf"
    assert item.weights_bytes == round(7_615_616_512 * 4.85 / 8) == 4_616_967_510
    assert item.est_min_gpu_gb == 8  # 5.54 GB


def test_gguf_repo_with_one_file_uses_the_hubs_file_size():
    item = enriched({"id": "a/b-GGUF", "gguf": {"total": 1_000_000_000, "totalFileSize": 1_100_000_000},
                     "siblings": [{"rfilename": "b.Q8_0.gguf"}]})
    assert item.weights_bytes == 1_100_000_000


def test_moe_active_parameters():
    # Mixtral-8x7B: 46.7B parameters, 8 experts, 2 per token
    item = enriched({"id": "m/Mixtral-8x7B", "safetensors": {"parameters": {"BF16": 46_702_792_704}},
                     "config": {"num_local_experts": 8, "num_experts_per_tok": 2}})
    assert (item.moe_num_experts, item.moe_experts_per_token) == (8, 2)
    assert item.est_active_parameters == round(46_702_792_704 * (0.04 + 0.96 * 2 / 8)) == 13_076_781_957
    assert item.est_min_gpu_gb is None  # 112 GB: bigger than any single-GPU tier


@pytest.mark.parametrize(("gated", "expected"), [(False, (False, None)), ("auto", (True, "auto")), ("manual", (True, "manual"))])
def test_gated(gated, expected):
    item = enriched({"id": "a/b", "gated": gated})
    assert (item.gated, item.gated_mode) == expected


def test_a_model_with_no_metadata_gets_nulls_not_guesses():
    item = enriched({"id": "gpt2"})
    for name in ("dominant_dtype", "weights_bytes", "quantization", "est_mem_stored_gb", "est_min_gpu_gb",
                 "est_decode_tokens_per_s", "languages", "base_model_relation", "arxiv_ids", "days_since_modified"):
        assert getattr(item, name) is None, name
    assert item.popularity_score == 0.0
    assert item.search_text == "gpt2"


@pytest.mark.parametrize(("params", "words"), [(8_030_000_000, ["8b", "medium"]), (1_500_000_000, ["1.5b", "small"]),
                                               (66_000_000, ["66m", "tiny"]), (405e9, ["405b", "huge"]), (None, [])])
def test_size_words(params, words):
    assert scores.size_words(params) == words


def test_unknown_dtype_gives_no_byte_count():
    assert weights.safetensors_bytes({"BF16": 10, "Q9_MYSTERY": 5}) is None


def test_smallest_tier():
    assert weights.smallest_tier(8.0, weights.GPU_TIERS_GB) == 8
    assert weights.smallest_tier(8.01, weights.GPU_TIERS_GB) == 12
    assert weights.smallest_tier(81, weights.GPU_TIERS_GB) is None


def test_card_languages_win_over_tags():
    assert metadata.languages(["ja"], ["en", "fr"]) == ["ja"]


def test_words_split_at_every_separator_the_pattern_names():
    # scores.words splits with str.replace + str.split for speed; it must split exactly where the
    # documented pattern does: at every whitespace character Unicode knows, and at / _ - . :
    separators = [chr(c) for c in range(0x110000) if scores._SPLIT.fullmatch(chr(c))]
    assert len(separators) > 20  # the Unicode spaces, not only ASCII
    for sep in separators:
        assert scores.words(f"Ab{sep}cD{sep}{sep}e") == ["ab", "cd", "e"], repr(sep)
    assert scores.words("Llama-3.1_8B/Instruct: GGUF") == ["llama", "3", "1", "8b", "instruct", "gguf"]
    assert scores.words("") == [] and scores.words(None) == []


def test_a_safetensors_total_that_contradicts_the_dtypes_is_kept_not_trusted():
    # huggingface_hub#4221: a 7.6B BF16 model whose `total` came from a number in the repo
    item = enriched({"id": "a/b-7B", "safetensors": {"parameters": {"BF16": 7_615_616_512}, "total": 333_312}})
    assert (item.num_parameters, item.num_parameters_source) == (7_615_616_512, "safetensors")
    assert item.safetensors_total == 333_312
    assert item.weights_bytes == 15_231_233_024 and item.bytes_per_parameter == 2.0
    assert item.est_mem_fp16_gb == round(7_615_616_512 * 2 * 1.2 / 1e9, 6) == 18.27748


def test_mlx_4bit_repo_counted_as_containers_is_sized_at_4_bits():
    # the Hub's older count: elements as stored, eight 4-bit weights per U32, BF16 scales and biases
    item = enriched({"id": "mlx-community/Model-7B-4bit", "library_name": "mlx", "tags": ["mlx", "safetensors"],
                     "safetensors": {"parameters": {"BF16": 500_000_000, "U32": 875_000_000}, "total": 1_375_000_000},
                     "usedStorage": 4_600_000_000})
    assert item.quantization == "mlx" and item.packed_weights_counted_as == "containers"
    assert item.num_parameters == 1_375_000_000  # the Hub's count, kept as it is
    assert item.est_parameters == 500_000_000 + 875_000_000 * 8 == 7_500_000_000
    assert item.weights_bytes == 500_000_000 * 2 + 875_000_000 * 4 == 4_500_000_000
    assert item.bytes_per_parameter == 0.6  # 4 bits a weight plus the scales
    assert item.est_mem_stored_gb == 5.4 and item.est_min_gpu_gb == 8
    assert item.est_mem_fp16_gb == 18.0
    assert item.est_decode_tokens_per_s == round(1e12 / 4_500_000_000, 2)


def test_mlx_4bit_repo_counted_as_weights_is_sized_at_4_bits_too():
    # the Hub's count since August 2026 (huggingface.js#2415): the weights, still under "U32"
    # (mlx-community/Qwen3-32B-4bit: U32 ≈ 32.8 billion); as stored bytes they would not fit usedStorage
    item = enriched({"id": "mlx-community/Qwen3-32B-4bit", "library_name": "mlx", "tags": ["mlx", "safetensors"],
                     "safetensors": {"parameters": {"BF16": 1_000_000_000, "U32": 32_000_000_000}, "total": 33_000_000_000},
                     "usedStorage": 18_500_000_000})
    assert item.packed_weights_counted_as == "weights"
    assert item.est_parameters == item.num_parameters == 33_000_000_000
    assert item.weights_bytes == 1_000_000_000 * 2 + 32_000_000_000 // 2 == 18_000_000_000


def test_bits_come_from_the_name():
    item = enriched({"id": "mlx-community/Model-8bit", "library_name": "mlx",
                     "safetensors": {"parameters": {"BF16": 100, "U32": 1_000}}, "usedStorage": 10_000})
    assert item.packed_weights_counted_as == "containers" and item.est_parameters == 100 + 4_000


def test_an_mlx_repo_in_bf16_is_not_quantized():
    item = enriched({"id": "mlx-community/Model-7B-bf16", "library_name": "mlx", "tags": ["mlx", "safetensors"],
                     "safetensors": {"parameters": {"BF16": 7_000_000_000}, "total": 7_000_000_000}})
    assert item.quantization is None and item.packed_weights_counted_as is None
    assert item.est_parameters == item.num_parameters


def test_compressed_tensors_is_resolved_by_its_dtypes():
    fp8 = enriched({"id": "r/M-FP8-dynamic", "tags": ["compressed-tensors", "fp8"],
                    "config": {"quantization_config": {"quant_method": "compressed-tensors"}},
                    "safetensors": {"parameters": {"BF16": 1_000_000, "F8_E4M3": 8_000_000_000}}})
    assert (fp8.quant_method, fp8.quantization, fp8.packed_weights_counted_as) == ("compressed-tensors", "fp8", None)
    w4 = enriched({"id": "r/M-W4A16", "config": {"quantization_config": {"quant_method": "compressed-tensors"}},
                   "safetensors": {"parameters": {"BF16": 1_000_000, "I32": 1_000_000_000}}})
    assert (w4.quantization, w4.packed_weights_counted_as, w4.est_parameters) == ("int4", "containers", 8_001_000_000)


def test_a_gguf_repo_without_library_name_is_gguf():
    item = enriched({"id": "u/M-GGUF", "tags": ["gguf", "endpoints_compatible"],
                     "gguf": {"total": 3_000_000_000, "architecture": "llama", "totalFileSize": 1_900_000_000}})
    assert item.library_name is None and item.quantization == "gguf"
    assert item.weights_bytes == 1_900_000_000


@pytest.mark.parametrize(("record", "evidence", "active"), [
    ({"id": "Qwen/Qwen3-235B-A22B", "config": {"architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe"}},
     "architecture", 22_000_000_000),
    ({"id": "q/Qwen3-30B-A3B-Instruct", "config": {"model_type": "qwen3_moe"}}, "model_type", 3_000_000_000),
    ({"id": "u/Qwen3-30B-A3B-GGUF", "gguf": {"total": 30_500_000_000, "architecture": "qwen3moe"}},
     "gguf_architecture", 3_000_000_000),
    ({"id": "m/Mixtral-8x7B-v0.1"}, "name", None),  # MoE, but its active count is not stated
    ({"id": "o/gpt-oss-20b", "config": {"architectures": ["GptOssForCausalLM"], "model_type": "gpt_oss"}},
     "architecture", None),
    ({"id": "a/Llama-3.1-8B", "config": {"architectures": ["LlamaForCausalLM"], "model_type": "llama"}}, None, 8_000),
])
def test_moe_is_recognised_from_what_the_list_api_gives(record, evidence, active):
    record = {**record, "safetensors": (record.get("gguf") and None) or {"parameters": {"BF16": 8_000}}}
    item = enriched({k: v for k, v in record.items() if v is not None})
    assert item.moe_evidence == evidence
    assert item.est_active_parameters == active
