"""Page processes (hfhub.pageprocesses): the per-model work runs beside the crawl, a page stays in
its process, and a process that dies loses nothing for good and leaves nothing behind."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hfhub import pagework
from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.process import FakeHubProcess
from hfhub.pageprocesses import PageProcesses, PageProcessFailed
from tests.conftest import REPO, crawl_command
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


def test_a_page_stays_in_one_process_and_its_steps_run_there():
    processes = PageProcesses(2)
    try:
        async def steps() -> tuple[int, int, int]:
            body = b'[{"id": "org/a", "sha": "' + b"0" * 40 + b'"}, {"id": "no good id!"}, {"id": "org/b"}]'
            decoded = await processes.run(7, pagework.decode_page, body, datetime.now(timezone.utc), None, None, True)
            validation = await processes.run(7, pagework.validate_page)
            await processes.run(7, pagework.enrich_page)
            held_here = await processes.run(7, count_held_pages)
            held_there = await processes.run(8, count_held_pages)
            assert decoded is not None and decoded.kept == 3 and decoded.cards[0] == ("org/a", "0" * 40)
            assert validation.ids == ["org/a", "org/b"] and validation.dropped == {"invalid_id": 1}
            return held_here, held_there, len((await processes.run(7, pagework.take_table)).ipc)

        held_here, held_there, table_bytes = asyncio.run(steps())
        assert (held_here, held_there) == (1, 0)  # key 7's process holds it; key 8's does not
        assert table_bytes > 0
        assert asyncio.run(processes.run(7, count_held_pages)) == 0  # taken: it left the store
    finally:
        processes.close()


def count_held_pages(key: int) -> int:
    return pagework.pages_held()


def test_a_dead_page_process_is_reported_once():
    messages: list[str] = []
    processes = PageProcesses(2, on_failure=messages.append)
    try:
        pid = asyncio.run(processes.run(1, own_pid))
        os.kill(pid, signal.SIGKILL)
        for _ in range(2):
            with pytest.raises(PageProcessFailed) as raised:
                asyncio.run(processes.run(1, own_pid))
            assert raised.value.reason == "page_process_failed"
        assert len(messages) == 1 and f"hfhub-page-1 (pid {pid}) ended" in messages[0]
        with pytest.raises(PageProcessFailed):  # the crawl closes: the other process is stopped too
            asyncio.run(processes.run(0, own_pid))
        assert len(messages) == 1
    finally:
        processes.close()


def own_pid(key: int) -> int:
    return os.getpid()


MODELS = 20_000


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
        assert re.search(r"page process died: hfhub-page-\d \(pid \d+\) ended.*; closing the crawl", log)
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
            _, stderr = crawl.communicate(timeout=30)
        finally:
            crawl.kill()
    assert len(page_processes) == 2
    wait_until(lambda: not any(alive(pid) for pid in page_processes), 30, "the page processes to exit")


def test_an_error_in_a_step_reaches_the_caller_and_the_process_lives_on():
    processes = PageProcesses(1)
    try:
        with pytest.raises(KeyError):
            asyncio.run(processes.run(3, pagework.validate_page))  # no page 3 in the store
        with pytest.raises(RuntimeError, match="cannot be sent back"):
            asyncio.run(processes.run(3, unpicklable_answer))
        assert asyncio.run(processes.run(3, own_pid)) == processes.pids[0]
        assert not processes.failed
    finally:
        processes.close()


def unpicklable_answer(key: int) -> object:
    return lambda: key


def test_a_model_arrow_cannot_hold_is_dropped_and_counted_not_its_page():
    # Validation accepts each value (within int64); the derived weights size (2**62 F32 parameters
    # x 4 bytes) is not. Only that model may go.
    huge = {"id": "org/huge", "safetensors": {"total": 2**62, "parameters": {"F32": 2**62}}}
    body = orjson.dumps([{"id": "org/fine"}, huge, {"id": "org/also-fine"}])
    assert pagework.decode_page(99, body, datetime.now(timezone.utc), None, None, False) is not None
    assert pagework.validate_page(99).ids == ["org/fine", "org/huge", "org/also-fine"]
    pagework.enrich_page(99)
    page = pagework.take_table(99)
    table = pa.ipc.open_stream(page.ipc).read_all()
    assert (page.dropped, page.dropped_example) == (1, "org/huge")
    assert table.column("id").to_pylist() == ["org/fine", "org/also-fine"]
    assert pagework.pages_held() == 0
