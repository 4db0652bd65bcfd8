from __future__ import annotations

import pytest

from hfhub.spiders.args import ListingArgs, parse_listing_args
from hfhub.spiders.models import ModelsSpider


def test_defaults_list_everything():
    assert parse_listing_args() == ListingArgs()


def test_arguments_become_typed_values():
    args = parse_listing_args(limit="25", author="acme-ai", filter="license:mit, en", sort="likes")
    assert args == ListingArgs(limit=25, author="acme-ai", filters=("license:mit", "en"), sort="likes")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"limit": "ten"}, "limit must be a positive whole number"),
        ({"limit": "0"}, "limit must be a positive whole number"),
        ({"limit": "-3"}, "limit must be a positive whole number"),
        ({"sort": "stars"}, "sort must be one of downloads, likes"),
        ({"author": "a/b"}, "author must be a Hub user or organisation"),
        ({"filter": "a,,b"}, "filter must be tags separated by commas"),
        ({"search": "   "}, "search must be non-blank"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        parse_listing_args(**kwargs)


def test_spider_refuses_unknown_arguments_but_accepts_scrapyd_ones():
    with pytest.raises(ValueError, match=r"unknown spider argument.*limt"):
        ModelsSpider(limt="5")
    spider = ModelsSpider(limit="5", _job="abc123")
    assert spider.args.limit == 5
