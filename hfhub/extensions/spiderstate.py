"""Scrapy's ``SpiderState`` (``spider.state`` kept in ``JOBDIR/spider.state``), written so that a full
disk cannot break the next run: Scrapy's writes the file in place, so a failed write leaves a
truncated pickle that the next run with the same JOBDIR cannot load. Here it is written aside and
renamed over the old one, and a failure is one logged line (the crawl's exit status already says
the crawl did not finish: ``hfhub.scheduler``)."""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.extensions.spiderstate import SpiderState

if TYPE_CHECKING:
    from scrapy import Spider

logger = logging.getLogger(__name__)


class AtomicSpiderState(SpiderState):
    def spider_closed(self, spider: Spider) -> None:
        if not self.jobdir:
            return
        path = Path(self.statefn)
        temporary = path.with_name(path.name + ".tmp")
        try:
            temporary.write_bytes(pickle.dumps(spider.state, protocol=4))  # type: ignore[attr-defined]
            os.replace(temporary, path)
        except OSError as exc:
            logger.error("%(path)s could not be written (%(error)s); the one from the run before stays",
                         {"path": path, "error": exc})
        finally:
            temporary.unlink(missing_ok=True)
