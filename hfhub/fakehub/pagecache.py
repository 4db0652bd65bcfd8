"""Encoded list entries, cached per (kind, repo, revision, view) within a memory budget.

Building a record costs ~40 us of Python; a crawler re-reading the same listing (resumed
crawls, several spiders, benchmarks) then gets entries for the cost of a dict lookup. A
touch bumps the model's revision, and an advance of the fake's time (which moves nearly every repo's
counts) its kind's day, which the key holds too, so a changed model is never served stale.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import orjson

from hfhub.fakehub import views

Key = tuple[str, int, int, int, tuple[str, ...]]


class EntryCache:
    def __init__(self, budget_bytes: int) -> None:
        self.budget = budget_bytes
        self.used = 0
        self.entries: dict[Key, bytes] = {}
        self.lock = threading.Lock()

    def encode_page(self, indices: list[int], revisions: dict[int, int], keys: tuple[str, ...],
                    build: Callable[[list[int]], list[dict[str, Any]]], kind: str = "models",
                    day: int = 0) -> bytes:
        wanted = [(kind, day, i, revisions.get(i, 0), keys) for i in indices]
        with self.lock:
            found = [self.entries.get(k) for k in wanted]
        missing = [i for i, hit in zip(indices, found) if hit is None]
        if missing:
            fresh = {i: orjson.dumps(views.pick(r, keys)) for i, r in zip(missing, build(missing))}
            found = [hit if hit is not None else fresh[i] for i, hit in zip(indices, found)]
            if self.budget:
                self._store({(kind, day, i, revisions.get(i, 0), keys): fresh[i] for i in missing})
        return b"[" + b",".join(found) + b"]"  # type: ignore[arg-type]

    def _store(self, items: dict[Key, bytes]) -> None:
        with self.lock:
            for key, blob in items.items():
                if key not in self.entries:
                    self.entries[key] = blob
                    self.used += len(blob) + 120  # key and dict-slot overhead, roughly
            while self.used > self.budget and self.entries:
                old = next(iter(self.entries))  # dicts keep insertion order: evict oldest
                self.used -= len(self.entries.pop(old)) + 120
