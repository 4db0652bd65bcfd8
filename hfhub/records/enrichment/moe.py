"""Mixture-of-experts models: recognised from what the list API really gives, and their active parameters.

The list API's ``config`` is a summary of a repo's config.json (architectures, model_type, tokenizer
and quantization settings): it does not carry ``num_experts``. So a mixture of experts is known by
the first of these that says so (``moe_evidence``):

- ``config``: expert counts, where a record has them (``num_local_experts`` and friends, > 1);
- ``architecture``: a model class of a mixture-of-experts family (``Qwen3MoeForCausalLM``,
  ``MixtralForCausalLM``, ``DeepseekV3ForCausalLM``, ``GptOssForCausalLM``, ``Llama4ForConditionalGeneration``, …);
- ``model_type``: the same families' types (``qwen3_moe``, ``mixtral``, ``deepseek_v3``, ``gpt_oss``, …);
- ``gguf_architecture``: llama.cpp's names for them (``qwen3moe``, ``deepseek2``, ``gpt-oss``, …);
- ``name``: the id says it, as total and active size (``Qwen3-235B-A22B``) or experts × size
  (``Mixtral-8x7B``).

No evidence is not proof of a dense model: ``moe_evidence`` is then null.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_MOE_ARCHITECTURE = re.compile(r"Moe|MoE|Mixtral|Deepseek(?:V2|V3)|GptOss|Dbrx|Arctic|Jamba|Llama4|Grok|MiniMax")
_MOE_MODEL_TYPES = frozenset({
    "mixtral", "deepseek_v2", "deepseek_v3", "gpt_oss", "dbrx", "arctic", "jamba", "llama4", "llama4_text",
    "minimax", "minimax_m1", "grok-1",
})
_MOE_GGUF_ARCHITECTURES = frozenset({"deepseek2", "gpt-oss", "dbrx", "arctic", "llama4", "grok", "jamba"})
# "…-235B-A22B…": total then active size, in billions; "…-8x7B…": experts × expert size
_TOTAL_ACTIVE = re.compile(r"(?i)(?:^|[-_.])(\d+(?:\.\d+)?)B[-_.]A(\d+(?:\.\d+)?)B(?=$|[-_.])")
_EXPERTS_TIMES_SIZE = re.compile(r"(?i)(?:^|[-_.])(\d+)x(\d+(?:\.\d+)?)B(?=$|[-_.])")

# Share of a mixture-of-experts model's parameters that sit in its experts: 0.96 matches the
# published totals/active counts of Mixtral-8x7B (46.7B/12.9B), Qwen3-30B-A3B and DeepSeek-V3.
MOE_EXPERT_SHARE = 0.96


def evidence(
    architectures: Sequence[str] | None, model_type: str | None, gguf_architecture: str | None,
    name: str | None, experts: int | None,
) -> str | None:
    """What says this model is a mixture of experts (see the module docstring), or None."""
    if experts is not None and experts > 1:
        return "config"
    if architectures and any(_MOE_ARCHITECTURE.search(a) for a in architectures):
        return "architecture"
    if model_type and ("moe" in model_type.lower() or model_type.lower() in _MOE_MODEL_TYPES):
        return "model_type"
    if gguf_architecture and ("moe" in gguf_architecture.lower() or gguf_architecture.lower() in _MOE_GGUF_ARCHITECTURES):
        return "gguf_architecture"
    if name and (_TOTAL_ACTIVE.search(name) or _EXPERTS_TIMES_SIZE.search(name)):
        return "name"
    return None


def active_from_name(name: str | None) -> int | None:
    """Active parameters a name states (``-A22B`` after a total size): 22 × 10⁹."""
    match = _TOTAL_ACTIVE.search(name or "")
    return round(float(match.group(2)) * 1e9) if match else None


def active_parameters(
    num_parameters: int | None, moe_evidence: str | None, name: str | None,
    experts: int | None, per_token: int | None,
) -> int | None:
    """Parameters used per token. A dense model: all of them. A mixture of experts: what its name
    states (``-A22B``); else, with expert counts, ``total × (1 − s + s × k / E)`` with expert share
    ``s`` = MOE_EXPERT_SHARE; else unknown (None)."""
    if moe_evidence is None:
        return num_parameters
    if (stated := active_from_name(name)) is not None:
        return stated
    if num_parameters is None or not experts or not per_token or per_token >= experts:
        return None
    share = MOE_EXPERT_SHARE
    return round(num_parameters * (1 - share + share * per_token / experts))
