"""A spider of a user's own that yields one ``ModelItem`` per API record, unvalidated, as a plain
Scrapy spider would (tests/test_feeds.py): hfhub's pipelines validate, enrich and write them too."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy

from hfhub.crawl.hubapi import listing_url, next_page_url
from hfhub.records.hubrecord import EXPAND_PROPERTIES, model_item_from_api

BROKEN_RECORD = {"id": "", "downloads": "many"}  # dropped: missing_id


class ModelsOneByOne(scrapy.Spider):
    name = "models_one_by_one"

    async def start(self) -> Any:
        yield scrapy.Request(listing_url(os.environ["HF_ENDPOINT"], "models", expand=EXPAND_PROPERTIES, limit=500))

    def parse(self, response: Any) -> Iterator[Any]:
        records = json.loads(response.body)
        if not self.crawler.stats.get_value("pages_one_by_one"):  # one record no pipeline may keep
            records.append(BROKEN_RECORD)
        self.crawler.stats.inc_value("pages_one_by_one")
        for record in records:
            yield model_item_from_api(record, datetime.now(UTC))
        if next_url := next_page_url(response.headers.get("Link")):
            yield scrapy.Request(next_url)
