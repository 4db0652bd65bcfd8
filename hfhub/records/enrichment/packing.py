"""Quantized weights packed several to a stored element, and the two ways the Hub counts them.

GPTQ, AWQ and compressed-tensors' INT4 pack eight 4-bit weights into an ``I32``; MLX packs them
into a ``U32`` (``32 / bits`` per element, with BF16 scales and biases beside them); bitsandbytes
4-bit and MXFP4 two into a ``U8``. The Hub's ``safetensors.parameters`` counts per dtype, and it has
counted these two ways:

- ``containers``: the elements as stored (hub-docs#2704, July 2026: an MLX 8-bit repo with
  ``{"BF16": 9964787842, "U32": 78613118976}``, a quarter of its weights in U32);
- ``weights``: the weights they hold, still under the container's dtype (after huggingface.js
  #2415, August 2026: ``mlx-community/Qwen3-32B-4bit`` shows ``U32`` ≈ 32.8 billion).

A record does not say which. Counted as containers, the stored bytes (count × container size)
cannot exceed what the repo stores on the Hub (``usedStorage``, every revision of every file);
counted as weights they are ``32 / bits`` times too many and usually do. So: containers when that
product fits in ``usedStorage`` (or nothing says otherwise), weights when it does not. The bits
come from the name (``-4bit``, ``w4a16``, ``int4``), else the tags (``4-bit``, ``8-bit``), else the
method's usual width (4): an estimate, documented in docs/fields.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Container dtypes that can hold packed quantized weights, by quantization format, and their bits.
CONTAINERS: Mapping[str, str] = {"gptq": "I32", "awq": "I32", "int4": "I32", "mlx": "U32",
                                 "bitsandbytes": "U8", "mxfp4": "U8"}
CONTAINER_BITS: Mapping[str, int] = {"I32": 32, "U32": 32, "U8": 8}
DEFAULT_BITS = 4
_BITS_IN_NAME = re.compile(r"(?i)(?:^|[-_.])(?:(\d)[-_]?bits?|w(\d)a\d+|int(\d))(?=$|[-_.])")
_BITS_TAGS = {"2-bit": 2, "3-bit": 3, "4-bit": 4, "6-bit": 6, "8-bit": 8}


@dataclass(frozen=True)
class Packing:
    dtype: str  # the container dtype
    bits: int  # bits per quantized weight (an estimate unless the name or tags state it)
    counted: str  # "containers" or "weights": what the Hub's count for ``dtype`` is a count of

    @property
    def per_element(self) -> int:
        return CONTAINER_BITS[self.dtype] // self.bits


def bits_per_weight(name: str | None, tags: Sequence[str] | None) -> int:
    if name and (match := _BITS_IN_NAME.search(name)):
        return int(next(group for group in match.groups() if group))
    for tag in tags or ():
        if tag in _BITS_TAGS:
            return _BITS_TAGS[tag]
    return DEFAULT_BITS


def packing(
    quant: str | None, param_dtypes: Mapping[str, int] | None, used_storage: int | None,
    name: str | None, tags: Sequence[str] | None, dtype_bytes: Mapping[str, float],
) -> Packing | None:
    """How this repo's quantized weights are packed and counted, or None if they are not packed."""
    container = CONTAINERS.get(quant or "")
    if not param_dtypes or container is None or container not in param_dtypes:
        return None
    bits = bits_per_weight(name, tags)
    if bits >= CONTAINER_BITS[container]:
        return None  # e.g. bitsandbytes 8-bit: one weight per byte, nothing packed
    as_stored = sum(n * dtype_bytes.get(d, 0) for d, n in param_dtypes.items())
    counted = "weights" if used_storage and as_stored > used_storage else "containers"
    return Packing(container, bits, counted)


def stored_bytes(param_dtypes: Mapping[str, int], pack: Packing, dtype_bytes: Mapping[str, float]) -> int | None:
    """Bytes of the stored tensors: the container's count as weights takes ``bits / 8`` each; None
    if a dtype's size is unknown."""
    if any(dtype not in dtype_bytes for dtype in param_dtypes):
        return None
    total = 0.0
    for dtype, count in param_dtypes.items():
        if dtype == pack.dtype and pack.counted == "weights":
            total += count * pack.bits / 8
        else:
            total += count * dtype_bytes[dtype]
    return int(total)


def weights_held(param_dtypes: Mapping[str, int], pack: Packing) -> int:
    """The model's parameters: a container counted as containers holds ``per_element`` weights."""
    factor = pack.per_element if pack.counted == "containers" else 1
    return sum(count * factor if dtype == pack.dtype else count for dtype, count in param_dtypes.items())
