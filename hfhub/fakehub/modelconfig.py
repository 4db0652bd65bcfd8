"""A model's ``config.json`` (``/{id}/resolve/{rev}/config.json``), consistent with its record.

- A generated model whose record's ``config`` names a ``model_type`` gets a transformers-style
  config: that ``model_type`` and ``architectures``, and layers, heads and hidden size plausible for
  its parameter count (hidden size from a ladder, layers ≈ parameters / (12 × hidden²)), GQA, sliding
  windows and MoE fields as its family has them. Deterministic: from the record alone (its id's
  CRC-32 picks among the family's choices), so from the corpus seed.
- A generated model listing ``config.json`` among its files without a ``model_type`` (timm,
  stable-baselines3, …) gets a small config without attention numbers.
- A replayed real model (``--records FILE``) answers the real file ``configs/<org>__<name>.json``
  beside the records file, as it is (``tests/data/real_hub/configs/``), when there is one.
- Anything else answers 404 (``EntryNotFound``); a revision the repo never had, 404
  (``RevisionNotFound``), as on the Hub.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

_HIDDEN_SIZES = (256, 384, 512, 768, 1024, 1536, 2048, 2560, 3072, 4096, 5120, 6144, 8192, 12288, 16384)
_GQA = frozenset({"llama", "qwen2", "qwen3", "mistral", "mixtral", "qwen3_moe", "gemma2", "phi3"})
_EXPERTS = {"mixtral": (8, 2), "qwen3_moe": (128, 8)}  # (experts, experts per token)
_TORCH_DTYPES = {"BF16": "bfloat16", "F16": "float16", "F32": "float32"}


def real_config_file(records_files: tuple[str, ...], repo_id: str) -> Path | None:
    """The real config.json of a replayed model: ``configs/<org>__<name>.json`` beside a records file."""
    name = repo_id.replace("/", "__")
    if name.startswith(".") or "/" in name or "\\" in name:
        return None
    for records_file in records_files:
        path = Path(records_file).parent / "configs" / f"{name}.json"
        if path.is_file():
            return path
    return None


def generated_config(record: dict[str, Any]) -> dict[str, Any] | None:
    """The config.json of a generated model, or None when the repo has none."""
    summary: dict[str, Any] = record["config"] if isinstance(record.get("config"), dict) else {}
    siblings = record.get("siblings")
    files = {s.get("rfilename") for s in siblings if isinstance(s, dict)} if isinstance(siblings, list) else None
    model_type = summary.get("model_type")
    if files is not None and "config.json" not in files:
        return None
    if not model_type:
        return {"library_name": record.get("library_name")} if files is not None else None
    crc = zlib.crc32(record["id"].encode())
    params = _parameters(record)
    config = {"architectures": summary.get("architectures"), "model_type": model_type,
              "torch_dtype": _torch_dtype(record), **_attention(model_type, params, crc)}
    if "quantization_config" in summary:
        config["quantization_config"] = summary["quantization_config"]
    return config


def render(config: dict[str, Any]) -> bytes:
    """As transformers writes it (``save_pretrained``: sorted keys, two-space indent)."""
    return (json.dumps(config, indent=2, sort_keys=True) + "\n").encode()


def _parameters(record: dict[str, Any]) -> int:
    dtypes = (record.get("safetensors") or {}).get("parameters") or {}
    total = sum(n for n in dtypes.values() if isinstance(n, int))
    # without a safetensors block (legacy .bin weights): what 16-bit weights of the repo's size hold
    return total or (record.get("gguf") or {}).get("total") or (record.get("usedStorage") or 200_000_000) // 2


def _torch_dtype(record: dict[str, Any]) -> str:
    dtypes = (record.get("safetensors") or {}).get("parameters") or {}
    dominant = max(sorted(dtypes), key=lambda d: dtypes[d]) if dtypes else None
    return _TORCH_DTYPES.get(dominant or "", "bfloat16")


def _dimensions(params: int) -> tuple[int, int]:
    """(hidden size, layers) with about ``params`` parameters (12 × hidden² a layer) and no more
    than hidden / 64 layers."""
    for hidden in _HIDDEN_SIZES:
        layers = round(params / (12 * hidden * hidden))
        if layers <= hidden // 64:
            return hidden, max(2, layers)
    return _HIDDEN_SIZES[-1], round(params / (12 * _HIDDEN_SIZES[-1] ** 2))


def _attention(model_type: str, params: int, crc: int) -> dict[str, Any]:
    experts = _EXPERTS.get(model_type)
    hidden, layers = _dimensions(params // 6 if experts else params)
    head_dim = 256 if model_type == "gemma2" else 64 if hidden < 2048 else 128
    heads = max(1, hidden // head_dim)
    if model_type == "gpt2":
        return {"n_embd": hidden, "n_head": heads, "n_layer": layers, "n_positions": 1024, "vocab_size": 50257}
    if model_type == "t5":
        return {"d_model": hidden, "d_kv": head_dim, "num_heads": heads, "num_layers": layers, "vocab_size": 32128}
    config: dict[str, Any] = {"hidden_size": hidden, "num_attention_heads": heads, "num_hidden_layers": layers,
                              "intermediate_size": 4 * hidden, "max_position_embeddings": 512, "vocab_size": 30522}
    if model_type not in _GQA:
        return config
    group = (4, 8)[crc % 2]
    config.update(num_key_value_heads=heads // group if heads % group == 0 else heads, head_dim=head_dim,
                  max_position_embeddings=(4096, 8192, 32768, 131072)[crc // 2 % 4],
                  vocab_size=(32000, 128256, 151936)[crc // 8 % 3], rope_theta=(10_000.0, 500_000.0)[crc // 24 % 2])
    if model_type == "gemma2":
        config.update(sliding_window=4096, max_position_embeddings=8192, query_pre_attn_scalar=head_dim)
    elif model_type == "mistral":
        config["sliding_window"] = 4096 if crc // 48 % 2 else None
    elif model_type in ("qwen2", "qwen3", "qwen3_moe"):
        config.update(sliding_window=config["max_position_embeddings"], use_sliding_window=False)
    if experts:
        count_key = "num_local_experts" if model_type == "mixtral" else "num_experts"
        config.update({count_key: experts[0], "num_experts_per_tok": experts[1]})
    return config
