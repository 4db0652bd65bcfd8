"""What a model's weights are and what they need: parameters, precision, quantization, memory.

Every ``est_`` value is an estimate by a stated formula, not a measurement; docs/fields.md repeats
the formulas. Inputs are validated ``ModelItem`` values (right type or ``None``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

# Bytes per stored element of each safetensors dtype. Packed quantized weights (GPTQ/AWQ in I32,
# bitsandbytes/MXFP4 in U8) are counted as the container dtype, which is what they occupy.
DTYPE_BYTES: Mapping[str, float] = {
    "F64": 8, "I64": 8, "U64": 8,
    "F32": 4, "I32": 4, "U32": 4,
    "F16": 2, "BF16": 2, "I16": 2, "U16": 2,
    "F8_E4M3": 1, "F8_E5M2": 1, "F8_E8M0": 1, "I8": 1, "U8": 1, "BOOL": 1,
    "F4": 0.5, "F6_E2M3": 0.75, "F6_E3M2": 0.75,
}

# Multiplier over the bare weights for what inference needs besides them (activations, a short
# context's KV cache, runtime buffers): 1.2 is the common rule of thumb for short-context inference.
MEMORY_OVERHEAD = 1.2
GPU_TIERS_GB = (8, 12, 16, 24, 40, 48, 80)
CPU_RAM_TIERS_GB = (8, 16, 32, 64, 128, 256, 512)
# CPU RAM also holds the operating system and the runtime.
CPU_RAM_HEADROOM_GB = 2.0
# Memory bandwidth of the reference GPU for the decode estimate (about an RTX 4090's 1,008 GB/s).
REFERENCE_BANDWIDTH_BYTES_PER_S = 1.0e12

# Bits per weight of llama.cpp's quantization types (llama.cpp's quantize tool reports these).
GGUF_BITS_PER_WEIGHT: Mapping[str, float] = {
    "IQ1_S": 1.56, "IQ1_M": 1.75, "IQ2_XXS": 2.06, "IQ2_XS": 2.31, "IQ2_S": 2.5, "IQ2_M": 2.7, "Q2_K": 2.63,
    "IQ3_XXS": 3.06, "IQ3_XS": 3.3, "IQ3_M": 3.66, "Q3_K_S": 3.5, "Q3_K_M": 3.91, "Q3_K_L": 4.27,
    "IQ4_XS": 4.25, "IQ4_NL": 4.5, "Q4_0": 4.55, "Q4_1": 5.0, "Q4_K_S": 4.58, "Q4_K_M": 4.85,
    "Q5_0": 5.54, "Q5_1": 6.0, "Q5_K_S": 5.54, "Q5_K_M": 5.69, "Q6_K": 6.56, "Q8_0": 8.5,
    "F16": 16.0, "BF16": 16.0, "F32": 32.0,
}

# Quantization methods, in the words config.json's quantization_config.quant_method uses, as tags.
# Not "mlx": MLX is a framework whose repos hold plain BF16 weights or its own quantized ones (below).
_QUANT_TAGS = ("gptq", "awq", "exl2", "bitsandbytes", "hqq", "aqlm", "eetq", "gguf", "fp8", "mxfp4", "compressed-tensors")
_QUANT_TAG_SET = frozenset(_QUANT_TAGS)
_GGUF_QUANT = re.compile(r"(?i)(?:^|[-_.])(I?Q\d(?:_[A-Z0-9]+)*|F16|BF16|F32)(?=\.gguf$|[-_.])")


def dominant_dtype(param_dtypes: Mapping[str, int] | None) -> str | None:
    if not param_dtypes:
        return None
    return max(sorted(param_dtypes), key=lambda d: param_dtypes[d])


def safetensors_bytes(param_dtypes: Mapping[str, int] | None) -> int | None:
    """Bytes of the stored tensors, from the per-dtype element counts; None if a dtype is unknown."""
    if not param_dtypes or any(d not in DTYPE_BYTES for d in param_dtypes):
        return None
    return int(sum(n * DTYPE_BYTES[d] for d, n in param_dtypes.items()))


def weights_bytes(
    param_dtypes: Mapping[str, int] | None,
    num_parameters: int | None,
    source: str | None,
    gguf_file_size: int | None,
    gguf_types: Sequence[str] | None,
) -> int | None:
    """Bytes of one copy of the weights. Safetensors: computed from the per-dtype counts. GGUF: the
    Hub's file size when the repo holds one quantization; a repo offering several (Q4_K_M, Q8_0, …)
    is counted at its smallest: parameters × that type's bits per weight / 8 (an estimate)."""
    if source != "gguf":
        return safetensors_bytes(param_dtypes)
    if gguf_types and len(gguf_types) > 1 and num_parameters and all(t in GGUF_BITS_PER_WEIGHT for t in gguf_types):
        return round(num_parameters * min(GGUF_BITS_PER_WEIGHT[t] for t in gguf_types) / 8)
    return gguf_file_size


