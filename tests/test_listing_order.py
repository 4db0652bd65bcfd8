"""A full crawl holds every model while the Hub's listing order moves under it (hfhub/spiders/order.py).

The fake Hub's ``--churn K`` touches K models after every listing page it serves: their downloads,
likes, trending score and lastModified move, as on the real Hub. Each test first shows that the
order it crawls under really loses models when paged naively, so it cannot pass by accident.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime
from urllib.parse import urlencode

import pandas as pd
import pytest

from hfhub.crawl.crawlstate import crawl_started_at
from hfhub.crawl.hubapi import next_page_url
from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.process import FakeHubProcess
from tests.conftest import run_crawl

MODELS, SEED = 3000, 12
CHURN = ["--max-page-size", "100", "--churn", "60", "--fault-seed", "4"]


def listed_ids(hub_url: str, **params: str) -> list[str]:
    """Every id a plain cursor walk of ``/api/models`` returns, pages of 100."""
    url: str | None = f"{hub_url}/api/models?{urlencode({'limit': 100, 'expand[]': 'sha', **params})}"
    ids = []
    while url:
        with urllib.request.urlopen(url, timeout=30) as response:
            ids += [record["id"] for record in json.loads(response.read())]
            url = next_page_url(response.headers.get("Link"))
    return ids


@pytest.mark.parametrize("order", [{}, {"sort": "downloads"}, {"sort": "likes"}], ids=["default", "downloads", "likes"])
def test_a_naive_walk_of_a_moving_order_misses_models(order: dict[str, str]) -> None:
    with FakeHubProcess(models=MODELS, seed=SEED, args=CHURN) as hub:
        missing = set(Corpus(MODELS, SEED).model_ids()) - set(listed_ids(hub.url, **order))
    assert len(missing) >= 10  # what a crawl by this order would lose


@pytest.mark.parametrize("sort_arg", [[], ["sort=downloads"], ["sort=trendingScore"]], ids=["default", "downloads", "trending"])
def test_a_full_crawl_holds_every_model_while_the_order_moves(tmp_path, sort_arg: list[str]) -> None:
    with FakeHubProcess(models=MODELS, seed=SEED, args=CHURN) as hub:
        result = run_crawl(hub.url, tmp_path, *sort_arg)
        now = hub.snapshot()
    assert result.returncode == 0, result.log[-3000:]
    models = result.models()
    assert models["id"].is_unique
    assert set(models["id"]) == set(Corpus(MODELS, SEED).model_ids()) == set(now)
    stats = result.stats
    assert stats["hfhub/listing/sort"] == "createdAt"
    assert stats["hfhub/listing/complete"] is True
    assert stats["hfhub/listing/completeness"].startswith("yes: listed by createdAt")
    assert "hfhub/listing/out_of_order" not in stats
    assert "listing complete" in result.log and "yes: listed by createdAt" in result.log  # the summary
    if sort_arg:
        assert "a full crawl lists by createdAt, not by " + sort_arg[0] in result.log


def test_a_top_n_crawl_keeps_its_sort_and_says_it_cannot_be_sure(tmp_path) -> None:
    # Downloads move while the crawl pages a downloads-sorted listing: models shift across the
    # cursor, some are listed twice (and end up once), and the crawl does not claim completeness.
    args = [*CHURN, "--fault-5xx", "0.05"]
    with FakeHubProcess(models=MODELS, seed=8, args=args) as hub:
        result = run_crawl(hub.url, tmp_path, "sort=downloads", "limit=2500")
    assert result.returncode == 0, result.log[-3000:]
    stats = result.stats
    assert stats["hfhub/listing/sort"] == "downloads"
    assert stats["hfhub/listing/complete"] is False
    assert stats["hfhub/listing/completeness"].startswith("not verifiable: the top 2,500 by downloads")
    assert stats["hfhub/duplicates"] >= 1
    assert stats["hfhub/duplicates_removed"] == stats["hfhub/duplicates"]
    models = result.models()
    assert models["id"].is_unique
    assert len(models) == stats["hfhub/models_published"] == stats["hfhub/models_written"] - stats["hfhub/duplicates"]
    assert set(models["id"]) <= set(Corpus(MODELS, seed=8).model_ids())


def _behind(dataset: pd.DataFrame, hub_state: dict[str, dict[str, str]]) -> set[str]:
    """Ids whose row in ``dataset`` is older than the state ``hub_state`` gives them (or absent)."""
    rows = dict(zip(dataset["id"], dataset["last_modified"]))
    return {model_id for model_id, state in hub_state.items()
            if model_id not in rows or rows[model_id] < pd.Timestamp(state["lastModified"])}


def test_a_model_edited_during_a_refresh_is_caught_by_the_next(tmp_path) -> None:
    # No safety margin: the watermark alone must bound what the next refresh lists. Models edited
    # during the full crawl after it passed them have to be listed by the first refresh, those
    # edited during the first refresh by the second.
    no_margin = ["HFHUB_INCREMENTAL_MARGIN=0"]
    with FakeHubProcess(models=MODELS, seed=SEED, args=CHURN) as hub:
        full = run_crawl(hub.url, tmp_path)
        assert full.returncode == 0, full.log[-3000:]
        first = run_crawl(hub.url, tmp_path, "mode=incremental", settings=no_margin)
        assert first.returncode == 0, first.log[-3000:]
        after_first = hub.snapshot()  # includes the edits made while the first refresh paged
        missed = _behind(first.models(), after_first)
        assert missed  # edits during the refresh jumped above its cursor: it could not list them
        # (a model edited again during the next refresh could dodge that one too: hold still)
        hub.set_churn(0)
        second = run_crawl(hub.url, tmp_path, "mode=incremental", settings=no_margin)
        assert second.returncode == 0, second.log[-3000:]
    assert not _behind(second.models(), after_first)  # the next refresh listed every one of them
    assert first.stats["hfhub/listing/sort"] == "lastModified"
    assert second.stats["hfhub/listing/complete"] is True
    # the watermark is never later than the start of the crawl that published the dataset
    state = json.loads((tmp_path / "models" / "_state.json").read_text())
    assert datetime.fromisoformat(state["watermark"]) <= crawl_started_at(state["crawl_id"])
