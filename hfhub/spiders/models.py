"""The ``models`` spider: pages through ``GET {HF_ENDPOINT}/api/models`` and yields ``ModelItem``s."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import orjson
import scrapy
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import CloseSpider

from hfhub.hubapi import models_listing_url, next_page_url
from hfhub.hubrecord import EXPAND_PROPERTIES, model_item_from_api
from hfhub.items import ModelItem
from hfhub.spiders.args import parse_listing_args

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

LISTING_ARGS = ("limit", "author", "search", "filter", "pipeline_tag", "sort")


class ModelsSpider(scrapy.Spider):
    name = "models"

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        # scrapyd adds its own arguments (_job, _version); anything else unknown is a typo.
        unknown = sorted(k for k in kwargs if k not in LISTING_ARGS and not k.startswith("_"))
        if unknown:
            raise ValueError(
                f"unknown spider argument(s) {', '.join(unknown)}; accepted: {', '.join(LISTING_ARGS)}"
            )
        self.args = parse_listing_args(**{k: kwargs.pop(k) for k in LISTING_ARGS if k in kwargs})
        super().__init__(name, **kwargs)
        self.models_seen = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        page_size = self.settings.getint("HFHUB_PAGE_SIZE")
        if self.args.limit is not None:
            page_size = min(page_size, self.args.limit)
        url = models_listing_url(
            self.settings["HF_ENDPOINT"],
            expand=EXPAND_PROPERTIES,
            limit=page_size,
            author=self.args.author,
            search=self.args.search,
            filters=self.args.filters,
            pipeline_tag=self.args.pipeline_tag,
            sort=self.args.sort,
        )
        yield self.listing_request(url)

    def listing_request(self, url: str) -> scrapy.Request:
        # Pages form a chain (each names the next), so a page is never a duplicate of another;
        # dont_filter also keeps a retried page from being dropped by the dupefilter.
        return scrapy.Request(url, callback=self.parse, errback=self.page_failed, dont_filter=True)

    def parse(self, response: Response) -> Iterator[ModelItem | scrapy.Request]:
        try:
            records = orjson.loads(response.body)
        except orjson.JSONDecodeError:
            records = None
        if not isinstance(records, list):
            yield self.retry_or_fail(response, reason="malformed_json")
            return
        self.crawler.stats.inc_value("hfhub/pages")
        if self.args.limit is not None:
            records = records[: self.args.limit - self.models_seen]
        self.models_seen += len(records)
        # The next page first: it downloads while this page's items go through the pipelines.
        next_url = next_page_url(response.headers.get("Link"))
        if next_url and (self.args.limit is None or self.models_seen < self.args.limit):
            yield self.listing_request(next_url)
        self.crawler.stats.inc_value("hfhub/models_listed", len(records))
        crawled_at = datetime.now(timezone.utc)
        for record in records:
            yield model_item_from_api(record, crawled_at)

    def retry_or_fail(self, response: Response, reason: str) -> scrapy.Request:
        retry = get_retry_request(response.request, spider=self, reason=reason)
        if retry is None:
            self.fail_listing(response.url, reason)
        return retry

    def page_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.fail_listing(request.url, failure.getErrorMessage() or repr(failure.value))

    def fail_listing(self, url: str, reason: str) -> None:
        """A page that stays broken after the retries ends the listing: later pages are reachable
        only through its cursor. The crawl closes as failed, so its partial result is not published."""
        self.crawler.stats.inc_value("hfhub/pages_failed")
        self.logger.error("listing page failed for good (%(reason)s): %(url)s", {"reason": reason, "url": url})
        raise CloseSpider("listing_page_failed")
