"""The page pool (hfhub.crawl.pagepool): a page's per-model work is one call, in a page process or inline,
and a process that dies loses nothing for good and leaves nothing behind."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pandas as pd
import pyarrow.parquet as pq
import pytest

from hfhub.crawl import pagework
from hfhub.crawl.pagepool import PagePool, PagePoolBroken
from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.process import FakeHubProcess
from tests.conftest import REPO, crawl_command, run_crawl
from tests.test_resume import checkpoint_pages


def children(pid: int) -> set[int]:
    """The live child processes of ``pid`` (forked by any of its threads)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue  # the thread ended meanwhile
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)  # polling a real condition, bounded by the deadline


BODY = b'[{"id": "org/a", "sha": "' + b"0" * 40 + b'"}, {"id": "no good id!"}, {"id": "org/b", "likes": "many"}]'
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_page_is_built_in_one_call_the_same_in_a_page_process_as_inline():
    pool = PagePool(2)
    try:
        pooled = asyncio.run(pool.run(pagework.build_page, BODY, NOW, None, None, True))
    finally:
        pool.close()
    inline = asyncio.run(PagePool(0).run(pagework.build_page, BODY, NOW, None, None, True))
    for page in (pooled, inline):
        assert not isinstance(page, str)
        assert page.kept == 3 and page.cards[0] == ("org/a", "0" * 40)
        assert page.table.column("id").to_pylist() == ["org/a", "org/b"]
        assert page.report.dropped == {"invalid_id": 1} and page.report.nulled == {"likes": 1}
        assert page.table.column("search_text").null_count == 0  # enriched
    assert pooled.table.equals(inline.table)


def test_a_dead_page_process_breaks_the_pool_for_every_call():
    pool = PagePool(2)
    try:
        async def kill_one_during_a_call() -> None:
            # a long page in flight (60 s of work in a page process): the kill lands while it runs
            call = asyncio.ensure_future(pool.run(time.sleep, 60))
            pid = await pool.run(os.getpid)
            assert pid in pool.pids and pid != os.getpid()
            os.kill(pid, signal.SIGKILL)
            with pytest.raises(PagePoolBroken, match="a page process died"):
                await call
            with pytest.raises(PagePoolBroken):  # and every call after it: the crawl closes
                await pool.run(os.getpid)

        asyncio.run(kill_one_during_a_call())
    finally:
        pool.close()


MODELS = 20_000


@pytest.mark.slow
def test_killing_a_page_process_fails_the_crawl_and_a_resume_loses_nothing(tmp_path):
    jobdir = tmp_path / "job"
    # a fast Hub: the page processes are busy, so the one killed holds pages in progress
    with FakeHubProcess(models=MODELS, seed=23, args=["--max-page-size", "250"]) as hub:
        command, env = crawl_command(hub.url, tmp_path, settings=[f"JOBDIR={jobdir}", "HFHUB_PARQUET_ROWS_PER_PART=250"])
        crawl = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until(lambda: checkpoint_pages(tmp_path / "models") >= 8 or crawl.poll() is not None, 120,
                       "three pages on disk")
            page_processes = children(crawl.pid)
            assert len(page_processes) == 2, page_processes
            os.kill(min(page_processes), signal.SIGKILL)
            assert crawl.wait(timeout=120) == 1
        finally:
            crawl.kill()
        log = (tmp_path / "crawl.log").read_text()
        assert re.search(r"a page process died: .*; closing the crawl", log)
        assert json.loads((tmp_path / "crawl_stats.json").read_text())["finish_reason"] == "page_process_failed"
        assert not list((tmp_path / "models").glob("*.parquet"))  # nothing published

        resumed = subprocess.run(command, cwd=REPO, env=env, timeout=300)
    assert resumed.returncode == 0
    ids = [i for part in sorted((tmp_path / "models").glob("*.parquet"))
           for i in pq.read_table(part, columns=["id"]).column("id").to_pylist()]
    assert len(ids) == len(set(ids)) == MODELS
    assert set(ids) == set(Corpus(MODELS, seed=23).model_ids())


def test_page_processes_die_with_a_killed_crawl(tmp_path):
    with FakeHubProcess(models=2000, seed=5, args=["--max-page-size", "100", "--slow-ms", "50"]) as hub:
        command, env = crawl_command(hub.url, tmp_path)
        crawl = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_until(lambda: len(children(crawl.pid)) == 2 or crawl.poll() is not None, 60, "the page processes")
            page_processes = children(crawl.pid)
            crawl.kill()
            # The crawl's stderr reaches end-of-file only once no process holds it open any more.
            _, _stderr = crawl.communicate(timeout=30)
        finally:
            crawl.kill()
    assert len(page_processes) == 2
    wait_until(lambda: not any(alive(pid) for pid in page_processes), 30, "the page processes to exit")


def test_an_error_in_a_step_reaches_the_caller_and_the_pool_lives_on():
    pool = PagePool(1)
    try:
        with pytest.raises(TypeError):
            asyncio.run(pool.run(pagework.build_page, BODY, NOW, "a bug: not a count", None, False))
        with pytest.raises(Exception, match="pickle"):
            asyncio.run(pool.run(unpicklable_answer))
        assert asyncio.run(pool.run(os.getpid)) == pool.pids[0]
    finally:
        pool.close()


def unpicklable_answer() -> object:
    return lambda: None


def test_a_model_arrow_cannot_hold_is_dropped_and_counted_not_its_page():
    # Validation accepts each value (within int64); the derived weights size (2**62 F32 parameters
    # x 4 bytes) is not. Only that model may go.
    huge = {"id": "org/huge", "safetensors": {"total": 2**62, "parameters": {"F32": 2**62}}}
    body = orjson.dumps([{"id": "org/fine"}, huge, {"id": "org/also-fine"}])
    page = pagework.build_page(body, NOW, None, None, False)
    assert not isinstance(page, str)
    assert page.report.dropped == {"unconvertible": 1} and page.report.dropped_example["unconvertible"] == "'org/huge'"
    assert page.table.column("id").to_pylist() == ["org/fine", "org/also-fine"]


def test_a_crawl_without_page_processes_writes_the_same_dataset(small_hub, tmp_path):
    pooled = run_crawl(small_hub.url, tmp_path / "pooled")
    inline = run_crawl(small_hub.url, tmp_path / "inline", settings=["HFHUB_PAGE_PROCESSES=0"])
    assert pooled.returncode == inline.returncode == 0, inline.log[-3000:]
    columns = [c for c in pooled.models().columns if c not in ("crawled_at", "days_since_modified", "recency_score")]
    a = pooled.models()[columns].sort_values("id").reset_index(drop=True)
    b = inline.models()[columns].sort_values("id").reset_index(drop=True)
    assert len(a) > 1000
    pd.testing.assert_frame_equal(a, b)
