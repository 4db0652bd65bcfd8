"""Page processes: where a crawl's per-model Python work runs, in parallel with the crawl itself.

Decoding, mapping, validating and enriching a 1,000-model page takes about 65 ms of pure Python,
and the crawling process also has Scrapy's own work (HTTP, scheduling, the pipeline chain) and the
Parquet writes. In one interpreter that is one core at best: about 7,500 models/s on this project's
2-core reference machine. So each listing page is handed to one of ``HFHUB_PAGE_PROCESSES`` worker
processes and stays there (``hfhub.pagework``) while the spider and the pipelines each run their
step on it; only counts, ids and the finished Arrow table come back.

A page always goes to the same process (key modulo the number of processes), and each process
takes its calls in order, so a page's steps run in sequence while other pages' steps run beside
them. One ``PageProcesses`` per crawler (``page_processes(crawler)``); its processes are forked
when it is created (as the spider starts, before any download) and shut down when the engine stops.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, Callable, TypeVar
from weakref import WeakKeyDictionary

from scrapy import signals

from hfhub import pagework
from hfhub.items import ModelPage

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

T = TypeVar("T")
logger = logging.getLogger(__name__)


class PageProcessFailed(RuntimeError):
    """A page process died (killed, or out of memory): the pages it held are lost to this run."""


class PageProcesses:
    def __init__(self, processes: int, gc_threshold: int = 0) -> None:
        if processes < 1:
            raise ValueError("HFHUB_PAGE_PROCESSES must be at least 1")
        # fork: the child starts with hfhub already imported (no start-up cost per crawl), and
        # it is created before the crawl has threads of its own.
        context = multiprocessing.get_context("fork")
        self._executors = [
            ProcessPoolExecutor(1, mp_context=context, initializer=pagework.start_process, initargs=(gc_threshold, os.getpid()))
            for _ in range(processes)
        ]
        # Fork now, not at the first page; from this (the reactor's) thread, which lives as long
        # as the process: a page process's death signal (hfhub.pagework) follows its forking thread.
        for executor in self._executors:
            executor.submit(pagework.pages_held).result()
        self._keys = itertools.count()

    def new_key(self) -> int:
        return next(self._keys)

    async def run(self, key: int, work: Callable[..., T], *args: Any) -> T:
        """``work(key, *args)`` in the page process that holds page ``key``."""
        executor = self._executors[key % len(self._executors)]
        try:
            return await asyncio.wrap_future(executor.submit(work, key, *args))
        except BrokenProcessPool as exc:
            raise PageProcessFailed(f"page process {key % len(self._executors)} died: {exc}") from exc

    def forget(self, key: int) -> None:
        """Free a page that will not be written (no answer awaited)."""
        try:
            self._executors[key % len(self._executors)].submit(pagework.forget_page, key)
        except (BrokenProcessPool, RuntimeError):
            pass  # the process is gone, and the page with it

    def close(self) -> None:
        for executor in self._executors:
            executor.shutdown(wait=True, cancel_futures=True)


_by_crawler: WeakKeyDictionary[Crawler, PageProcesses] = WeakKeyDictionary()


def page_processes(crawler: Crawler) -> PageProcesses:
    """The crawler's page processes, started on first use."""
    processes = _by_crawler.get(crawler)
    if processes is None:
        settings = crawler.settings
        processes = PageProcesses(settings.getint("HFHUB_PAGE_PROCESSES"), settings.getint("HFHUB_GC_THRESHOLD"))
        _by_crawler[crawler] = processes
        crawler.signals.connect(_forget_unwritten(processes), signal=signals.item_dropped, weak=False)
        crawler.signals.connect(_forget_unwritten(processes), signal=signals.item_error, weak=False)
        crawler.signals.connect(processes.close, signal=signals.engine_stopped, weak=False)
    return processes


def _forget_unwritten(processes: PageProcesses) -> Callable[..., None]:
    def forget(item: Any, **kwargs: Any) -> None:
        if isinstance(item, ModelPage):
            processes.forget(item.key)

    return forget
