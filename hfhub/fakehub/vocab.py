"""Word lists and task profiles the fake corpus draws from.

Every organisation and user name here is invented: nothing in the fake corpus is passed
off as real Hub data. Library names, task names and architecture classes are software
facts (what a parser of real Hub records meets), so those are the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass

# A few big, made-up organisations that own a visible share of the corpus, like the
# handful of labs and quantizers that dominate the real Hub's listings.
BIG_ORGS: tuple[str, ...] = (
    "nimbus-labs", "Quokka", "tensorfern", "AuroraML", "kestrel-ai", "mistwood",
    "LumenResearch", "polaris-compute", "QuantHaus", "birchfield-ai", "OrbitNLP",
    "zephyrine", "Saltmarsh", "openkiln", "deepgrove", "vellum-io",
)

USER_HEADS: tuple[str, ...] = (
    "quiet", "amber", "rapid", "lunar", "cobalt", "mossy", "brisk", "tidal", "velvet",
    "nova", "hazel", "ember", "frost", "ionic", "jade", "kilo", "lyric", "maple",
    "nimble", "onyx", "pixel", "quartz", "rusty", "sable", "tango", "umber", "vivid",
    "willow", "xeno", "yarrow", "zesty", "a-", "dr-", "the-", "j", "k", "m", "s",
)
USER_TAILS: tuple[str, ...] = (
    "fox", "otter", "heron", "lynx", "panda", "gecko", "raven", "badger", "falcon",
    "koala", "moth", "newt", "owl", "puffin", "quail", "seal", "tapir", "vole", "wren",
    "yak", "coder", "dev", "ml", "ai", "lab", "tanaka", "nguyen", "garcia", "kumar",
    "smith", "ivanova", "chen", "rossi", "dubois", "silva", "kowalski", "ali",
)

NAME_QUALIFIERS: tuple[str, ...] = (
    "", "", "", "-Instruct", "-Chat", "-base", "-v2", "-v0.1", "-finetuned", "-ft",
    "-it", "-sft", "-dpo", "-merged", "-uncensored", "-distilled", "-experimental",
    "-mini", "-large", "-small", "-multilingual", "-ja", "-fr", "-de", "-code", "-math",
)
SIZE_TAGS: tuple[str, ...] = ("", "-0.5B", "-1B", "-1.5B", "-3B", "-7B", "-8B", "-14B")

LANGUAGES: tuple[str, ...] = (
    "en", "en", "en", "en", "zh", "fr", "de", "es", "ja", "ko", "ru", "pt", "it", "ar",
    "hi", "vi", "tr", "pl", "nl", "id", "sv", "uk", "fa", "th", "multilingual",
)
LICENSES: tuple[str, ...] = (
    "apache-2.0", "apache-2.0", "apache-2.0", "mit", "mit", "other", "cc-by-4.0",
    "cc-by-nc-4.0", "openrail", "creativeml-openrail-m", "gpl-3.0", "bsd-3-clause",
    "cc-by-sa-4.0", "llama3", "gemma", "unknown",
)
DATASETS: tuple[str, ...] = (
    "wikitext", "c4", "imdb", "squad", "glue", "common_voice", "librispeech_asr",
    "imagenet-1k", "cifar10", "mnist", "openwebtext", "the_pile", "xsum", "cnn_dailymail",
    "conll2003", "emotion", "tatsu-lab/alpaca", "Open-Orca/OpenOrca",
    "HuggingFaceH4/ultrachat_200k", "nimbus-labs/synthetic-instruct", "Quokka/math-mix",
)

QUANT_METHODS: tuple[str, ...] = ("gptq", "awq", "bitsandbytes", "mxfp4", "fp8")
GGUF_QUANTS: tuple[str, ...] = ("Q2_K", "Q3_K_M", "Q4_K_M", "Q4_0", "Q5_K_M", "Q6_K", "Q8_0", "F16")
GGUF_BITS: dict[str, float] = {
    "Q2_K": 2.6, "Q3_K_M": 3.9, "Q4_K_M": 4.8, "Q4_0": 4.5, "Q5_K_M": 5.7, "Q6_K": 6.6,
    "Q8_0": 8.5, "F16": 16.0,
}
DTYPE_BYTES: dict[str, float] = {
    "F32": 4, "BF16": 2, "F16": 2, "I8": 1, "U8": 1, "F8_E4M3": 1, "I32": 4, "U32": 4, "I64": 8,
}

# Billions of parameters where LLM releases cluster on the real Hub.
LLM_SIZES_B: tuple[float, ...] = (0.5, 1.0, 1.5, 3.0, 7.0, 8.0, 14.0, 32.0, 70.0)


@dataclass(frozen=True)
class Arch:
    model_type: str
    architecture: str
    moe: bool = False


@dataclass(frozen=True)
class Profile:
    """A kind of repository: its task, the libraries it ships with, its sizes."""

    pipeline_tag: str | None
    weight: float
    libraries: tuple[tuple[str | None, float], ...]
    archs: tuple[Arch, ...]
    params_range: tuple[float, float]  # log-uniform bounds, in parameters
    llm: bool = False


_LLM_ARCHS = (
    Arch("llama", "LlamaForCausalLM"), Arch("qwen2", "Qwen2ForCausalLM"),
    Arch("mistral", "MistralForCausalLM"), Arch("gemma2", "Gemma2ForCausalLM"),
    Arch("phi3", "Phi3ForCausalLM"), Arch("qwen3", "Qwen3ForCausalLM"),
    Arch("mixtral", "MixtralForCausalLM", moe=True),
    Arch("qwen3_moe", "Qwen3MoeForCausalLM", moe=True),
    Arch("gpt2", "GPT2LMHeadModel"),
)
_ENCODERS = (
    Arch("bert", "BertForSequenceClassification"), Arch("roberta", "RobertaForSequenceClassification"),
    Arch("deberta-v2", "DebertaV2ForSequenceClassification"),
    Arch("distilbert", "DistilBertForSequenceClassification"),
    Arch("xlm-roberta", "XLMRobertaForSequenceClassification"),
)

PROFILES: tuple[Profile, ...] = (
    Profile("text-generation", 0.30,
            (("transformers", 0.55), ("gguf", 0.18), ("peft", 0.12), ("mlx", 0.07), (None, 0.08)),
            _LLM_ARCHS, (1.2e8, 4.0e11), llm=True),
    Profile("text-classification", 0.08, (("transformers", 0.9), ("setfit", 0.05), (None, 0.05)),
            _ENCODERS, (4e6, 6e8)),
    Profile("feature-extraction", 0.04, (("transformers", 0.5), ("sentence-transformers", 0.4), (None, 0.1)),
            (Arch("bert", "BertModel"), Arch("xlm-roberta", "XLMRobertaModel")), (4e6, 8e9)),
    Profile("sentence-similarity", 0.04, (("sentence-transformers", 0.95), (None, 0.05)),
            (Arch("bert", "BertModel"), Arch("mpnet", "MPNetModel")), (2e7, 8e9)),
    Profile("token-classification", 0.03, (("transformers", 0.85), ("flair", 0.1), (None, 0.05)),
            (Arch("bert", "BertForTokenClassification"),), (1e7, 6e8)),
    Profile("fill-mask", 0.02, (("transformers", 1.0),),
            (Arch("bert", "BertForMaskedLM"), Arch("roberta", "RobertaForMaskedLM")), (1e7, 6e8)),
    Profile("image-classification", 0.05, (("timm", 0.45), ("transformers", 0.45), ("keras", 0.1)),
            (Arch("vit", "ViTForImageClassification"), Arch("convnext", "ConvNextForImageClassification")),
            (4e6, 6e8)),
    Profile("automatic-speech-recognition", 0.04, (("transformers", 0.9), ("nemo", 0.1)),
            (Arch("whisper", "WhisperForConditionalGeneration"), Arch("wav2vec2", "Wav2Vec2ForCTC")),
            (3.9e7, 1.6e9)),
    Profile("text-to-image", 0.06, (("diffusers", 0.9), (None, 0.1)), (), (8e8, 1.2e10)),
    Profile("image-text-to-text", 0.04, (("transformers", 0.8), ("gguf", 0.1), ("mlx", 0.1)),
            (Arch("qwen2_vl", "Qwen2VLForConditionalGeneration"),
             Arch("llava", "LlavaForConditionalGeneration")), (5e8, 9e10), llm=True),
    Profile("text2text-generation", 0.02, (("transformers", 1.0),),
            (Arch("t5", "T5ForConditionalGeneration"), Arch("bart", "BartForConditionalGeneration")),
            (6e7, 1.1e10)),
    Profile("translation", 0.02, (("transformers", 1.0),), (Arch("marian", "MarianMTModel"),), (7e7, 6e8)),
    Profile("reinforcement-learning", 0.04, (("stable-baselines3", 0.7), ("ml-agents", 0.3)), (), (1e4, 1e6)),
    Profile("object-detection", 0.01, (("transformers", 0.5), ("ultralytics", 0.5)),
            (Arch("detr", "DetrForObjectDetection"),), (3e6, 2e8)),
    Profile("text-to-speech", 0.01, (("transformers", 0.6), (None, 0.4)),
            (Arch("vits", "VitsModel"),), (3e7, 1e9)),
    Profile("question-answering", 0.01, (("transformers", 1.0),),
            (Arch("bert", "BertForQuestionAnswering"),), (1e7, 4e8)),
    Profile(None, 0.15, (("transformers", 0.3), ("peft", 0.15), ("gguf", 0.1), (None, 0.45)),
            _LLM_ARCHS + _ENCODERS, (1e6, 2e10)),
)

LIBRARIES: tuple[str, ...] = tuple(sorted({
    lib for p in PROFILES for lib, _ in p.libraries if lib is not None
}))
PIPELINE_TAGS: tuple[str, ...] = tuple(sorted({p.pipeline_tag for p in PROFILES if p.pipeline_tag}))

# Invented model-name stems (48, see columns.N_STEMS).
STEMS: tuple[str, ...] = (
    "Corvid", "Heron", "Tessera", "Marlin", "Sparrow", "Quill", "Basalt", "Nimbus", "Cinder",
    "Fjord", "Glimmer", "Halcyon", "Iris", "Juniper", "Kite", "Loom", "Meridian", "Nettle",
    "Opal", "Pebble", "Quasar", "Rook", "Sol", "Thistle", "Umbra", "Vireo", "Wisp", "Yew",
    "Zircon", "aster", "bramble", "cairn", "dune", "eddy", "fennel", "gale", "harrow",
    "inlet", "jetty", "kelp", "lichen", "mallow", "nook", "oriel", "prism", "ripple",
    "sedge", "tarn",
)
VERSIONS: tuple[str, ...] = ("", "-2", "-3", "-1.5", "-2.5", "-3.1")
# Name suffixes that say how a derived repo was made (index = columns.SUFFIXES code).
NAME_SUFFIXES: tuple[str, ...] = (
    "", "-GGUF", "-GPTQ", "-AWQ", "-bnb-4bit", "-MXFP4", "-FP8", "-mlx-4bit", "-lora",
)
