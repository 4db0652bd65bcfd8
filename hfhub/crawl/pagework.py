"""The per-model work on a listing page: decode → map → validate → enrich → Arrow, in one call.

``build_page`` is a pure function of its arguments: it runs in a page process of the spider's page
pool (``hfhub.crawl.pagepool``), or inline with ``HFHUB_PAGE_PROCESSES=0``. What comes back is the page's
models as an Arrow table in the dataset schema, what the spider needs to go on listing, and what the
steps left out or nulled (``StepReport``), which ``ValidateModelPipeline`` counts and logs. The
steps are the record core's (``hfhub.records``: ``validate_models``, ``enrich_models``), the same
the pipelines run on ``ModelItem``s a spider yields one by one. No Scrapy, no logging.
"""

from __future__ import annotations

import ctypes
import gc
import itertools
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import pyarrow as pa

from hfhub.configs.wanted import wants_config
from hfhub.records.kinds import repo_kind
from hfhub.records.modeltable import StepReport, models_to_table
from hfhub.records.raw import fill_raw_json
from hfhub.records.validation import validate_models

PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass
class BuiltPage:
    """A listing page after the pure steps: its models, and what the spider needs to know of it."""

    table: pa.Table  # the models kept, validated and enriched, in the dataset schema
    report: StepReport  # what validation and the conversion to Arrow left out or nulled
    kept: int  # records kept (after ``limit`` and the incremental cut-off), before validation
    listing_continues: bool
    reached_cutoff: bool  # the incremental cut-off ended the listing on this page
    cards: list[tuple[Any, Any]] = field(default_factory=list)  # (id, sha) of each kept record, when cards are wanted
    reached_limit: bool = False  # ``limit`` ended the listing on this page
    order: PageOrder | None = None  # when the listing relies on an order: how the page kept it
    invalid_utf8: bool = False  # the page held bytes that are not UTF-8 (read with replacement characters)
    # (id, sha, weights_bytes) of each valid model whose config.json is wanted (hfhub.configs.selection)
    configs: list[tuple[Any, Any, Any]] = field(default_factory=list)


@dataclass
class PageOrder:
    """How a page of a listing sorted descending by a timestamp kept that order."""

    breaks: int  # records whose value is later than the one before them on the page
    first: datetime | None  # the first and last parseable values on the page
    last: datetime | None


def page_order(records: list[Any], key: str) -> PageOrder:
    values = [parse_time(record.get(key)) if isinstance(record, dict) else None for record in records]
    present = [value for value in values if value is not None]
    breaks = sum(1 for before, after in itertools.pairwise(present) if after > before)
    return PageOrder(breaks, present[0] if present else None, present[-1] if present else None)


def start_process(gc_threshold: int, parent_pid: int) -> None:
    """Initialiser of a page process (``hfhub.crawl.pagepool``). It dies with the crawling process: killed without warning,
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
        moment = moment.replace(tzinfo=UTC)
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


def decode_records(body: bytes) -> tuple[list[Any], bool] | str:
    """A listing page's JSON array and whether it held bytes that are not UTF-8, or why it cannot
    be used (``malformed_json``: not a JSON array)."""
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
    return records, invalid_utf8


def build_page(
    body: bytes, crawled_at: datetime, keep_at_most: int | None, stop_before: datetime | None,
    want_cards: bool, order_key: str | None = None, max_records: int | None = None, kind_name: str = "models",
    want_configs: bool = False,
) -> BuiltPage | str:
    """A listing page's repos of the kind ``kind_name`` (``hfhub.records.kinds``), validated,
    enriched and in Arrow, with what the API said beyond the typed columns in ``raw_json``, or why the page cannot be used
    (``malformed_json``; ``too_many_records``: more than ``max_records``, what the Hub was asked
    for); the spider retries such a page. ``order_key``: the timestamp the listing is sorted by,
    descending, whose order the page is checked for (``PageOrder``)."""
    decoded = decode_records(body)
    if isinstance(decoded, str):
        return decoded
    records, invalid_utf8 = decoded
    if max_records is not None and len(records) > max_records:
        return "too_many_records"  # the Hub was asked for at most max_records
    records, continues, reached_cutoff = wanted(records, keep_at_most, stop_before)
    kind = repo_kind(kind_name)
    items = [kind.from_api(record, crawled_at) for record in records]
    cards = [(item.id, item.sha) for item in items] if want_cards else []
    order = page_order(records, order_key) if order_key else None
    report = StepReport()
    valid = validate_models(items, report, kind.schema)
    fill_raw_json(valid, kind.held_by_column)
    for item in valid:
        kind.enrich(item)
    configs = [(item.id, item.sha, item.weights_bytes) for item in valid
               if wants_config(item.model_type, item.architectures, item.files)] if want_configs else []
    return BuiltPage(
        models_to_table(valid, report, kind.schema), report, len(items), continues, reached_cutoff, cards,
        reached_limit=not continues and not reached_cutoff, order=order, invalid_utf8=invalid_utf8, configs=configs,
    )
