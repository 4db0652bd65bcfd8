"""The garbage-collector tuning extension: thresholds raised for the crawl, restored after."""

from __future__ import annotations

import gc

import pytest
import scrapy
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from hfhub.extensions.gctuning import GarbageCollectorTuning


def test_thresholds_are_raised_while_the_engine_runs_and_restored_after() -> None:
    before = gc.get_threshold()
    extension = GarbageCollectorTuning.from_crawler(get_crawler(scrapy.Spider, {"HFHUB_GC_THRESHOLD": 12_345}))
    extension.engine_started()
    try:
        assert gc.get_threshold()[0] == 12_345
    finally:
        extension.engine_stopped()
    assert gc.get_threshold() == before


def test_zero_keeps_pythons_defaults() -> None:
    with pytest.raises(NotConfigured):
        GarbageCollectorTuning.from_crawler(get_crawler(scrapy.Spider, {"HFHUB_GC_THRESHOLD": 0}))
