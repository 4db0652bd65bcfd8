"""The spider's page pool: where a listing page's per-model work runs (``hfhub.crawl.pagework.build_page``).

Decoding, mapping, validating, enriching and converting a fully expanded 1,000-model page to Arrow
is pure Python (~85 ms a page measured), on top of Scrapy's own work in the crawling process. In one
interpreter that is one core at best, so by default each page goes to one of ``HFHUB_PAGE_PROCESSES``
forked processes (a stock ``ProcessPoolExecutor``): the page's bytes go out, its Arrow table comes
back, one call per page, no state left behind. ``HFHUB_PAGE_PROCESSES=0`` runs the same call inline.

A page process that dies (killed, out of memory) breaks the pool: every page in flight fails with
``PagePoolBroken`` and the spider closes the crawl (``page_process_failed``) without publishing. Those
pages were never yielded, so the checkpoint stays before them and a resumed run lists them again.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy import signals

from hfhub.crawl import pagework

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

T = TypeVar("T")


class PagePoolBroken(Exception):
    """A page process died; the pages it was given are lost to this run."""


class PagePool:
    def __init__(self, processes: int, gc_threshold: int = 0) -> None:
        if processes < 0:
            raise ValueError("HFHUB_PAGE_PROCESSES must be 0 (inline) or more")
        self._executor: ProcessPoolExecutor | None = None
        if processes:
            # fork: a page process starts with hfhub already imported. With fork, the executor forks
            # all its processes at the first call, from the calling (the reactor's) thread, which
            # lives as long as the crawl: a page process's death signal (hfhub.crawl.pagework) follows it.
            self._executor = ProcessPoolExecutor(
                processes, mp_context=multiprocessing.get_context("fork"),
                initializer=pagework.start_process, initargs=(gc_threshold, os.getpid()),
            )
            self._executor.submit(int).result()  # fork them now, before any download

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        pool = cls(settings.getint("HFHUB_PAGE_PROCESSES"), settings.getint("HFHUB_GC_THRESHOLD"))
        crawler.signals.connect(pool.close, signal=signals.engine_stopped)
        return pool

    @property
    def pids(self) -> list[int]:
        return sorted(self._executor._processes) if self._executor is not None else []

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` in a page process (or here, inline)."""
        if self._executor is None:
            return work(*args)
        try:
            return await asyncio.wrap_future(self._executor.submit(work, *args))
        except BrokenProcessPool as exc:
            raise PagePoolBroken(f"a page process died: {exc}") from exc

    def close(self) -> None:
        """Stop the page processes (calls not yet started are cancelled)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
