"""End to end: `scrapy crawl datasets` and `scrapy crawl spaces` against the fake Hub over loopback,
with the same guarantees as `scrapy crawl models`: every repo once, nothing the API said lost,
resumable after kill -9, unharmed by a storm of 429s and 5xx."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import orjson
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from hfhub.crawl.hubapi import listing_url, next_page_url
from hfhub.fakehub.process import FakeHubProcess
from hfhub.records.kinds import KINDS
from hfhub.records.raw import api_properties
from tests.conftest import REPO, SMALL_HUB_MODELS, run_crawl

KINDS_BESIDE_MODELS = ("datasets", "spaces")
REAL_HUB = REPO / "tests" / "data" / "real_hub"


def table_rows(folder: Path) -> list[dict]:
    return ds.dataset(folder, format="parquet").to_table().to_pylist()


def listed_records(hub_url: str, kind: str, expand: tuple[str, ...]) -> dict[str, dict]:
    """Every record of the fake's listing, paged as a client would, with these properties."""
    records: dict[str, dict] = {}
    url: str | None = listing_url(hub_url, kind, expand=expand, limit=500, sort="createdAt")
    while url:
        with urllib.request.urlopen(url, timeout=60) as response:
            records.update((r["id"], r) for r in orjson.loads(response.read()))
            url = next_page_url(response.headers.get("Link"))
    return records


def assert_every_property_kept(row: dict, given: dict, held: dict) -> None:
    """The typed columns and raw_json of ``row`` give back ``given``, the record as listed (a null
    of a property with a typed column reads back as absent)."""
    stored = api_properties(row, held)
    expected = {key: value for key, value in given.items() if not (value is None and key in held)}
    assert set(stored) == set(expected), row["id"]
    assert all(same_value(stored[key], value) for key, value in expected.items()), row["id"]


def same_value(stored: object, given: object) -> bool:
    if isinstance(given, float) or isinstance(stored, float):
        return isinstance(stored, (int, float)) and isinstance(given, (int, float)) and math.isclose(stored, given)
    if isinstance(given, str) and isinstance(stored, str) and given.endswith("Z"):
        return datetime.fromisoformat(stored) == datetime.fromisoformat(given)
    return stored == given


@pytest.mark.parametrize("kind", KINDS_BESIDE_MODELS)
def test_a_crawl_mirrors_exactly_the_hubs_repos_and_loses_nothing(small_hub, tmp_path, kind):
    result = run_crawl(small_hub.url, tmp_path, spider=kind)
    assert result.returncode == 0, result.log[-3000:]
    rows = table_rows(result.dataset_dir)
    expected = set(small_hub.snapshot(kind))
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) == len(expected) == SMALL_HUB_MODELS // 2
    assert set(ids) == expected
    assert ds.dataset(result.dataset_dir, format="parquet").schema.equals(KINDS[kind].schema, check_metadata=False)
    stats = result.stats
    assert stats["finish_reason"] == "finished"
    assert stats[f"hfhub/{kind}_written"] == len(expected)
    assert stats["hfhub/listing/complete"] is True
    assert (tmp_path / f"index-{kind}" / "current").exists() or any((tmp_path / f"index-{kind}").iterdir())

    # Nothing the API said is lost: the typed columns and raw_json give back every property of
    # every record, as the listing serves it with the crawl's expand list.
    kind_ = KINDS[kind]
    records = listed_records(small_hub.url, kind, kind_.expand_default)
    assert set(records) == expected
    for row in rows:
        assert_every_property_kept(row, records[row["id"]], kind_.held_by_column)


def test_models_keep_every_property_too(small_hub, tmp_path):
    result = run_crawl(small_hub.url, tmp_path, "limit=500")
    assert result.returncode == 0, result.log[-3000:]
    kind = KINDS["models"]
    records = {}
    url = listing_url(small_hub.url, "models", expand=kind.expand_default, limit=500)
    with urllib.request.urlopen(url, timeout=60) as response:
        records = {r["id"]: r for r in orjson.loads(response.read())}
    rows = table_rows(result.dataset_dir)
    assert {row["id"] for row in rows} == set(records)
    for row in rows:
        assert_every_property_kept(row, records[row["id"]], kind.held_by_column)
    kept_raw = set().union(*(json.loads(row["raw_json"]) for row in rows if row["raw_json"]))
    assert {"transformersInfo", "cardData", "config", "model-index", "widgetData"} <= kept_raw


