"""What the index reads of a row of a table: its document (the text lexical matching and the
embedding see) and how complete its record is.

A model's document is its ``search_text`` (written by the crawl: id words, task, library, languages
and their names, license, tags, dataset names, size words) plus, in their original spelling, the
fields whose identifiers the analyzer cuts into words or keeps whole (``hfhub.index.text``): the id
and its name without the owner (``bert-base-uncased``, a compound of its own), the task and
library (``text-classification``), the architectures (``LlamaForCausalLM``), the model type
(``qwen3_moe``), llama.cpp's architecture of a GGUF repo, the base models; and the words
"moe mixture-of-experts" when the record shows it is one (``moe_evidence``). The name's words thus
count more than once: the name is the best evidence of what a model is.

Completeness is the share of the facts a user looks for that a record states (``COMPLETENESS_FIELDS``):
a model record the Hub returned with nothing but an id scores 0, one with a task, library, license,
tags, languages, downloads and a size scores 1. It is derived here (the index's ``completeness``).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Columns joined, in their original spelling, to a row's search_text, by kind of table.
DOCUMENT_COLUMNS = {
    "models": (
        "id", "name", "pipeline_tag", "library_name", "architectures", "model_type", "gguf_architecture", "base_models",
        "moe_evidence",
    ),
    "datasets": ("id", "name", "task_categories"),
    "spaces": ("id", "name"),
}
MOE_WORDS = "moe mixture-of-experts"
# Columns said twice: what a model is built as weighs more than a word of its license or tags
# ("llama gguf" means llama.cpp's llama architecture before a Llama licence).
BOOSTS = {"architectures": 2, "model_type": 2, "gguf_architecture": 2}
COMPLETENESS_FIELDS = {
    "models": ("pipeline_tag", "library_name", "license", "tags", "languages", "downloads", "est_parameters"),
    "datasets": ("task_categories", "license", "languages", "downloads", "size_category", "pretty_name"),
    "spaces": ("sdk", "title", "short_description", "license", "likes", "models"),
}


def _as_text(column: pa.Array) -> pa.Array:
    """A string or list-of-strings column as one string per row ("" for null)."""
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        column = pc.binary_join(column, " ")
    return pc.fill_null(column.cast(pa.string()), "")


def _join(arrays: list[pa.Array]) -> pa.Array:
    return pc.binary_join_element_wise(*arrays, " ") if len(arrays) > 1 else arrays[0]


def document(batch: pa.RecordBatch, text: pa.Array, kind: str = "models") -> pa.Array:
    """``text`` (the row's search_text, or the fallback made of its columns) plus the kind's
    ``DOCUMENT_COLUMNS`` the batch has; ``moe_evidence`` adds ``MOE_WORDS`` where it is set."""
    names = batch.schema.names
    parts = [pc.fill_null(text.cast(pa.string()), "")]
    for name in DOCUMENT_COLUMNS[kind]:
        if name not in names:
            continue
        if name == "moe_evidence":
            parts.append(pc.if_else(batch.column(name).is_valid(), MOE_WORDS, ""))
        else:
            parts += [_as_text(batch.column(name))] * BOOSTS.get(name, 1)
    return _join(parts)


def completeness(batch: pa.RecordBatch, fields: tuple[str, ...]) -> pa.Array:
    """The share (0..1, float32) of ``fields`` a row states (an empty list states nothing)."""
    present = np.zeros(batch.num_rows, dtype=np.float32)
    for name in fields:
        if name not in batch.schema.names:
            continue
        column = batch.column(name)
        if pa.types.is_list(column.type):
            stated = pc.fill_null(pc.greater(pc.list_value_length(column), 0), False)
        else:
            stated = column.is_valid()
        present += stated.to_numpy(zero_copy_only=False)
    return pa.array(present / len(fields), pa.float32())
