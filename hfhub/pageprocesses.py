"""Page processes: where a crawl's per-model Python work runs, in parallel with the crawl itself.

Decoding, mapping, validating, enriching and converting a fully expanded 1,000-model page to Arrow
takes about 85 ms of pure Python (measured: 25 + 10 + 30 + 15 ms), and the crawling process also has
Scrapy's own work (HTTP, scheduling, the pipeline chain) and the Parquet writes. In one interpreter
that is one core at best: about 7,400 models/s on this project's 2-core reference machine. So each
listing page is handed to one of ``HFHUB_PAGE_PROCESSES`` worker processes and stays there
(``hfhub.pagework``) while the spider and the pipelines each run their step on it; only counts, ids
and the finished Arrow table come back.

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
import time
from typing import TYPE_CHECKING, Any, Callable, TypeVar
from weakref import WeakKeyDictionary

from scrapy import signals
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro

from hfhub import pagework
from hfhub.items import ModelPage
from hfhub.workerprocess import WorkerDied, WorkerProcess

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

T = TypeVar("T")
logger = logging.getLogger(__name__)


class PageProcessFailed(CloseSpider):
    """A page process died (killed, or out of memory): the pages it held are lost to this run.

    The crawl closes (``page_process_failed``) without publishing. Those pages are not counted as
    handled, so the checkpoint stays before them (a resumed run lists them again) and, in a cluster,
    their leases go back to the queue."""

    def __init__(self, message: str) -> None:
        super().__init__(reason="page_process_failed")
        self.message = message

    def __str__(self) -> str:
        return self.message


def lost_in_page_process(failure: Failure | None) -> bool:
    """Whether an ``item_error``'s failure is a page process's death (the item is not done with)."""
    return failure is not None and failure.check(PageProcessFailed) is not None


class PageProcesses:
    def __init__(self, processes: int, gc_threshold: int = 0, on_failure: Callable[[str], None] | None = None) -> None:
        if processes < 1:
            raise ValueError("HFHUB_PAGE_PROCESSES must be at least 1")
        # fork: a page process starts with hfhub already imported (no start-up cost per crawl). They
        # are forked now, by this (the reactor's) thread, which lives as long as the process: a page
        # process's death signal (hfhub.pagework) follows the thread that forked it.
        context = multiprocessing.get_context("fork")
        self._keys = itertools.count()
        self._on_failure = on_failure
        self.failed = False
        self._closing = False
        self._workers: list[WorkerProcess] = []
        try:
            for number in range(processes):
                self._workers.append(WorkerProcess(
                    context, f"hfhub-page-{number}", siblings=self._workers,
                    initializer=pagework.start_process, initargs=(gc_threshold, os.getpid()),
                ))
        except BaseException:
            self.close()  # the ones already started
            raise

    @property
    def pids(self) -> list[int | None]:
        return [worker.pid for worker in self._workers]

    def new_key(self) -> int:
        return next(self._keys)

    async def run(self, key: int, work: Callable[..., T], *args: Any) -> T:
        """``work(key, *args)`` in the page process that holds page ``key``."""
        try:
            return await asyncio.wrap_future(self._worker(key).submit(work, key, *args))
        except WorkerDied as exc:
            if not self.failed and not self._closing:
                self.failed = True
                for worker in self._workers:  # the crawl closes: the others' pages are of no use
                    worker.kill()
                if self._on_failure is not None:
                    self._on_failure(f"page process died: {exc}")
            raise PageProcessFailed(f"page process died: {exc}") from exc

    def forget(self, key: int) -> None:
        """Free a page that will not be written (no answer awaited)."""
        self._worker(key).submit(pagework.forget_page, key)

    def close(self, timeout: float = 30.0) -> None:
        """Stop every page process once it has answered what it was sent (all of them at once)."""
        self._closing = True  # from now on a process ending is no failure of the crawl
        for worker in self._workers:
            worker.stop()
        deadline = time.monotonic() + timeout
        for worker in self._workers:
            worker.join(max(0.0, deadline - time.monotonic()))

    def _worker(self, key: int) -> WorkerProcess:
        return self._workers[key % len(self._workers)]


_by_crawler: WeakKeyDictionary[Crawler, PageProcesses] = WeakKeyDictionary()


def page_processes(crawler: Crawler) -> PageProcesses:
    """The crawler's page processes, started on first use."""
    processes = _by_crawler.get(crawler)
    if processes is None:
        settings = crawler.settings
        processes = PageProcesses(
            settings.getint("HFHUB_PAGE_PROCESSES"), settings.getint("HFHUB_GC_THRESHOLD"), _closer(crawler),
        )
        _by_crawler[crawler] = processes
        crawler.signals.connect(_forget_unwritten(processes), signal=signals.item_dropped, weak=False)
        crawler.signals.connect(_forget_unwritten(processes), signal=signals.item_error, weak=False)
        crawler.signals.connect(processes.close, signal=signals.engine_stopped, weak=False)
    return processes


def _closer(crawler: Crawler) -> Callable[[str], None]:
    def close(message: str) -> None:
        assert crawler.engine is not None
        logger.error("%(message)s; closing the crawl (its parts stay for a resumed run)", {"message": message})
        deferred_from_coro(crawler.engine.close_spider_async(reason="page_process_failed"))

    return close


def _forget_unwritten(processes: PageProcesses) -> Callable[..., None]:
    def forget(item: Any, **kwargs: Any) -> None:
        if isinstance(item, ModelPage):
            processes.forget(item.key)

    return forget
