"""The KV cache a model's attention keeps per token of context, from its ``config.json`` (#22).

Pure functions over the config dict; nothing here raises on odd input (a config it cannot read gives
None). The formula, per layer ``l`` and context of ``T`` tokens, at ``b`` bytes per cached element:

    bytes(T) = Σ_l  min(T, window_l) × elements_l × b

- **Multi-head, grouped-query and multi-query attention** cache a key and a value per KV head:
  ``elements_l = 2 × num_key_value_heads × head_dim`` (``num_key_value_heads`` defaults to
  ``num_attention_heads``; ``head_dim`` to ``hidden_size / num_attention_heads``).
- **Multi-head latent attention** (DeepSeek-V2/V3: ``kv_lora_rank``) caches one compressed latent and
  the decoupled rotary key per token, shared by all heads: ``elements_l = kv_lora_rank +
  qk_rope_head_dim`` (what vLLM and FlashMLA keep).
- **Sliding-window layers** keep at most ``window_l = sliding_window`` tokens; full-attention layers
  keep all ``T``. Which layers slide: ``layer_types`` when the config lists them (Gemma 3, Qwen3 with
  ``layer_types``), else ``sliding_window_pattern`` (Gemma 3: every n-th layer is global), else
  every other layer for Gemma 2 (``model_type`` gemma2), else every layer when ``sliding_window``
  is set and ``use_sliding_window`` is not false (Mistral-7B-v0.1). Qwen2's configs carry a
  ``sliding_window`` with ``use_sliding_window: false``: no layer slides.
- ``b`` defaults to 2 (a 16-bit cache, the default of transformers, vLLM and llama.cpp).

``kv_bytes_per_token`` is the cost of one more token at a short context (every layer still grows).

Every sliding layer of a config shares its one ``sliding_window``, so the cache is also, exactly,

    bytes(T) = global × T + (per_token − global) × min(T, sliding_window)

with ``per_token`` = ``kv_bytes_per_token`` and ``global`` = ``kv_global_bytes_per_token`` (the layers
that keep every token): what ``kv_bytes_at`` and ``memory_bytes_at`` compute from a table's columns,
without the config. The memory to run at a context adds it to the weights' estimate of
``hfhub.records.enrichment.weights`` (``weights × MEMORY_OVERHEAD``):

    memory(T) = weights_bytes × MEMORY_OVERHEAD + bytes(T)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hfhub.records.enrichment.weights import MEMORY_OVERHEAD

DEFAULT_BYTES_PER_ELEMENT = 2
# Beyond these a config is not read (hostile or broken input must not build a tuple of 10**30 layers):
# real configs stay far below (DeepSeek-V3: 61 layers, 128 heads).
MAX_LAYERS = 10_000
MAX_DIMENSION = 1 << 40


@dataclass(frozen=True)
class KvLayout:
    attention: str  # "mla", "mqa", "gqa" or "mha"
    elements_per_layer: tuple[int, ...]  # cached elements per token, layer by layer
    windows: tuple[int | None, ...]  # tokens a layer keeps at most (None: all)


def _positive_int(value: Any) -> int | None:
    """A whole number > 0 (an int, or a float such as 32.0); None for anything else, NaN, infinities
    and numbers beyond ``MAX_DIMENSION``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_DIMENSION:
        return None  # (NaN fails the comparison)
    return int(value) if value == int(value) else None


