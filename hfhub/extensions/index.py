"""Build the search index when a crawl closes, from the Parquet dataset the crawl left on disk.

``PublishCrawl`` (``hfhub.extensions.publish``) publishes a finished crawl's parts at ``spider_closed``
and then sends ``dataset_published``: the index is built on that signal, from what readers now see. A crawl
that did not finish publishes nothing and leaves the previous dataset in place; at ``spider_closed``
the index is then built only if it is missing or was built from another dataset. Either way nothing
is rebuilt when the dataset's fingerprint matches the index's. The build runs in a thread, off the
reactor; a failed build is logged and counted (``hfhub/index/failed``) and leaves the previous index.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from hfhub import paths
from hfhub import signals as hfhub_signals
from hfhub.index import store
from hfhub.index.errors import SearchError

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def index_dir_for(setting: str | None, dataset_dir: Path, kind_name: str = "models") -> Path:
    """``HFHUB_INDEX_DIR``, or without one the folder ``index`` beside the dataset folder
    (``index-datasets``, ``index-spaces`` beside those tables: ``hfhub.paths.index_dir_name``)."""
    return Path(setting) if setting else dataset_dir.parent / paths.index_dir_name(kind_name)


def index_is_current(dataset_dir: Path, index_dir: Path, kind_name: str = "models") -> bool:
    """True when ``index_dir`` holds an index of the dataset exactly as it is on disk now, built
    as an index of ``kind_name`` (an index from before kinds counts as one of models)."""
    try:
        _, manifest = store.resolve(index_dir)
    except SearchError:
        return False
    if manifest.get("kind", "models") != kind_name:
        return False
    return bool(manifest["dataset"]["fingerprint"] == store.fingerprint(dataset_dir))


class IndexBuilder:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("HFHUB_INDEX_ENABLED", True):
            # the user's choice, not a problem: no message, which Scrapy would log as a WARNING
            logger.info("HFHUB_INDEX_ENABLED is off: no search index is built")
            raise NotConfigured
        self.crawler = crawler
        self.dataset_dir = Path(settings.get("HFHUB_DATASET_DIR", paths.DATASET_DIR))
        self.cards_dir = Path(settings["HFHUB_CARDS_DIR"]) if settings.get("HFHUB_CARDS_DIR") else None
        self.configs_dir = Path(settings["HFHUB_CONFIGS_DIR"]) if settings.get("HFHUB_CONFIGS_DIR") else None
        self.kind_name = settings.get("HFHUB_REPO_KIND", "models")
        self.index_dir = index_dir_for(settings.get("HFHUB_INDEX_DIR"), self.dataset_dir, self.kind_name)
        self.embedding = settings.get("HFHUB_INDEX_EMBEDDING")  # None: the default (hfhub.index.vectors)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.dataset_published, signal=hfhub_signals.dataset_published)
        return extension

    async def dataset_published(self, **kwargs: Any) -> None:
        await self.build()

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        if reason != "finished":  # a finished crawl is indexed once published (dataset_published)
            await self.build()

    async def build(self) -> None:
        stats = self.crawler.stats
        assert stats is not None
        if not store.dataset_files(self.dataset_dir):
            logger.warning("no dataset in %(dir)s: no index built", {"dir": self.dataset_dir})
            stats.set_value("hfhub/index/skipped", "no_dataset")
            return
        if index_is_current(self.dataset_dir, self.index_dir, self.kind_name):
            logger.info("the index in %(dir)s is up to date", {"dir": self.index_dir})
            stats.set_value("hfhub/index/skipped", "up_to_date")
            return
        from hfhub.index import build_index  # noqa: PLC0415 (scikit-learn and faiss, only when building)

        try:
            manifest: dict[str, Any] = await maybe_deferred_to_future(
                deferToThread(
                    build_index,
                    self.dataset_dir,
                    self.index_dir,
                    embedding=self.embedding,
                    cards_dir=self.cards_dir,
                    kind=self.kind_name,
                    configs_dir=self.configs_dir,
                )
            )
        except Exception:
            logger.exception("index build failed; the previous index (if any) is kept")
            stats.inc_value("hfhub/index/failed")
            return
        stats.set_value("hfhub/index/models", manifest["model_count"])
        stats.set_value("hfhub/index/build_seconds", manifest["build_seconds"])