def test_the_expanded_properties_are_a_setting(small_hub, tmp_path):
    result = run_crawl(small_hub.url, tmp_path, "limit=50", spider="spaces",
                       settings=["HFHUB_EXPAND_SPACES=author,likes,sdk,createdAt,lastModified"])
    assert result.returncode == 0, result.log[-3000:]
    rows = table_rows(result.dataset_dir)
    assert len(rows) == 50
    assert all(row["sdk"] is not None or row["raw_json"] is None for row in rows)
    assert all(row["runtime_stage"] is None and row["tags"] is None for row in rows)
    refused = run_crawl(small_hub.url, tmp_path / "bad", spider="spaces", settings=["HFHUB_EXPAND_SPACES=downloads"])
    assert refused.returncode != 0
    assert "HFHUB_EXPAND_SPACES: downloads not expandable on /api/spaces" in refused.log


@pytest.mark.parametrize("kind", KINDS_BESIDE_MODELS)
def test_arguments_the_endpoint_does_not_take_are_refused(small_hub, tmp_path, kind):
    result = run_crawl(small_hub.url, tmp_path, "pipeline_tag=text-classification", spider=kind)
    assert result.returncode != 0
    assert "unknown spider argument(s) pipeline_tag" in result.log
    if kind == "spaces":  # a Space has no downloads to sort by
        result = run_crawl(small_hub.url, tmp_path / "sort", "sort=downloads", "limit=10", spider=kind)
        assert result.returncode != 0 and "sort must be one of" in result.log


def crawl_command(kind: str, workdir: Path, *settings: str) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", kind, "-s", f"HFHUB_DATASET_DIR={workdir / kind}",
               "-s", f"HFHUB_STATS_FILE={workdir / 'stats.json'}", "-s", f"LOG_FILE={workdir / 'crawl.log'}"]
    for setting in settings:
        command += ["-s", setting]
    return command


def checkpoint_pages(kind: str, workdir: Path) -> int:
    pages = 0
    for path in (workdir / f".{kind}" / "inprogress").glob("*/checkpoint.json"):
        try:
            pages = max(pages, json.loads(path.read_text())["pages"])
        except (ValueError, OSError):
            continue  # being replaced right now
    return pages


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS_BESIDE_MODELS)
def test_kill_9_and_resume_gives_exactly_the_hubs_repos(tmp_path, kind):
    jobdir = tmp_path / "job"
    with FakeHubProcess(models=10, datasets=2000, spaces=2000, seed=41,
                        args=["--max-page-size", "100", "--slow-ms", "30"]) as hub:
        env = {**os.environ, "HF_ENDPOINT": hub.url}
        for pages in (3, 11):
            proc = subprocess.Popen(crawl_command(kind, tmp_path, f"JOBDIR={jobdir}", "HFHUB_PARQUET_ROWS_PER_PART=250"),
                                    cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 120
            while checkpoint_pages(kind, tmp_path) < pages and proc.poll() is None:
                assert time.monotonic() < deadline, "the crawl made no progress"
                time.sleep(0.02)  # polling a real condition, bounded by the deadline
            proc.send_signal(signal.SIGKILL)
            assert proc.wait(timeout=60) == -signal.SIGKILL
        assert not list((tmp_path / kind).glob("*.parquet"))  # nothing published yet
        final = subprocess.run(crawl_command(kind, tmp_path, f"JOBDIR={jobdir}"), cwd=REPO, env=env, timeout=300)
        expected = set(hub.snapshot(kind))
    assert final.returncode == 0
    assert "resuming crawl" in (tmp_path / "crawl.log").read_text()
    ids = [i for part in sorted((tmp_path / kind).glob("*.parquet"))
           for i in pq.read_table(part, columns=["id"]).column("id").to_pylist()]
    assert len(ids) == len(set(ids)) == len(expected) == 2000
    assert set(ids) == expected
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["hfhub/pages"] < 20  # the last run went on from its checkpoint, not from page 1


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS_BESIDE_MODELS)
def test_a_storm_of_429s_and_5xx_still_gives_every_repo(tmp_path, kind):
    args = ["--max-page-size", "100", "--fault-429", "0.4", "--fault-5xx", "0.10", "--fault-malformed", "0.05",
            "--fault-drop", "0.02", "--fault-seed", "5"]
    with FakeHubProcess(models=10, datasets=1500, spaces=1500, seed=42, args=args) as hub:
        result = run_crawl(hub.url, tmp_path, spider=kind)
        faults = hub.stats()["faults"]
        expected = set(hub.snapshot(kind))
    assert result.returncode == 0, result.log[-3000:]
    ids = [row["id"] for row in table_rows(result.dataset_dir)]
    assert len(ids) == len(set(ids)) == 1500
    assert set(ids) == expected
    assert faults["429"] >= 3 and sum(faults.values()) > faults["429"]
    assert result.stats["hfhub/crawl/ratelimit/429"] == faults["429"]


