"""A deterministic, lazily generated corpus of fake Hub models.

Scalar sort and filter keys live in numpy columns (``columns.generate``); the full record
of model ``i`` is built on demand from those columns plus a per-record RNG seeded from
``(seed, i)`` (``records.build``). Mutations are small overrides on top: a liveness mask,
bumped columns and a revision counter per touched model.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from hfhub.fakehub import columns, rand, vocab

if TYPE_CHECKING:
    from hfhub.fakehub.timeline import Timeline

_SUFFIX_STREAM = 40
N_AUTHORS = 300_000
# Sizes that names round to ("-7B", "-135M"): names carry the nominal size, not the count.
_NOMINAL = np.array([0.135, 0.36, 0.5, 1, 1.5, 2, 3, 4, 7, 8, 9, 12, 14, 20, 27, 32, 34, 70, 72,
                     110, 235, 405]) * 1e9
_QUAL_CANON = np.array([vocab.NAME_QUALIFIERS.index(q) for q in vocab.NAME_QUALIFIERS], dtype=np.int64)


class Corpus:
    """``Corpus(models, seed)``: N fake models; record ``i`` depends on ``(seed, i)`` only.

    The datasets and Spaces of ``fakehub.repocorpus`` are subclasses: they share the columns, the
    keyset listing and the mutations, and name and build their records their own way."""

    kind = "models"

    def __init__(self, models: int, seed: int = 1) -> None:
        if models < 0:
            raise ValueError(f"{self.kind} must be >= 0, got {models}")
        self.hub_seed = seed  # the fake Hub's seed (the same for its three corpora)
        self.seed = self._kind_seed(seed)
        # A fixed owner pool (not scaled with N) keeps record i independent of N.
        self.n_authors = N_AUTHORS
        self.lock = threading.RLock()
        self.revisions: dict[int, int] = {}
        self.version = 0  # bumped by every mutation
        self.cols: dict[str, np.ndarray] = {}
        self.alive = np.zeros(0, dtype=bool)
        self._author_lookup: dict[str, int] | None = None
        self._oid_salt = rand.bits_int(seed, 60, 0) & 0xFFFFFFFFFF
        self._pools: dict[int, list[int]] = {}
        self.initial_size = models
        # Simulated time (``advance``): days advanced, the start of the next day, the per-repo state.
        self.day = 0
        self.clock_ms = columns.EPOCH_END_MS
        self.timeline: Timeline | None = None
        self._grow(models)

    # -- size and ids -------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.alive.sum())

    @property
    def size(self) -> int:
        """Number of indices ever allocated (deleted ones included)."""
        return len(self.alive)

    @staticmethod
    def _kind_seed(seed: int) -> int:
        """The seed this kind's draws use: the Hub's own for models, one derived from it per kind."""
        return seed

    def model_ids(self) -> Iterator[str]:
        """Ids of the live models, in index order."""
        for i in np.flatnonzero(self.alive):
            yield self.model_id(int(i))

    def author_name(self, a: int) -> str:
        orgs = vocab.BIG_ORGS
        if a < len(orgs):
            return orgs[a]
        k = a - len(orgs)
        heads, tails = vocab.USER_HEADS, vocab.USER_TAILS
        name = heads[k % len(heads)] + tails[(k // len(heads)) % len(tails)]
        rounds = k // (len(heads) * len(tails))
        return f"{name}{rounds}" if rounds else name

    def author_index(self, name: str) -> int | None:
        """Inverse of ``author_name`` (exact, case-sensitive, like the Hub's ``author``)."""
        if self._author_lookup is None:
            self._author_lookup = {self.author_name(a): a for a in range(self.n_authors)}
        return self._author_lookup.get(name)

    def model_id(self, i: int) -> str:
        c = self.cols
        return f"{self.author_name(int(c['author'][i]))}/{self.model_name(i)}"

    def model_name(self, i: int) -> str:
        c = self.cols
        name = (
            vocab.STEMS[c["stem"][i]]
            + vocab.VERSIONS[c["version"][i]]
            + _size_tag(int(c["size_code"][i]))
            + vocab.NAME_QUALIFIERS[c["qualifier"][i]]
            + vocab.NAME_SUFFIXES[c["suffix"][i]]
        )
        dup = int(c["dup"][i])
        return f"{name}_v{dup + 1}" if dup else name

    def index_of(self, model_id: str) -> int | None:
        """Index of a live model by id, or None (a scan over the model's author)."""
        author, _, _ = model_id.partition("/")
        a = self.author_index(author)
        if a is None:
            return None
        for i in np.flatnonzero((self.cols["author"] == a) & self.alive):
            if self.model_id(int(i)) == model_id:
                return int(i)
        return None

    def base_pool(self, profile: int) -> list[int]:
        """Older, underived repos of one kind that derived repos name as their base."""
        if profile not in self._pools:
            c = self.cols
            lim = min(self.size, 4000)
            sel = (c["profile"][:lim] == profile) & (c["relation"][:lim] == 0)
            self._pools[profile] = [int(j) for j in np.flatnonzero(sel)]
        return self._pools[profile]

    def shas(self, indices: np.ndarray) -> list[str]:
        """``sha`` for many models at once (vectorised for untouched ones)."""
        words = [rand.bits(self.seed, 50, indices + (k << 40)).tolist() for k in range(3)]
        out = [f"{a:016x}{b:016x}{c:016x}"[:40] for a, b, c in zip(*words)]
        for n, i in enumerate(indices.tolist()):
            if i in self.revisions:
                out[n] = self.sha(i)
        return out

    def sha(self, i: int, rev: int | None = None) -> str:
        """The commit of repo ``i`` at its revision ``rev`` (0: the first; None: the current one)."""
        rev = self.revisions.get(i, 0) if rev is None else rev
        words = (rand.bits_int(self.seed, 50 + rev, i + (k << 40)) for k in range(3))
        return "".join(f"{w:016x}" for w in words)[:40]

    def has_revision(self, i: int, sha: str) -> bool:
        """Whether ``sha`` is a commit repo ``i`` has had (the current one or an earlier one)."""
        return any(self.sha(i, rev) == sha for rev in range(self.revisions.get(i, 0) + 1))

    def has_readme(self, record: dict[str, Any]) -> bool:
        from hfhub.fakehub.card import has_readme  # noqa: PLC0415 (card text only when asked for)

        return has_readme(record)

    def readme(self, record: dict[str, Any]) -> str:
        from hfhub.fakehub.card import render  # noqa: PLC0415 (card text only when asked for)

        return render(record)

    def tag_mask(self, tag: str) -> np.ndarray | None:
        """A ``filter`` tag's mask straight from the columns, or None (the lister scans records)."""
        return None

    def tiebreak_keys(self) -> np.ndarray:
        """``query.object_id_order`` of every model's ``object_id``, vectorised."""
        return (self.cols["created_ms"] // 1000) * (1 << 24) + np.arange(self.size, dtype=np.int64)

    def object_id(self, i: int) -> str:
        """A Mongo-like ObjectId whose first 4 bytes are createdAt, as on the Hub."""
        ts = int(self.cols["created_ms"][i]) // 1000
        return f"{ts:08x}{self._oid_salt:010x}{i & 0xFFFFFF:06x}"

    def record(self, i: int) -> dict[str, Any]:
        """The full record of model ``i`` (every property the fake knows)."""
        return self.records([i])[0]

    def records(self, indices: list[int]) -> list[dict[str, Any]]:
        from hfhub.fakehub import records

        return records.build_many(self, indices)

    # -- mutations ----------------------------------------------------------------
    def touch(self, i: int, now_ms: int | None = None) -> None:
        """A new commit: lastModified moves to now, the sha changes, and the counts every listing
        order but ``createdAt`` sorts by move: downloads, likes and the trending score.

        The Hub's ``downloads`` is a rolling 30-day count and its trending score a recent-activity
        score, so both move both ways; likes are given and taken back. Each moves up on odd
        revisions plus index (plus a per-count offset), down on the others. A model moving up a
        listing past its cursor is never listed in that pass; one moving down is listed twice, as
        on the real Hub."""
        with self.lock:
            c = self.cols
            now = int(time.time() * 1000) if now_ms is None else now_ms
            c["modified_ms"][i] = max(now // 1000 * 1000, int(c["modified_ms"][i]) + 1000)
            rev = self.revisions[i] = self.revisions.get(i, 0) + 1
            for offset, (column, scale) in enumerate((("downloads", 10), ("likes", 20), ("trending", 5))):
                bump = 1 + int(c[column][i]) // scale + rev
                if (i + rev + offset) % 2:
                    c[column][i] += bump
                    if column == "downloads":
                        c["downloads_all"][i] += bump
                else:
                    c[column][i] = max(0, int(c[column][i]) - bump)
            self.version += 1

    def delete(self, i: int) -> None:
        with self.lock:
            self.alive[i] = False
            self.version += 1

    def add(self, k: int, now_ms: int | None = None) -> list[int]:
        """Append ``k`` new models created now; returns their indices."""
        with self.lock:
            start = self.size
            self._grow(k)
            now = (int(time.time() * 1000) if now_ms is None else now_ms) // 1000 * 1000
            new = np.arange(start, self.size)
            self.cols["created_ms"][new] = now
            self.cols["modified_ms"][new] = now
            self.version += 1
            return [int(i) for i in new]

    def advance(self, days: int = 1) -> dict[str, Any]:
        """Move ``days`` days on: counts, commits, new and deleted repos (``fakehub.timeline``); what
        changed (``day``, ``now``, ``touched``, ``changed``, ``added``, ``deleted``, their ids, ``live``)."""
        from hfhub.fakehub import timeline  # noqa: PLC0415 (only a corpus that advances needs it)

        return timeline.advance(self, days)

    def apply(self, touch: Iterable[int] = (), delete: Iterable[int] = (), add: int = 0) -> list[int]:
        with self.lock:
            for i in touch:
                self.touch(i)
            for i in delete:
                self.delete(i)
            return self.add(add) if add else []

    # -- generation ---------------------------------------------------------------
    def _grow(self, k: int) -> None:
        start = self.size
        idx = np.arange(start, start + k, dtype=np.int64)
        new = self._columns(idx)
        for key, arr in new.items():
            self.cols[key] = np.concatenate([self.cols[key], arr]) if key in self.cols else arr
        self.alive = np.concatenate([self.alive, np.ones(k, dtype=bool)])
        self._pools.clear()
        self.cols["dup"] = _dup_ranks(self._name_keys())

    def _columns(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        new = columns.generate(self.seed, idx, self.n_authors)
        new.update(self._naming(idx, new))
        return new

    def _naming(self, idx: np.ndarray, c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        llm = np.array([p.llm for p in vocab.PROFILES])[c["profile"]]
        params = c["params"]
        nominal = _NOMINAL[np.abs(np.log(params[:, None] / _NOMINAL[None, :])).argmin(axis=1)]
        size_code = np.where(nominal >= 1e9, 1_000_000 + np.round(nominal / 1e8), np.round(nominal / 1e6))
        size_code = np.where(llm, size_code, -1).astype(np.int64)
        lib = c["library"]
        lib_is = lambda name: lib == vocab.LIBRARIES.index(name)  # noqa: E731
        quant = (rand.uniform(self.seed, _SUFFIX_STREAM, idx) * len(vocab.QUANT_METHODS)).astype(np.int8)
        quantized = c["relation"] == 2
        suffix = np.zeros(len(idx), dtype=np.int8)
        suffix = np.where(quantized & lib_is("transformers"), 2 + quant, suffix)
        suffix = np.where(quantized & lib_is("gguf"), 1, suffix)
        suffix = np.where(quantized & lib_is("mlx"), 7, suffix)
        suffix = np.where(c["relation"] == 3, 8, suffix)
        quant = np.where(quantized & lib_is("transformers"), quant, -1).astype(np.int8)
        return {"size_code": size_code, "suffix": suffix.astype(np.int8), "quant": quant}

    def _name_keys(self) -> np.ndarray:
        c = self.cols
        key = c["author"].astype(np.int64)
        for col, n in (("stem", len(vocab.STEMS)), ("version", len(vocab.VERSIONS))):
            key = key * n + c[col]
        key = key * 4_000_000 + (c["size_code"] + 1)
        key = key * len(vocab.NAME_QUALIFIERS) + _QUAL_CANON[c["qualifier"]]
        return key * len(vocab.NAME_SUFFIXES) + c["suffix"]


def _size_tag(code: int) -> str:
    if code < 0:
        return ""
    if code >= 1_000_000:
        tenths = code - 1_000_000
        return f"-{tenths // 10}B" if tenths % 10 == 0 else f"-{tenths / 10:.1f}B"
    return f"-{code}M"


def _dup_ranks(keys: np.ndarray) -> np.ndarray:
    """0 for the first (lowest index) model with a given name key, 1 for the next, ..."""
    order = np.lexsort((np.arange(len(keys)), keys))
    sorted_keys = keys[order]
    starts = np.ones(len(keys), dtype=bool)
    starts[1:] = sorted_keys[1:] != sorted_keys[:-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(len(keys)), 0))
    ranks = np.empty(len(keys), dtype=np.int32)
    ranks[order] = np.arange(len(keys)) - first
    return ranks
