"""A corpus of recorded real Hub records, served as they were recorded (``--records FILE``, and
``--dataset-records FILE``, ``--space-records FILE`` for ``/api/datasets`` and ``/api/spaces``).

The generated corpus is our model of the Hub; this one is the Hub's own words: records that
huggingface.co returned, kept with their provenance in ``tests/data/real_hub/`` (JSON lines of
``{"source": {...}, "record": {...}}``). The fake serves them through the same listing, cursor and
expand code as the generated corpus, so a crawl meets real shapes: absent properties, ``null``s,
contradictions, legacy ids without a namespace.

What is adapted, and why:
- Records of one model recorded several times (a full record, and one with only
  ``inferenceProviderMapping``) are merged, the fuller one first.
- ``inferenceProviderMapping`` was recorded from the detail endpoint, which keys it by provider;
  the list endpoint sends a list of ``{"provider", ...}`` entries (huggingface_hub PR #3022), so it
  is stored in the list form (``fakehub.views.detail`` turns it back).
- Nothing else is changed. A model whose real card is given (``--cards FILE``: JSON lines of
  ``{"id", "text", ...}``, e.g. ``tests/data/real_hub/cards/cards.jsonl``) answers that text for its
  README; a record with such a card but no ``sha`` (a default list record, a record derived from a
  card) gets the SHA-1 of the card's text as its ``sha``, since the crawl asks for a card by revision.
  Other cards were not recorded: a model or dataset with ``cardData`` gets the fake's card text built
  from its real ``cardData`` (a dataset also with its ``description``); one without answers 404, as a
  repo without a README does. Spaces have no card.
- A line may be a bare record instead of ``{"source", "record"}``; a record without ``_id`` (which the
  keyset cursor needs) gets one made of its ``createdAt`` and its line number.
- A replayed corpus does not change: no churn, no mutations.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from hfhub.fakehub.query import ApiError, ListQuery, object_id_order

_SORT_VALUES = {"downloads": "downloads", "likes": "likes", "trending": "trendingScore"}


def _ms(value: Any) -> int:
    from hfhub.crawl.pagework import parse_time

    moment = parse_time(value)
    return int(moment.timestamp() * 1000) if moment else 0


def load_records(paths: list[Path]) -> list[dict[str, Any]]:
    """The records of these JSON-lines files, one per model id, merged as the module says."""
    by_id: dict[str, dict[str, Any]] = {}
    for path in paths:
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            entry = orjson.loads(line)
            record = entry["record"] if isinstance(entry.get("record"), dict) else entry
            if not isinstance(record.get("_id"), str):
                record = {"_id": _made_id(record, len(by_id)), **record}
            mapping = record.get("inferenceProviderMapping")
            if isinstance(mapping, dict):
                record["inferenceProviderMapping"] = [{"provider": name, **entry} for name, entry in mapping.items()]
            known = by_id.setdefault(record["id"], {})
            fuller, other = (record, known) if len(record) > len(known) else (known, record)
            by_id[record["id"]] = {**fuller, **{k: v for k, v in other.items() if k not in fuller}}
    return list(by_id.values())


def load_cards(paths: list[Path]) -> dict[str, str]:
    """``{model id: card text}`` of these JSON-lines files of ``{"id", "text", ...}`` (a later line wins)."""
    cards = {}
    for path in paths:
        for line in path.read_text().splitlines():
            if line.strip():
                entry = orjson.loads(line)
                cards[entry["id"]] = entry["text"]
    return cards


def _made_id(record: dict[str, Any], n: int) -> str:
    return f"{_ms(record.get('createdAt')) // 1000:08x}{0:010x}{n & 0xFFFFFF:06x}"


class ReplayCorpus:
    """The corpus interface of ``fakehub.corpus.Corpus`` over a fixed list of real records."""

    def __init__(self, records: list[dict[str, Any]], kind: str = "models",
                 cards: dict[str, str] | None = None) -> None:
        self.kind = kind
        self._records = records
        self._cards = cards or {}
        for record in records:
            text = self._cards.get(record["id"])
            if text is not None and not record.get("sha"):
                record["sha"] = hashlib.sha1(text.encode()).hexdigest()
        self._index = {record["id"]: i for i, record in enumerate(records)}
        self.lock = threading.RLock()
        self.revisions: dict[int, int] = {}
        self.version = 0
        self.day = 0  # recorded records do not advance (``Corpus.advance``)
        self.alive = np.ones(len(records), dtype=bool)
        self.cols: dict[str, np.ndarray] = {
            column: np.array([_count(r.get(key)) for r in records], dtype=np.int64)
            for column, key in _SORT_VALUES.items()
        }
        self.cols["created_ms"] = np.array([_ms(r.get("createdAt")) for r in records], dtype=np.int64)
        self.cols["modified_ms"] = np.array([_ms(r.get("lastModified")) for r in records], dtype=np.int64)

    @classmethod
    def load(cls, paths: list[Path], kind: str = "models", card_paths: list[Path] | None = None) -> ReplayCorpus:
        return cls(load_records(paths), kind, load_cards(card_paths or []))

    def __len__(self) -> int:
        return len(self._records)

    @property
    def size(self) -> int:
        return len(self._records)

    def model_ids(self) -> Iterator[str]:
        return (record["id"] for record in self._records)

    def model_id(self, i: int) -> str:
        return str(self._records[i]["id"])

    def object_id(self, i: int) -> str:
        return str(self._records[i]["_id"])

    def index_of(self, model_id: str) -> int | None:
        return self._index.get(model_id)

    def record(self, i: int) -> dict[str, Any]:
        return self._records[i]

    def records(self, indices: list[int]) -> list[dict[str, Any]]:
        return [self._records[i] for i in indices]

    def has_revision(self, i: int, sha: str) -> bool:
        """A recorded repo has one known commit, the one recorded."""
        return bool(sha) and self._records[i].get("sha") == sha

    def has_readme(self, record: dict[str, Any]) -> bool:
        return self.kind != "spaces" and (record["id"] in self._cards or bool(record.get("cardData")))

    def readme(self, record: dict[str, Any]) -> str:
        if record["id"] in self._cards:
            return self._cards[record["id"]]
        from hfhub.fakehub import card, dscard  # noqa: PLC0415 (card text only when asked for)

        return dscard.render(record) if self.kind == "datasets" else card.render(record)

    def tag_mask(self, tag: str) -> np.ndarray | None:
        return None  # filters go through filter_mask

    def tiebreak_keys(self) -> np.ndarray:
        return np.array([object_id_order(r["_id"]) for r in self._records], dtype=np.int64)

    def filter_mask(self, q: ListQuery) -> np.ndarray:
        return np.fromiter((_matches(r, q) for r in self._records), dtype=bool, count=self.size)

    def touch(self, i: int, now_ms: int | None = None) -> None:
        raise ApiError(400, "a replayed corpus of recorded records does not change")

    def apply(self, **changes: Any) -> list[int]:
        raise ApiError(400, "a replayed corpus of recorded records does not change")


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _matches(record: dict[str, Any], q: ListQuery) -> bool:
    model_id = str(record["id"])
    tags = record.get("tags") or []
    return (
        (q.author is None or (model_id.partition("/")[0] == q.author and "/" in model_id))
        and (q.pipeline_tag is None or record.get("pipeline_tag") == q.pipeline_tag)
        and (q.search is None or q.search.lower() in model_id.lower())
        and all(tag in tags for tag in q.filters)
        and (q.gated is None or bool(record.get("gated")) == q.gated)
        and all(repo_id in (record.get(key) or []) for key, repo_id in q.uses)
        and (not q.linked or bool(record.get("models") or record.get("datasets")))
    )
