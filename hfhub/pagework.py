"""The per-model work on a listing page, as it runs inside a page process (``hfhub.pageprocesses``).

A page's models live in the page process that decoded them, under the page's key, from the spider's
``decode_page`` until the Parquet pipeline takes them as an Arrow table (``take_table``). Each step
is started by the component that owns it — the spider decodes, ``ValidateModelPipeline`` validates,
``EnrichModelPipeline`` enriches — but the models themselves never cross into the crawling process
as Python objects: what comes back is small (counts, ids) or columnar (Arrow IPC).

Pure functions of their arguments and this process's page store; no Scrapy, no logging (the caller
counts and logs what they report).
"""

from __future__ import annotations

import ctypes
import gc
import operator
import os
import signal
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import orjson
import pyarrow as pa

from hfhub.enrichment import enrich_item
from hfhub.hubrecord import model_item_from_api
from hfhub.items import ModelItem
from hfhub.schema import COLUMNS, MODEL_SCHEMA
from hfhub.validation import InvalidRecord, validate_item

PR_SET_PDEATHSIG = 1  # linux/prctl.h

_pages: dict[int, list[ModelItem]] = {}  # this page process's pages in progress, by key


@dataclass
class DecodedPage:
    """What the spider needs to know of a page it listed."""

    kept: int  # records kept (after ``limit`` and the incremental cut-off)
    listing_continues: bool
    reached_cutoff: bool  # the incremental cut-off ended the listing on this page
    cards: list[tuple[Any, Any]]  # (id, sha) of each kept record, when cards are wanted
    reached_limit: bool = False  # ``limit`` ended the listing on this page
    order: PageOrder | None = None  # when the listing relies on an order: how the page kept it
    invalid_utf8: bool = False  # the page held bytes that are not UTF-8 (read with replacement characters)


@dataclass
class PageOrder:
    """How a page of a listing sorted descending by a timestamp kept that order."""

    breaks: int  # records whose value is later than the one before them on the page
    first: datetime | None  # the first and last parseable values on the page
    last: datetime | None


def page_order(records: list[Any], key: str) -> PageOrder:
    values = [parse_time(record.get(key)) if isinstance(record, dict) else None for record in records]
    present = [value for value in values if value is not None]
    breaks = sum(1 for before, after in zip(present, present[1:]) if after > before)
    return PageOrder(breaks, present[0] if present else None, present[-1] if present else None)


@dataclass
class PageValidation:
    """What validation did to a page: the ids of the models kept, and what it dropped or nulled."""

    ids: list[str] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)  # reason -> records
    dropped_example: dict[str, str] = field(default_factory=dict)  # reason -> repr of one id
    nulled: Counter[str] = field(default_factory=Counter)  # field -> values
    nulled_example: dict[str, str] = field(default_factory=dict)  # field -> one model id


def start_process(gc_threshold: int, parent_pid: int) -> None:
    """Initialiser of a page process. It dies with the crawling process: killed without warning,
    that process could not shut it down, and an orphan would hold the crawl's pipes open. It uses the
    same garbage-collector thresholds (``hfhub.extensions.gctuning``): a page is ~100k acyclic objects."""
    _die_with_parent(parent_pid)
    # Forked after Scrapy installed its shutdown handlers: the crawling process drives shutdown
    # (Ctrl-C reaches the whole process group), and SIGTERM must end a page process.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if gc_threshold > 0:
        gc.set_threshold(gc_threshold, 20, 100)
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _RefusePandas())


class _RefusePandas:
    """An import hook that refuses pandas. pyarrow imports pandas at a process's first conversion of
    a list (``pa.array`` checks whether it was given a pandas object): ~0.2 s of CPU per page process
    per crawl, for objects a page process never has. pyarrow takes the refusal as "no pandas".
    (``importlib.util.find_spec("pandas")`` raises there too, instead of answering None.)"""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"a page process does not import {name}", name=name)


