"""A config.json → facts and estimates (hfhub.configs.parse, hfhub.configs.table), hostile input, the
memory formula (kvcache.memory_bytes_at) and the fake Hub's config route (hfhub.fakehub.modelconfig)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hfhub.configs.parse import ConfigRejected, ParsedConfig, parse_config
from hfhub.configs.repair import missing_configs
from hfhub.configs.table import config_row, write_configs
from hfhub.configs.wanted import wants_config
from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.modelconfig import generated_config
from hfhub.records.enrichment.kvcache import kv_cache_bytes, kv_layout, memory_bytes_at
from hfhub.storage.dataset import write_table
from tests.conftest import http_get

CONFIGS = Path(__file__).parent / "data" / "real_hub" / "configs"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def real(name: str) -> bytes:
    return (CONFIGS / f"{name}.json").read_bytes()


def test_llama_3_1_8b_row_is_what_the_hand_computes():
    # 32 layers × 2 (K, V) × 8 KV heads × head_dim 4096/32 = 128 × 2 bytes = 131,072 bytes a token
    weights = 8_030_261_248 * 2  # BF16 parameters of the real record × 2 bytes
    row = config_row("meta-llama/Llama-3.1-8B", "a" * 40, NOW, weights,
                     parse_config(real("meta-llama__Llama-3.1-8B"), max_text_bytes=1 << 20))
    assert row["status"] == "parsed" and row["attention"] == "gqa"
    assert (row["num_layers"], row["num_attention_heads"], row["num_kv_heads"], row["head_dim"]) == (32, 32, 8, 128)
    assert row["max_context"] == 131_072 and row["torch_dtype"] == "bfloat16" and row["sliding_window"] is None
    assert row["est_kv_bytes_per_token"] == row["est_kv_global_bytes_per_token"] == 131_072
    assert row["est_kv_bytes_at_128k"] == 131_072 * 131_072 == 16 * 1024**3
    # weights × 1.2 + the cache: 19,272,626,995.2 (rounded) + 536,870,912 at 4k
    assert row["est_memory_gb_at_4k"] == round((round(weights * 1.2) + 131_072 * 4096) / 1e9, 6) == 19.809498
    assert row["est_memory_gb_at_128k"] == 36.452496  # 19.272627 + 17.179869
    assert json.loads(row["config_json"]) == json.loads(real("meta-llama__Llama-3.1-8B"))


@pytest.mark.parametrize(("name", "expected"), [
    # 48 layers × 2 × 4 KV heads × head_dim 128 × 2 = 98,304; max_position_embeddings 40,960: no 128k
    ("Qwen__Qwen3-30B-A3B", {"attention": "gqa", "num_kv_heads": 4, "head_dim": 128, "max_context": 40_960,
                             "est_kv_bytes_at_4k": 98_304 * 4096, "est_kv_bytes_at_32k": 98_304 * 32768,
                             "est_kv_bytes_at_128k": None}),
    # MLA: 61 × (512 + 64) × 2 = 70,272 a token; no KV heads nor head_dim cached
    ("deepseek-ai__DeepSeek-R1-0528", {"attention": "mla", "num_kv_heads": None, "head_dim": None,
                                       "kv_lora_rank": 512, "qk_rope_head_dim": 64, "max_context": 163_840,
                                       "est_kv_bytes_at_128k": 70_272 * 131_072}),
    # Gemma 2: 21 global layers × 8,192 bytes × T + 21 sliding × 8,192 × min(T, 4096); 8,192 tokens at most
    ("google__gemma-2-9b-it", {"attention": "gqa", "sliding_window": 4096, "est_kv_bytes_per_token": 344_064,
                               "est_kv_global_bytes_per_token": 172_032, "est_kv_bytes_at_4k": 344_064 * 4096,
                               "est_kv_bytes_at_32k": None}),
    # Gemma 3 1B: 4 global layers of 26 × 1,024 bytes; the 22 others keep 512 tokens
    ("google__gemma-3-1b-it", {"attention": "mqa", "sliding_window": 512, "est_kv_global_bytes_per_token": 4096,
                               "est_kv_bytes_at_32k": 4 * 1024 * 32768 + 22 * 1024 * 512}),
])
def test_real_configs_give_the_hand_computed_columns(name, expected):
    row = config_row(name, "b" * 40, NOW, None, parse_config(real(name), max_text_bytes=1 << 20))
    assert {key: row[key] for key in expected} == expected
    assert row["est_memory_gb_at_4k"] is None  # no weights, no memory estimate


@pytest.mark.parametrize("name", [p.stem for p in sorted(CONFIGS.glob("*.json"))])
@pytest.mark.parametrize("tokens", [1, 4096, 30_000, 131_072, 1_000_000])
def test_the_memory_from_columns_is_the_memory_from_the_layout(name, tokens):
    config = json.loads(real(name))
    row = config_row(name, "c" * 40, NOW, 10**10, parse_config(real(name), max_text_bytes=1 << 20))
    memory = memory_bytes_at(10**10, row["est_kv_bytes_per_token"], row["est_kv_global_bytes_per_token"],
                             row["sliding_window"], tokens)
    assert memory == round(10**10 * 1.2) + kv_cache_bytes(kv_layout(config), tokens)
    past_max = memory_bytes_at(10**10, row["est_kv_bytes_per_token"], row["est_kv_global_bytes_per_token"],
                               row["sliding_window"], tokens, max_context=row["max_context"])
    assert (past_max is None) == (tokens > row["max_context"])


@pytest.mark.parametrize(("body", "reason"), [
    (b"not json at all", "not_json"),
    (b"[1, 2, 3]", "not_object"),
    (b'"a string"', "not_object"),
    (b"null", "not_object"),
    (b"\xff\xfe{\x00}\x00", "not_utf8"),
    (b"[" * 100_000 + b"]" * 100_000, "not_json"),
    (b'{"a": ' * 5000 + b"1" + b"}" * 5000, "not_json"),
    (b'{"num_hidden_layers": -32, "num_attention_heads": 32, "hidden_size": 4096}', "implausible"),
    (b'{"num_hidden_layers": true, "num_attention_heads": 32, "hidden_size": 4096}', "implausible"),
    (b'{"num_hidden_layers": 32.5, "num_attention_heads": 32, "hidden_size": 4096}', "implausible"),
    (b'{"num_hidden_layers": "32", "num_attention_heads": 32, "hidden_size": 4096}', "implausible"),
    (b'{"num_hidden_layers": 1000000000000000000000000000000, "num_attention_heads": 32}', "implausible"),
    (b'{"num_hidden_layers": 9000, "num_attention_heads": 1000000, "head_dim": 16000000}', "implausible"),
])
def test_hostile_configs_are_rejected_with_a_reason(body, reason):
    config = parse_config(body, max_text_bytes=1 << 20)
    assert isinstance(config, ConfigRejected) and config.reason == reason
    row = config_row("evil/model", "d" * 40, NOW, 10**9, config)
    assert row["status"] == "rejected" and row["reject_reason"] == reason and row.get("est_memory_gb_at_4k") is None


@pytest.mark.parametrize("body", [
    b'{"num_hidden_layers": 32, "num_attention_heads": 32, "hidden_size": 4096, "max_position_embeddings": NaN}',
    b'{"num_hidden_layers": 32, "num_attention_heads": 32, "hidden_size": 4096, "max_position_embeddings": 1e400}',
    b'{"num_hidden_layers": 32, "num_attention_heads": 32, "hidden_size": 4096, "max_position_embeddings": -Infinity}',
])
def test_nan_and_infinities_read_as_unknown(body):
    config = parse_config(body, max_text_bytes=1 << 20)
    assert isinstance(config, ParsedConfig)
    assert config.facts.max_context is None and config.facts.kv_bytes_per_token == 32 * 2 * 4096 * 2


def test_a_config_over_the_text_limit_is_read_but_its_text_not_kept():
    body = json.dumps({**json.loads(real("meta-llama__Llama-3.1-8B")), "id2label": {str(i): f"L{i}" for i in range(5000)}})
    config = parse_config(body.encode(), max_text_bytes=10_000)
    assert isinstance(config, ParsedConfig) and config.text is None and config.config_bytes == len(body)
    assert config.facts.kv_bytes_per_token == 131_072


def test_rows_of_every_kind_write_and_read_back(tmp_path):
    import pyarrow.parquet as pq

    rows = [config_row("a/llama", "1" * 40, NOW, 16 * 10**9, parse_config(real("meta-llama__Llama-3.1-8B"), max_text_bytes=1 << 20)),
            config_row("b/evil", "2" * 40, NOW, None, parse_config(b'{"num_hidden_layers": 1e30}', max_text_bytes=99)),
            config_row("c/gone", "3" * 40, NOW, None, None),
            config_row("d/huge", "4" * 40, NOW, None, ConfigRejected("too_large", None))]
    write_configs(rows, tmp_path / "part-0.parquet")
    table = pq.read_table(tmp_path / "part-0.parquet").to_pylist()
    assert [(r["id"], r["status"], r["reject_reason"]) for r in table] == [
        ("a/llama", "parsed", None), ("b/evil", "rejected", "implausible"), ("c/gone", "missing", None),
        ("d/huge", "rejected", "too_large")]
    assert table[0]["est_kv_bytes_at_128k"] == 16 * 1024**3 and table[1]["config_json"] == '{"num_hidden_layers": 1e30}'
    assert list(tmp_path.iterdir()) == [tmp_path / "part-0.parquet"]  # no temporary file left


@pytest.mark.parametrize(("model_type", "architectures", "files", "wanted"), [
    ("llama", ["LlamaForCausalLM"], None, True),  # siblings not fetched: the config summary says
    ("llama", None, ["config.json", "model.safetensors"], True),
    (None, ["BertModel"], ["config.json"], True),
    ("llama", ["LlamaForCausalLM"], ["params.json", "consolidated.safetensors"], False),  # no config.json
    (None, None, ["config.json", "ppo-LunarLander-v2.zip"], False),  # a config.json, not transformers'
    (None, None, None, False),
])
def test_which_models_want_a_config(model_type, architectures, files, wanted):
    assert wants_config(model_type, architectures, files) is wanted


def test_the_repair_asks_for_the_wanted_configs_the_table_lacks(tmp_path):
    import pyarrow as pa

    parts, configs = tmp_path / "parts", tmp_path / "configs"
    parts.mkdir()
    configs.mkdir()
    models = pa.table({"id": ["a/x", "b/y", "c/z", "d/w"], "sha": ["1" * 40, "2" * 40, "3" * 40, None],
                       "model_type": ["llama", "llama", None, "llama"], "architectures": [None, None, None, None],
                       "files": [None, ["config.json"], ["config.json"], None], "weights_bytes": [10, 20, 30, 40]})
    write_table(models, parts / "part-0.parquet")
    write_configs([config_row("a/x", "1" * 40, NOW, 10, None)], configs / "part-0.parquet")
    assert missing_configs(parts, [configs]) == [("b/y", "2" * 40, 20)]


def test_generated_configs_fit_their_records():
    corpus = Corpus(400, seed=3)
    served = 0
    for record in corpus.records(list(range(400))):
        config = generated_config(record)
        summary = record.get("config") or {}
        files = [s["rfilename"] for s in record["siblings"]] if record.get("siblings") is not None else None
        if wants_config(summary.get("model_type"), summary.get("architectures"), files):
            assert config is not None and config["model_type"] == summary["model_type"]
            assert config["architectures"] == summary["architectures"]
            assert kv_layout(config) is not None
            served += 1
        assert generated_config(record) == config  # deterministic
    assert served > 100


def test_the_fake_serves_configs_by_revision(small_hub):
    corpus = Corpus(2_500, seed=7)
    record = next(r for r in corpus.records(list(range(200))) if (r.get("config") or {}).get("model_type") == "llama")
    url = f"{small_hub.url}/{record['id']}/resolve/{{}}/config.json"
    status, headers, body = http_get(url.format(record["sha"]))
    assert status == 200 and json.loads(body) == generated_config(record)
    assert http_get(url.format("main"))[2] == body
    status, headers, _ = http_get(url.format("0" * 40))  # a commit the repo never had
    assert status == 404 and headers.get("X-Error-Code") == "RevisionNotFound"
    no_config = next(r for r in corpus.records(list(range(200))) if generated_config(r) is None)
    assert http_get(f"{small_hub.url}/{no_config['id']}/resolve/{no_config['sha']}/config.json")[0] == 404
