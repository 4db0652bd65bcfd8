"""One repo's ``config.json``, as fetched → the attention facts the KV-cache estimate needs.

``parse_config`` is a pure function built for hostile input: it never raises on any ``bytes``. A
config it cannot use comes back as a ``ConfigRejected`` whose ``reason`` is a short stats key
(``hfhub/configs/rejected/<reason>``):

- ``"not_utf8"``: the bytes are not UTF-8 text (a leading byte-order mark is allowed);
- ``"not_json"``: not JSON (nesting deeper than 1,024 levels counts as not JSON too);
- ``"not_object"``: JSON, but not an object (a list, a string, a number, ``null``);
- ``"implausible"``: an object whose attention numbers are not whole numbers in range (negative,
  ``true``, ``12.5``, a string, ``10**30``, a cache too large for int64): its text is kept, its
  facts and estimates are not.

``NaN`` and ``Infinity`` (which Python's json module writes) are read as null. The text is kept as
it came (``text``) up to ``max_text_bytes``; a larger config is still read, its text is not kept.
The facts come from the language model's part (``text_config``) when there is one, as in
``hfhub.records.enrichment.kvcache``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import orjson

from hfhub.records.enrichment.kvcache import (
    MAX_LAYERS,
    KvLayout,
    kv_bytes_per_token,
    kv_cache_bytes,
    kv_global_bytes_per_token,
    kv_layout,
    language_config,
    sliding_window_of,
)

REJECTION_REASONS = ("not_utf8", "not_json", "not_object", "implausible")
TOO_LARGE = "too_large"  # over the download limit (HFHUB_CONFIG_MAX_DOWNLOAD): the spider's rejection
# The contexts the table gives estimates at (est_kv_bytes_at_4k, …, est_memory_gb_at_128k).
CONTEXTS = {"4k": 4096, "32k": 32768, "128k": 131072}
MAX_CACHE_BYTES = 1 << 62  # an int64 column must hold the cache at the longest context

# The attention numbers, with the largest value taken for real; present and outside (0, bound] or not
# a whole number, a config is implausible. (0 reads as absent, as in kvcache.)
_BOUNDS: Mapping[str, int] = {
    **dict.fromkeys(("num_hidden_layers", "n_layer", "num_layers"), MAX_LAYERS),
    **dict.fromkeys(("num_attention_heads", "n_head", "num_heads", "num_key_value_heads", "num_kv_heads"), 1 << 20),
    **dict.fromkeys(("head_dim", "hidden_size", "n_embd", "d_model", "kv_lora_rank", "qk_rope_head_dim"), 1 << 24),
    "sliding_window": 1 << 40,
}
# where a config says how many tokens it takes, first found wins (an absurd value reads as unknown)
_CONTEXT_KEYS = ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length", "max_seq_len", "n_ctx")
_MAX_CONTEXT = 1 << 40


@dataclass(frozen=True)
class ConfigFacts:
    """What a config says of its attention, and the cache it implies (None: not said)."""

    model_type: str | None = None
    architectures: tuple[str, ...] | None = None
    torch_dtype: str | None = None
    max_context: int | None = None
    layers: int | None = None
    attention_heads: int | None = None
    kv_heads: int | None = None  # the KV heads cached (None for latent attention)
    head_dim: int | None = None  # as cached (None for latent attention)
    kv_lora_rank: int | None = None
    qk_rope_head_dim: int | None = None
    sliding_window: int | None = None  # the window of the layers that slide, when some do
    attention: str | None = None  # KvLayout.attention: mha, gqa, mqa, mla
    kv_bytes_per_token: int | None = None
    kv_global_bytes_per_token: int | None = None
    kv_bytes_at: Mapping[str, int | None] | None = None  # CONTEXTS name → bytes (None past max_context)


@dataclass(frozen=True)
class ParsedConfig:
    facts: ConfigFacts
    config_bytes: int
    text: str | None  # the config as it came, None when larger than max_text_bytes


@dataclass(frozen=True)
class ConfigRejected:
    reason: str  # one of REJECTION_REASONS, or TOO_LARGE (the spider's: not downloaded)
    config_bytes: int | None
    text: str | None = None  # kept for an implausible config (it is JSON)


def parse_config(body: bytes, *, max_text_bytes: int) -> ParsedConfig | ConfigRejected:
    size = len(body)
    try:
        text = body.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        return ConfigRejected("not_utf8", size)
    config = _load_json(text)
    if config is _NOT_JSON:
        return ConfigRejected("not_json", size)
    if not isinstance(config, dict):
        return ConfigRejected("not_object", size)
    kept = text if size <= max_text_bytes else None
    facts = config_facts(config)
    if facts is None:
        return ConfigRejected("implausible", size, kept)
    return ParsedConfig(facts, size, kept)


_NOT_JSON = object()


def _finite(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def _load_json(text: str) -> Any:
    """orjson first (fast, depth-limited); then the standard library for what orjson refuses but
    Python's json module writes (NaN, Infinity, 1e400: read as null)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(text, parse_constant=lambda _: None, parse_float=_finite)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _plausible(config: Mapping[str, Any]) -> bool:
    for key, bound in _BOUNDS.items():
        value = config.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= bound:
            return False
        if value != int(value):
            return False
    return True