def _die_with_parent(parent_pid: int) -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
    except (AttributeError, OSError):  # not Linux: watch for the parent going away instead
        threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def _exit_when_orphaned(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(1)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 string as an aware datetime (UTC if it names no zone); None for anything else."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def wanted(records: list[Any], keep_at_most: int | None, stop_before: datetime | None) -> tuple[list[Any], bool, bool]:
    """The records of a page to keep, whether the listing goes on after it, and whether it stopped
    at ``stop_before`` (an incremental crawl's cut-off on a newest-first listing)."""
    if stop_before is not None:
        for position, record in enumerate(records):
            modified = parse_time(record.get("lastModified")) if isinstance(record, dict) else None
            if modified is not None and modified < stop_before:
                if keep_at_most is not None and keep_at_most <= position:
                    break
                return records[:position], False, True
    if keep_at_most is not None and len(records) >= keep_at_most:
        return records[:keep_at_most], False, False
    return records, True, False


def decode_page(
    key: int, body: bytes, crawled_at: datetime, keep_at_most: int | None, stop_before: datetime | None,
    want_cards: bool, order_key: str | None = None, max_records: int | None = None,
) -> DecodedPage | str:
    """Decode a listing page's JSON into ``ModelItem``s kept under ``key``, or say why it cannot be
    used (``malformed_json``: not a JSON array; ``too_many_records``: more than ``max_records``, what
    the Hub was asked for); the spider retries such a page. ``order_key``: the timestamp the listing
    is sorted by, descending, whose order the page is checked for (``PageOrder``)."""
    invalid_utf8 = False
    try:
        records = orjson.loads(body)
    except orjson.JSONDecodeError:
        # One invalid UTF-8 byte in a record must not make the page unreadable for good: the page
        # is read with replacement characters where the bytes are not text.
        try:
            records = orjson.loads(body.decode("utf-8", "replace"))
        except orjson.JSONDecodeError:
            return "malformed_json"
        invalid_utf8 = True
    if not isinstance(records, list):
        return "malformed_json"
    if max_records is not None and len(records) > max_records:
        return "too_many_records"  # the Hub was asked for at most max_records
    records, continues, reached_cutoff = wanted(records, keep_at_most, stop_before)
    models = [model_item_from_api(record, crawled_at) for record in records]
    _pages[key] = models
    cards = [(model.id, model.sha) for model in models] if want_cards else []
    reached_limit = not continues and not reached_cutoff
    order = page_order(records, order_key) if order_key else None
    return DecodedPage(len(models), continues, reached_cutoff, cards, reached_limit, order, invalid_utf8)


def validate_page(key: int) -> PageValidation:
    """Validate the page's models in place (``hfhub.validation``), keeping those that can be rows."""
    result = PageValidation()
    kept = []
    for model in _pages[key]:
        try:
            report = validate_item(model)
        except InvalidRecord as exc:
            result.dropped[exc.reason] += 1
            result.dropped_example.setdefault(exc.reason, repr(model.id)[:120])
            continue
        for name in report.nulled:
            result.nulled[name] += 1
            result.nulled_example.setdefault(name, model.id)
        kept.append(model)
        result.ids.append(model.id)
    _pages[key] = kept
    return result


def enrich_page(key: int) -> None:
    for model in _pages[key]:
        enrich_item(model)


@dataclass
class PageTable:
    """A page's models as an Arrow IPC stream in the dataset schema, and those that could not be
    converted (a value validation accepted but Arrow cannot hold, e.g. a derived size over int64)."""

    ipc: bytes
    dropped: int = 0
    dropped_example: str | None = None  # one such model's id


_UNCONVERTIBLE = (pa.ArrowException, OverflowError, TypeError, ValueError)


def take_table(key: int) -> PageTable:
    """The page's models as Arrow; the page leaves the store. A model that Arrow refuses is left
    out and reported, not the whole page."""
    models = _pages.pop(key)
    try:
        table, dropped, example = _to_table(models), 0, None
    except _UNCONVERTIBLE:
        kept, dropped, example = [], 0, None
        for model in models:
            try:
                _to_table([model])
            except _UNCONVERTIBLE:
                dropped += 1
                example = example or model.id
            else:
                kept.append(model)
        table = _to_table(kept)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, MODEL_SCHEMA) as writer:
        writer.write_table(table)
    return PageTable(sink.getvalue().to_pybytes(), dropped, example)


_ROW = operator.attrgetter(*COLUMNS)  # a model's values in column order, in one C call


def _to_table(models: list[ModelItem]) -> pa.Table:
    columns = zip(*map(_ROW, models)) if models else ([] for _ in COLUMNS)
    return pa.Table.from_arrays([pa.array(column, field.type) for column, field in zip(columns, MODEL_SCHEMA)],
                                schema=MODEL_SCHEMA)


def forget_page(key: int) -> None:
    """Drop a page that will not be written (its item was dropped, or a pipeline failed on it)."""
    _pages.pop(key, None)


def pages_held() -> int:
    return len(_pages)