@pytest.mark.parametrize("kind", KINDS_BESIDE_MODELS)
def test_an_incremental_refresh_merges_changed_and_new_repos(tmp_path, kind):
    with FakeHubProcess(models=10, datasets=800, spaces=800, seed=43, args=["--max-page-size", "200"]) as hub:
        assert run_crawl(hub.url, tmp_path, spider=kind).returncode == 0
        ids = sorted(hub.snapshot(kind))
        changes = hub.mutate(touch=ids[:15], add=7, kind=kind)
        result = run_crawl(hub.url, tmp_path, "mode=incremental", spider=kind)
        now = hub.snapshot(kind)
    assert result.returncode == 0, result.log[-3000:]
    table = pd.DataFrame(table_rows(result.dataset_dir)).set_index("id")
    assert table.index.is_unique and set(table.index) == set(now)
    assert set(changes["added"]) <= set(table.index)
    for repo_id in ids[:15]:
        assert table.loc[repo_id, "sha"] == now[repo_id]["sha"]


def test_dataset_cards_go_to_their_own_table(small_hub, tmp_path):
    cards_dir = tmp_path / "dataset_cards"
    result = run_crawl(small_hub.url, tmp_path, "cards=1", "limit=200", spider="datasets",
                       settings=[f"HFHUB_CARDS_DIR={cards_dir}"])
    assert result.returncode == 0, result.log[-3000:]
    cards = pd.read_parquet(cards_dir)
    datasets = pd.read_parquet(result.dataset_dir)
    assert set(cards["id"]) == set(datasets["id"])
    assert result.stats["hfhub/cards/fetched"] > 0
    assert small_hub.stats()["requests"].get("datasets_resolve", 0) >= 200  # /datasets/<id>/resolve/<sha>/README.md


@pytest.mark.parametrize("kind", KINDS_BESIDE_MODELS)
def test_feed_exports_write_one_record_per_repo(small_hub, tmp_path, kind):
    feed = tmp_path / f"{kind}.jsonl"
    result = run_crawl(small_hub.url, tmp_path, "limit=120", spider=kind, settings=[f"FEEDS={json.dumps({str(feed): {'format': 'jsonl'}})}"])
    assert result.returncode == 0, result.log[-3000:]
    lines = [json.loads(line) for line in feed.read_text().splitlines()]
    assert len(lines) == 120
    assert set(lines[0]) == set(KINDS[kind].schema.names)
    assert {line["id"] for line in lines} == set(pd.read_parquet(result.dataset_dir)["id"])


def test_real_recorded_dataset_and_space_records_are_crawled_as_the_hub_gave_them(tmp_path):
    args = ["--dataset-records", str(REAL_HUB / "dataset_records.jsonl"),
            "--space-records", str(REAL_HUB / "space_records.jsonl")]
    with FakeHubProcess(models=10, args=args) as hub:
        datasets = run_crawl(hub.url, tmp_path, spider="datasets", settings=[f"HFHUB_CARDS_DIR={tmp_path / 'dc'}"])
        spaces = run_crawl(hub.url, tmp_path, spider="spaces")
    for result in (datasets, spaces):
        assert result.returncode == 0, result.log[-3000:]
        assert "Traceback" not in result.log
    rows = {row["id"]: row for row in table_rows(datasets.dataset_dir)}
    assert set(rows) == {"nvidia/OpenMathInstruct-2", "akariasai/PopQA", "sgoel9/paul_graham_essays"}
    math_ = rows["nvidia/OpenMathInstruct-2"]
    assert math_["task_categories"] == ["question-answering", "text-generation"]
    assert math_["modalities"] == ["text"] and math_["formats"] == ["parquet"]
    assert math_["size_category"] == "10M<n<100M" and math_["license"] == "cc-by-4.0"
    assert math_["languages"] == ["en"] and math_["arxiv_ids"] == ["2410.01560"]
    assert math_["pretty_name"] == "OpenMathInstruct-2"
    # The record contradicts itself: its card lists text2text-generation, which the Hub's tags (the
    # task categories it recognises) leave out. The tags win; the card is kept as it was.
    essays = rows["sgoel9/paul_graham_essays"]
    assert essays["task_categories"] == ["question-answering", "summarization", "text-generation"]
    assert "text2text-generation" in json.loads(essays["raw_json"])["cardData"]["task_categories"]
    # PopQA has no card at all: what the tags say, and nothing made up
    popqa = rows["akariasai/PopQA"]
    assert popqa["modalities"] == ["tabular", "text"] and popqa["license"] is None and popqa["pretty_name"] is None
    space_rows = {row["id"]: row for row in table_rows(spaces.dataset_dir)}
    assert space_rows  # the recorded Space records that carry an id
    for row in space_rows.values():
        assert json.loads(row["raw_json"] or "{}").keys().isdisjoint({"id", "sdk", "likes"})
