"""`scrapy crawl models -a cards=1` against the fake Hub: cards fetched once per revision."""

from __future__ import annotations

import pandas as pd
import pytest

from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.process import FakeHubProcess
from tests.conftest import run_crawl


@pytest.mark.slow
def test_cards_are_fetched_once_per_revision_and_kept_in_their_own_table(tmp_path):
    cards_dir = tmp_path / "cards"
    settings = [f"HFHUB_CARDS_DIR={cards_dir}"]
    with FakeHubProcess(models=600, seed=41, args=["--max-page-size", "200"]) as hub:
        first = run_crawl(hub.url, tmp_path, "cards=1", settings=settings)
        assert first.returncode == 0, first.log[-3000:]
        cards = pd.read_parquet(cards_dir)
        models = first.models()
        assert len(cards) == 600 and cards["id"].is_unique
        assert set(cards["id"]) == set(Corpus(600, seed=41).model_ids())
        assert dict(zip(cards["id"], cards["sha"])) == dict(zip(models["id"], models["sha"]))
        found = cards[cards["status"] == "parsed"]
        assert found["summary"].str.len().between(1, 2000).all()
        missing = cards[cards["status"] == "missing"]  # repos without a README: the Hub answered 404
        assert len(missing) == first.stats["hfhub/cards/missing"] > 0
        assert missing["summary"].isna().all() and missing["card_bytes"].isna().all()
        assert "card_summary" not in models.columns  # the models table stays small
        resolver_requests = hub.stats()["requests"].get("resolve", 0)

        again = run_crawl(hub.url, tmp_path, "cards=1", settings=settings)
        assert again.stats["hfhub/cards/unchanged"] == 600
        assert hub.stats()["requests"].get("resolve", 0) == resolver_requests  # nothing fetched again

        changed = sorted(models["id"])[:7]
        hub.mutate(touch=changed)
        third = run_crawl(hub.url, tmp_path, "cards=1", settings=settings)
        assert third.stats["hfhub/cards/fetched"] == 7
        cards = pd.read_parquet(cards_dir)
        assert len(cards) == 600 and cards["id"].is_unique  # compacted: the newest card per model
        assert dict(zip(cards["id"], cards["sha"])) == dict(zip(third.models()["id"], third.models()["sha"]))


def test_oversized_cards_are_counted_not_fatal(small_hub, tmp_path):
    result = run_crawl(small_hub.url, tmp_path, "cards=1", "limit=50",
                       settings=[f"HFHUB_CARDS_DIR={tmp_path / 'cards'}", "HFHUB_CARD_MAX_DOWNLOAD=100"])
    assert result.returncode == 0
    missing = result.stats.get("hfhub/cards/missing", 0)  # a 404 has no body to be too large
    assert result.stats["hfhub/cards/too_large"] == 50 - missing
    assert len(result.models()) == 50


def test_queries_only_card_text_can_answer_find_the_right_models(tmp_path):
    from hfhub.fakehub.card import purpose
    from hfhub.index import ModelIndex, build_index

    settings = [f"HFHUB_CARDS_DIR={tmp_path / 'cards'}", f"HFHUB_INDEX_DIR={tmp_path / 'index'}"]
    with FakeHubProcess(models=1500, seed=42, args=["--max-page-size", "500"]) as hub:
        result = run_crawl(hub.url, tmp_path, "cards=1", settings=settings)
    assert result.returncode == 0, result.log[-3000:]
    legal = {m for m in result.models()["id"] if (purpose(m) or "").startswith("It was tuned to review legal")}
    assert len(legal) >= 10

    query = "review legal contracts and flag unusual clauses"
    with_cards = {r.id for r in ModelIndex.load(tmp_path / "index").search(query, k=10)}
    assert with_cards <= legal and len(with_cards) == 10  # the index built at the crawl's end used the cards

    build_index(result.dataset_dir, tmp_path / "index-no-cards")  # ids, tags and metadata alone
    without_cards = {r.id for r in ModelIndex.load(tmp_path / "index-no-cards").search(query, k=10)}
    assert len(without_cards & legal) <= 2


def test_a_pipeline_bug_on_cards_is_counted_logged_once_and_fails_the_exit_status(small_hub, tmp_path):
    import json
    import zlib

    from hfhub import settings as project_settings

    pipelines = {**project_settings.ITEM_PIPELINES, "tests.failing_pipeline.FailOnSomeCards": 905}
    result = run_crawl(small_hub.url, tmp_path, "cards=1", "limit=200",
                       settings=[f"HFHUB_CARDS_DIR={tmp_path / 'cards'}", f"ITEM_PIPELINES={json.dumps(pipelines)}"])
    failing = {m for m in result.models()["id"] if zlib.crc32(m.encode()) % 2 == 0}
    assert len(failing) > 50
    assert result.returncode == 1
    assert result.stats["finish_reason"] == "finished"  # the models were published; the bug is in the status
    assert result.stats["hfhub/pipeline_errors/CardItem"] == len(failing)
    assert result.stats["hfhub/pipeline_errors/CardItem/ValueError"] == len(failing)
    assert result.log.count("Traceback") == 1  # one example, not one per card
    assert "further CardItem items failing with ValueError are counted in hfhub/pipeline_errors/CardItem/ValueError" in result.log
    assert "pipeline errors: CardItem" in result.log  # the summary
    assert "a pipeline failed on" in result.log and "exit status 1" in result.log
