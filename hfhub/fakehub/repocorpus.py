"""Corpora of fake datasets and Spaces: ``DatasetCorpus(n, seed)``, ``SpaceCorpus(n, seed)``.

Subclasses of ``corpus.Corpus``: the same numpy columns (author, dates, counts), keyset listing,
mutations and lazily built records, with their own names, columns and records. Each kind draws from
its own seed, derived from the Hub's (``_kind_seed``), so record ``i`` of a kind depends on
``(seed, kind, i)`` only, as a model's depends on ``(seed, i)``.

The repos other repos name exist where that is practical:
- the first Spaces are the ones models name in their ``spaces`` property (``records._space_pool``),
  and the first datasets those models name in their ``dataset:`` tags (``vocab.DATASETS``, some of
  them legacy ids without a namespace, owned by organisations outside the author pool);
- a Space's ``models`` and ``datasets`` are drawn from the first ``REFERENCED`` repos of the other
  corpora (their ids do not depend on the corpus size), so they exist when the fake Hub holds that
  many, plus a few ids that never existed (a former name), as on the real Hub.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from hfhub.fakehub import columns, rand, vocab
from hfhub.fakehub import repovocab as rv
from hfhub.fakehub.corpus import N_AUTHORS, Corpus
from hfhub.fakehub.records import _space_pool

REFERENCED = 2000  # repos of the other corpora a Space may name
_TOPIC_TASK = [t.task for t in rv.TOPICS]
_TOPIC_MODALITY = [t.modality for t in rv.TOPICS]
_SUFFIX_WEIGHTS = [4.0 if s == "" else 1.0 for s in rv.DATASET_SUFFIXES]
_KIND_WEIGHTS = [4.0 if s == "" else 1.0 for s in rv.SPACE_KINDS]


class _FixedIds(Corpus):
    """A corpus whose first indices carry given ids (repos that other records name), some owned by
    organisations outside the generated author pool, some legacy ids without a namespace."""

    def _fixed_ids(self) -> tuple[str, ...]:
        return ()

    def _setup_fixed(self) -> None:
        if hasattr(self, "_fixed"):
            return
        self._fixed: tuple[str, ...] = self._fixed_ids()
        owners = [f.partition("/")[0] for f in self._fixed if "/" in f]
        self._extra_authors = tuple(dict.fromkeys(o for o in owners if Corpus.author_index(self, o) is None))
        self._fixed_index: dict[str, int] = {}

    def author_name(self, a: int) -> str:
        if a < 0:
            return ""
        if a >= N_AUTHORS:
            return self._extra_authors[a - N_AUTHORS]
        return super().author_name(a)

    def author_index(self, name: str) -> int | None:
        self._setup_fixed()
        if name in self._extra_authors:
            return N_AUTHORS + self._extra_authors.index(name)
        return super().author_index(name)

    def model_id(self, i: int) -> str:
        if i < len(self._fixed):
            return self._fixed[i]
        return super().model_id(i)

    def index_of(self, model_id: str) -> int | None:
        i = self._fixed_index.get(model_id)
        if i is not None:
            return i if self.alive[i] else None
        return super().index_of(model_id) if "/" in model_id else None

    def _columns(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        self._setup_fixed()
        new = self._kind_columns(idx)
        for n, i in enumerate(idx.tolist()):
            if i >= len(self._fixed):
                break
            owner, slash, _ = self._fixed[i].partition("/")
            a = self.author_index(owner) if slash else None
            new["author"][n] = -1 if a is None else a
            self._fixed_index[self._fixed[i]] = i
        return new

    def _kind_columns(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def _name_key_parts(self) -> list[tuple[str, tuple[str, ...]]]:
        """(column, the words its values index) of the parts of a generated name."""
        raise NotImplementedError

    def _name_keys(self) -> np.ndarray:
        c = self.cols
        key = c["author"].astype(np.int64) + 1
        for col, words in self._name_key_parts():
            # equal words (a list may repeat one to weight it) make equal names: key them alike
            canon = np.array([words.index(w) for w in words], dtype=np.int64)
            key = key * len(words) + canon[c[col]]
        fixed = np.arange(self.size) < len(self._fixed)
        return np.where(fixed, -1 - np.arange(self.size), key)  # fixed ids never clash with generated ones


def _common_columns(seed: int, idx: np.ndarray, n_authors: int) -> dict[str, np.ndarray]:
    u = lambda stream: rand.uniform(seed, stream, idx)  # noqa: E731
    cols: dict[str, np.ndarray] = {"author": columns._authors(u(3), u(4), u(5), n_authors)}
    cols.update(columns._times(u(7), u(8), u(9)))
    cols.update(columns._popularity(seed, idx, cols["created_ms"]))
    return cols


class DatasetCorpus(_FixedIds):
    """``DatasetCorpus(datasets, seed)``: fake datasets, ``/api/datasets``."""

    kind = "datasets"

    @staticmethod
    def _kind_seed(seed: int) -> int:
        return rand.bits_int(seed, 7001, 1)

    def _fixed_ids(self) -> tuple[str, ...]:
        return vocab.DATASETS

    def _kind_columns(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        u = lambda stream: rand.uniform(self.seed, stream, idx)  # noqa: E731
        cols = _common_columns(self.seed, idx, self.n_authors)
        cols["stem"] = (u(20) * len(rv.DATASET_STEMS)).astype(np.int16)
        topic = (u(21) * len(rv.TOPICS)).astype(np.int16)
        cols["topic"] = topic
        cols["suffix"] = columns._pick(u(22), _SUFFIX_WEIGHTS).astype(np.int16)
        cols["size"] = columns._pick(u(23), list(rv.SIZE_WEIGHTS)).astype(np.int16)
        fmt = np.zeros(len(idx), dtype=np.int16)
        modality = np.array(_TOPIC_MODALITY)[topic]
        u_fmt = u(24)
        for name, choices in rv.FORMATS_BY_MODALITY.items():
            sel = modality == name
            pick = columns._pick(u_fmt[sel], [w for _, w in choices])
            fmt[sel] = np.array([rv.FORMATS.index(f) for f, _ in choices], dtype=np.int16)[pick]
        cols["format"] = fmt
        u_gate = u(25)
        cols["gated"] = np.where(u_gate < 0.93, 0, np.where(u_gate < 0.975, 1, 2)).astype(np.int8)
        cols["task_declared"] = u(26) < 0.86
        u_card = u(27)  # 0: no README, 1: a README without YAML metadata, 2: with
        cols["card"] = np.where(u_card < 0.07, 0, np.where(u_card < 0.15, 1, 2)).astype(np.int8)
        return cols

    def _name_key_parts(self) -> list[tuple[str, tuple[str, ...]]]:
        return [("stem", rv.DATASET_STEMS), ("topic", tuple(t.word for t in rv.TOPICS)),
                ("suffix", rv.DATASET_SUFFIXES)]

    def model_name(self, i: int) -> str:
        if i < len(self._fixed):
            return self._fixed[i].rpartition("/")[2]
        c = self.cols
        name = (rv.DATASET_STEMS[c["stem"][i]] + rv.TOPICS[c["topic"][i]].word
                + rv.DATASET_SUFFIXES[c["suffix"][i]])
        dup = int(c["dup"][i])
        return f"{name}_v{dup + 1}" if dup else name

    def records(self, indices: list[int]) -> list[dict[str, Any]]:
        from hfhub.fakehub import dsrecords

        return dsrecords.build_many(self, indices)

    def has_readme(self, record: dict[str, Any]) -> bool:
        return "description" in record

    def readme(self, record: dict[str, Any]) -> str:
        from hfhub.fakehub import dscard  # noqa: PLC0415 (card text only when asked for)

        return dscard.render(record)

    def tag_mask(self, tag: str) -> np.ndarray | None:
        c = self.cols
        prefix, _, value = tag.partition(":")
        has_format = c["format"] != rv.FORMATS.index("")
        if prefix == "task_categories":
            topics = [k for k, t in enumerate(_TOPIC_TASK) if t == value]
            return np.isin(c["topic"], topics) & c["task_declared"] & (c["card"] == 2)
        if prefix == "modality":  # dsrecords.modalities: text in CSV is tabular too
            topics = [k for k, m in enumerate(_TOPIC_MODALITY) if m == value]
            mask = np.isin(c["topic"], topics)
            if value == "tabular":
                text = [k for k, m in enumerate(_TOPIC_MODALITY) if m == "text"]
                mask |= np.isin(c["topic"], text) & (c["format"] == rv.FORMATS.index("csv"))
            return mask & has_format
        if prefix == "size_categories":
            return c["size"] == (rv.SIZE_CATEGORIES.index(value) if value in rv.SIZE_CATEGORIES else -1)
        if prefix == "format":
            return (c["format"] == rv.FORMATS.index(value)) if value in rv.FORMATS and value else \
                np.zeros(self.size, dtype=bool)
        if tag == "region:us":
            return np.ones(self.size, dtype=bool)
        return None


class SpaceCorpus(_FixedIds):
    """``SpaceCorpus(spaces, seed)``: fake Spaces, ``/api/spaces`` (no downloads)."""

    kind = "spaces"

    @staticmethod
    def _kind_seed(seed: int) -> int:
        return rand.bits_int(seed, 7002, 2)

    def _fixed_ids(self) -> tuple[str, ...]:
        return _space_pool(self.hub_seed)

    def _kind_columns(self, idx: np.ndarray) -> dict[str, np.ndarray]:
        u = lambda stream: rand.uniform(self.seed, stream, idx)  # noqa: E731
        cols = _common_columns(self.seed, idx, self.n_authors)
        # Spaces are liked, not downloaded: likes on their own heavy tail, no download counts.
        likes = np.where(u(27) < 0.55, 0, np.floor(np.exp(np.clip(0.5 + 1.9 * rand.normal(self.seed, 28, idx), 0, 10))))
        cols["likes"] = likes.astype(np.int64)
        fresh = np.exp(-((columns.EPOCH_END_MS - cols["created_ms"]) / 86_400_000) / 20.0)
        cols["trending"] = np.floor(likes * fresh * 4 * u(29)).astype(np.int64)
        cols["downloads"] = np.zeros(len(idx), dtype=np.int64)
        cols["downloads_all"] = np.zeros(len(idx), dtype=np.int64)
        cols["stem"] = (u(20) * len(rv.SPACE_STEMS)).astype(np.int16)
        cols["skind"] = columns._pick(u(21), _KIND_WEIGHTS).astype(np.int16)
        sdk = columns._pick(u(22), list(rv.SDK_WEIGHTS)).astype(np.int8)
        static = sdk == rv.SDKS.index("static")
        stage = columns._pick(u(23), list(rv.STAGE_WEIGHTS)).astype(np.int8)
        # A static Space is files served as they are: it runs, or its owner paused it.
        stage = np.where(static, np.where(stage == rv.STAGES.index("PAUSED"), stage, 0), stage).astype(np.int8)
        hardware = columns._pick(u(24), list(rv.HARDWARE_WEIGHTS)).astype(np.int8)
        cols["sdk"] = sdk
        cols["stage"] = stage
        cols["hardware"] = np.where(static, -1, hardware).astype(np.int8)
        cols["region"] = (u(25) < 0.03).astype(np.int8)  # 1: eu
        return cols

    def _name_key_parts(self) -> list[tuple[str, tuple[str, ...]]]:
        return [("stem", rv.SPACE_STEMS), ("skind", rv.SPACE_KINDS)]

    def model_name(self, i: int) -> str:
        if i < len(self._fixed):
            return self._fixed[i].rpartition("/")[2]
        c = self.cols
        name = rv.SPACE_STEMS[c["stem"][i]] + rv.SPACE_KINDS[c["skind"][i]]
        dup = int(c["dup"][i])
        return f"{name}_v{dup + 1}" if dup else name

    def records(self, indices: list[int]) -> list[dict[str, Any]]:
        from hfhub.fakehub import spacerecords

        return spacerecords.build_many(self, indices, referenced_model_ids(self.hub_seed),
                                       referenced_dataset_ids(self.hub_seed))

    def has_readme(self, record: dict[str, Any]) -> bool:
        return False  # the fake serves no Space files

    def tag_mask(self, tag: str) -> np.ndarray | None:
        c = self.cols
        if tag in rv.SDKS:
            return c["sdk"] == rv.SDKS.index(tag)
        if tag in ("region:us", "region:eu"):
            return c["region"] == (tag == "region:eu")
        return None


@functools.lru_cache(maxsize=8)
def referenced_model_ids(seed: int) -> tuple[str, ...]:
    """Ids of models ``0 .. REFERENCED-1`` of the fake Hub of ``seed`` (the same whatever its size)."""
    return tuple(Corpus(REFERENCED, seed).model_ids())


@functools.lru_cache(maxsize=8)
def referenced_dataset_ids(seed: int) -> tuple[str, ...]:
    return tuple(DatasetCorpus(REFERENCED, seed).model_ids())
