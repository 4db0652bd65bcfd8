"""The config requests of the ``models`` spider (``-a configs=1``): a repo's config.json, once per revision.

The twin of ``hfhub.spiders.cards``, through the same resolver quota (``/resolve/`` URLs count
against the Hub's "resolvers" bucket, ``hfhub.middlewares.ratelimit``), retries and priority. A
config is asked for at the revision the listing gave (``/resolve/<sha>/config.json``) for the models
that want one (``hfhub.configs.wanted``), unless the configs table already holds it; a repo without
a config.json at that revision (404) and a config over ``HFHUB_CONFIG_MAX_DOWNLOAD`` get a row all
the same, so they are never asked for again. A crawl alone ends by asking once more for the configs
its written models lack and got no answer for (``hfhub.configs.repair``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.exceptions import DontCloseSpider, DownloadCancelledError
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from hfhub.cards.publishing import cards_of_crawl
from hfhub.cluster.leases import settles_lease
from hfhub.configs.parse import TOO_LARGE, ConfigRejected, ParsedConfig, parse_config
from hfhub.configs.repair import missing_configs
from hfhub.configs.table import config_key
from hfhub.items import ConfigItem
from hfhub.signals import flush_buffers
from hfhub.spiders.cards import _CARD_PATH
from hfhub.storage.versions import dataset_path, inprogress_dir

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from hfhub.records.kinds import RepoKind


class ConfigRequests:
    """Mixed into the listing spiders (``hfhub.spiders.repos``): config requests, their callbacks
    and the closing repair."""

    kind: RepoKind
    crawler: Crawler
    session: Any
    logger: Any
    reached_end: bool
    known_configs: set[int] | None
    configs_repair: str | None
    configs_answered: set[int]
    configs_rejections_logged: set[str]

    def ask_for_missing_configs(self) -> None:
        """Once the listing is over and nothing is left to do: ask once more for the configs the
        crawl's written models want and lack (a kill loses queued and buffered configs)."""
        if not self.reached_end or self.configs_repair == "done":
            return
        if self.configs_repair is None:
            self.configs_repair = "running"
            deferred_from_coro(self._repair_configs())
        raise DontCloseSpider

    async def _repair_configs(self) -> None:
        try:
            await self.crawler.signals.send_catch_log_async(signal=flush_buffers)
            settings = self.crawler.settings
            parts_dir = inprogress_dir(dataset_path(settings["HFHUB_DATASET_DIR"]), self.session.crawl_id)
            configs_dirs = cards_of_crawl(dataset_path(settings["HFHUB_CONFIGS_DIR"]), self.session.crawl_id)
            missing = await maybe_deferred_to_future(deferToThread(missing_configs, parts_dir, configs_dirs))
            # what this process asked for and got an answer to is not lost, whatever the answer was
            missing = [m for m in missing if config_key(m[0], m[1]) not in self.configs_answered]
            self.known_configs = set()  # the table said what is missing; ask for each of them
            if missing:
                self.logger.info("asking again for %(n)d config(s) this crawl's models lack", {"n": len(missing)})
                self.crawler.stats.set_value("hfhub/configs/asked_again", len(missing))
            assert self.crawler.engine is not None
            for model_id, sha, weights in missing:
                for request in self.config_request(model_id, sha, weights):
                    self.crawler.engine.crawl(request)
        finally:
            self.configs_repair = "done"

    def config_request(self, model_id: Any, sha: Any, weights_bytes: Any) -> Iterator[scrapy.Request]:
        """The config.json of this revision, unless the configs table already holds it."""
        if not isinstance(model_id, str) or not isinstance(sha, str) or not _CARD_PATH.match(f"{model_id}@{sha}"):
            return
        if config_key(model_id, sha) in self.known_configs:  # type: ignore[operator]
            self.crawler.stats.inc_value("hfhub/configs/unchanged")
            return
        settings = self.crawler.settings
        # not filtered alone, for the reason card requests are not (hfhub.spiders.cards)
        yield scrapy.Request(
            f"{self.kind.repo_url(settings['HF_ENDPOINT'], model_id)}/resolve/{sha}/config.json",
            callback=self.parse_config, errback=self.config_failed, dont_filter=not self.session.shared,
            meta={"model_id": model_id, "sha": sha, "weights_bytes": weights_bytes,
                  "download_maxsize": settings.getint("HFHUB_CONFIG_MAX_DOWNLOAD")},
        )

    def _config_item(self, meta: dict[str, Any], config: ParsedConfig | ConfigRejected | None) -> ConfigItem:
        self.configs_answered.add(config_key(meta["model_id"], meta["sha"]))
        return ConfigItem(meta["model_id"], meta["sha"], datetime.now(UTC), meta.get("weights_bytes"), config)

    @settles_lease
    def parse_config(self, response: Response) -> Iterator[ConfigItem]:
        stats = self.crawler.stats
        config = parse_config(response.body, max_text_bytes=self.crawler.settings.getint("HFHUB_CONFIG_MAX_TEXT_BYTES"))
        if isinstance(config, ConfigRejected):
            stats.inc_value(f"hfhub/configs/rejected/{config.reason}")
            if config.reason not in self.configs_rejections_logged:  # the first of each reason
                self.configs_rejections_logged.add(config.reason)
                self.logger.warning("config rejected (%(reason)s; further ones are counted in "
                                    "hfhub/configs/rejected/%(reason)s): %(url)s",
                                    {"reason": config.reason, "url": response.url})
        else:
            stats.inc_value("hfhub/configs/fetched")
            if config.facts.attention is None:
                stats.inc_value("hfhub/configs/no_attention")
            if config.text is None:
                stats.inc_value("hfhub/configs/text_not_kept")
        yield self._config_item(response.meta, config)

    @settles_lease
    def config_failed(self, failure: Failure) -> Iterator[ConfigItem]:
        """A repo without a config.json at that revision (404) and a config over the size limit get a
        row, so that revision is not asked for again; other failures (after the retries) are counted
        and the config is tried again in the next crawl."""
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        if failure.check(HttpError) and failure.value.response.status == 404:
            self.crawler.stats.inc_value("hfhub/configs/missing")
            yield self._config_item(meta, None)
            return
        if failure.check(DownloadCancelledError):
            self.crawler.stats.inc_value(f"hfhub/configs/rejected/{TOO_LARGE}")
            self.logger.warning("config over HFHUB_CONFIG_MAX_DOWNLOAD, not downloaded: %(url)s", {"url": request.url})
            yield self._config_item(meta, ConfigRejected(TOO_LARGE, None))
            return
        self.configs_answered.add(config_key(meta["model_id"], meta["sha"]))
        self.crawler.stats.inc_value("hfhub/configs/failed")
        self.logger.warning("config not fetched (%(error)s): %(url)s",
                            {"error": failure.getErrorMessage() or repr(failure.value), "url": request.url})
