"""Why a result matched: the query's terms found in each field of the row ("matched on").

The fields are read from the index's own table (``FIELDS``) with the query's analyzer
(``hfhub.index.text.query_terms``); a query term the row's document holds that no field explains
came from the rest of the document — the words of its card, description, size or language names —
and is reported as ``text``. Only rows shown are explained (k rows, a few fields each).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from hfhub.index.text import query_terms

# Per kind of index: (label, column), in the order they are reported ("name": the id without its owner).
FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "models": (
        ("name", "id"),
        ("name", "name"),
        ("task", "pipeline_tag"),
        ("library", "library_name"),
        ("architecture", "architectures"),
        ("architecture", "model_type"),
        ("architecture", "gguf_architecture"),
        ("base model", "base_models"),
        ("dataset", "datasets"),
        ("language", "languages"),
        ("license", "license"),
        ("tag", "tags"),
    ),
    "datasets": (
        ("name", "id"),
        ("name", "name"),
        ("title", "pretty_name"),
        ("task", "task_categories"),
        ("language", "languages"),
        ("license", "license"),
        ("tag", "tags"),
    ),
    "spaces": (
        ("name", "id"),
        ("name", "name"),
        ("title", "title"),
        ("description", "short_description"),
        ("sdk", "sdk"),
        ("model", "models"),
        ("dataset", "datasets"),
        ("license", "license"),
        ("tag", "tags"),
    ),
}
OTHER = "text"


def _values(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)):
        return (v for v in value if isinstance(v, str))
    return ()


def matched_on(
    row: Mapping[str, Any],
    wanted: Mapping[bytes, float],
    in_document: set[bytes],
    kind: str,
    pieces: frozenset[bytes] = frozenset(),
) -> list[str]:
    """``["name: llama, instruct", "task: text-generation", "text: chat"]`` for a row.

    ``wanted``: the query's terms (typed and derived) and weights; ``in_document``: those of them
    the row's indexed document holds; ``pieces``: the query's terms that are pieces of a typed
    identifier ("wav" of "wav2vec2"), shown for a field only when nothing else of it matched.
    """
    found: dict[str, set[bytes]] = {}
    for label, column in FIELDS[kind]:
        value = (row.get("id") or "").rpartition("/")[2] if column == "name" else row.get(column)
        terms = {t for text in _values(value) for t in _terms(text) if t in wanted}
        if terms:
            found.setdefault(label, set()).update(terms)
    explained = set().union(*found.values()) if found else set()
    rest = {t for t in in_document if t not in explained}
    if rest:
        found[OTHER] = rest
    shown = {label: (terms - pieces) or terms for label, terms in found.items()}
    return [f"{label}: {', '.join(t.decode() for t in _reported(terms, wanted))}" for label, terms in shown.items()]


@lru_cache(maxsize=1 << 16)
def _terms(text: str) -> frozenset[bytes]:
    """The terms of a field value (cached: tasks, libraries, licences and tags repeat across results)."""
    return frozenset(query_terms(text))


def _reported(terms: set[bytes], wanted: Mapping[bytes, float]) -> list[bytes]:
    """The terms to show, heaviest first: a term that is a part or piece of another matched term
    ("generation" of "text-generation", "wav" of "wav2vec2") is left out."""
    kept = [t for t in terms if not any(t != other and t in _terms_of(other) for other in terms)]
    return sorted(kept, key=lambda t: (-wanted[t], t))


def _terms_of(term: bytes) -> frozenset[bytes]:
    return _terms(term.decode())
