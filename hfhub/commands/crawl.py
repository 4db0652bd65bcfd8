"""``scrapy crawl`` whose exit status tells whether the crawl succeeded.

Scrapy's own ``crawl`` exits 0 whenever the spider ran, even if it closed early. A mirror run by cron
or scrapyd needs the failure in the exit status: anything but a ``finished`` close (a listing page
that stayed broken after the retries, a Parquet part that could not be written, Ctrl-C) exits 1, and
so does a finished crawl in which a pipeline failed on an item (a card, say).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from twisted.internet.defer import Deferred

from hfhub.extensions.itemerrors import pipeline_errors

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


# Stats that say a finished crawl did not write or publish all it should have.
WRITE_FAILURE_STATS = (
    "hfhub/parts_failed", "hfhub/cards/parts_failed", "hfhub/cards/publish_failed",
    "hfhub/configs/parts_failed", "hfhub/configs/publish_failed", "hfhub/publish/refused", "hfhub/publish/failed",
    "hfhub/publish/handlers_failed", "hfhub/index/failed", "hfhub/history/failed",
)


# What a crawl that cannot start raises for a reason the user can act on (a bad -a value, a JOBDIR
# that cannot be written, a checkpoint to remove): one line says it; anything else is a bug and
# keeps its traceback.
START_ERRORS = (ValueError, OSError)


def _report_start_errors(started: object) -> None:
    """Log why the crawl could not start, in one line when the user can act on it, instead of the
    asyncio "Task exception was never retrieved" traceback Scrapy leaves to the event loop."""

    def report(exc: BaseException) -> None:
        if isinstance(exc, START_ERRORS):
            logger.error("the crawl cannot start: %(error)s", {"error": exc})
        else:
            logger.error("the crawl cannot start", exc_info=exc)

    if isinstance(started, Deferred):
        started.addErrback(lambda failure: report(failure.value))
    elif isinstance(started, asyncio.Future):
        started.add_done_callback(lambda task: None if task.cancelled() or task.exception() is None
                                  else report(task.exception()))  # type: ignore[arg-type]


def write_failures(stats: dict) -> list[str]:
    return [f"{key}={stats[key]}" for key in WRITE_FAILURE_STATS if stats.get(key)]


class Command(ScrapyCrawlCommand):
    _started: Crawler | None = None

    def _create_crawler(self, spname: type[Spider] | str) -> Crawler:
        # The process forgets its crawlers once they are done; keep ours to read its stats after.
        self._started = super()._create_crawler(spname)
        return self._started

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("scrapy crawl takes one spider name")
        assert self.crawler_process
        started = self.crawler_process.crawl(self._create_crawler(args[0]), **opts.spargs)
        _report_start_errors(started)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        # The crawl is over and the process is about to exit. Without this, the interpreter's final
        # garbage collection walks every object Scrapy, Twisted and pyarrow created: 0.6 s of a
        # 2,000-model crawl's 2.3 s, measured. Frozen objects are left to the OS to reclaim.
        gc.freeze()
        if self._started is None:
            return
        try:
            reason = self._started.stats.get_value("finish_reason")
        except RuntimeError:  # the crawl failed before it started (the error is logged)
            reason = "start_error"
        if reason != "finished":
            logger.error("crawl did not finish (finish_reason=%(reason)r): exit status 1", {"reason": reason})
            self.exitcode = 1
        elif failures := write_failures(self._started.stats.get_stats()):
            logger.error("the crawl finished but did not write all it should (%(what)s): exit status 1",
                         {"what": ", ".join(failures)})
            self.exitcode = 1
        elif errors := pipeline_errors(self._started.stats.get_stats()):
            logger.error("a pipeline failed on %(n)d item(s) (hfhub/pipeline_errors/ in the stats): exit status 1",
                         {"n": errors})
            self.exitcode = 1
