"""Save a crawl's final stats as JSON next to the dataset, for people and scripts to read later.

In cluster mode each worker writes its own file, named after the worker
(``crawl_stats-<worker>.json``). Written at ``engine_stopped``, after every ``spider_closed`` handler has finished, so the stats
include what happened at close (compaction, publishing the dataset).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from hfhub.cluster import redis_url
from hfhub.crawl.crawlsession import cluster_session
from hfhub.storage.dataset import stats_file_beside

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


class CrawlStatsFile:
    def __init__(self, crawler: Crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        setting = crawler.settings.get("HFHUB_STATS_FILE")
        if setting == "":
            raise NotConfigured("HFHUB_STATS_FILE is empty")
        settings = crawler.settings
        path = Path(setting) if setting else stats_file_beside(settings["HFHUB_DATASET_DIR"], settings["HFHUB_REPO_KIND"])
        if redis_url(crawler.settings):  # one file per cluster worker
            path = path.with_name(f"{path.stem}-{cluster_session(crawler).worker_id}{path.suffix}")
        extension = cls(crawler, path)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self) -> None:
        assert self.crawler.stats is not None
        stats = {key: _jsonable(v) for key, v in sorted(self.crawler.stats.get_stats().items())}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.write_text(json.dumps(stats, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, self.path)
        logger.info("crawl stats saved to %(path)s", {"path": self.path})
