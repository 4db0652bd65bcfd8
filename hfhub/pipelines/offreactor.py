"""Run a pipeline's work on a page of models in a thread of its own, so the reactor stays free.

The listing is a chain: the request for page N+1 comes out of page N's response. While the reactor
thread validates and enriches page N (tens of milliseconds of Python per 1,000 models), nothing else
happens in the crawl: the next page's request is not sent, and the Hub does not start on it. In a
worker thread that work overlaps the next page's download. One thread per pipeline keeps that
pipeline's pages in order and its stats written from one thread only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class PageWorker:
    def __init__(self, name: str) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, work, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=True)
