"""Scrapy's scheduler, with a JOBDIR that cannot be written ending the crawl with one clear error.

With Scrapy's own scheduler, a full disk under ``JOBDIR`` makes every push and every pop of the disk
queue raise (``sqlite3.OperationalError: database or disk is full``) inside a task nobody awaits:
a traceback per request, then one every 5 s from the engine's heartbeat, for as long as the process
lives, and the requests that failed to be pushed are gone. Here the first failure stops the crawl
(``finish_reason`` ``jobdir_write_failed``, exit status 1, nothing published) and says what to do.

What stays on disk is a state the next run with the same JOBDIR resumes from: SQLite commits each
push or pop whole or not at all, ``active.json`` is replaced atomically (a failed write leaves the
earlier one), the listing resumes from the crawl's checkpoint (not from the queue), and cards the
crawl's models lack are asked for again at the end (``hfhub.cards.repair``).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.core.scheduler import Scheduler
from scrapy.utils.defer import deferred_from_coro

from hfhub.crawl.killpoints import fail_point
from hfhub.storage.dataset import write_bytes_atomically

if TYPE_CHECKING:
    from scrapy import Request
    from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

# what a JOBDIR that cannot be written raises: OSError from files, sqlite3.Error from the disk queue
JOBDIR_ERRORS = (OSError, sqlite3.Error)


class JobdirScheduler(Scheduler):
    jobdir_error: str | None = None

    def enqueue_request(self, request: Request) -> bool:
        try:
            return super().enqueue_request(request)
        except JOBDIR_ERRORS as exc:  # the dupefilter's requests.seen could not be written
            self.jobdir_failed(exc)
            self._mqpush(request)  # kept for this run, which is closing; a resume asks again
            return True

    def _dqpush(self, request: Request) -> bool:
        if self.jobdir_error is not None:
            return False
        try:
            fail_point(f"jobdir_push:{self._pushes()}")
            return super()._dqpush(request)
        except JOBDIR_ERRORS as exc:
            self.jobdir_failed(exc)
            return False  # Scrapy then keeps the request in memory

    def _dqpop(self) -> Request | None:
        if self.jobdir_error is not None:
            return None
        try:
            return super()._dqpop()
        except JOBDIR_ERRORS as exc:
            self.jobdir_failed(exc)
            return None

    def close(self, reason: str) -> Deferred[None] | None:
        try:
            return super().close(reason)
        except JOBDIR_ERRORS as exc:
            self.jobdir_failed(exc)
            return None

    def _write_dqs_state(self, dqdir: str, state: Any) -> None:
        # written aside and renamed over the old one: a full disk never leaves a half-written file
        write_bytes_atomically(Path(dqdir, "active.json"), json.dumps(state).encode())

    def _pushes(self) -> int:
        return self.stats.get_value("scheduler/enqueued/disk", 0) if self.stats else 0

    def jobdir_failed(self, exc: BaseException) -> None:
        """The first failure: say so once, count it and close the spider; later ones are counted."""
        if self.stats is not None:
            self.stats.inc_value("hfhub/jobdir_write_failed")
        if self.jobdir_error is not None:
            return
        self.jobdir_error = str(exc)
        logger.error(
            "the JOBDIR %(dir)s cannot be written (%(error)s): the crawl stops, nothing is published; free "
            "space there and run the same command again to resume",
            {"dir": os.path.dirname(self.dqdir or "") or "?", "error": self.jobdir_error},
        )
        engine = self.crawler.engine if self.crawler is not None else None
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason="jobdir_write_failed"))