def gguf_quant_types(files: Sequence[str] | None) -> list[str] | None:
    """Quantization labels of a repo's .gguf files: ``model-Q4_K_M.gguf`` → ``Q4_K_M``."""
    if not files or ".gguf" not in "\n".join(files).lower():  # most repos: no look at each name
        return None
    found = {m.group(1).upper() for f in files if f[-5:].lower() == ".gguf" for m in [_GGUF_QUANT.search(f)] if m}
    return sorted(found) or None


def quantization(
    quant_method: str | None, tags: Sequence[str] | None, library: str | None,
    param_dtypes: Mapping[str, int] | None, gguf_types: Sequence[str] | None, has_gguf: bool = False,
) -> str | None:
    """The quantization format: config's quant_method first (``compressed-tensors``, a container
    format, is resolved by its dtypes), then a GGUF header or GGUF files, then tags, then MLX's own
    U32-packed weights, then an 8-bit float dtype (fp8). Plain F32/F16/BF16 weights are not
    quantized (None)."""
    dtypes = set(param_dtypes or ())
    if quant_method:
        method = quant_method.lower()
        return _compressed_tensors_scheme(dtypes) if method == "compressed-tensors" else method
    if has_gguf or library == "gguf" or gguf_types:
        return "gguf"
    if tags:
        named = _QUANT_TAG_SET.intersection(map(str.lower, tags))  # one C-level pass over the tags
        for method in _QUANT_TAGS:
            if method in named:
                return _compressed_tensors_scheme(dtypes) if method == "compressed-tensors" else method
        if "U32" in dtypes and ("mlx" in named or library == "mlx" or "mlx" in tags):
            return "mlx"
    if library == "mlx" and "U32" in dtypes:
        return "mlx"
    if any(d.startswith("F8") for d in dtypes) and dominant_dtype(param_dtypes or None) in _FLOAT8:
        return "fp8"
    return None


_FLOAT8 = frozenset({"F8_E4M3", "F8_E5M2"})


def _compressed_tensors_scheme(dtypes: set[str]) -> str:
    """compressed-tensors stores FP8 weights as F8, INT8 as I8 and packed INT4 as I32."""
    if dtypes & _FLOAT8:
        return "fp8"
    if "I8" in dtypes:
        return "int8"
    if "I32" in dtypes:
        return "int4"
    return "compressed-tensors"


def gigabytes_needed(num_bytes: float | None) -> float | None:
    """Estimated memory to run: weights × MEMORY_OVERHEAD, in GB (10⁹ bytes)."""
    return None if num_bytes is None else round(num_bytes * MEMORY_OVERHEAD / 1e9, 6)


def smallest_tier(gigabytes: float | None, tiers: Sequence[int], headroom: float = 0.0) -> int | None:
    if gigabytes is None:
        return None
    return next((tier for tier in tiers if gigabytes + headroom <= tier), None)


def decode_tokens_per_s(weights: int | None, active_share: float | None) -> float | None:
    """Roofline bound on single-stream decoding: each token reads every active weight once, so
    tokens/s ≤ bandwidth / (weight bytes × share of the parameters active per token), on the
    reference GPU."""
    if not weights or not active_share:
        return None
    return round(REFERENCE_BANDWIDTH_BYTES_PER_S / (weights * active_share), 2)
