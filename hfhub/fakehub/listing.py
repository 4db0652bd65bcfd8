"""Keyset pagination over the corpus, with the Hub's opaque cursors.

A page is the next ``limit`` models in (sort value, _id) order strictly after the cursor,
so a model whose sort value changes between two page requests can cross the page boundary
(be seen twice or not at all), exactly as on the real Hub.

The cursor mimics the Hub's: base64 of a Mongo-style keyset query, e.g.
``{"$or":[{"likes":294,"_id":{"$gt":"621f…"}},{"likes":{"$lt":294}}]}``.
"""

from __future__ import annotations

import base64
import binascii
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from hfhub.fakehub import vocab
from hfhub.fakehub.query import SORT_COLUMNS, ApiError, ListQuery, object_id_order
from hfhub.fakehub.replay import ReplayCorpus

if TYPE_CHECKING:
    from hfhub.fakehub.corpus import Corpus

_PIPELINE_OF_PROFILE = [p.pipeline_tag for p in vocab.PROFILES]


@dataclass
class _Keyset:
    """A query's models in (primary, tiebreak) order; primary is the sort value, negated when descending."""

    order: np.ndarray
    primary: np.ndarray
    tie: np.ndarray

    def position_after(self, primary: int, tie: int) -> int:
        """Index of the first model strictly after the cursor ``(primary, tie)``."""
        lo = int(np.searchsorted(self.primary, primary, side="left"))
        hi = int(np.searchsorted(self.primary, primary, side="right"))
        return lo + int(np.searchsorted(self.tie[lo:hi], tie, side="right"))


