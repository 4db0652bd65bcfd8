"""Which models' ``config.json`` a crawl with ``-a configs=1`` asks for (a pure check, light enough
for the page processes: ``hfhub.crawl.pagework``).

A config is asked for when the listing record says the repo has a transformers-style one: the
API's ``config`` summary names a ``model_type`` or ``architectures`` (the Hub makes that summary
from the repo's config.json), unless the record lists the repo's files (``siblings``) and
``config.json`` is not among them. Diffusers pipelines, adapters, GGUF repos and libraries without
a config.json (whose ``config`` is empty, or only ``diffusers``/``peft``) are not asked for: their
config says nothing of a language model's attention.
"""

from __future__ import annotations

from typing import Any

CONFIG_FILE = "config.json"


def wants_config(model_type: Any, architectures: Any, files: Any) -> bool:
    if not model_type and not architectures:
        return False
    return not isinstance(files, list) or CONFIG_FILE in files
