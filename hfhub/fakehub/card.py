"""Render a model card (README.md): YAML front matter mirroring cardData, then prose."""

from __future__ import annotations

import zlib

import json
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
    name = model_id.split("/", 1)[1]
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
    ]
    head = front_matter(card) if card else ""
    return head + "\n" + "\n".join(body)