class Lister:
    """Answers list queries for one corpus; caches the expensive filter masks."""

    def __init__(self, corpus: Corpus | ReplayCorpus) -> None:
        self.corpus = corpus
        self._ids_lower: list[str] = []
        self._masks: OrderedDict[tuple[str, str, int], np.ndarray] = OrderedDict()
        self._tiebreak: np.ndarray | None = None
        self._keysets: OrderedDict[tuple[Any, ...], _Keyset] = OrderedDict()

    def page(self, q: ListQuery) -> tuple[list[int], str | None]:
        """Indices of the page's models, in order, and the next page's cursor (or None)."""
        values = self.corpus.cols[SORT_COLUMNS[q.sort]]
        keyset = self._keyset(q)
        start = 0
        if q.cursor:
            cv, ct = decode_cursor(q.cursor, q.sort, q.descending)
            start = keyset.position_after(-cv if q.descending else cv, ct)
        picked = [int(i) for i in keyset.order[start : start + q.limit]]
        if start + q.limit >= len(keyset.order) or not picked:
            return picked, None
        last = picked[-1]
        return picked, encode_cursor(q.sort, int(values[last]), self.corpus.object_id(last), q.descending)

    def _keyset(self, q: ListQuery) -> _Keyset:
        """The query's models in listing order, sorted once per corpus version (a mutation can move
        any model), so that a page is a binary search and a slice, not a scan of the corpus."""
        key = (q.sort, q.descending, q.filter_key(), self.corpus.version)
        keyset = self._keysets.get(key)
        if keyset is None:
            values = self.corpus.cols[SORT_COLUMNS[q.sort]]
            cand = np.flatnonzero(self.mask(q))
            primary = -values[cand] if q.descending else values[cand]
            tie = self.tiebreak()[cand]
            by_key = np.lexsort((tie, primary))
            keyset = _Keyset(cand[by_key], primary[by_key], tie[by_key])
            self._keysets[key] = keyset
            while len(self._keysets) > 4:
                self._keysets.popitem(last=False)
        self._keysets.move_to_end(key)
        return keyset

    def tiebreak(self) -> np.ndarray:
        """Orders like the `_id` strings (``object_id_order``), cached: ids never change, and the
        corpus only grows."""
        size = self.corpus.size
        if self._tiebreak is None or len(self._tiebreak) != size:
            self._tiebreak = self.corpus.tiebreak_keys()
        return self._tiebreak

    def mask(self, q: ListQuery) -> np.ndarray:
        corpus, c = self.corpus, self.corpus.cols
        if isinstance(corpus, ReplayCorpus):  # recorded records have no generated columns to filter on
            return corpus.filter_mask(q)
        mask = corpus.alive.copy()
        if q.author is not None:
            a = corpus.author_index(q.author)
            mask &= (c["author"] == a) if a is not None else False
        if q.pipeline_tag is not None:
            mask &= self._pipeline_mask(q.pipeline_tag)
        if q.search is not None:
            mask &= self._cached("search", q.search.lower(), self._search_mask)
        for tag in q.filters:
            mask &= self._tag_mask(tag)
        if q.gated is not None:
            mask &= (c["gated"] != 0) == q.gated
        for key, repo_id in q.uses:
            mask &= self._cached("uses", f"{key}={repo_id}", self._uses_mask)
        if q.linked:
            mask &= self._cached("linked", "", lambda _: self._scan(_links_any))
        return mask

    def _uses_mask(self, use: str) -> np.ndarray:
        """Spaces that name a repo (``models=<id>`` or ``datasets=<id>``)."""
        key, _, repo_id = use.partition("=")
        return self._scan(lambda rec: repo_id in (rec.get(key) or []))

    def _pipeline_mask(self, tag: str) -> np.ndarray:
        profiles = [k for k, p in enumerate(_PIPELINE_OF_PROFILE) if p == tag]
        return np.isin(self.corpus.cols["profile"], profiles)

    def _tag_mask(self, tag: str) -> np.ndarray:
        if self.corpus.kind != "models":
            fast = self.corpus.tag_mask(tag)
            return fast if fast is not None else self._cached("tag", tag, self._scan_tags)
        if tag in vocab.PIPELINE_TAGS:
            return self._pipeline_mask(tag)
        if tag in vocab.LIBRARIES:
            return self.corpus.cols["library"] == vocab.LIBRARIES.index(tag)
        if tag == "region:us":
            return np.ones(self.corpus.size, dtype=bool)
        return self._cached("tag", tag, self._scan_tags)

    def _cached(self, kind: str, key: str, compute: Any) -> np.ndarray:
        # Tags and ids never change for an index (touch only moves dates, sha and counts),
        # so a mask stays valid until the corpus grows.
        ck = (kind, key, self.corpus.size)
        if ck not in self._masks:
            self._masks[ck] = compute(key)
            while len(self._masks) > 64:
                self._masks.popitem(last=False)
        self._masks.move_to_end(ck)
        return self._masks[ck]

    def _search_mask(self, needle: str) -> np.ndarray:
        corpus = self.corpus
        for i in range(len(self._ids_lower), corpus.size):
            self._ids_lower.append(corpus.model_id(i).lower())
        return np.fromiter((needle in s for s in self._ids_lower), dtype=bool, count=corpus.size)

    def _scan_tags(self, tag: str) -> np.ndarray:
        """Slow path for tags not held in a column: build every record once, in chunks."""
        return self._scan(lambda rec: tag in rec["tags"])

    def _scan(self, test: Callable[[dict[str, Any]], bool]) -> np.ndarray:
        out = np.zeros(self.corpus.size, dtype=bool)
        for start in range(0, self.corpus.size, 2000):
            chunk = list(range(start, min(start + 2000, self.corpus.size)))
            for i, rec in zip(chunk, self.corpus.records(chunk)):
                out[i] = test(rec)
        return out


def _links_any(record: dict[str, Any]) -> bool:
    return bool(record.get("models") or record.get("datasets"))


def encode_cursor(sort: str, value: int, object_id: str, descending: bool) -> str:
    cmp = "$lt" if descending else "$gt"
    query = {"$or": [{sort: value, "_id": {"$gt": object_id}}, {sort: {cmp: value}}]}
    return base64.b64encode(orjson.dumps(query)).decode("ascii")


def decode_cursor(cursor: str, sort: str, descending: bool) -> tuple[int, int]:
    """(sort value, tiebreak) from a cursor made by ``encode_cursor``; ApiError(400) if not."""
    try:
        query = orjson.loads(base64.b64decode(cursor.encode("ascii"), validate=True))
        exact, beyond = query["$or"]
        value = exact[sort]
        object_id = exact["_id"]["$gt"]
        ok = beyond[sort] == {("$lt" if descending else "$gt"): value}
        if not (ok and isinstance(value, int) and isinstance(object_id, str) and len(object_id) == 24):
            raise ValueError("cursor does not match this query")
        tie = object_id_order(object_id)
    except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise ApiError(400, "Invalid cursor") from None
    return value, tie
