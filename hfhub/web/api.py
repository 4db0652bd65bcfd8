"""The search page's JSON API, without HTTP: a query string in, (status, JSON-able body) out.

``GET /api/search?q=…&k=…&type=…&<filters>`` and ``GET /api/similar/<id>?k=…&type=…&<filters>`` take
the filters of ``hfhub-search`` under their option names with ``_`` for ``-`` (``max_params=7B``,
``fits_gpu_gb=24``, ``no_gated=true``, ``quantized=false``), and ``type`` (model, dataset, space: which
index answers; the server's first type when not given), ``sort`` (relevance, the default; downloads,
likes, trending, recent, created: the best 10 × k by relevance ordered by that column,
``hfhub.index.ranking``; or growth: the best 10 × k by relevance re-ranked by their growth over
``window``, default 7d, from the history beside the index's table; each result then has ``growth``
and the answer a ``growth`` object saying which days were compared; no history is a 404). Each
result has its Hub ``url``, its ``score`` in [0, 1] and what it ``matched_on``. Anything else is a 400 that says why, a filter of
another type included.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from hfhub.index.errors import (
    EmptyQueryError,
    FilterNotApplicableError,
    UnknownFilterValueError,
    UnknownModelError,
)
from hfhub.index.filters import SearchFilters
from hfhub.index.ranking import SORTS as INDEX_SORTS
from hfhub.links import SINGULAR, TYPES

if TYPE_CHECKING:
    from pathlib import Path

    from hfhub.index.growth import GrowthRanker
    from hfhub.index.searcher import ModelIndex, Result

SORTS = (*INDEX_SORTS, "growth")  # growth: hfhub.index.growth, from the history
MAX_QUERY_CHARS = 200
MAX_TEXT_CHARS = 100  # a filter value: no task, library, author or license name is longer
MAX_ID_CHARS = 200  # the Hub caps repo names at 96 characters, owners at 42
MAX_K = 100
DEFAULT_K = 20
_COUNT_UNITS = {"k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class BadRequest(Exception):
    """The request is wrong: the message says what to change (sent as ``{"error": …}``)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _text(name: str, value: str) -> str:
    if len(value) > MAX_TEXT_CHARS:
        raise BadRequest(f"{name} is longer than {MAX_TEXT_CHARS} characters")
    return value


def _repo_id(name: str, value: str) -> str:
    if len(value) > MAX_ID_CHARS:
        raise BadRequest(f"{name} is longer than {MAX_ID_CHARS} characters")
    return value


def _number(name: str, value: str, kind: Callable[[str], float], low: float, high: float) -> float:
    try:
        number = kind(value)
    except ValueError:
        what = "a whole number" if kind is _int else "a number"
        raise BadRequest(f"{name} must be {what}, not {value[:40]!r}") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise BadRequest(f"{name} must be between {low:g} and {high:g}, not {value[:40]!r}")
    return number


def parse_count(text: str) -> float:
    """ "7B" -> 7e9, "350M" -> 3.5e8, "1.5e9" -> 1.5e9 (the CLI's ``--max-params`` syntax)."""
    text = text.strip().lower()
    if text and text[-1] in _COUNT_UNITS:
        return float(text[:-1]) * _COUNT_UNITS[text[-1]]
    return float(text)


_TOKEN_UNITS = {"k": 1024, "m": 1024 * 1024}


def parse_tokens(text: str) -> float:
    """ "32k" -> 32768, "128K" -> 131072, "4096" -> 4096 (contexts are counted in powers of two)."""
    text = text.strip().lower()
    if text and text[-1] in _TOKEN_UNITS:
        return float(text[:-1]) * _TOKEN_UNITS[text[-1]]
    return float(text)


def _int(text: str) -> float:
    return float(int(text.strip()))


