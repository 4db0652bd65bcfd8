"""Build the full JSON record of one fake model, consistent across tags, card and files."""

from __future__ import annotations

import bisect
import functools
import random
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from hfhub.fakehub import artifacts, columns, rand, vocab

if TYPE_CHECKING:
    from hfhub.fakehub.corpus import Corpus

_AUTO_MODEL = {
    "text-generation": "AutoModelForCausalLM", "text-classification": "AutoModelForSequenceClassification",
    "token-classification": "AutoModelForTokenClassification", "fill-mask": "AutoModelForMaskedLM",
    "image-classification": "AutoModelForImageClassification", "question-answering": "AutoModelForQuestionAnswering",
    "automatic-speech-recognition": "AutoModelForSpeechSeq2Seq", "text2text-generation": "AutoModelForSeq2SeqLM",
    "translation": "AutoModelForSeq2SeqLM", "image-text-to-text": "AutoModelForImageTextToText",
}
_TEXT_TASKS = {"text-generation", "text-classification", "token-classification", "fill-mask", "translation",
               "text2text-generation", "question-answering", "feature-extraction", "sentence-similarity",
               "image-text-to-text", "text-to-speech", "automatic-speech-recognition", None}


# Repos created since then get their packed MLX weights counted as weights (see artifacts._safetensors).
_PACKED_WEIGHTS_COUNTED_SINCE_MS = int(datetime(2026, 8, 26, tzinfo=UTC).timestamp() * 1000)


def iso(ms: int) -> str:
    """The Hub's timestamp format: ISO 8601, milliseconds, Z."""
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def iso_many(ms: np.ndarray) -> list[str]:
    """``iso`` over an array, vectorised (record building is the server's hot path)."""
    text = np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms")
    return [t + "Z" for t in text.tolist()]


def build_many(corpus: Corpus, indices: list[int]) -> list[dict[str, Any]]:
    """Full records for many models; scalar columns are read once, vectorised."""
    idx = np.asarray(indices, dtype=np.int64)
    c = corpus.cols
    names = ("profile", "library", "relation", "quant", "params", "downloads", "likes",
             "downloads_all", "trending", "created_ms")
    cols = {k: c[k][idx].tolist() for k in names}
    cols["created"] = iso_many(c["created_ms"][idx])
    cols["modified"] = iso_many(c["modified_ms"][idx])
    cols["sha"] = corpus.shas(idx)
    return [build(corpus, i, {k: v[n] for k, v in cols.items()}) for n, i in enumerate(indices)]


