"""What a fake repo holds: its files, its weights' dtypes, GGUF metadata, storage used.

Kept consistent with each other: a repo with ``*.safetensors`` files gets a ``safetensors``
block whose dtype sizes add up to ``usedStorage``; a GGUF repo's ``gguf.totalFileSize``
is the sum of its quant files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from hfhub.fakehub import vocab

CHAT_TEMPLATE = (
    "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + "
    "'<|end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
)
_TOKENS = (("<s>", "</s>"), ("<|begin_of_text|>", "<|eot_id|>"), ("<bos>", "<eos>"), ("<|im_start|>", "<|im_end|>"))


@dataclass
class Artifacts:
    siblings: list[dict[str, str]] = field(default_factory=list)
    safetensors: dict[str, Any] | None = None
    gguf: dict[str, Any] | None = None
    used_storage: int = 0
    tags: list[str] = field(default_factory=list)  # file-format tags: safetensors, gguf, ...


def build(rng: random.Random, library: str | None, params: int, quant: str | None,
          adapter: bool, arch: vocab.Arch | None, name: str, counts_packed_weights: bool = False) -> Artifacts:
    art = Artifacts(siblings=[{"rfilename": ".gitattributes"}, {"rfilename": "README.md"}])
    if library == "gguf":
        _gguf(rng, art, params, arch, name)
    elif library in ("stable-baselines3", "ml-agents"):
        env = rng.choice(("LunarLander-v2", "CartPole-v1", "Huggy", "SnowballTarget", "PandaReachDense-v3"))
        algo = rng.choice(("ppo", "dqn", "a2c", "sac"))
        art.siblings += [{"rfilename": f"{algo}-{env}.zip"}, {"rfilename": "replay.mp4"},
                         {"rfilename": "results.json"}, {"rfilename": "config.json"}]
        art.used_storage = params * 4 + rng.randrange(200_000, 5_000_000)
    elif library is None and rng.random() < 0.5:
        art.siblings += [{"rfilename": rng.choice(("model.pt", "checkpoint.pth", "weights.npz", "model.onnx"))}]
        art.used_storage = params * 4
    else:
        _safetensors(rng, art, library, params, quant, adapter, counts_packed_weights)
    return art


def _dtypes(rng: random.Random, params: int, quant: str | None) -> dict[str, int]:
    """Element counts per stored dtype, as the Hub's safetensors block gives them: packed
    quantized weights count as elements of their container (GPTQ/AWQ: 8 4-bit weights per I32;
    MLX: 8 per U32, with BF16 scales and biases; bitsandbytes 4-bit and MXFP4: 2 per U8)."""
    small = max(params // rng.randrange(40, 400), 1)
    big = params - small
    if quant == "mlx":
        return {"BF16": small + big // 32, "U32": big // 8}
    if quant == "mxfp4":
        return {"BF16": small, "U8": big // 2}
    if quant == "fp8":
        return {"BF16": small, "F8_E4M3": big}
    if quant == "bitsandbytes":
        return {"F32": small, "U8": big // 2}
    if quant in ("gptq", "awq"):
        return {"F16": small, "I32": big // 8}
    roll = rng.random()
    if params < 1_500_000_000 and roll < 0.55:
        return {"F32": params}
    if roll < 0.7:
        return {"BF16": params}
    if roll < 0.8:
        return {"F16": params}
    if roll < 0.93:
        return {"BF16": big, "F32": small}
    return {"F16": big, "I8": small // 4 or 1}


def _safetensors(rng: random.Random, art: Artifacts, library: str | None, params: int,
                 quant: str | None, adapter: bool, counts_packed_weights: bool) -> None:
    weights = max(params // rng.randrange(100, 2000), 10_000) if adapter else params
    parameters = _dtypes(rng, weights, None if adapter else quant)
    nbytes = int(sum(n * vocab.DTYPE_BYTES[d] for d, n in parameters.items()))
    if counts_packed_weights and quant == "mlx":
        # Since August 2026 (huggingface.js#2415) the Hub counts an MLX repo's packed weights,
        # not their U32 containers, still under "U32" (mlx-community/Qwen3-32B-4bit: ~32.8B).
        parameters["U32"] *= 8
    legacy_bin = not adapter and rng.random() < 0.12
    art.tags.append("pytorch" if legacy_bin else "safetensors")
    if adapter:
        name = "pytorch_lora_weights.safetensors" if library == "diffusers" else "adapter_model.safetensors"
        extra = [] if library == "diffusers" else ["adapter_config.json"]
        art.siblings += [{"rfilename": f} for f in [*extra, name]]
    elif library == "diffusers":
        art.siblings += [{"rfilename": f} for f in (
            "model_index.json", "scheduler/scheduler_config.json", "text_encoder/config.json",
            "text_encoder/model.safetensors", "unet/config.json",
            "unet/diffusion_pytorch_model.safetensors", "vae/config.json",
            "vae/diffusion_pytorch_model.safetensors")]
    else:
        art.siblings += _weight_files(nbytes, legacy_bin)
        art.siblings += [{"rfilename": f} for f in _side_files(rng, library)]
    art.used_storage = int(nbytes * (1.0 + rng.random() * 0.02)) + rng.randrange(10_000, 2_000_000)
    if legacy_bin:
        return
    # `total` is always there (the official client's ModelInfo needs it) but it is not always the
    # sum: it can come from a number written in the repo itself. Real case, huggingface_hub#4221:
    # {"parameters": {"BF16": 7615616512}, "total": 333312}. About 1 in 100 here.
    total = sum(parameters.values())
    art.safetensors = {"parameters": parameters, "total": total if rng.random() >= 0.01 else max(1, total // 22_848)}


def _weight_files(nbytes: int, legacy_bin: bool) -> list[dict[str, str]]:
    ext, stem = ("bin", "pytorch_model") if legacy_bin else ("safetensors", "model")
    shards = max(1, -(-nbytes // 5_000_000_000))
    if shards == 1:
        return [{"rfilename": f"{stem}.{ext}"}]
    files = [{"rfilename": f"{stem}-{k:05d}-of-{shards:05d}.{ext}"} for k in range(1, min(shards, 200) + 1)]
    return [*files, {"rfilename": f"{stem}.{ext}.index.json"}]


def _side_files(rng: random.Random, library: str | None) -> list[str]:
    files = ["config.json"]
    if library in ("transformers", "mlx", "sentence-transformers", None):
        files += ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]
        if rng.random() < 0.4:
            files.append("generation_config.json")
    if library == "sentence-transformers":
        files += ["modules.json", "sentence_bert_config.json", "1_Pooling/config.json"]
    if library == "timm" and rng.random() < 0.5:
        files.append("pytorch_model.bin")
    if rng.random() < 0.1:
        files.append("training_args.bin")
    return files


def _gguf(rng: random.Random, art: Artifacts, params: int, arch: vocab.Arch | None, name: str) -> None:
    quants = sorted(rng.sample(vocab.GGUF_QUANTS, rng.randint(1, len(vocab.GGUF_QUANTS))))
    base = name.removesuffix("-GGUF")
    sizes = [int(params * vocab.GGUF_BITS[q] / 8) for q in quants]
    art.siblings += [{"rfilename": f"{base}.{q}.gguf"} for q in quants]
    art.tags += ["gguf"]
    bos, eos = rng.choice(_TOKENS)
    art.gguf = {
        "total": params,
        "architecture": arch.model_type.split("_")[0] if arch else "llama",
        "context_length": rng.choice((2048, 4096, 8192, 32768, 131072)),
        "chat_template": CHAT_TEMPLATE,
        "bos_token": bos,
        "eos_token": eos,
        "totalFileSize": sum(sizes),
    }
    if rng.random() < 0.15:
        del art.gguf["chat_template"]
    art.used_storage = sum(sizes) + rng.randrange(10_000, 200_000)
