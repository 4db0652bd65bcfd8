"""Word lists and tag vocabularies of fake datasets and Spaces (``fakehub.repocorpus``).

As in ``vocab``: names of organisations, users and repos are invented; task names, tag prefixes,
formats, SDKs, runtime stages and hardware flavours are the Hub's own (what a parser of real
records meets): huggingface_hub's ``SpaceStage`` and ``SpaceHardware`` (``_space_api.py``),
the Hub's ``task_categories:``/``task_ids:``/``size_categories:``/``modality:``/``format:``/
``library:`` dataset tags.
"""

from __future__ import annotations

from dataclasses import dataclass

# -- datasets -----------------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """What a dataset holds: its name part, task category, task id and modality."""

    word: str
    task: str | None
    task_id: str | None
    modality: str


DATASET_STEMS: tuple[str, ...] = (
    "orca", "ultra", "tiny", "open", "mega", "pubmed", "arxiv", "wiki", "code", "chat", "news",
    "legal", "medical", "finance", "poetry", "recipe", "movie", "product", "tweet", "reddit",
    "stack", "textbook", "Hermes", "Magpie", "OpenHermes", "Alpine", "Borealis", "Cascade",
    "Driftwood", "Ember", "Fable", "Granite", "harbor", "isle", "juno", "kestrel", "lantern",
    "meadow", "nebula", "oak", "pine", "quarry", "reef", "summit", "tundra", "vista",
)
TOPICS: tuple[Topic, ...] = (
    Topic("-instruct", "text-generation", None, "text"),
    Topic("-sft", "text-generation", "language-modeling", "text"),
    Topic("-dpo-pairs", "text-generation", None, "text"),
    Topic("-reasoning", "text-generation", None, "text"),
    Topic("-qa", "question-answering", "extractive-qa", "text"),
    Topic("-open-qa", "question-answering", "open-domain-qa", "text"),
    Topic("-reviews", "text-classification", "sentiment-classification", "text"),
    Topic("-topics", "text-classification", "multi-class-classification", "text"),
    Topic("-ner", "token-classification", "named-entity-recognition", "text"),
    Topic("-summaries", "summarization", None, "text"),
    Topic("-translations", "translation", None, "text"),
    Topic("-corpus", "text-generation", "language-modeling", "text"),
    Topic("-captions", "image-to-text", None, "image"),
    Topic("-images", "image-classification", "multi-class-image-classification", "image"),
    Topic("-vqa", "visual-question-answering", None, "image"),
    Topic("-prompts-images", "text-to-image", None, "image"),
    Topic("-speech", "automatic-speech-recognition", None, "audio"),
    Topic("-sounds", "audio-classification", None, "audio"),
    Topic("-tables", "table-question-answering", None, "tabular"),
    Topic("-tabular", "tabular-classification", None, "tabular"),
    Topic("-trajectories", "robotics", None, "video"),
    Topic("-eval", None, None, "text"),
    Topic("-bench", "question-answering", None, "text"),
    Topic("-embeddings-pairs", "sentence-similarity", None, "text"),
)
DATASET_SUFFIXES: tuple[str, ...] = (
    "", "", "", "", "-v2", "-50k", "-1M", "-cleaned", "-filtered", "-en", "-fr", "-multilingual",
    "-sample", "-dedup", "_tokenized", "-parquet", "-mini", "-full",
)
# Index = the size column: the Hub's size_categories.
SIZE_CATEGORIES: tuple[str, ...] = (
    "n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M", "100M<n<1B",
    "1B<n<10B", "10B<n<100B", "100B<n<1T", "n>1T",
)
SIZE_WEIGHTS: tuple[float, ...] = (0.34, 0.25, 0.17, 0.11, 0.07, 0.03, 0.015, 0.008, 0.004, 0.002, 0.001)
# Index = the format column; "" is a legacy dataset loaded by a script (no format:, no library: tags).
FORMATS: tuple[str, ...] = ("parquet", "json", "csv", "text", "imagefolder", "audiofolder", "webdataset",
                            "arrow", "")