def build(corpus: Corpus, i: int, row: dict[str, Any]) -> dict[str, Any]:
    rng = rand.FastRandom(rand.record_seed(corpus.seed, i))
    prof = vocab.PROFILES[row["profile"]]
    lib_idx = row["library"]
    library = vocab.LIBRARIES[lib_idx] if lib_idx >= 0 else None
    relation = columns.RELATIONS[row["relation"]]
    quant = vocab.QUANT_METHODS[row["quant"]] if row["quant"] >= 0 else None
    arch = rng.choice(prof.archs) if prof.archs else None
    params = row["params"]
    model_id = corpus.model_id(i)
    author = model_id.split("/")[0]
    bases = _base_models(corpus, i, rng, relation)
    langs = _languages(rng, prof.pipeline_tag)
    license_ = rng.choice(vocab.LICENSES) if rng.random() < 0.85 else None
    datasets = rng.sample(vocab.DATASETS, rng.randint(1, 3)) if rng.random() < 0.35 else []
    arxiv = [f"arxiv:{rng.randint(17, 26)}{rng.randint(1, 12):02d}.{rng.randint(1, 19999):05d}"
             for _ in range(rng.choice((0, 0, 0, 1, 2)))]
    if library == "mlx" and relation == "quantized":
        quant = "mlx"  # MLX's own group-wise quantization (U32-packed weights)
    art = artifacts.build(rng, library, params, quant, relation == "adapter", arch, corpus.model_name(i),
                          counts_packed_weights=row["created_ms"] >= _PACKED_WEIGHTS_COUNTED_SINCE_MS)

    tags: list[str] = [library] if library else []
    tags += [t for t in art.tags if t != library]
    if arch and library not in ("gguf", "diffusers"):
        tags.append(arch.model_type)
    if prof.pipeline_tag:
        tags.append(prof.pipeline_tag)
    if prof.llm and rng.random() < 0.5:
        tags.append("conversational")
    tags += langs + [f"dataset:{d}" for d in datasets] + arxiv
    if bases:
        tags += [f"base_model:{b}" for _, b in bases]
        tags += [f"base_model:{relation}:{b}" for _, b in bases]
    if license_:
        tags.append(f"license:{license_}")
    tags += _hub_tags(rng, library, prof.pipeline_tag, quant)
    tags.append("region:us")

    # Most GGUF repos on the Hub declare no library (their files say what they are).
    declared_library = None if library == "gguf" and rng.random() < 0.8 else library
    rec: dict[str, Any] = {
        "_id": corpus.object_id(i), "id": model_id, "private": False,
        "pipeline_tag": prof.pipeline_tag, "library_name": declared_library, "tags": tags,
        "downloads": row["downloads"], "likes": row["likes"], "modelId": model_id,
        "author": author, "sha": row["sha"], "lastModified": row["modified"],
        "gated": _gated(rng.random()), "disabled": False,
    }
    if prof.pipeline_tag == "fill-mask":
        rec["mask_token"] = rng.choice(("[MASK]", "<mask>"))
    if prof.pipeline_tag in ("text-generation", "fill-mask", "text-classification") and rng.random() < 0.3:
        rec["widgetData"] = [{"text": "My name is Clara and I like to"}]
    config = _config(rng, library, arch, quant, bases, relation)
    if config is not None:
        rec["config"] = config
    if rng.random() < 0.85:
        rec["cardData"] = _card_data(rng, license_, langs, datasets, bases, prof.pipeline_tag, library)
    if library == "transformers" and prof.pipeline_tag in _AUTO_MODEL:
        rec["transformersInfo"] = {"auto_model": _AUTO_MODEL[prof.pipeline_tag],
                                   "pipeline_tag": prof.pipeline_tag, "processor": "AutoTokenizer"}
    rec["siblings"] = art.siblings if rng.random() >= 0.005 else None  # the Hub sends null now and then
    if rng.random() < 0.03:
        rec["model-index"] = _model_index(rng, corpus.model_name(i), prof.pipeline_tag)
    elif library == "transformers":
        rec["model-index"] = None  # sent as null when the card declares no results
    rec["spaces"] = _spaces(corpus, rng, row["likes"])
    rec["createdAt"] = row["created"]
    if art.safetensors is not None:
        rec["safetensors"] = art.safetensors
    if art.gguf is not None:
        rec["gguf"] = art.gguf
    rec["usedStorage"] = art.used_storage
    # Expand-only properties (absent from the detail endpoint's default payload).
    rec["downloadsAllTime"] = row["downloads_all"]
    rec["trendingScore"] = row["trending"]
    rec["childrenModelCount"] = _children(rng, row["likes"])
    if bases:
        rec["baseModels"] = {"relation": relation, "models": [{"_id": oid, "id": b} for oid, b in bases]}
    rec["xetEnabled"] = row["created_ms"] >= columns.EPOCH_END_MS - 400 * 86_400_000
    if row["likes"] >= 50:
        rec["inference"] = "warm"
        if prof.pipeline_tag in ("text-generation", "image-text-to-text"):
            rec["inferenceProviderMapping"] = [
                {"provider": p, "providerId": model_id, "status": "live", "task": "conversational"}
                for p in ("together", "novita")[: 1 + row["likes"] % 2]
            ]
    return {k: v for k, v in rec.items() if v is not None or k in _SENT_AS_NULL}