def _flag(name: str, value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise BadRequest(f"{name} must be true or false, not {value[:40]!r}")


# name -> how to read its value; the CLI's filters, named as its options are (hfhub/search.py)
FILTERS: dict[str, Callable[[str, str], Any]] = {
    "task": _text,
    "library": _text,
    "author": _text,
    "license": _text,
    "language": _text,
    "max_params": lambda n, v: int(_number(n, v, parse_count, 0, 1e15)),
    "max_size_gb": lambda n, v: _number(n, v, float, 0, 1e6),
    "fits_gpu_gb": lambda n, v: _number(n, v, float, 0.1, 1e6),
    "min_downloads": lambda n, v: int(_number(n, v, _int, 0, 1e15)),
    "min_likes": lambda n, v: int(_number(n, v, _int, 0, 1e15)),
    "no_gated": _flag,
    "quantized": _flag,
    "sdk": _text,
    "tag": _text,
    "base_model": lambda n, v: _repo_id(n, v),
    "trained_on": lambda n, v: _repo_id(n, v),
    "architecture": _text,
    "min_context": lambda n, v: int(_number(n, v, parse_tokens, 1, 1e9)),
    "context": lambda n, v: int(_number(n, v, parse_tokens, 1, 1e9)),
}
# The drop-downs of the page, per type: (name, column of the index's table)
OPTIONS = {
    "models": (("task", "pipeline_tag"), ("library", "library_name"), ("license", "license")),
    "datasets": (("task", "task_categories"), ("license", "license")),
    "spaces": (("sdk", "sdk"), ("license", "license")),
}


def parse_k(value: str, name: str = "k") -> int:
    """How many results: a whole number from 1 to ``MAX_K``."""
    return int(_number(name, value, _int, 1, MAX_K))


@dataclass(frozen=True)
class Query:
    k: int
    filters: SearchFilters
    text: str | None = None
    kind: str | None = None  # models, datasets, spaces (the ``type`` parameter); None: the server's default
    sort: str = "relevance"  # or growth (hfhub.index.growth)
    window: int | None = None  # sort=growth: days (None: hfhub.index.growth.DEFAULT_WINDOW)


def parse_type(value: str) -> str:
    """``type=dataset`` -> "datasets" (the kinds' names, hfhub.records.kinds)."""
    if value not in TYPES:
        raise BadRequest(f"type must be one of {', '.join(TYPES)}, not {value[:40]!r}")
    return TYPES[value]


def parse_params(params: Mapping[str, Sequence[str]], *, needs_text: bool) -> Query:
    """Check and convert the query-string parameters (``urllib.parse.parse_qs(…, keep_blank_values=True)``).

    An empty value means "no constraint", as an untouched form field sends it.
    """
    allowed = {"k", "type", "sort", "window", *FILTERS, *(("q",) if needs_text else ())}
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise BadRequest(
            f"unknown parameter {unknown[0][:40]!r}: the parameters are {', '.join(sorted(allowed))}"
        )
    values: dict[str, str] = {}
    for name, given in params.items():
        if len(given) > 1:
            raise BadRequest(f"{name} is given {len(given)} times: give it once")
        if given[0].strip():
            values[name] = given[0].strip()
    k = parse_k(values.pop("k")) if "k" in values else DEFAULT_K
    kind = parse_type(values.pop("type")) if "type" in values else None
    sort = values.pop("sort", "relevance")
    if sort not in SORTS:
        raise BadRequest(f"sort must be one of {', '.join(SORTS)}, not {sort[:40]!r}")
    window = _window(values.pop("window")) if "window" in values else None
    if window is not None and sort != "growth":
        raise BadRequest("window is for sort=growth")
    text = values.pop("q", None)
    if needs_text:
        if text is None:
            raise BadRequest("q is missing: say what to look for, e.g. q=japanese sentiment classifier")
        if len(text) > MAX_QUERY_CHARS:
            raise BadRequest(f"q is longer than {MAX_QUERY_CHARS} characters")
    filters = SearchFilters(**{name: FILTERS[name](name, value) for name, value in values.items()})
    return Query(k=k, filters=filters, text=text, kind=kind, sort=sort, window=window)


def _window(value: str) -> int:
    from hfhub.index.growth import parse_window

    if len(value) > 20:
        raise BadRequest("window is longer than 20 characters")
    try:
        return parse_window(value)
    except ValueError as exc:
        raise BadRequest(f"window: {exc}") from None


class SearchApi:
    """Answer API requests from the loaded indexes (one per type; the first is the default type).

    Queries run one at a time under a lock: the index fills some caches lazily (id → row, filter
    codes) and a search takes milliseconds. Answering them in parallel threads instead gained
    nothing on 2 cores (``benchmarks/bench_web.py``: 200 clients at once, 100k models, 133 vs 125
    queries/s, worst latency 1.4 vs 1.6 s; the work is bound by the GIL), so the simpler design stays.
    """

    def __init__(
        self, index: ModelIndex | Mapping[str, ModelIndex], history_dir: str | Path | None = None
    ) -> None:
        self.indexes: dict[str, ModelIndex] = (
            dict(index) if isinstance(index, Mapping) else {index.kind: index}
        )
        self.default = next(iter(self.indexes))
        self.index = self.indexes[self.default]
        self._lock = threading.Lock()
        self.history_dir = history_dir  # sort=growth: None, the history beside each index's table
        self._ranker: GrowthRanker | None = None

    def _ranked(self, query: Query, index: ModelIndex, find: Callable[[int, str], list[Result]]) -> dict[str, Any]:
        """The results of ``find(n, sort)``; with sort=growth, the best by relevance re-ranked."""
        if query.sort != "growth":
            with self._lock, _as_bad_request():
                return {"sort": query.sort, "results": [r.to_dict() for r in find(query.k, query.sort)]}
        from hfhub.index.growth import (
            DEFAULT_WINDOW,
            GrowthRanker,
            GrowthUnavailableError,
            parse_window,
            pool_size,
        )

        if self._ranker is None:
            self._ranker = GrowthRanker(self.history_dir)
        window = query.window or parse_window(DEFAULT_WINDOW)
        with self._lock, _as_bad_request():
            pooled = find(pool_size(query.k), "relevance")
        try:
            ranked, used = self._ranker.rank(index, pooled, query.k, window)
        except GrowthUnavailableError as exc:
            raise BadRequest(str(exc), status=404) from None
        return {"sort": "growth", "growth": used.to_dict(), "results": [r.to_dict() for r in ranked]}

    def _index(self, kind: str | None) -> tuple[str, ModelIndex]:
        kind = kind or self.default
        if kind not in self.indexes:
            raise BadRequest(
                f"this server has no index of {kind}: build one (`hfhub-index build --type {SINGULAR[kind]}`) "
                f"and restart it; it serves {', '.join(SINGULAR[k] for k in self.indexes)}",
                status=404,
            )
        return kind, self.indexes[kind]

    def search(self, params: Mapping[str, Sequence[str]]) -> dict[str, Any]:
        query = parse_params(params, needs_text=True)
        assert query.text is not None
        kind, index = self._index(query.kind)
        text = query.text
        body = self._ranked(query, index, lambda n, sort: index.search(text, n, query.filters, sort))
        return {"query": query.text, "type": SINGULAR[kind], "k": query.k, **body}

    def similar(self, model_id: str, params: Mapping[str, Sequence[str]]) -> dict[str, Any]:
        if not model_id or len(model_id) > MAX_ID_CHARS:
            raise BadRequest(f"a model id is 1 to {MAX_ID_CHARS} characters, e.g. /api/similar/owner/name")
        query = parse_params(params, needs_text=False)
        kind, index = self._index(query.kind)
        if query.sort not in ("relevance", "growth"):
            raise BadRequest("similar models are ordered by likeness: sort is relevance or growth")
        body = self._ranked(query, index, lambda n, _: index.like(model_id, n, query.filters))
        return {"model": model_id, "type": SINGULAR[kind], "k": query.k, **body}

    def options(self, type_name: str | None = None) -> dict[str, Any]:
        """The values the page offers in its drop-downs for a type (each task, library, license or
        SDK, by how many repos have it), and the types served."""
        kind, index = self._index(parse_type(type_name) if type_name is not None else None)
        with self._lock:
            body: dict[str, Any] = {
                name: _by_count(*index.columns.value_counts(column)) for name, column in OPTIONS[kind]
            }
        return {"type": SINGULAR[kind], "types": [SINGULAR[k] for k in self.indexes], **body}


def _by_count(counts: np.ndarray, values: list[Any]) -> list[dict[str, Any]]:
    """``models``: how many repos of the type have the value (the key predates other types)."""
    order = sorted(range(len(values)), key=lambda i: (-counts[i], str(values[i])))
    return [{"value": values[i], "models": int(counts[i])} for i in order if isinstance(values[i], str)]


@contextmanager
def _as_bad_request() -> Iterator[None]:
    """Turn the index's errors about the request (an unknown filter value or model) into a 400/404."""
    try:
        yield
    except UnknownModelError as exc:
        raise BadRequest(str(exc), status=404) from None
    except (EmptyQueryError, UnknownFilterValueError, FilterNotApplicableError) as exc:
        raise BadRequest(str(exc)) from None
