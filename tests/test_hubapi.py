from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from hfhub.crawl.hubapi import listing_url, next_page_url


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('<https://huggingface.co/api/models?limit=1000&cursor=eyJ9>; rel="next"',
         "https://huggingface.co/api/models?limit=1000&cursor=eyJ9"),
        (b'<http://127.0.0.1:1/api/models?cursor=a%3D%3D>; rel="next"', "http://127.0.0.1:1/api/models?cursor=a%3D%3D"),
        ('<http://x/prev>; rel="prev", <http://x/next>; rel="next"', "http://x/next"),
        ("<http://x/next>; rel=next", "http://x/next"),
        ('<http://x/prev>; rel="prev"', None),
        ("", None),
        (None, None),
        ("garbage", None),
    ],
)
def test_next_page_url(header, expected):
    assert next_page_url(header) == expected


def test_models_listing_url_carries_every_parameter():
    url = listing_url(
        "http://127.0.0.1:8000/",
        "models",
        expand=("author", "tags"),
        limit=500,
        author="acme",
        search="bert",
        filters=("license:mit", "en"),
        pipeline_tag="fill-mask",
        sort="downloads",
    )
    parts = urlsplit(url)
    assert parts.path == "/api/models"
    assert parse_qsl(parts.query) == [
        ("author", "acme"),
        ("search", "bert"),
        ("filter", "license:mit"),
        ("filter", "en"),
        ("pipeline_tag", "fill-mask"),
        ("sort", "downloads"),
        ("direction", "-1"),
        ("limit", "500"),
        ("expand[]", "author"),
        ("expand[]", "tags"),
    ]


def test_listing_url_names_the_kinds_endpoint():
    for kind in ("datasets", "spaces"):
        parts = urlsplit(listing_url("http://127.0.0.1:8000", kind, expand=("sdk",), limit=10))
        assert parts.path == f"/api/{kind}"
