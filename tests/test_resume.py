"""Resume after kills, incremental refresh, and fault tolerance: nothing lost, nothing doubled."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.process import FakeHubProcess
from tests.conftest import REPO, run_crawl


def crawl_command(workdir: Path, *settings: str) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "models",
               "-s", f"HFHUB_DATASET_DIR={workdir / 'models'}", "-s", f"HFHUB_STATS_FILE={workdir / 'stats.json'}",
               "-s", f"LOG_FILE={workdir / 'crawl.log'}"]
    for setting in settings:
        command += ["-s", setting]
    return command


def checkpoint_pages(dataset_dir: Path) -> int:
    pages = 0
    for path in (dataset_dir.parent / ".models" / "inprogress").glob("*/checkpoint.json"):
        try:
            pages = max(pages, json.loads(path.read_text())["pages"])
        except (ValueError, OSError):
            continue  # being replaced right now
    return pages


def start_and_kill_after(hub_url: str, workdir: Path, jobdir: Path, pages: int, sig: int = signal.SIGKILL) -> int:
    """Start a crawl, wait until its checkpoint has passed ``pages`` pages, then send ``sig``."""
    env = {**os.environ, "HF_ENDPOINT": hub_url}
    proc = subprocess.Popen(crawl_command(workdir, f"JOBDIR={jobdir}", "HFHUB_PARQUET_ROWS_PER_PART=250"),
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while checkpoint_pages(workdir / "models") < pages and proc.poll() is None:
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.02)  # polling a real condition, bounded by the deadline
    proc.send_signal(sig)
    return proc.wait(timeout=60)


def test_hard_kills_at_any_point_resume_to_exactly_the_hubs_models(tmp_path):
    jobdir = tmp_path / "job"
    with FakeHubProcess(models=3000, seed=21, args=["--max-page-size", "100", "--slow-ms", "30"]) as hub:
        for pages in (2, 9, 17):
            assert start_and_kill_after(hub.url, tmp_path, jobdir, pages) == -signal.SIGKILL
        # The state a kill in the middle of a Parquet flush leaves: a truncated temporary part.
        (parts_dir,) = (tmp_path / ".models" / "inprogress").iterdir()
        (parts_dir / ".part-killed-00099.parquet.tmp").write_bytes(b"PAR1\x15\x00 truncated")
        # A graceful stop (SIGTERM once) flushes and saves its state too.
        assert start_and_kill_after(hub.url, tmp_path, jobdir, 22, signal.SIGTERM) == 1
        assert not list((tmp_path / "models").glob("*.parquet"))  # nothing published yet

        final = subprocess.run(crawl_command(tmp_path, f"JOBDIR={jobdir}"), cwd=REPO,
                               env={**os.environ, "HF_ENDPOINT": hub.url}, timeout=300)
    assert final.returncode == 0
    log = (tmp_path / "crawl.log").read_text()
    assert "resuming crawl" in log

    parts = sorted((tmp_path / "models").glob("*.parquet"))
    ids = [i for part in parts for i in pq.read_table(part, columns=["id"]).column("id").to_pylist()]
    assert len(ids) == len(set(ids)) == 3000
    assert set(ids) == set(Corpus(3000, seed=21).model_ids())
    assert not (tmp_path / ".models" / "inprogress").exists() or not any((tmp_path / ".models" / "inprogress").iterdir())
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["hfhub/pages"] < 30  # the last run continued where the checkpoint was, not from page 1


def hub_record(hub_url: str, model_id: str) -> dict:
    with urllib.request.urlopen(f"{hub_url}/api/models/{model_id}") as response:
        return json.loads(response.read())


def test_incremental_refresh_merges_changes_and_new_models(tmp_path):
    with FakeHubProcess(models=2000, seed=31, args=["--max-page-size", "200"]) as hub:
        first = run_crawl(hub.url, tmp_path)
        assert first.returncode == 0
        before = set(first.models()["id"])

        quiet = hub.stats()["requests"]["list"]
        again = run_crawl(hub.url, tmp_path, "mode=incremental")
        assert again.returncode == 0
        assert hub.stats()["requests"]["list"] - quiet <= 2  # a quiet Hub costs one or two pages
        assert len(again.models()) == 2000

        ids = sorted(before)
        touched, deleted = ids[:30], ids[30:40]
        changes = hub.mutate(touch=touched, delete=deleted, add=20)
        listed_before = hub.stats()["requests"]["list"]
        result = run_crawl(hub.url, tmp_path, "mode=incremental")
        pages = hub.stats()["requests"]["list"] - listed_before
        current = {m: hub_record(hub.url, m) for m in touched}

    assert result.returncode == 0, result.log[-3000:]
    assert pages <= 2
    models = result.models().set_index("id")
    assert models.index.is_unique
    added = set(changes["added"])
    assert len(added) == 20 and added <= set(models.index)
    for model_id, record in current.items():
        assert models.loc[model_id, "sha"] == record["sha"]
    # Deletions are not visible to an incremental refresh (documented): a full crawl drops them.
    assert set(deleted) <= set(models.index)


def test_a_full_crawl_after_deletions_drops_them(tmp_path):
    with FakeHubProcess(models=1500, seed=32, args=["--max-page-size", "300"]) as hub:
        assert run_crawl(hub.url, tmp_path).returncode == 0
        deleted = sorted(Corpus(1500, seed=32).model_ids())[:5]
        hub.mutate(delete=deleted)
        result = run_crawl(hub.url, tmp_path)
    assert set(result.models()["id"]) == set(Corpus(1500, seed=32).model_ids()) - set(deleted)


def test_incremental_without_a_dataset_is_refused(small_hub, tmp_path):
    result = run_crawl(small_hub.url, tmp_path, "mode=incremental")
    assert result.returncode != 0
    assert "mode=incremental needs a published dataset" in result.log


@pytest.mark.slow
def test_every_fault_at_once_still_gives_every_model(tmp_path):
    args = ["--max-page-size", "100", "--fault-5xx", "0.10", "--fault-429", "0.05", "--fault-malformed", "0.01",
            "--fault-drop", "0.02", "--slow-ms", "5", "--fault-seed", "17"]
    with FakeHubProcess(models=4000, seed=33, args=args) as hub:
        result = run_crawl(hub.url, tmp_path)
        faults = hub.stats()["faults"]
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.models()) == 4000
    assert set(result.models()["id"]) == set(Corpus(4000, seed=33).model_ids())
    assert sum(faults.values()) >= 5  # the faults really happened


def test_a_pipeline_bug_fails_the_crawl_and_a_resume_loses_nothing(tmp_path):
    # A full crawl that published without the page would take its models out of the dataset.
    from hfhub import settings as project_settings

    jobdir = tmp_path / "job"
    pipelines = {**project_settings.ITEM_PIPELINES, "tests.failing_pipeline.FailOnOneListingPage": 250}
    with FakeHubProcess(models=1500, seed=31, args=["--max-page-size", "100"]) as hub:
        env = {**os.environ, "HF_ENDPOINT": hub.url}
        failed = subprocess.run(
            crawl_command(tmp_path, f"JOBDIR={jobdir}", "HFHUB_PARQUET_ROWS_PER_PART=100",
                          f"ITEM_PIPELINES={json.dumps(pipelines)}"),
            cwd=REPO, env=env, timeout=300, capture_output=True, text=True,
        )
        assert failed.returncode == 1, failed.stderr[-2000:]
        stats = json.loads((tmp_path / "stats.json").read_text())
        assert stats["finish_reason"] == "pipeline_error"
        assert 0 < stats["hfhub/pipeline_error/models"] <= 100  # the models of that page
        log = (tmp_path / "crawl.log").read_text()
        page = re.search(r"RuntimeError: a bug met on listing page (\d+)", log)
        assert page and f"a pipeline failed on listing page {page[1]}; closing the crawl" in log
        assert not list((tmp_path / "models").glob("*.parquet"))  # nothing published

        resumed = subprocess.run(crawl_command(tmp_path, f"JOBDIR={jobdir}", "HFHUB_PARQUET_ROWS_PER_PART=100"),
                                 cwd=REPO, env=env, timeout=300)
    assert resumed.returncode == 0
    ids = [i for part in sorted((tmp_path / "models").glob("*.parquet"))
           for i in pq.read_table(part, columns=["id"]).column("id").to_pylist()]
    assert len(ids) == len(set(ids)) == 1500
    assert set(ids) == set(Corpus(1500, seed=31).model_ids())
