"""The index extension: switched by a setting; a real crawl of the fake Hub ends with an index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from hfhub.extensions.index import IndexBuilder, index_is_current
from hfhub.fakehub.dataset import write_dataset
from hfhub.fakehub.process import FakeHubProcess
from hfhub.index import ModelIndex, build_index
from tests.conftest import run_crawl


@pytest.mark.parametrize("value", [False, "False", "0"])
def test_disabled(value: object, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="hfhub.extensions.index")
    with pytest.raises(NotConfigured):
        IndexBuilder.from_crawler(get_crawler(settings_dict={"HFHUB_INDEX_ENABLED": value}))
    assert "HFHUB_INDEX_ENABLED is off" in caplog.text


def test_reads_settings(tmp_path: Path) -> None:
    crawler = get_crawler(
        settings_dict={"HFHUB_DATASET_DIR": str(tmp_path / "d"), "HFHUB_INDEX_DIR": str(tmp_path / "i")}
    )
    builder = IndexBuilder.from_crawler(crawler)
    assert builder.dataset_dir == tmp_path / "d" and builder.index_dir == tmp_path / "i"


def test_index_is_current(tmp_path: Path) -> None:
    dataset = write_dataset(tmp_path / "models", 300, seed=2)
    assert not index_is_current(dataset, tmp_path / "index")
    build_index(dataset, tmp_path / "index")
    assert index_is_current(dataset, tmp_path / "index")
    write_dataset(tmp_path / "models", 301, seed=2)  # a new crawl rewrote the parts
    assert not index_is_current(dataset, tmp_path / "index")


@pytest.mark.slow
def test_crawl_ends_with_an_index(tmp_path: Path) -> None:
    extensions = {
        "hfhub.extensions.statsfile.CrawlStatsFile": 100,
        "hfhub.extensions.index.IndexBuilder": 200,
    }
    with FakeHubProcess(models=1_200, seed=11) as hub:
        result = run_crawl(
            hub.url,
            tmp_path,
            settings=[f"EXTENSIONS={json.dumps(extensions)}", f"HFHUB_INDEX_DIR={tmp_path / 'index'}"],
        )
    assert result.returncode == 0, result.log[-3000:]
    index = ModelIndex.load(tmp_path / "index", tmp_path / "models")
    assert index.n == 1_200
    assert len(index.search("text generation")) == 10
