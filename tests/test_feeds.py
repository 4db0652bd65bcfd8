"""Scrapy's feed exports and a user's own item pipeline see models, one record per model."""

from __future__ import annotations

import csv
import json
import subprocess

import pandas as pd
import pyarrow.parquet as pq
import pytest

from hfhub.fakehub.corpus import Corpus
from hfhub.records.schema import COLUMNS, MODEL_SCHEMA
from tests.conftest import REPO, SMALL_HUB_MODELS, crawl_command, run_crawl


@pytest.fixture(scope="module")
def exported(small_hub, tmp_path_factory):
    """One crawl that writes the dataset and two feeds beside it."""
    workdir = tmp_path_factory.mktemp("feeds")
    result = run_crawl(small_hub.url, workdir, settings=[
        f"FEEDS={json.dumps({str(workdir / 'models.jsonl'): {'format': 'jsonl'}, str(workdir / 'models.csv'): {'format': 'csv'}})}",
    ])
    assert result.returncode == 0, result.log[-3000:]
    return result


def test_a_jsonl_feed_holds_one_record_per_model_with_the_datasets_columns(exported):
    dataset = exported.models().set_index("id")
    lines = (exported.workdir / "models.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(dataset) > 1000
    assert {record["id"] for record in records} == set(dataset.index)
    assert all(list(record) == list(COLUMNS) for record in records)
    for record in records[:200]:
        row = dataset.loc[record["id"]]
        assert record["downloads"] == row["downloads"]
        assert record["tags"] == list(row["tags"])
        assert pd.Timestamp(record["created_at"]) == row["created_at"]  # ISO 8601, with its zone
        assert record["search_text"] == row["search_text"]  # the enriched fields too


def test_a_csv_feed_holds_one_row_per_model_with_a_header_of_the_datasets_columns(exported):
    dataset = exported.models().set_index("id")
    with (exported.workdir / "models.csv").open(newline="") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == list(COLUMNS)
        rows = list(reader)
    assert len(rows) == len(dataset)
    assert {row["id"] for row in rows} == set(dataset.index)
    for row in rows[:200]:
        assert json.loads(row["tags"]) == list(dataset.loc[row["id"], "tags"])  # lists as JSON


def test_the_command_line_o_writes_a_parquet_feed(small_hub, tmp_path):
    # -O as a user types it: scrapy crawl models -O models.parquet
    command, env = crawl_command(small_hub.url, tmp_path / "o", "limit=700")
    proc = subprocess.run([*command, "-O", str(tmp_path / "o" / "models.parquet")], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = pq.read_table(tmp_path / "o" / "models.parquet")
    assert table.schema.equals(MODEL_SCHEMA, check_metadata=False)
    assert table.num_rows == 700
    assert set(table.column("id").to_pylist()) == set(pd.read_parquet(tmp_path / "o" / "models")["id"])


def test_a_users_pipeline_reads_and_changes_the_models_written(small_hub, tmp_path):
    plain = run_crawl(small_hub.url, tmp_path / "plain")
    result = run_crawl(small_hub.url, tmp_path / "own", settings=[
        'ITEM_PIPELINES={"tests.user_pipeline.KeepLicensedModels": 500}',
    ])
    assert plain.returncode == 0 and result.returncode == 0, result.log[-3000:]
    everything, kept = plain.models(), result.models()
    licensed = everything[everything["license"].notna()]
    assert 0 < len(licensed) < len(everything)  # the corpus has both kinds, so the test can fail
    assert set(kept["id"]) == set(licensed["id"])
    assert any(any(t.startswith("region:") for t in tags) for tags in licensed["tags"])
    assert not any(any(t.startswith("region:") for t in tags) for tags in kept["tags"])
    assert result.stats["hfhub/models_written"] == len(licensed)


def test_a_spider_of_ones_own_yielding_model_items_gets_them_validated_enriched_and_written(small_hub, tmp_path):
    result = run_crawl(small_hub.url, tmp_path, settings=["SPIDER_MODULES=hfhub.spiders,tests.per_model_spider"],
                       spider="models_one_by_one")
    assert result.returncode == 0, result.log[-3000:]
    models = result.models()
    assert set(models["id"]) == set(Corpus(SMALL_HUB_MODELS, seed=7).model_ids())
    assert models["search_text"].notna().all()  # enriched
    assert result.stats["hfhub/dropped/missing_id"] == 1
    assert result.stats["hfhub/models_written"] == SMALL_HUB_MODELS
