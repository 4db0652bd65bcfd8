"""Which order a crawl lists by, and what it can say about completeness (hfhub/spiders/order.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hfhub.crawl.pagework import page_order, wanted
from hfhub.spiders.args import parse_listing_args
from hfhub.spiders.order import completeness, listing_order


@pytest.mark.parametrize(("args", "sort", "sent", "overridden"), [
    ({}, "createdAt", True, None),
    ({"sort": "downloads"}, "createdAt", True, "downloads"),
    ({"sort": "createdAt"}, "createdAt", True, None),
    ({"author": "google", "sort": "likes"}, "createdAt", True, "likes"),
    ({"limit": "100"}, "trendingScore", False, None),  # the Hub's own order: its first page is today's trending
    ({"limit": "100", "sort": "downloads"}, "downloads", True, None),
    ({"mode": "incremental"}, "lastModified", True, None),
])
def test_a_full_crawl_lists_by_created_at_and_sort_keeps_its_meaning_with_a_limit(args, sort, sent, overridden):
    order = listing_order(parse_listing_args(**args))
    assert (order.sort, order.send_sort, order.overridden) == (sort, sent, overridden)


def _says(args: dict, **facts) -> tuple[bool, str]:
    args_ = parse_listing_args(**args)
    facts = {"reached_end": True, "out_of_order": 0, "stopped_at_limit": False, **facts}
    return completeness(listing_order(args_), args_, **facts)


def test_what_a_listing_can_say_about_completeness():
    assert _says({}) == (True, "yes: listed by createdAt, an order that does not move, to the last page")
    assert _says({}, reached_end=False) == (False, "no: the listing did not reach its last page")
    complete, why = _says({}, out_of_order=3)
    assert not complete and why.startswith("not verifiable: 3 record(s) broke the createdAt order")
    complete, why = _says({"limit": "5000", "sort": "downloads"}, stopped_at_limit=True)
    assert not complete and why.startswith("not verifiable: the top 5,000 by downloads, which changes")
    complete, why = _says({"limit": "5000", "sort": "createdAt"}, stopped_at_limit=True)
    assert complete and why == "yes: the first 5,000 models by createdAt, an order that does not move"
    complete, why = _says({"limit": "5000"})  # fewer than 5,000 models, in the Hub's moving default order
    assert not complete and "trendingScore" in why
    assert _says({"mode": "incremental"})[0] is True


def test_page_order_counts_records_out_of_a_descending_order():
    records = [{"createdAt": t} for t in ("2025-01-03T00:00:00Z", "2025-01-02T00:00:00Z", "2025-01-02T00:00:00Z",
                                          "2025-01-05T00:00:00Z", "2025-01-01T00:00:00Z")]
    order = page_order([*records, "not a record", {"createdAt": None}], "createdAt")
    assert order.breaks == 1  # ties keep the order; the rise to 01-05 does not
    assert order.first == datetime(2025, 1, 3, tzinfo=UTC)
    assert order.last == datetime(2025, 1, 1, tzinfo=UTC)
    assert page_order([], "createdAt").first is None


def test_limit_and_cutoff_on_one_page():
    page = [{"lastModified": f"2025-01-{day:02d}T00:00:00Z"} for day in (9, 8, 7, 3, 2)]
    cutoff = datetime(2025, 1, 5, tzinfo=UTC)
    assert wanted(page, None, cutoff) == (page[:3], False, True)
    assert wanted(page, 2, cutoff) == (page[:2], False, False)  # the limit comes first
    assert wanted(page, 4, cutoff) == (page[:3], False, True)  # the cut-off comes first
    assert wanted(page, 10, None) == (page, True, False)
