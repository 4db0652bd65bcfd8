"""Send ``HF_TOKEN`` to the Hub as a bearer token, without ever storing it on a queued request.

JOBDIR pickles queued requests with their headers, and a retry or redirect copies the request it
retries. So the header is added here, at download time, only for requests to the Hub endpoint, and
taken off again as soon as the download is over (this middleware has the highest order, so its
``process_response``/``process_exception`` run before any retry or redirect makes a copy).
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

from hfhub.crawl.hubapi import same_origin

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

AUTHORIZATION = b"Authorization"


class HubTokenMiddleware:
    def __init__(self, token: str, endpoint: str) -> None:
        self._authorization = f"Bearer {token}".encode()
        self._endpoint = endpoint

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        token = os.environ.get("HF_TOKEN", "").strip()
        if not token:
            # NotConfigured without a message: Scrapy would log a message as a WARNING.
            logger.info("HF_TOKEN is not set: crawling anonymously (lower rate limits)")
            raise NotConfigured
        return cls(token, crawler.settings["HF_ENDPOINT"])

    def process_request(self, request: Request) -> None:
        # scheme, host and port: an https endpoint's token never goes to http on the same host
        if same_origin(request.url, self._endpoint):
            request.headers[AUTHORIZATION] = self._authorization

    def process_response(self, request: Request, response: Response) -> Response:
        request.headers.pop(AUTHORIZATION, None)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        request.headers.pop(AUTHORIZATION, None)
