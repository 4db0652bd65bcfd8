"""The analyzer: documents (vectorised over Arrow) and queries (plain Python) give the same terms."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hfhub.index.text import document_terms, expand_query, query_hashes, query_terms


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("bert-base-uncased", [b"bert", b"base", b"uncased", b"bert-base-uncased"]),
        ("Text-Classification, ja", [b"text", b"classification", b"ja", b"text-classification"]),
        ("It works. Done", [b"it", b"works", b"done"]),
        ("café 7.0B", [b"caf", b"7", b"0b", b"7.0b"]),
        ("--x--", [b"x"]),
        ("", []),
        # identifiers are cut into their words (pieces come after the parts)
        ("LlamaForCausalLM", [b"llamaforcausallm", b"llama", b"for", b"causal", b"lm"]),
        ("qwen3_moe", [b"qwen3", b"moe", b"qwen", b"3", b"qwen3_moe"]),
        ("Qwen3MoeForCausalLM", [b"qwen3moeforcausallm", b"qwen", b"3", b"moe", b"for", b"causal", b"lm"]),
        ("Llama-3.1-8B-Instruct", [b"llama", b"3", b"1", b"8b", b"instruct", b"llama-3.1-8b-instruct"]),
        ("all-MiniLM-L6-v2", [b"all", b"minilm", b"l6", b"v2", b"mini", b"lm", b"6", b"2", b"all-minilm-l6-v2"]),
    ],
)
def test_query_terms(text: str, terms: list[bytes]) -> None:
    assert query_terms(text) == terms


def _per_row(texts: list[str | None]) -> list[list[int]]:
    rows, hashes = document_terms(pa.array(texts, type=pa.string()), rows_per_pass=3)
    return [sorted(hashes[rows == i].tolist()) for i in range(len(texts))]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.text(alphabet=st.sampled_from("aZ09-_./: ,éß\n")), st.text()), max_size=8
    )
)
def test_documents_and_queries_agree(texts: list[str | None]) -> None:
    assert _per_row(texts) == [sorted(query_hashes(t or "").tolist()) for t in texts]


def test_terms_never_span_documents() -> None:
    assert _per_row(["ab", "cd"]) == [
        sorted(query_hashes("ab").tolist()),
        sorted(query_hashes("cd").tolist()),
    ]


def test_sliced_arrays() -> None:
    array = pa.array(["zero", "one two", "three"]).slice(1)
    rows, hashes = document_terms(array)
    assert rows.tolist() == [0, 0, 1]
    assert np.array_equal(np.sort(hashes[:2]), np.sort(query_hashes("one two")))


def test_expand_query_keeps_words_and_adds_hub_vocabulary() -> None:
    expanded = expand_query("Japanese sentiment classifier")
    assert expanded.startswith("Japanese sentiment classifier")
    assert {"ja", "text-classification", "classification"} <= set(expanded.split())
