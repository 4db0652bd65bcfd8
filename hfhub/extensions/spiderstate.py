"""Scrapy's ``SpiderState`` (``spider.state`` kept in ``JOBDIR/spider.state``), written so that a full
disk cannot break the next run: Scrapy's writes the file in place, so a failed write leaves a
truncated pickle that the next run with the same JOBDIR cannot load. Here it is written aside and
renamed over the old one, and a failure is one logged line (the crawl's exit status already says
the crawl did not finish: ``hfhub.crawl.scheduler``)."""

from __future__ import annotations

import logging
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.extensions.spiderstate import SpiderState

from hfhub.storage.dataset import write_bytes_atomically

if TYPE_CHECKING:
    from scrapy import Spider

logger = logging.getLogger(__name__)


class AtomicSpiderState(SpiderState):
    def spider_closed(self, spider: Spider) -> None:
        if not self.jobdir:
            return
        path = Path(self.statefn)
        try:
            write_bytes_atomically(path, pickle.dumps(spider.state, protocol=4))  # type: ignore[attr-defined]
        except OSError as exc:
            logger.error("%(path)s could not be written (%(error)s); the one from the run before stays",
                         {"path": path, "error": exc})
