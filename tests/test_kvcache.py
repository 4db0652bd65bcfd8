"""The KV-cache formula (hfhub.records.enrichment.kvcache) against values computed by hand from real
config.json files (tests/data/real_hub/configs/, provenance in its README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hfhub.records.enrichment.kvcache import kv_bytes_per_token, kv_cache_bytes, kv_layout

CONFIGS = Path(__file__).parent / "data" / "real_hub" / "configs"
K = 1024


def layout_of(name: str):
    return kv_layout(json.loads((CONFIGS / f"{name}.json").read_text()))


@pytest.mark.parametrize(("name", "attention", "per_token", "at_32k", "at_128k"), [
    # 32 layers × (K + V) × 8 KV heads × head_dim 4096/32 = 128 × 2 bytes = 131,072 bytes a token
    ("meta-llama__Llama-3.1-8B", "gqa", 32 * 2 * 8 * 128 * 2, 32 * 2 * 8 * 128 * 2 * 32 * K, 16 * K**3),
    ("meta-llama__Llama-3.1-8B-Instruct", "gqa", 131_072, 4 * K**3, 16 * K**3),
    # 48 layers × 2 × 4 KV heads × head_dim 128 (stated; 2048/32 would be 64) × 2 = 98,304; no layer slides
    # (sliding_window null, use_sliding_window false)
    ("Qwen__Qwen3-30B-A3B", "gqa", 98_304, 98_304 * 32 * K, 98_304 * 128 * K),
    # 32 layers × 2 × 8 × 128 × 2 = 131,072 a token, every layer within its 4,096-token window
    ("mistralai__Mistral-7B-v0.1", "gqa", 131_072, 131_072 * 4096, 131_072 * 4096),
    # MLA: 61 layers × (kv_lora_rank 512 + qk_rope_head_dim 64) × 2 = 70,272 a token, for 128 heads
    ("deepseek-ai__DeepSeek-R1-0528", "mla", 61 * 576 * 2, 70_272 * 32 * K, 70_272 * 128 * K),
])
def test_the_cache_of_real_configs_is_what_the_hand_computes(name, attention, per_token, at_32k, at_128k):
    layout = layout_of(name)
    assert layout is not None and layout.attention == attention
    assert kv_bytes_per_token(layout) == per_token
    assert kv_cache_bytes(layout, 32 * K) == at_32k
    assert kv_cache_bytes(layout, 128 * K) == at_128k


def test_gemma_2_alternates_sliding_and_global_layers():
    # 42 layers × 2 × 8 KV heads × head_dim 256 (stated; 3584/16 would be 224) × 2 = 8,192 bytes a layer;
    # layers 0, 2, 4, … keep at most 4,096 tokens, layers 1, 3, 5, … all of them
    layout = layout_of("google__gemma-2-9b-it")
    assert layout is not None and layout.windows.count(4096) == 21 and layout.windows.count(None) == 21
    per_layer = 2 * 8 * 256 * 2
    assert kv_bytes_per_token(layout) == 42 * per_layer
    assert kv_cache_bytes(layout, 4096) == 42 * per_layer * 4096
    assert kv_cache_bytes(layout, 32 * K) == 21 * per_layer * 32 * K + 21 * per_layer * 4096


def test_gemma_3_keeps_one_global_layer_in_six():
    # 26 layers; sliding_window_pattern 6: layers 5, 11, 17, 23 are global, the 22 others keep 512 tokens;
    # 1 KV head (multi-query) × head_dim 256 × 2 (K, V) × 2 bytes = 1,024 bytes a layer
    layout = layout_of("google__gemma-3-1b-it")
    assert layout is not None and layout.attention == "mqa"
    assert [n for n, window in enumerate(layout.windows) if window is None] == [5, 11, 17, 23]
    assert kv_cache_bytes(layout, 128 * K) == 4 * 1024 * 128 * K + 22 * 1024 * 512


@pytest.mark.parametrize("config", [None, {}, {"num_hidden_layers": 2}, {"num_hidden_layers": "x", "num_attention_heads": 2},
                                    {"num_hidden_layers": 2, "num_attention_heads": 3, "hidden_size": 10},
                                    {"num_hidden_layers": True, "num_attention_heads": 2, "hidden_size": 8}])
def test_a_config_that_does_not_say_gives_none(config):
    assert kv_layout(config) is None


def test_a_multimodal_config_is_read_from_its_text_config():
    text = {"num_hidden_layers": 4, "num_attention_heads": 8, "num_key_value_heads": 2, "hidden_size": 512}
    layout = kv_layout({"model_type": "llava", "text_config": text, "vision_config": {"num_hidden_layers": 24}})
    assert layout is not None and kv_bytes_per_token(layout) == 4 * 2 * 2 * 64 * 2