_SENT_AS_NULL = frozenset({"model-index", "siblings"})  # properties the Hub sends as null, not leaves out


# Tags the Hub adds on its own, besides the library, task, languages and prefixed ones: what a
# parser of real records meets (autotrain_compatible, text-generation-inference, custom_code,
# doi:…, compressed-tensors, deploy:…, free text from a card's `tags`).
_QUANT_TAGS = {"gptq": ["4-bit", "gptq"], "awq": ["4-bit", "awq"], "bitsandbytes": ["4-bit", "bitsandbytes"],
               "mxfp4": ["8-bit", "mxfp4"], "fp8": ["compressed-tensors", "fp8"], "mlx": ["4-bit"]}
_FREE_TEXT_TAGS = ("Audio Source Separation", "art", "not-for-all-audiences", "chemistry", "WHAM!")


def _hub_tags(rng: random.Random, library: str | None, task: str | None, quant: str | None) -> list[str]:
    tags = []
    if library == "transformers":
        if rng.random() < 0.6:
            tags.append("autotrain_compatible")
        if task == "text-generation" and rng.random() < 0.5:
            tags.append("text-generation-inference")
        if rng.random() < 0.05:
            tags.append("custom_code")
    tags += _QUANT_TAGS.get(quant or "", [])
    if library in ("transformers", "gguf", "sentence-transformers") and rng.random() < 0.6:
        tags.append("endpoints_compatible")
    if rng.random() < 0.01:
        tags.append(f"doi:10.57967/hf/{rng.randrange(100, 9999)}")
    if rng.random() < 0.02:
        tags.append(rng.choice(("deploy:azure", "deploy:sagemaker")))
    if rng.random() < 0.02:
        tags.append(rng.choice(_FREE_TEXT_TAGS))
    return tags


def _model_index(rng: random.Random, name: str, task: str | None) -> list[dict[str, Any]]:
    """A card's evaluation results, in the shape of the Hub's `model-index` (invented numbers)."""
    return [{"name": name, "results": [{
        "task": {"type": task or "other", "name": (task or "other").replace("-", " ").title()},
        "dataset": {"name": "Fake Eval Set", "type": "fake/eval", "split": "test"},
        "metrics": [{"type": "accuracy", "value": round(0.5 + 0.5 * rng.random(), 4), "name": "Accuracy",
                     "verified": False}],
    }]}]


def _gated(u: float) -> bool | str:
    return False if u < 0.92 else ("auto" if u < 0.96 else "manual")


def _languages(rng: random.Random, task: str | None) -> list[str]:
    if task not in _TEXT_TASKS or rng.random() < 0.35:
        return []
    langs = rng.sample(vocab.LANGUAGES, rng.choice((1, 1, 1, 2, 3)))
    return list(dict.fromkeys(langs))


def _base_models(corpus: Corpus, i: int, rng: random.Random, relation: str | None) -> list[tuple[str, str]]:
    """Derived repos point at older repos of the same kind, found in the corpus itself."""
    if relation is None:
        return []
    full = corpus.base_pool(int(corpus.cols["profile"][i]))  # tiny: once per derived repo
    pool = full[: bisect.bisect_left(full, i)]
    if not pool:
        return []
    picks = rng.sample(pool, min(len(pool), 2 if relation == "merge" else 1))
    return [(corpus.object_id(j), corpus.model_id(j)) for j in picks]


