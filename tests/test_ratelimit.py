from __future__ import annotations

import pytest
from scrapy.http import Headers

from hfhub.crawl.ratelimit import RateLimitState, parse_ratelimit, parse_retry_after, wait_after_429


def test_parse_ratelimit_reads_the_hubs_draft_header():
    headers = Headers({"RateLimit": '"api";r=0;t=55', "RateLimit-Policy": '"fixed window";"api";q=500;w=300'})
    assert parse_ratelimit(headers) == RateLimitState("api", 0, 55.0)


@pytest.mark.parametrize("value", ["", "nonsense", '"api";r=x;t=1'])
def test_parse_ratelimit_ignores_what_it_cannot_read(value):
    assert parse_ratelimit(Headers({"RateLimit": value})) is None


@pytest.mark.parametrize(("value", "seconds"), [("120", 120.0), (" 3 ", 3.0), ("Wed, 21 Oct 2015 07:28:00 GMT", None), ("-1", None)])
def test_parse_retry_after(value, seconds):
    assert parse_retry_after(Headers({"Retry-After": value})) == seconds


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "7", "RateLimit": '"api";r=0;t=55'}, 7.0),  # the explicit instruction wins
        ({"RateLimit": '"api";r=0;t=55'}, 55.0),
        ({"RateLimit": '"api";r=3;t=55'}, 10.0),  # quota not exhausted: the default
        ({}, 10.0),
        ({"Retry-After": "86400"}, 600.0),  # clamped
    ],
)
def test_wait_after_429(headers, wait):
    assert wait_after_429(Headers(headers), default=10.0, maximum=600.0) == wait