def _first(config: Mapping[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = _positive_int(config.get(key))
        if value is not None:
            return value
    return None


def language_config(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """The language model's part of a multimodal config (``text_config``), else the config."""
    text = config.get("text_config")
    return text if isinstance(text, Mapping) and text else config


def _windows(config: Mapping[str, Any], layers: int) -> tuple[int | None, ...]:
    window = _positive_int(config.get("sliding_window"))
    types = config.get("layer_types")
    if window is not None and isinstance(types, list) and len(types) == layers:
        return tuple(window if kind == "sliding_attention" else None for kind in types)
    if window is None or config.get("use_sliding_window") is False:
        return (None,) * layers
    pattern = _positive_int(config.get("sliding_window_pattern"))
    if pattern is not None:  # Gemma 3: layers pattern-1, 2·pattern-1, … are global
        return tuple(None if (layer + 1) % pattern == 0 else window for layer in range(layers))
    if config.get("model_type") == "gemma2":  # local and global attention alternate, local first
        return tuple(window if layer % 2 == 0 else None for layer in range(layers))
    return (window,) * layers


def kv_layout(config: Any) -> KvLayout | None:
    """How a model with this ``config.json`` caches keys and values, or None when the config does
    not say enough (no layer or head counts)."""
    if not isinstance(config, Mapping):
        return None
    config = language_config(config)
    layers = _first(config, "num_hidden_layers", "n_layer", "num_layers")
    if layers is None or layers > MAX_LAYERS:
        return None
    kv_lora_rank = _positive_int(config.get("kv_lora_rank"))
    if kv_lora_rank is not None:
        rope = _positive_int(config.get("qk_rope_head_dim")) or 0
        return KvLayout("mla", (kv_lora_rank + rope,) * layers, _windows(config, layers))
    heads = _first(config, "num_attention_heads", "n_head", "num_heads")
    if heads is None:
        return None
    kv_heads = 1 if config.get("multi_query") is True else _first(config, "num_key_value_heads", "num_kv_heads") or heads
    head_dim = _positive_int(config.get("head_dim"))
    if head_dim is None:
        hidden = _first(config, "hidden_size", "n_embd", "d_model")
        if hidden is None or hidden % heads:
            return None
        head_dim = hidden // heads
    kind = "mha" if kv_heads == heads else "mqa" if kv_heads == 1 else "gqa"
    return KvLayout(kind, (2 * kv_heads * head_dim,) * layers, _windows(config, layers))


def kv_bytes_per_token(layout: KvLayout, bytes_per_element: int = DEFAULT_BYTES_PER_ELEMENT) -> int:
    """Bytes the cache grows by per token while the context is shorter than every window."""
    return sum(layout.elements_per_layer) * bytes_per_element


def kv_cache_bytes(layout: KvLayout, tokens: int, bytes_per_element: int = DEFAULT_BYTES_PER_ELEMENT) -> int:
    """Bytes of the cache at a context of ``tokens`` (sliding-window layers keep at most their window)."""
    return sum(
        min(tokens, window) * elements if window is not None else tokens * elements
        for elements, window in zip(layout.elements_per_layer, layout.windows)
    ) * bytes_per_element


def kv_global_bytes_per_token(layout: KvLayout, bytes_per_element: int = DEFAULT_BYTES_PER_ELEMENT) -> int:
    """Bytes per token of the layers that keep every token (no sliding window)."""
    return sum(e for e, window in zip(layout.elements_per_layer, layout.windows) if window is None) * bytes_per_element


def sliding_window_of(layout: KvLayout) -> int | None:
    """The window of the layout's sliding layers (one per config), None when no layer slides."""
    return next((window for window in layout.windows if window is not None), None)


def kv_bytes_at(per_token: int, global_per_token: int, sliding_window: int | None, tokens: int) -> int:
    """``kv_cache_bytes`` from three numbers of a table row (``est_kv_bytes_per_token``,
    ``est_kv_global_bytes_per_token``, ``sliding_window``): global × T + sliding × min(T, window)."""
    sliding = per_token - global_per_token
    return global_per_token * tokens + sliding * (tokens if sliding_window is None else min(tokens, sliding_window))


def memory_bytes_at(
    weights_bytes: int | None, per_token: int | None, global_per_token: int | None, sliding_window: int | None,
    tokens: int, max_context: int | None = None,
) -> int | None:
    """Estimated memory to run a model at a context of ``tokens``: its weights × ``MEMORY_OVERHEAD``
    (the same estimate as ``est_mem_stored_gb``) plus the KV cache at that context (``kv_bytes_at``).
    None when the weights or the cache are unknown, or when the model takes fewer tokens than that
    (``max_context``, when known)."""
    if weights_bytes is None or per_token is None or global_per_token is None:
        return None
    if max_context is not None and tokens > max_context:
        return None
    return round(weights_bytes * MEMORY_OVERHEAD) + kv_bytes_at(per_token, global_per_token, sliding_window, tokens)
