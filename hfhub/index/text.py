"""Terms of a text, for documents (vectorised over Arrow string arrays) and queries (one string).

A term is a *part* — a maximal run of ASCII letters and digits, lowered —, a *piece* of a part, or a
*compound*: parts joined by ``- _ . / :`` only ("bert-base-uncased", "text-classification",
"apache-2.0"), so an exact id or task name matches as a unit as well as word by word. Anything else
(spaces, other punctuation, every non-ASCII byte) separates terms.

Pieces make identifiers findable by their words: a part is cut where a lower-case letter is followed
by a capital ("LlamaForCausalLM" → llama, for, causal, lm), where a letter is followed by a digit
("llama3" → llama, 3; "qwen3" → qwen, 3) and where a digit is followed by a capitalised word
("Qwen3Moe" → qwen, 3, moe; "8B" stays whole). Single-letter pieces ("L6" → 6) are left out: they
say nothing. A part with no cut has no pieces; the part itself is always a term.

Terms are identified by a 64-bit polynomial hash of their bytes, never by a vocabulary of strings:
documents are tokenised and hashed with numpy over the raw UTF-8 buffer of an Arrow column (a Python
per-document tokeniser plus scikit-learn's CountVectorizer took ~140 s per 1M models, this takes
~10 s), and a query's terms are hashed by the same formula in plain Python. With a few million
distinct terms the chance of any collision is ~1e-7; a collision would merely merge two rare terms.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

import numpy as np
import pyarrow as pa

_P = np.uint64(0x100000001B3)  # odd, so it has an inverse modulo 2**64
_P_INV = np.uint64(pow(0x100000001B3, -1, 2**64))
_MASK = 2**64 - 1
_SEPARATORS = b"-_./:"

_LOWER = np.full(256, ord(" "), dtype=np.uint8)  # bytes -> lowered ASCII alnum, separators, or space
for _c in b"abcdefghijklmnopqrstuvwxyz0123456789" + _SEPARATORS:
    _LOWER[_c] = _c
for _c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZ":
    _LOWER[_c] = _c + 32
_IS_ALNUM = np.zeros(256, dtype=bool)
_IS_ALNUM[list(b"abcdefghijklmnopqrstuvwxyz0123456789")] = True
_IS_SEP = np.zeros(256, dtype=bool)
_IS_SEP[list(_SEPARATORS)] = True
_TABLE = bytes(_LOWER.tolist())
_TERM = re.compile(rb"[a-z0-9]+")
_COMPOUND = re.compile(rb"[a-z0-9]+(?:[-_./:]+[a-z0-9]+)+")


def _hash_bytes(term: bytes) -> int:
    h = 0
    power = 1
    for b in term:
        h = (h + b * power) & _MASK
        power = (power * int(_P)) & _MASK
    return h


def _cuts(raw: bytes, start: int, end: int) -> list[int]:
    """Where the part ``raw[start:end]`` (original case) is cut into pieces (see the module's doc)."""
    cuts = []
    for i in range(start + 1, end):
        here, before = raw[i], raw[i - 1]
        after = raw[i + 1] if i + 1 < end else 0
        if (
            (_is_upper(here) and _is_lower(before))
            or (_is_digit(here) and (_is_upper(before) or _is_lower(before)))
            or (_is_upper(here) and _is_digit(before) and _is_lower(after))
        ):
            cuts.append(i)
    return cuts


def _is_upper(b: int) -> bool:
    return 65 <= b <= 90


def _is_lower(b: int) -> bool:
    return 97 <= b <= 122


def _is_digit(b: int) -> bool:
    return 48 <= b <= 57


def _pieces(raw: bytes, lowered: bytes) -> list[bytes]:
    pieces = []
    for match in _TERM.finditer(lowered):
        cuts = _cuts(raw, match.start(), match.end())
        if not cuts:
            continue
        bounds = [match.start(), *cuts, match.end()]
        for s, e in pairwise(bounds):
            if e - s > 1 or _is_digit(lowered[s]):
                pieces.append(lowered[s:e])
    return pieces


def split_query(text: str) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """(parts, pieces, compounds) of one string, as ``query_terms`` lists them."""
    raw = text.encode("utf-8", "replace")
    lowered = raw.translate(_TABLE)
    return _TERM.findall(lowered), _pieces(raw, lowered), _COMPOUND.findall(lowered)


def term_hash(term: bytes) -> int:
    return _hash_bytes(term)


def query_terms(text: str) -> list[bytes]:
    """The terms of one string: parts, then pieces, then compounds."""
    raw = text.encode("utf-8", "replace")
    lowered = raw.translate(_TABLE)
    return _TERM.findall(lowered) + _pieces(raw, lowered) + _COMPOUND.findall(lowered)


def query_hashes(text: str) -> np.ndarray:
    return np.array([_hash_bytes(t) for t in query_terms(text)], dtype=np.uint64)


def _powers(base: np.uint64, n: int) -> np.ndarray:
    out = np.full(n, base, dtype=np.uint64)
    out[0] = 1
    return np.cumprod(out, dtype=np.uint64)  # wraps modulo 2**64, as intended


def document_terms(texts: pa.Array, rows_per_pass: int = 16_384) -> tuple[np.ndarray, np.ndarray]:
    """(row, term hash) for every term occurrence in a string array; nulls have no terms.

    Works through ``rows_per_pass`` rows at a time: a few MB of text per pass keeps the uint64
    work arrays in cache (one pass over 300 MB of text was 7x slower).
    """
    texts = texts.cast(pa.large_string()).fill_null("")
    all_rows, all_hashes = [], []
    for start in range(0, len(texts), rows_per_pass):
        rows, hashes = _terms(texts.slice(start, rows_per_pass))
        all_rows.append(rows + start)
        all_hashes.append(hashes)
    if not all_rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    return np.concatenate(all_rows), np.concatenate(all_hashes)


def _terms(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int64)[texts.offset : texts.offset + len(texts) + 1]
    data = np.frombuffer(texts.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    offsets = offsets - offsets[0]
    if not len(data):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    low = _LOWER[data]
    alnum = _IS_ALNUM[low]
    # A term never spans two documents: the byte before a document's first one counts as a space.
    prev = np.empty_like(alnum)
    prev[0], prev[1:] = False, alnum[:-1]
    prev[offsets[:-1][offsets[:-1] < len(alnum)]] = False
    nxt = np.empty_like(alnum)
    nxt[-1], nxt[:-1] = False, alnum[1:]
    nxt[offsets[1:][offsets[1:] > 0] - 1] = False
    starts = np.flatnonzero(alnum & ~prev)
    ends = np.flatnonzero(alnum & ~nxt) + 1
    rows = np.searchsorted(offsets, starts, side="right") - 1
    # Prefix sums of byte * P**pos: a span's hash is (S[end] - S[start]) * P**-start (mod 2**64).
    prefix = np.zeros(len(low) + 1, dtype=np.uint64)
    np.cumsum(low.astype(np.uint64) * _powers(_P, len(low)), dtype=np.uint64, out=prefix[1:])
    inv = _powers(_P_INV, len(low) + 1)
    parts = (prefix[ends] - prefix[starts]) * inv[starts]
    piece_starts, piece_ends = _pieces_of(data, alnum & prev, starts, ends)
    pieces = (prefix[piece_ends] - prefix[piece_starts]) * inv[piece_starts]
    piece_rows = np.searchsorted(offsets, piece_starts, side="right") - 1
    comp_rows, comp_hashes = _compounds(low, starts, ends, rows, prefix, inv)
    return np.concatenate([rows, piece_rows, comp_rows]), np.concatenate([parts, pieces, comp_hashes])


def _pieces_of(
    raw: np.ndarray, inside: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(start, end) of the pieces of every part that is cut (``inside``: a byte continuing a part)."""
    upper = (raw >= 65) & (raw <= 90)
    lower = (raw >= 97) & (raw <= 122)
    digit = (raw >= 48) & (raw <= 57)
    alpha = upper | lower
    before_alpha = np.concatenate([[False], alpha[:-1]])
    before_lower = np.concatenate([[False], lower[:-1]])
    before_digit = np.concatenate([[False], digit[:-1]])
    after_lower = np.concatenate([lower[1:], [False]])
    cut = inside & (
        (upper & before_lower) | (digit & before_alpha) | (upper & before_digit & after_lower)
    )
    cuts = np.flatnonzero(cut)
    if not len(cuts):
        return cuts, cuts
    part_of_cut = np.searchsorted(starts, cuts, side="right") - 1
    cut_parts = np.unique(part_of_cut)
    piece_starts = np.sort(np.concatenate([starts[cut_parts], cuts]))
    piece_ends = np.sort(np.concatenate([cuts, ends[cut_parts]]))
    keep = (piece_ends - piece_starts > 1) | digit[piece_starts]
    return piece_starts[keep], piece_ends[keep]


def _compounds(
    low: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    rows: np.ndarray,
    prefix: np.ndarray,
    inv: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Runs of ≥2 parts of one document separated only by separator bytes."""
    not_sep = np.concatenate([[0], np.cumsum(~_IS_SEP[low], dtype=np.int64)])
    joined = (rows[1:] == rows[:-1]) & (not_sep[starts[1:]] == not_sep[ends[:-1]])
    # Runs of joined neighbours: part i starts a run when it is not joined to part i-1.
    edge = np.diff(np.concatenate([[0], joined.astype(np.int8), [0]]))
    first = np.flatnonzero(edge == 1)  # part index where a run of joins begins
    last = np.flatnonzero(edge == -1)  # part index where it ends
    s, e = starts[first], ends[last]
    return rows[first], (prefix[e] - prefix[s]) * inv[s]


# Queries say "japanese sentiment classifier"; documents say "ja text-classification". These few
# expansions map everyday words onto the Hub's vocabulary (language codes, task names); the
# original word is kept too, so a card that does say "japanese" still matches it.
QUERY_SYNONYMS: dict[str, str] = {
    "english": "en",
    "chinese": "zh",
    "french": "fr",
    "german": "de",
    "spanish": "es",
    "japanese": "ja",
    "korean": "ko",
    "russian": "ru",
    "portuguese": "pt",
    "italian": "it",
    "arabic": "ar",
    "hindi": "hi",
    "vietnamese": "vi",
    "turkish": "tr",
    "polish": "pl",
    "dutch": "nl",
    "indonesian": "id",
    "swedish": "sv",
    "ukrainian": "uk",
    "persian": "fa",
    "thai": "th",
    "sentiment": "text-classification",
    "classifier": "classification",
    "classify": "classification",
    "embedding": "feature-extraction sentence-similarity",
    "embeddings": "feature-extraction sentence-similarity",
    "chat": "text-generation instruct conversational",
    "llm": "text-generation",
    "asr": "automatic-speech-recognition",
    "transcription": "automatic-speech-recognition",
    "ner": "token-classification",
    "diffusion": "text-to-image diffusers",
    "tts": "text-to-speech",
    "quantized": "gguf gptq awq quantized",
    "lora": "peft lora adapter",
    "mixture": "moe",
    "experts": "moe",
    "reasoning": "thinking",
    # verbs and nouns people type for the Hub's task names
    "translate": "translation",
    "translator": "translation",
    "summarize": "summarization",
    "summary": "summarization",
    "summaries": "summarization",
    "summarizer": "summarization",
    "transcribe": "automatic-speech-recognition",
    "detect": "detection",
    "detector": "detection",
    "segment": "segmentation",
    "caption": "image-to-text",
    "captioning": "image-to-text",
    "generate": "generation",
    "generator": "generation",
}


def expand_query(query: str) -> str:
    """The query plus the Hub's words for its everyday words (see ``QUERY_SYNONYMS``)."""
    words = [w.decode() for w in _TERM.findall(query.encode("utf-8", "replace").translate(_TABLE))]
    return " ".join([query, *(QUERY_SYNONYMS[w] for w in words if w in QUERY_SYNONYMS)])


def _words(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return " ".join(str(v) for v in value if v is not None)


def plain_words(values: Any) -> str:
    """The words of several values (strings, lists of strings, None), for a table other than the
    models' written without a search_text column."""
    return " ".join(filter(None, (_words(v) for v in values if isinstance(v, (str, list, tuple)))))


def fallback_search_text(row: dict[str, Any]) -> str:
    """A document for a row of a dataset written before the ``search_text`` column existed."""
    model_id = row.get("id") or ""
    fields = (
        model_id,
        re.sub(r"[-_./]", " ", model_id),
        row.get("pipeline_tag"),
        row.get("library_name"),
        row.get("architectures"),
        row.get("languages"),
        row.get("license"),
        row.get("tags"),
    )
    return " ".join(filter(None, (_words(f) for f in fields)))


def fallback_texts(rows: list[dict[str, Any]]) -> list[str]:
    return [fallback_search_text(row) for row in rows]
