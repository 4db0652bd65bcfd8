"""End to end: real `scrapy crawl models` runs against the fake Hub over loopback."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as ds
import pytest

from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.process import FakeHubProcess
from hfhub.records.schema import MODEL_SCHEMA
from tests.conftest import SMALL_HUB_MODELS, run_crawl

CANARY = "hf_CANARYtoken0123456789abcdefghijkl"


def all_files(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def test_a_crawl_mirrors_exactly_the_hubs_models(small_hub, tmp_path):
    result = run_crawl(small_hub.url, tmp_path)
    assert result.returncode == 0, result.log[-3000:]

    models = result.models()
    expected = set(Corpus(SMALL_HUB_MODELS, seed=7).model_ids())
    assert len(models) == len(expected)
    assert set(models["id"]) == expected
    assert not [i for i, n in Counter(models["id"]).items() if n > 1]

    # pyarrow.dataset and DuckDB read the same folder as it is, with the explicit schema
    dataset = ds.dataset(result.dataset_dir, format="parquet")
    assert dataset.schema.equals(MODEL_SCHEMA, check_metadata=False)
    assert dataset.count_rows() == len(expected)
    glob = str(result.dataset_dir / "*.parquet")
    assert duckdb.sql(f"SELECT count(DISTINCT id) FROM '{glob}'").fetchall()[0][0] == len(expected)

    # nothing half-written or in progress is left behind
    assert not [p for p in all_files(result.dataset_dir) if p.suffix != ".parquet" and p.name != "_state.json"]
    assert not (result.dataset_dir.parent / ".models" / "inprogress").exists() or not any((result.dataset_dir.parent / ".models" / "inprogress").iterdir())

    stats = result.stats
    assert stats["finish_reason"] == "finished"
    assert stats["hfhub/models_written"] == len(expected)
    assert stats["hfhub/pages"] == SMALL_HUB_MODELS // 500  # the fake's page cap is 500
    assert "hfhub/dropped/missing_id" not in stats


def test_records_keep_the_hubs_values(small_hub, tmp_path):
    result = run_crawl(small_hub.url, tmp_path, "limit=300")
    models = result.models()
    assert len(models) == 300
    corpus = Corpus(SMALL_HUB_MODELS, seed=7)
    records = {r["id"]: r for r in (corpus.record(i) for i in range(SMALL_HUB_MODELS))}
    for row in models.to_dict("records"):
        record = records[row["id"]]
        assert row["downloads"] == record["downloads"]
        assert row["likes"] == record["likes"]
        assert row["sha"] == record["sha"]
        if record.get("pipeline_tag") is None:
            assert pd.isna(row["pipeline_tag"])
        else:
            assert row["pipeline_tag"] == record["pipeline_tag"]
        assert list(row["tags"]) == record["tags"]
        safetensors = record.get("safetensors")
        if safetensors:  # the per-dtype sum, the Hub's `total` beside it (they can disagree)
            assert row["num_parameters"] == sum(safetensors["parameters"].values())
            assert row["safetensors_total"] == safetensors["total"]


def test_limit_stops_after_that_many_models(small_hub, tmp_path):
    result = run_crawl(small_hub.url, tmp_path, "limit=620")
    assert result.returncode == 0
    assert len(result.models()) == 620
    assert result.stats["hfhub/pages"] == 2


def test_author_and_sort_are_passed_to_the_hub(small_hub, tmp_path):
    corpus = Corpus(SMALL_HUB_MODELS, seed=7)
    records = [corpus.record(i) for i in range(SMALL_HUB_MODELS)]
    author = Counter(r["id"].split("/")[0] for r in records).most_common(1)[0][0]
    result = run_crawl(small_hub.url, tmp_path / "author", f"author={author}")
    assert set(result.models()["id"]) == {r["id"] for r in records if r["id"].split("/")[0] == author}

    result = run_crawl(small_hub.url, tmp_path / "sorted", "sort=downloads", "limit=50")
    top = sorted(records, key=lambda r: r["downloads"], reverse=True)[:50]
    assert sorted(result.models()["downloads"], reverse=True) == [r["downloads"] for r in top]


def test_a_bad_spider_argument_is_refused_before_any_request(small_hub, tmp_path):
    before = small_hub.stats()
    result = run_crawl(small_hub.url, tmp_path, "limit=ten")
    assert result.returncode == 1
    assert "the crawl cannot start: limit must be a positive whole number of models, got 'ten'" in result.log
    assert "Traceback" not in result.log  # one line, not asyncio's "Task exception was never retrieved"
    assert small_hub.stats() == before


@pytest.mark.slow
def test_a_429_storm_loses_no_page(tmp_path):
    with FakeHubProcess(models=2000, seed=3, args=["--max-page-size", "200", "--fault-429", "0.4", "--fault-seed", "5"]) as hub:
        result = run_crawl(hub.url, tmp_path)
        served = hub.stats()
    assert result.returncode == 0, result.log[-3000:]
    assert set(result.models()["id"]) == set(Corpus(2000, seed=3).model_ids())
    assert len(result.models()) == 2000
    assert result.stats["hfhub/crawl/ratelimit/429"] >= 3
    assert result.stats["hfhub/crawl/ratelimit/429"] == served["faults"]["429"]


def test_malformed_pages_and_5xx_are_retried_not_parsed(tmp_path):
    args = ["--max-page-size", "200", "--fault-malformed", "0.2", "--fault-5xx", "0.2", "--fault-seed", "11"]
    with FakeHubProcess(models=2000, seed=4, args=args) as hub:
        result = run_crawl(hub.url, tmp_path, settings=["RETRY_TIMES=10"])
    assert result.returncode == 0, result.log[-3000:]
    assert set(result.models()["id"]) == set(Corpus(2000, seed=4).model_ids())
    assert result.stats.get("retry/reason_count/malformed_json", 0) >= 1


def test_a_page_that_stays_broken_fails_the_crawl_and_keeps_the_old_dataset(small_hub, tmp_path):
    first = run_crawl(small_hub.url, tmp_path, "limit=100")
    assert first.returncode == 0
    with FakeHubProcess(models=2000, seed=4, args=["--max-page-size", "200", "--fault-5xx", "1.0"]) as hub:
        failed = run_crawl(hub.url, tmp_path, settings=["RETRY_TIMES=1"])
    assert failed.returncode == 1
    assert failed.stats["finish_reason"] == "listing_page_failed"
    assert "listing page failed for good" in failed.log and "/api/models" in failed.log
    assert len(failed.models()) == 100  # the last good crawl stays published


def test_hf_token_is_sent_but_never_stored(tmp_path):
    jobdir = tmp_path / "job"
    args = ["--max-page-size", "100", "--fault-429", "0.3", "--fault-5xx", "0.2", "--fault-seed", "2"]
    with FakeHubProcess(models=2000, seed=5, args=args) as hub:
        # Stop after some pages so that requests (retries among them) stay queued in JOBDIR.
        result = run_crawl(
            hub.url, tmp_path, settings=[f"JOBDIR={jobdir}", "CLOSESPIDER_PAGECOUNT=8"], env={"HF_TOKEN": CANARY}
        )
        served = hub.stats()
    assert served["authorized_requests"] >= 8  # the token really went to the Hub
    queued = b"".join(p.read_bytes() for p in all_files(jobdir / "requests.queue"))
    assert b"/api/models" in queued  # the check below looks at real pickled requests
    for path in all_files(jobdir, tmp_path):
        assert CANARY.encode() not in path.read_bytes(), path
    assert CANARY not in result.log


def test_derived_fields_reach_the_dataset(small_hub, tmp_path):
    result = run_crawl(small_hub.url, tmp_path, "limit=500")
    models = result.models()
    with_weights = models[models["weights_bytes"].notna()]
    assert len(with_weights) > 100
    expected_gb = (with_weights["weights_bytes"] * 1.2 / 1e9).round(6)
    assert (with_weights["est_mem_stored_gb"] == expected_gb).all()
    assert models["search_text"].notna().all()
    assert models["popularity_score"].between(0, 100).all()
