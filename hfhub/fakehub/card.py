"""Render a model card (README.md): YAML front matter mirroring cardData, then prose."""

from __future__ import annotations

import json
import zlib
from typing import Any

_TASK_WORDS = {
    "text-generation": "generates text from a prompt",
    "text-classification": "classifies short texts into labels",
    "feature-extraction": "turns text into embedding vectors",
    "sentence-similarity": "maps sentences to vectors for semantic similarity search",
    "token-classification": "tags each token (for example named entities)",
    "fill-mask": "fills in masked words",
    "image-classification": "labels images",
    "automatic-speech-recognition": "transcribes speech to text",
    "text-to-image": "generates images from text prompts",
    "image-text-to-text": "answers questions about images",
    "text2text-generation": "rewrites one text into another",
    "translation": "translates text",
    "reinforcement-learning": "is a reinforcement-learning agent",
    "object-detection": "finds objects in images",
    "text-to-speech": "reads text aloud",
    "question-answering": "extracts answers from a passage",
}


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    text = str(value)
    plain = text and text[0].isalnum() and all(ch.isalnum() or ch in "-_./ " for ch in text)
    return text if plain and text.lower() not in ("yes", "no", "true", "false", "null", "on", "off") else json.dumps(text)


def front_matter(card_data: dict[str, Any]) -> str:
    lines = ["---"]
    for key, value in card_data.items():
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines += [f"- {_yaml_scalar(v)}" for v in value]
        else:
            lines.append(f"{key}: {_yaml_scalar(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n"


def _size_words(record: dict[str, Any]) -> str | None:
    total = (record.get("safetensors") or {}).get("parameters")
    n = sum(total.values()) if total else (record.get("gguf") or {}).get("total")
    if not n:
        return None
    return f"{n / 1e9:.1f} billion" if n >= 1e9 else f"{n / 1e6:.0f} million"


# What a card says a model is for, beyond its metadata: only the card text carries it, so search
# over ids and tags alone cannot find it (issue 9's point). Chosen per model from its id's CRC, for
# about a third of the models.
_PURPOSES = (
    "It was tuned to review legal contracts and flag unusual clauses.",
    "It answers questions about medical records for clinicians.",
    "It drafts replies for customer support tickets.",
    "It summarises financial news and earnings calls.",
    "It reviews source code and suggests fixes for common bugs.",
    "It reads scanned invoices and extracts their line items.",
    "It helps students practise maths word problems.",
    "It recognises bird songs in field recordings.",
    "It detects toxic comments on gaming forums.",
    "It captions photos of museum artworks.",
)


def purpose(model_id: str) -> str | None:
    """The card's purpose sentence for ``model_id``, if its card has one."""
    crc = zlib.crc32(model_id.encode())
    return _PURPOSES[crc % len(_PURPOSES)] if crc % 3 == 0 else None


def render(record: dict[str, Any]) -> str:
    card = record.get("cardData") or {}
    model_id = record["id"]
    name = model_id.rpartition("/")[2]  # legacy repos such as "gpt2" have no namespace
    task = record.get("pipeline_tag")
    langs = card.get("language") or [t for t in record.get("tags", []) if len(t) == 2 and t.isalpha()]
    langs = [langs] if isinstance(langs, str) else langs
    parts = [f"{name} is a model that {_TASK_WORDS.get(task or '', 'was uploaded without a declared task')}."]
    size = _size_words(record)
    if size:
        parts.append(f"It has about {size} parameters.")
    if (sentence := purpose(model_id)) is not None:
        parts.append(sentence)
    if langs:
        parts.append(f"It works with {', '.join(langs)} text.")
    base = card.get("base_model")
    if base:
        parts.append(f"It is derived from {base if isinstance(base, str) else ' and '.join(base)}.")
    if card.get("license") == "other":
        parts.append(f"It is released under a custom license ({card.get('license_name', 'see LICENSE')}).")
    elif card.get("license"):
        parts.append(f"It is released under the {card['license']} license.")
    lib = record.get("library_name") or "transformers"
    body = [
        f"# {name}", "", " ".join(parts), "",
        "## Usage", "", "```python",
        f"# pip install {lib}", f'model_id = "{model_id}"', "```", "",
        "## Training data", "",
        ", ".join(card.get("datasets", [])) or "Not documented.", "",
        *_boilerplate(model_id, name),
    ]
    head = front_matter(card) if card else ""
    return head + "\n" + "\n".join(body)


def has_readme(record: dict[str, Any]) -> bool:
    """Whether the repo has a README at all. On the Hub a repo without one has no ``cardData``,
    and its README URL answers 404 (EntryNotFound); here seven in ten repos without cardData."""
    return bool(record.get("cardData")) or zlib.crc32(record["id"].encode()) % 10 >= 7


_SECTIONS = (
    ("Intended uses & limitations", "The model is provided as is. It was not evaluated for use in high-stakes "
     "settings, and its outputs can be wrong, biased or offensive. Review them before you rely on them, and "
     "do not use it to make decisions about people."),
    ("Training procedure", "Training ran on a single node with mixed precision. The learning rate was warmed up "
     "over the first steps and then decayed linearly; the batch size was chosen to fit the accelerator's "
     "memory. Checkpoints were saved every few thousand steps and the one with the lowest validation loss "
     "was kept."),
    ("Evaluation", "| metric | value |\n|---|---|\n| loss | see the training logs |\n| accuracy | see the "
     "model-index, when present |"),
    ("Environmental impact", "Carbon emissions were not measured. Hardware type, hours used and cloud region "
     "are not documented."),
)


_HYPERPARAMETERS = (
    ("learning_rate", "2e-05"), ("train_batch_size", "16"), ("eval_batch_size", "16"), ("seed", "42"),
    ("optimizer", "AdamW with betas=(0.9,0.999) and epsilon=1e-08"), ("lr_scheduler_type", "linear"),
    ("num_epochs", "3"), ("mixed_precision_training", "Native AMP"),
)


def _boilerplate(model_id: str, name: str) -> list[str]:
    """The sections most cards carry (real cards are a few kilobytes, mostly such text)."""
    crc = zlib.crc32(model_id.encode())
    lines = []
    for title, text in _SECTIONS[: 2 + crc % (len(_SECTIONS) - 1)]:
        lines += [f"## {title}", "", text, ""]
    lines += ["### Training hyperparameters", "", *(f"- {key}: {value}" for key, value in _HYPERPARAMETERS), ""]
    if crc % 20 == 0:  # a long tail of large cards: changelogs, evaluation tables
        lines += ["## Changelog", "", *(f"- v0.{k}: updated the weights and the evaluation table" for k in range(300)), ""]
    lines += ["## Citation", "", "```bibtex", f"@misc{{{name.lower().replace('-', '_')},",
              f"  title = {{{name}}},", f"  howpublished = {{\\url{{https://huggingface.co/{model_id}}}}},",
              "  note = {a model of hfhub's fake Hub; nothing here is real Hub data}", "}", "```", ""]
    return lines