FORMATS_BY_MODALITY: dict[str, tuple[tuple[str, float], ...]] = {
    "text": (("parquet", 0.55), ("json", 0.25), ("csv", 0.1), ("text", 0.04), ("arrow", 0.02), ("", 0.04)),
    "image": (("parquet", 0.5), ("imagefolder", 0.3), ("webdataset", 0.15), ("", 0.05)),
    "audio": (("parquet", 0.45), ("audiofolder", 0.35), ("webdataset", 0.15), ("", 0.05)),
    "tabular": (("csv", 0.5), ("parquet", 0.45), ("", 0.05)),
    "video": (("parquet", 0.5), ("webdataset", 0.5)),
}
FORMAT_EXTENSIONS: dict[str, str] = {
    "parquet": "parquet", "json": "jsonl", "csv": "csv", "text": "txt", "imagefolder": "jpg",
    "audiofolder": "wav", "webdataset": "tar", "arrow": "arrow",
}
DATASET_LIBRARIES: dict[str, tuple[str, ...]] = {
    "parquet": ("datasets", "dask", "mlcroissant", "polars"),
    "json": ("datasets", "pandas", "mlcroissant", "polars"),
    "csv": ("datasets", "pandas", "mlcroissant", "polars"),
    "text": ("datasets", "mlcroissant"),
    "imagefolder": ("datasets", "mlcroissant"),
    "audiofolder": ("datasets", "mlcroissant"),
    "webdataset": ("datasets", "webdataset", "mlcroissant"),
    "arrow": ("datasets", "mlcroissant"),
}
DATASET_LICENSES: tuple[str, ...] = (
    "mit", "mit", "apache-2.0", "apache-2.0", "cc-by-4.0", "cc-by-4.0", "cc-by-sa-4.0",
    "cc-by-nc-4.0", "cc0-1.0", "odc-by", "other", "unknown", "cc-by-nc-sa-4.0", "openrail", "gpl-3.0",
)
# Card task categories the Hub no longer accepts: kept in cardData, dropped from the tags.
RETIRED_TASKS: tuple[str, ...] = ("conversational", "text2text-generation", "sequence-modeling")
DATASET_FREE_TAGS: tuple[str, ...] = (
    "synthetic", "chemistry", "biology", "code", "math", "instruction-finetuning", "rlhf",
    "croissant", "not-for-all-audiences", "medical", "finance", "legal", "art", "climate",
)
OLD_STYLE_FIELDS: dict[str, tuple[str, ...]] = {
    "annotations_creators": ("expert-generated", "crowdsourced", "machine-generated", "no-annotation"),
    "language_creators": ("found", "crowdsourced", "expert-generated", "machine-generated"),
    "multilinguality": ("monolingual", "multilingual", "translation"),
    "source_datasets": ("original", "extended|other"),
}
SPLITS: tuple[str, ...] = ("train", "validation", "test")
FEATURE_NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "text": (("text", "string"), ("label", "int64"), ("id", "string"), ("source", "string")),
    "image": (("image", "image"), ("label", "int64"), ("caption", "string")),
    "audio": (("audio", "audio"), ("sentence", "string"), ("speaker_id", "string")),
    "tabular": (("feature_0", "float64"), ("feature_1", "float64"), ("target", "int64")),
    "video": (("observation.state", "float32"), ("action", "float32"), ("episode_index", "int64")),
}

# -- Spaces -------------------------------------------------------------------------

SPACE_STEMS: tuple[str, ...] = (
    "chatbot", "image-captioning", "Text-To-Image", "voice-clone", "pdf-chat", "rag", "whisper-web",
    "background-removal", "sentiment", "Translator", "code-assistant", "story-writer", "ocr",
    "upscaler", "music-gen", "tts", "face-swap", "object-detection", "depth", "segment",
    "summarizer", "quiz", "resume-helper", "recipe-bot", "agent", "mcp", "LLM-Compare", "Portfolio",
    "dashboard", "maze", "tetris", "sketch", "Style-Transfer", "colorizer", "pose", "karaoke",
)
SPACE_KINDS: tuple[str, ...] = (
    "", "", "-app", "-ui", "-space", "-tool", "-api", "-bot", "-viewer", "-explorer", "-generator",
    "-test", "_gradio", "-streamlit", "-v2", "-hf", "-lite", "-pro",
)
SDKS: tuple[str, ...] = ("gradio", "streamlit", "docker", "static")
SDK_WEIGHTS: tuple[float, ...] = (0.56, 0.12, 0.22, 0.10)
SDK_VERSIONS: dict[str, tuple[str, ...]] = {
    "gradio": ("3.50.2", "4.19.2", "4.44.1", "5.9.1", "5.23.3", "5.34.2", "5.49.1"),
    "streamlit": ("1.19.0", "1.29.0", "1.36.0", "1.44.1"),
}
APP_FILES: dict[str, str] = {"gradio": "app.py", "streamlit": "app.py", "static": "index.html"}
# huggingface_hub's SpaceStage (moon-landing's SpaceInfo.ts), weighted for a crawl's snapshot;
# SLEEPING is the Hub's stage of a free Space woken on demand.
STAGES: tuple[str, ...] = (
    "RUNNING", "SLEEPING", "RUNTIME_ERROR", "BUILD_ERROR", "PAUSED", "NO_APP_FILE", "CONFIG_ERROR",
    "BUILDING", "STOPPED", "APP_STARTING", "RUNNING_BUILDING", "RUNNING_APP_STARTING", "DELETING",
)
STAGE_WEIGHTS: tuple[float, ...] = (0.33, 0.31, 0.12, 0.08, 0.07, 0.03, 0.02, 0.01, 0.01, 0.005, 0.003,
                                    0.003, 0.001)
HARDWARE: tuple[str, ...] = ("cpu-basic", "zero-a10g", "cpu-upgrade", "t4-small", "t4-medium", "a10g-small",
                             "a10g-large", "l4x1", "l40sx1", "a100-large", "cpu-xl")
HARDWARE_WEIGHTS: tuple[float, ...] = (0.82, 0.08, 0.03, 0.02, 0.01, 0.015, 0.008, 0.008, 0.004, 0.005, 0.002)
COLORS: tuple[str, ...] = ("red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray")
EMOJIS: tuple[str, ...] = ("🚀", "🤗", "🔥", "🎨", "💬", "🐢", "📚", "🎵", "🦙", "⚡", "🌍", "🧠", "👁", "📈")
SPACE_FREE_TAGS: tuple[str, ...] = ("mcp-server", "leaderboard", "agents", "chatbot", "image-generation",
                                    "not-for-all-audiences", "reachy_mini", "modality:text")
SPACE_LICENSES: tuple[str, ...] = ("mit", "apache-2.0", "openrail", "cc-by-nc-4.0", "other", "gpl-3.0")