def _short_text(value: Any, limit: int = 200) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def _whole(value: Any, bound: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= bound:
        return None
    return int(value) if value == int(value) else None


def config_facts(config: Mapping[str, Any]) -> ConfigFacts | None:
    """The facts of a config object, or None when its attention numbers are implausible."""
    language = language_config(config)
    if not _plausible(language):
        return None
    architectures = config.get("architectures")
    named = ConfigFacts(
        model_type=_short_text(config.get("model_type")),
        architectures=tuple(a[:200] for a in architectures[:16] if isinstance(a, str))
        if isinstance(architectures, list) else None,
        torch_dtype=_short_text(config.get("torch_dtype") or config.get("dtype"), 32),
        max_context=next((n for key in _CONTEXT_KEYS if (n := _whole(language.get(key), _MAX_CONTEXT))), None),
        layers=next((n for key in ("num_hidden_layers", "n_layer", "num_layers")
                     if (n := _whole(language.get(key), MAX_LAYERS))), None),
        attention_heads=next((n for key in ("num_attention_heads", "n_head", "num_heads")
                              if (n := _whole(language.get(key), 1 << 20))), None),
    )
    layout = kv_layout(config)
    if layout is None:
        return named
    return _with_cache(named, layout, language)


def _with_cache(named: ConfigFacts, layout: KvLayout, language: Mapping[str, Any]) -> ConfigFacts | None:
    if kv_cache_bytes(layout, max(CONTEXTS.values())) > MAX_CACHE_BYTES:
        return None
    latent = layout.attention == "mla"
    kv_heads = None if latent else _kv_heads(language, named.attention_heads)
    return replace(
        named, attention=layout.attention, kv_heads=kv_heads,
        head_dim=None if latent or not kv_heads else layout.elements_per_layer[0] // (2 * kv_heads),
        kv_lora_rank=_whole(language.get("kv_lora_rank"), 1 << 24) if latent else None,
        qk_rope_head_dim=_whole(language.get("qk_rope_head_dim"), 1 << 24) if latent else None,
        sliding_window=sliding_window_of(layout),
        kv_bytes_per_token=kv_bytes_per_token(layout), kv_global_bytes_per_token=kv_global_bytes_per_token(layout),
        kv_bytes_at={name: kv_cache_bytes(layout, tokens) if named.max_context is None or tokens <= named.max_context
                     else None for name, tokens in CONTEXTS.items()},
    )


def _kv_heads(language: Mapping[str, Any], heads: int | None) -> int | None:
    if language.get("multi_query") is True:
        return 1
    return next((n for key in ("num_key_value_heads", "num_kv_heads") if (n := _whole(language.get(key), 1 << 20))),
                heads)
