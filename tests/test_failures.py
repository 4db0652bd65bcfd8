"""Failures that must not pass for success (issue 17): each ends with exit status 1, a clear error,
the published dataset untouched, and a state the next run resumes from."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from datetime import UTC
from pathlib import Path

import pandas as pd
import pytest

from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.process import FakeHubProcess
from hfhub.middlewares.auth import AUTHORIZATION, HubTokenMiddleware
from tests.conftest import REPO, crawl_command, run_crawl

N, SEED = 800, 61


def published(workdir: Path) -> set[str]:
    return set(pd.read_parquet(workdir / "models", columns=["id"])["id"])


@pytest.fixture()
def hub():
    with FakeHubProcess(models=N, seed=SEED, args=["--max-page-size", "100"]) as h:
        yield h


def test_a_listing_lost_on_the_way_is_not_published(hub, tmp_path):
    middlewares = {"tests.failing_pipeline.LoseTheListingAfterTwoPages": 10}  # the project sets none of its own
    assert run_crawl(hub.url, tmp_path).returncode == 0
    lost = run_crawl(hub.url, tmp_path, settings=[f"SPIDER_MIDDLEWARES={json.dumps(middlewares)}"])
    assert lost.returncode == 1
    assert lost.stats["finish_reason"] == "finished"  # what Scrapy saw
    assert lost.stats["hfhub/publish/refused"] == "the listing did not reach its last page"
    assert lost.stats["hfhub/listing/complete"] is False
    assert published(tmp_path) == set(Corpus(N, SEED).model_ids())  # the earlier dataset, whole


def test_a_broken_jobdir_queue_is_not_a_truncated_crawl(hub, tmp_path):
    # cards=1 queues hundreds of card requests on disk while the listing runs
    job = tmp_path / "job"
    settings = [f"JOBDIR={job}", "HFHUB_PARQUET_ROWS_PER_PART=100", f"HFHUB_CARDS_DIR={tmp_path / 'cards'}"]
    command, env = crawl_command(hub.url, tmp_path, "cards=1", settings=settings, env={"HFHUB_KILL_AT": "checkpoint:3"})
    killed = subprocess.run(command, cwd=REPO, env=env, timeout=300, capture_output=True)
    assert killed.returncode == -signal.SIGKILL
    queue_files = [p for p in (job / "requests.queue").rglob("*") if p.is_file() and p.name != "active.json"]
    assert queue_files
    for path in queue_files:  # what a double Ctrl-C left with Scrapy's file queue: nothing flushed
        path.write_bytes(b"")
    resumed = run_crawl(hub.url, tmp_path, "cards=1", settings=settings)
    assert resumed.returncode == 0, resumed.log[-3000:]
    assert published(tmp_path) == set(Corpus(N, SEED).model_ids())
    assert "struct.error" not in resumed.log and "Traceback" not in resumed.log


def test_a_jobdir_that_cannot_be_written_stops_the_crawl_and_the_next_run_resumes(hub, tmp_path):
    # Scrapy's own scheduler logged a traceback per request, then one every 5 s, and never exited
    # (measured with a JOBDIR on a full 256 KB tmpfs); the 150th push to the disk queue fails here.
    job = tmp_path / "job"
    settings = [f"JOBDIR={job}", "HFHUB_PARQUET_ROWS_PER_PART=100", f"HFHUB_CARDS_DIR={tmp_path / 'cards'}"]
    full = run_crawl(hub.url, tmp_path, "cards=1", settings=settings, env={"HFHUB_FAIL_AT": "jobdir_push:150"})
    assert full.returncode == 1
    assert full.stats["finish_reason"] == "jobdir_write_failed"
    assert f"the JOBDIR {job} cannot be written ([Errno 28] No space left on device" in full.log
    assert "Traceback" not in full.log and full.stats["log_count/ERROR"] == 1  # that line alone
    assert not (tmp_path / "models").exists()
    resumed = run_crawl(hub.url, tmp_path, "cards=1", settings=settings)
    assert resumed.returncode == 0, resumed.log[-3000:]
    assert "resuming crawl" in resumed.log
    models = pd.read_parquet(tmp_path / "models", columns=["id", "sha"])
    cards = pd.read_parquet(tmp_path / "cards", columns=["id", "sha"])
    assert set(models["id"]) == set(Corpus(N, SEED).model_ids())
    assert dict(zip(cards["id"], cards["sha"])) == dict(zip(models["id"], models["sha"]))


@pytest.fixture()
def full_tmpfs(tmp_path):
    """A real full disk: a 64 KB tmpfs filled up (needs root, as on CI; skipped elsewhere)."""
    mountpoint = tmp_path / "tmpfs"
    mountpoint.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mountpoint)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        filler = mountpoint / "filler"
        with filler.open("wb", buffering=0) as out, pytest.raises(OSError):
            while True:
                out.write(b"\0" * 4096)
        os.truncate(filler, filler.stat().st_size - 4096)  # one page left: the crawl id file fits, the queue not
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=True)


def test_a_jobdir_on_a_full_disk_stops_the_crawl_with_one_error(hub, tmp_path, full_tmpfs):
    settings = [f"JOBDIR={full_tmpfs / 'job'}"]
    full = run_crawl(hub.url, tmp_path, settings=settings)
    assert full.returncode == 1
    assert full.stats["finish_reason"] == "jobdir_write_failed", full.log[-2000:]
    assert f"the JOBDIR {full_tmpfs / 'job'} cannot be written" in full.log
    assert "Traceback" not in full.log
    (full_tmpfs / "filler").unlink()  # space again: the same command now runs to its end
    resumed = run_crawl(hub.url, tmp_path, settings=settings)
    assert resumed.returncode == 0, resumed.log[-3000:]
    assert published(tmp_path) == set(Corpus(N, SEED).model_ids())


def test_a_checkpoint_with_a_bad_field_is_refused_with_one_clear_error(hub, tmp_path):
    job = tmp_path / "job"
    command, env = crawl_command(hub.url, tmp_path, settings=[f"JOBDIR={job}", "HFHUB_PARQUET_ROWS_PER_PART=100"],
                                 env={"HFHUB_KILL_AT": "checkpoint:3"})
    assert subprocess.run(command, cwd=REPO, env=env, timeout=300).returncode == -signal.SIGKILL
    (checkpoint,) = (tmp_path / ".models" / "inprogress").glob("*/checkpoint.json")
    checkpoint.write_text(json.dumps({**json.loads(checkpoint.read_text()), "pages": "three"}))
    resumed = run_crawl(hub.url, tmp_path, settings=[f"JOBDIR={job}"])
    assert resumed.returncode == 1
    assert "holds values a crawl never writes" in resumed.log and "remove its JOBDIR" in resumed.log
    assert not (tmp_path / "models").exists()  # nothing published


def test_a_part_that_cannot_be_written_at_the_end_fails_the_exit_status(hub, tmp_path):
    # rows per part larger than the crawl: the only part is written as the crawl closes
    result = run_crawl(hub.url, tmp_path, settings=["HFHUB_PARQUET_ROWS_PER_PART=100000"],
                       env={"HFHUB_FAIL_AT": "write_table"})
    assert result.returncode == 1
    assert result.stats["hfhub/parts_failed"] >= 1
    assert "No space left on device" in result.log
    assert not (tmp_path / "models").exists()
    leftovers = [p for p in (tmp_path / ".models").rglob("*") if p.is_file() and p.suffix == ".tmp"]
    assert not leftovers  # no half-written temporary part left behind


def test_a_bogus_compression_is_refused_before_anything_is_written(hub, tmp_path):
    result = run_crawl(hub.url, tmp_path, settings=["HFHUB_PARQUET_COMPRESSION=bogus"])
    assert result.returncode == 1
    assert "HFHUB_PARQUET_COMPRESSION='bogus' is not a compression pyarrow can write" in result.log
    assert not (tmp_path / "models").exists()


@pytest.mark.parametrize("fault", ["foreign-host", "other-scheme", "file", "data", "repeat"])
def test_hostile_next_page_links_are_not_followed(tmp_path, fault):
    with FakeHubProcess(models=N, seed=SEED, args=["--max-page-size", "100", "--link-fault", fault]) as hub:
        result = run_crawl(hub.url, tmp_path, timeout=120)
        served = hub.stats()["requests"].get("list", 0)
    assert result.returncode == 1
    assert "listing page failed for good" in result.log
    reason = "repeats one already followed" if fault == "repeat" else "leaves HF_ENDPOINT"
    assert reason in result.log
    assert served <= 2  # the first page, and for "repeat" the same page once more
    assert not (tmp_path / "models").exists()


@pytest.mark.parametrize(("url", "sent"), [
    ("https://hub.example/api/models", True),
    ("https://hub.example:443/api/models", True),
    ("http://hub.example/api/models", False),  # plain HTTP on the same host
    ("https://hub.example:8443/api/models", False),
    ("https://cdn.example/file", False),
])
def test_the_token_goes_only_to_the_endpoints_scheme_host_and_port(url, sent):
    from scrapy import Request

    middleware = HubTokenMiddleware("hf_canary", "https://hub.example")
    request = Request(url)
    middleware.process_request(request)
    assert (AUTHORIZATION in request.headers) is sent


def test_one_invalid_utf8_byte_does_not_make_a_page_unreadable():
    from datetime import datetime

    from hfhub.crawl import pagework

    body = b'[{"id": "org/fine"}, {"id": "org/odd", "pipeline_tag": "text-\xff-generation"}]'
    page = pagework.build_page(body, datetime.now(UTC), None, None, False)
    assert not isinstance(page, str) and page.kept == 2 and page.invalid_utf8
    assert page.table.column("id").to_pylist() == ["org/fine", "org/odd"]


def test_a_page_with_more_records_than_asked_for_is_refused():
    from datetime import datetime

    from hfhub.crawl import pagework

    body = b"[" + b",".join(b'{"id": "org/m%d"}' % i for i in range(11)) + b"]"
    assert pagework.build_page(body, datetime.now(UTC), None, None, False, max_records=10) == "too_many_records"
    assert pagework.build_page(b"[1, 2", datetime.now(UTC), None, None, False) == "malformed_json"


@pytest.mark.parametrize("model_id", [".", "..", "x/..", "a/.git", "a/b.git", "a--b/c", "-a/b", "a/b-", "a/.hidden", "a/b/c"])
def test_ids_that_name_paths_are_dropped(model_id):
    from hfhub.records.validation import InvalidRecord, check_id

    with pytest.raises(InvalidRecord):
        check_id(model_id)


def test_a_crawl_id_from_a_jobdir_is_checked_before_it_names_a_folder(tmp_path):
    from hfhub.crawl.crawlstate import CheckpointError, crawl_identity

    (tmp_path / "hfhub-crawl.json").write_text(json.dumps({"crawl_id": "../../etc"}))
    with pytest.raises(CheckpointError, match="never makes"):
        crawl_identity(str(tmp_path))


@pytest.mark.slow
@pytest.mark.parametrize("point", ["checkpoint:2", "checkpoint:5"])
def test_no_card_is_lost_to_a_kill_and_a_resume(tmp_path, point):
    job = tmp_path / "job"
    settings = [f"JOBDIR={job}", "HFHUB_PARQUET_ROWS_PER_PART=100", f"HFHUB_CARDS_DIR={tmp_path / 'cards'}",
                "HFHUB_CARDS_ROWS_PER_PART=150"]
    with FakeHubProcess(models=N, seed=SEED, args=["--max-page-size", "100"]) as hub:
        command, env = crawl_command(hub.url, tmp_path, "cards=1", settings=settings, env={"HFHUB_KILL_AT": point})
        assert subprocess.run(command, cwd=REPO, env=env, timeout=300).returncode == -signal.SIGKILL
        resumed = run_crawl(hub.url, tmp_path, "cards=1", settings=settings)
    assert resumed.returncode == 0, resumed.log[-3000:]
    models = pd.read_parquet(tmp_path / "models", columns=["id", "sha"])
    cards = pd.read_parquet(tmp_path / "cards", columns=["id", "sha"])
    assert cards["id"].is_unique
    assert dict(zip(cards["id"], cards["sha"])) == dict(zip(models["id"], models["sha"]))


@pytest.mark.parametrize(("username", "password", "starts"), [
    ("hfhub", "", False), ("hfhub", "replace_me", False), ("hfhub", "short", False), ("", "0123456789abcdef0123", False),
    ("hfhub", "0123456789abcdef0123", True),
])
def test_scrapyd_does_not_start_without_real_credentials(username, password, starts):
    env = {"PATH": "/usr/bin:/bin", "SCRAPYD_USERNAME": username, "SCRAPYD_PASSWORD": password}
    check = subprocess.run(["sh", str(REPO / "deploy" / "check-scrapyd-env.sh")], env=env, capture_output=True, text=True)
    assert (check.returncode == 0) is starts, check.stderr
    shipped = (REPO / "deploy" / "scrapyd.env").read_text()
    assert "\nSCRAPYD_PASSWORD=\n" in shipped  # the shipped file cannot start scrapyd as it is


def test_a_hub_down_for_seconds_does_not_fail_the_crawl(tmp_path):
    # Scrapy's 10 immediate retries are spent in milliseconds; with the backoff they span minutes.
    with FakeHubProcess(models=N, seed=SEED, args=["--max-page-size", "100", "--outage-s", "3"]) as hub:
        result = run_crawl(hub.url, tmp_path)
        outage = hub.stats()["faults"].get("outage", 0)
    assert result.returncode == 0, result.log[-3000:]
    assert 1 <= outage <= 4  # 0.5 + 1 + 2 s of waiting crossed the outage
    assert published(tmp_path) == set(Corpus(N, SEED).model_ids())


def test_without_the_backoff_the_same_outage_fails_the_listing(tmp_path):
    with FakeHubProcess(models=N, seed=SEED, args=["--max-page-size", "100", "--outage-s", "3"]) as hub:
        result = run_crawl(hub.url, tmp_path, settings=["HFHUB_RETRY_BACKOFF=0"])
    assert result.returncode == 1
    assert "listing page failed for good" in result.log


def test_backoff_doubles_up_to_its_maximum():
    from hfhub.middlewares.backoff import backoff_seconds

    assert [backoff_seconds(n, 0.5, 60) for n in range(10)] == [0, 0.5, 1, 2, 4, 8, 16, 32, 60, 60]
