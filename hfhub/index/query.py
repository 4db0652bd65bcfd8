"""A query, planned against an index's vocabulary: groups of alternative terms, and their weights.

A query is a list of *groups*; a document's lexical score is

    lexical = Σ_g W_g × max_{m ∈ g} (w_m × bm25(d, m)) / Σ_g W_g          (in [0, 1])

with ``bm25(d, m)`` the BM25 term weight of member term ``m`` in document ``d`` (saturated term
frequency with length normalisation, in [0, 1): ``hfhub.index.vectors.bm25_of``). The groups:

- each word typed (English function words left out, ``STOP_WORDS``): the word itself (w = 1) or,
  as alternatives, the Hub words of its synonym (``hfhub.index.text.QUERY_SYNONYMS``: "japanese"
  → ``ja``, "sentiment" → ``text-classification``; w = 0.8). A word and its Hub name are one
  group, so a word the Hub never uses ("classifier") is met by its Hub name; and the Hub words
  are a half-weight group of their own (the Hub's vocabulary — a task, a language code — says
  more than free text);
- each piece of a typed identifier ("llama3" → llama, 3) and each typed compound
  ("bert-base-uncased"): half-weight groups (``DERIVED_FACTOR``);
- each run of 2–4 typed words that the index knows as one identifier ("fill mask" →
  ``fill-mask``, "text to speech" → ``text-to-speech``): a full group (``PHRASE_FACTOR``).

``W_g`` is the group's factor times the idf of its typed word (of its best-known member when the
word itself is unknown; of a term seen once when no member is known: a word nothing matches still
counts in the denominator, it is part of what was asked).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hfhub.index.text import QUERY_SYNONYMS, split_query, term_hash

STOP_WORDS = frozenset(
    b"a an and are as at be by for from in into is it of on or the to with without".split()
)
SYNONYM_WEIGHT = 0.8
DERIVED_FACTOR = 0.5
PHRASE_FACTOR = 1.0
LONGEST_PHRASE = 4


@dataclass
class Group:
    head: bytes
    factor: float
    members: list[tuple[bytes, float]]  # (term, weight w_m)
    phrase: bool = False  # kept only when the index knows it


@dataclass
class Plan:
    """A query against one index: the distinct known terms (``cols``), each term's weight in each
    group (``weights``: cols × groups), and the groups' normalised weights (``group_weights``)."""

    cols: np.ndarray  # int64, distinct
    weights: np.ndarray  # float32, (len(cols), groups)
    group_weights: np.ndarray  # float32, sums to 1 (over every group, matched or not)
    terms: dict[int, bytes] = field(default_factory=dict)  # col -> term
    term_weights: dict[bytes, float] = field(default_factory=dict)  # term -> its heaviest w_m × factor
    pieces: frozenset[bytes] = frozenset()

    def column_weights(self) -> np.ndarray:
        """One weight per col (its heaviest group share): what candidate generation sums."""
        if not len(self.cols):
            return np.zeros(0, dtype=np.float32)
        return (self.weights * self.group_weights[None, :]).max(axis=1).astype(np.float32)

    def score(self, owner: np.ndarray, slot: np.ndarray, bm25: np.ndarray, n_rows: int) -> np.ndarray:
        """Lexical scores of ``n_rows`` rows from their matched entries: entry i is row ``owner[i]``'s
        BM25 weight ``bm25[i]`` for the plan's term ``cols[slot[i]]``."""
        best = np.zeros((n_rows, self.weights.shape[1]), dtype=np.float32)
        np.maximum.at(best, owner, bm25[:, None] * self.weights[slot])
        return np.minimum(best @ self.group_weights, 1.0)


def groups_of(query: str) -> tuple[list[Group], frozenset[bytes]]:
    """The groups of a query (before the index is consulted) and the pieces of typed identifiers."""
    parts, pieces, compounds = split_query(query)
    typed = [p for p in parts if p not in STOP_WORDS] or parts
    groups = []
    for word in dict.fromkeys(typed):
        members = [(word, 1.0)]
        synonym = QUERY_SYNONYMS.get(word.decode())
        if synonym:
            hub_words = _tokens(synonym)
            members += [(t, SYNONYM_WEIGHT) for t in hub_words]
            # the Hub's own word (a task, a language code) says more than free text: a bonus
            groups.append(Group(hub_words[0], DERIVED_FACTOR, [(t, 1.0) for t in hub_words]))
        groups.append(Group(word, 1.0, members))
    seen = set(typed)
    for term in dict.fromkeys(pieces + compounds):
        if term not in seen:
            groups.append(Group(term, DERIVED_FACTOR, [(term, 1.0)]))
    for phrase in _phrases(parts):
        groups.append(Group(phrase, PHRASE_FACTOR, [(phrase, 1.0)], phrase=True))
    return groups, frozenset(pieces) - frozenset(typed)


def _tokens(synonym: str) -> list[bytes]:
    """A synonym's whitespace-separated words, each as one term (a compound stays whole)."""
    out = []
    for word in synonym.split():
        parts, _, compounds = split_query(word)
        out.append(compounds[0] if compounds else parts[0])
    return out


def _phrases(parts: list[bytes]) -> list[bytes]:
    """Hyphen-joined runs of 2..LONGEST_PHRASE consecutive words (which the index may know)."""
    return [
        b"-".join(parts[i : i + n])
        for n in range(2, LONGEST_PHRASE + 1)
        for i in range(len(parts) - n + 1)
    ]


def plan(query: str, term_hashes: np.ndarray, idf: np.ndarray, n_docs: int) -> Plan:
    groups, pieces = groups_of(query)
    unseen_idf = float(np.log1p((n_docs + 0.5) / 1.5))

    def column(term: bytes) -> int | None:
        if not len(term_hashes):
            return None
        h = np.uint64(term_hash(term))
        pos = int(np.searchsorted(term_hashes, h))
        return pos if pos < len(term_hashes) and term_hashes[pos] == h else None

    kept: list[tuple[Group, list[tuple[int, float]], float]] = []
    for group in groups:
        known = [(col, w) for term, w in group.members if (col := column(term)) is not None]
        if group.phrase and not known:
            continue  # a run of words that is no identifier of the index: not a phrase
        head = column(group.head)
        group_idf = float(idf[head]) if head is not None else max((float(idf[c]) for c, _ in known), default=unseen_idf)
        kept.append((group, known, group.factor * group_idf))
    cols = sorted({col for _, known, _ in kept for col, _ in known})
    slot = {col: i for i, col in enumerate(cols)}
    weights = np.zeros((len(cols), len(kept)), dtype=np.float32)
    term_weights: dict[bytes, float] = {}
    terms: dict[int, bytes] = {}
    for g, (group, _, _) in enumerate(kept):
        for (term, w), col in ((m, column(m[0])) for m in group.members):
            if col is None:
                continue
            weights[slot[col], g] = max(weights[slot[col], g], w)
            terms[col] = term
            term_weights[term] = max(term_weights.get(term, 0.0), w * group.factor)
    group_weights = np.array([w for _, _, w in kept], dtype=np.float32)
    total = float(group_weights.sum())
    group_weights = group_weights / total if total > 0 else group_weights
    return Plan(np.array(cols, dtype=np.int64), weights, group_weights, terms, term_weights, pieces)