def _config(rng: random.Random, library: str | None, arch: vocab.Arch | None, quant: str | None,
            bases: list[tuple[str, str]], relation: str | None) -> dict[str, Any] | None:
    if library in (None, "stable-baselines3", "ml-agents", "timm", "keras", "nemo", "flair", "ultralytics"):
        return None
    if library == "gguf" or rng.random() < 0.05:
        return {} if rng.random() < 0.5 else None
    if library == "diffusers":
        return {"diffusers": {"_class_name": rng.choice(("StableDiffusionXLPipeline", "FluxPipeline"))}}
    if library == "peft":
        base = bases[0][1] if bases else None
        return {"peft": {"base_model_name_or_path": base, "task_type": "CAUSAL_LM"}}
    if arch is None:
        return {}
    # The list API's `config` is a summary of the repo's config.json (architectures, model_type,
    # tokenizer_config, quantization_config), not the file: no layer, head or expert counts.
    cfg: dict[str, Any] = {"architectures": [arch.architecture], "model_type": arch.model_type}
    if quant == "fp8" and rng.random() < 0.5:
        # FP8 checkpoints of llm-compressor are stored in the compressed-tensors format
        cfg["quantization_config"] = {"quant_method": "compressed-tensors", "format": "float-quantized"}
    elif quant and quant != "mlx":  # MLX writes its own "quantization" block, not summarised
        qc: dict[str, Any] = {"quant_method": quant}
        if quant in ("gptq", "awq"):
            qc.update(bits=4, group_size=128)
        elif quant == "bitsandbytes":
            qc.update(load_in_4bit=True, bnb_4bit_quant_type="nf4")
        cfg["quantization_config"] = qc
    if rng.random() < 0.5:
        bos, eos = rng.choice(artifacts._TOKENS)
        cfg["tokenizer_config"] = {"bos_token": bos, "eos_token": eos}
    return cfg


def _card_data(rng: random.Random, license_: str | None, langs: list[str], datasets: list[str],
               bases: list[tuple[str, str]], task: str | None, library: str | None) -> dict[str, Any]:
    card: dict[str, Any] = {}
    if langs:
        card["language"] = langs[0] if len(langs) == 1 and rng.random() < 0.5 else langs
    if license_:
        card["license"] = license_
        if license_ == "other":
            card["license_name"] = "fake-community-license"
            card["license_link"] = "LICENSE"
    if library:
        card["library_name"] = library
    if datasets:
        card["datasets"] = datasets
    if bases:
        ids = [b for _, b in bases]
        if rng.random() < 0.1:  # the card still names the base by an id it was renamed from
            ids = [_former_id(b) for b in ids]
        card["base_model"] = ids[0] if len(ids) == 1 and rng.random() < 0.7 else ids
    if task:
        card["pipeline_tag"] = task
    if rng.random() < 0.4:
        card["tags"] = rng.sample(("generated_from_trainer", "trl", "sft", "unsloth", "merge", "lora"), 2)
    return card


def _former_id(model_id: str) -> str:
    """An id the repo had before a rename (as meta-llama/Meta-Llama-3.1-8B became
    meta-llama/Llama-3.1-8B): the tags name the current id, an old card the former one."""
    author, _, name = model_id.partition("/")
    return f"{author}/{author.split('-')[0].title()}-{name}"


def _spaces(corpus: Corpus, rng: random.Random, likes: int) -> list[str]:
    if likes < 20:
        return []
    n = min(100, int(likes ** 0.6 * rng.random()))  # the Hub caps this list at 100
    pool = _space_pool(corpus.seed)
    start = rng.randrange(len(pool))
    return [pool[(start + k * 7) % len(pool)] for k in range(n)]


@functools.lru_cache(maxsize=8)
def _space_pool(seed: int) -> tuple[str, ...]:
    """A fixed pool of Space ids per seed (building fresh strings per model is too slow)."""
    rng = rand.FastRandom(seed)
    owners = vocab.BIG_ORGS + tuple(h + t for h in vocab.USER_HEADS[:20] for t in vocab.USER_TAILS[:20])
    return tuple(f"{rng.choice(owners)}/{stem.lower()}-{kind}" for stem in vocab.STEMS
                 for kind in ("demo", "chat", "playground", "arena", "leaderboard"))


def _children(rng: random.Random, likes: int) -> dict[str, int]:
    scale = likes ** 0.7
    return {key: int(scale * rng.random()) for key in ("adapter", "merge", "quantized", "finetune")}
