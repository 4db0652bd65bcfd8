"""Cluster mode against real parts: a real redis-server, the fake Hub over loopback, and real
`scrapy crawl models` worker processes sharing one crawl (hfhub.cluster)."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
import redis

from hfhub.cluster.localredis import LocalRedis
from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.process import FakeHubProcess
from tests.conftest import REPO, crawl_command

CANARY = "hf_CANARYclusterTOKEN0123456789"
HUB_MODELS, HUB_SEED = 3_000, 11
# Short heartbeats, so a killed worker's leases come back within seconds.
FAST_CLUSTER = ("HFHUB_REDIS_WORKER_TTL=2", "HFHUB_REDIS_HEARTBEAT=0.5", "HFHUB_REDIS_IDLE_POLL=0.2",
                "AUTOTHROTTLE_ENABLED=False")


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.05)


@pytest.fixture()
def redis_server() -> Iterator[str]:
    """A real redis-server on a free loopback port (installed by .ci/run when missing)."""
    with LocalRedis() as server:
        yield server.url


@pytest.fixture(scope="module")
def slow_hub() -> Iterator[FakeHubProcess]:
    """Small pages and 30 ms per request, so a crawl with cards lasts long enough to kill a worker."""
    with FakeHubProcess(models=HUB_MODELS, seed=HUB_SEED,
                        args=["--max-page-size", "200", "--slow-ms", "30"]) as hub:
        yield hub


def queued(client: redis.Redis) -> int:
    """Requests in the shared queue (its key ends with the crawl's id)."""
    return sum(client.zcard(key) for key in client.scan_iter("models:requests:*"))


def redis_blob(client: redis.Redis) -> bytes:
    """Every key and value in the Redis server, concatenated, for scanning."""
    chunks: list[bytes] = []
    for key in client.scan_iter(count=1000):
        chunks.append(key)
        kind = client.type(key).decode()
        if kind == "string":
            chunks.append(client.get(key) or b"")
        elif kind == "list":
            chunks.extend(client.lrange(key, 0, -1))
        elif kind == "set":
            chunks.extend(client.smembers(key))
        elif kind == "zset":
            chunks.extend(client.zrange(key, 0, -1))
        elif kind == "hash":
            for field, value in client.hgetall(key).items():
                chunks += [field, value]
        else:
            pytest.fail(f"unexpected Redis key type {kind} for {key!r}")
    return b"\n".join(chunks)


class Worker:
    def __init__(self, name: str, hub_url: str, workdir: Path, redis_url: str, *settings: str) -> None:
        self.name = name
        self.log = workdir / f"{name}.log"
        self.stats_file = workdir / f"crawl_stats-{name}.json"
        command, env = crawl_command(
            hub_url, workdir, "cards=1",
            settings=(f"HFHUB_REDIS_URL={redis_url}", f"HFHUB_WORKER_ID={name}", f"LOG_FILE={self.log}",
                      f"HFHUB_CARDS_DIR={workdir / 'cards'}", f"HFHUB_INDEX_DIR={workdir / 'index'}", *settings),
            env={"HF_TOKEN": CANARY},
        )
        self.proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def finish(self, timeout: float = 240) -> int:
        try:
            _, stderr = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail(f"worker {self.name} did not finish in {timeout}s; log tail:\n{self.log_text()[-3000:]}")
        if self.proc.returncode not in (0, -signal.SIGKILL):
            print(stderr.decode(errors="replace")[-3000:])
        return self.proc.returncode

    def stats(self) -> dict:
        return json.loads(self.stats_file.read_text())

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


@pytest.mark.slow
def test_three_workers_one_killed_lose_nothing_and_share_the_work(
    slow_hub: FakeHubProcess, redis_server: str, tmp_path: Path,
) -> None:
    client = redis.Redis.from_url(redis_server)
    settings = (*FAST_CLUSTER, "HFHUB_CARDS_ROWS_PER_PART=100", "HFHUB_PARQUET_ROWS_PER_PART=300",
                "HFHUB_INDEX_ENABLED=False")
    workers = [Worker(f"w{n}", slow_hub.url, tmp_path, redis_server, *settings) for n in (1, 2, 3)]
    victim = workers[1]
    cards_dir = tmp_path / "cards"

    # Mid-crawl: once the victim has stored some cards (and so holds leases for more), look at
    # every key in Redis for the token, then kill the victim without warning.
    wait_until(lambda: any(tmp_path.glob(f".cards/inprogress/*/part-*-{victim.name}-*.parquet"))
               or victim.proc.poll() is not None,
               120, f"{victim.name} to write a cards part")
    assert victim.proc.poll() is None, "the crawl ended before the victim could be killed; slow the hub down"
    mid_crawl = redis_blob(client)
    assert b"models:requests" in mid_crawl  # the shared queue really holds requests
    assert CANARY.encode() not in mid_crawl
    victim.proc.send_signal(signal.SIGKILL)

    returncodes = {worker.name: worker.finish() for worker in workers}
    assert returncodes == {"w1": 0, "w2": -signal.SIGKILL, "w3": 0}, [w.log_text()[-2000:] for w in workers]

    # Every model and every card exactly once, in the union of all workers' part files.
    expected_ids = set(Corpus(HUB_MODELS, seed=HUB_SEED).model_ids())
    models = pd.read_parquet(tmp_path / "models")
    assert models["id"].is_unique
    assert set(models["id"]) == expected_ids
    cards = pd.read_parquet(cards_dir)
    assert cards["id"].is_unique
    assert set(cards["id"]) == expected_ids

    # Every worker did a share: the survivors fetched cards and listing pages, the victim stored cards.
    survivors = [workers[0], workers[2]]
    for worker in survivors:
        stats = worker.stats()
        assert stats["finish_reason"] == "finished"
        assert stats.get("hfhub/cards/fetched", 0) > 0, worker.name
    assert sum(w.stats().get("hfhub/pages", 0) for w in survivors) > 0
    assert any(cards_dir.glob(f"part-*-{victim.name}-*.parquet"))
    # The victim's unsettled requests were put back in the queue by a survivor.
    assert sum(w.stats().get("hfhub/cluster/leases_reclaimed", 0) for w in survivors) > 0
    # One worker published the dataset; the other only stopped.
    assert sorted(w.stats().get("hfhub/models_published", 0) for w in survivors) == [0, HUB_MODELS]

    # The token was sent to the Hub, yet never stored in Redis; the crawl's state is cleared.
    assert slow_hub.stats()["authorized_requests"] > 0
    after = redis_blob(client)
    assert CANARY.encode() not in after
    assert not list(client.scan_iter("models:requests:*"))
    assert not list(client.scan_iter("models:dupefilter:*"))


@pytest.mark.slow
def test_a_stopped_cluster_resumes_where_it_was(slow_hub: FakeHubProcess, redis_server: str, tmp_path: Path) -> None:
    """SCHEDULER_PERSIST: stop the only worker (Ctrl-C) mid-crawl; a new worker finishes the crawl."""
    settings = (*FAST_CLUSTER, "HFHUB_INDEX_ENABLED=False")
    first = Worker("first", slow_hub.url, tmp_path, redis_server, *settings)
    client = redis.Redis.from_url(redis_server)
    wait_until(lambda: queued(client) > 500 or first.proc.poll() is not None,
               120, "cards to queue up")
    first.proc.send_signal(signal.SIGINT)
    assert first.finish() == 1  # stopped, not finished
    assert first.stats()["finish_reason"] == "shutdown"
    assert queued(client) > 0  # the queue outlived the worker
    assert not list(tmp_path.glob("models/*.parquet"))  # nothing published yet

    second = Worker("second", slow_hub.url, tmp_path, redis_server, *settings)
    assert second.finish() == 0
    assert "continuing the crawl" in second.log_text()
    models = pd.read_parquet(tmp_path / "models")
    assert models["id"].is_unique and len(models) == HUB_MODELS
    cards = pd.read_parquet(tmp_path / "cards")
    assert cards["id"].is_unique and len(cards) == HUB_MODELS
    # the second worker did not list again from the start: the first one's pages stayed done
    assert second.stats().get("hfhub/pages", 0) < HUB_MODELS // 200


@pytest.mark.slow
def test_a_pipeline_bug_on_a_page_sends_its_lease_back_instead_of_publishing_without_it(
    slow_hub: FakeHubProcess, redis_server: str, tmp_path: Path,
) -> None:
    from hfhub import settings as project_settings

    pipelines = {**project_settings.ITEM_PIPELINES, "tests.failing_pipeline.FailOnOneListingPage": 250}
    settings = (*FAST_CLUSTER, "HFHUB_INDEX_ENABLED=False")
    first = Worker("first", slow_hub.url, tmp_path, redis_server, *settings, f"ITEM_PIPELINES={json.dumps(pipelines)}")
    assert first.finish() == 1
    stats = first.stats()
    assert stats["finish_reason"] == "pipeline_error" and stats["hfhub/pipeline_error/models"] > 0
    assert not list(tmp_path.glob("models/*.parquet"))  # nothing published

    second = Worker("second", slow_hub.url, tmp_path, redis_server, *settings)  # without the bug
    assert second.finish() == 0
    models = pd.read_parquet(tmp_path / "models")  # the failed page's lease came back: all of them
    assert models["id"].is_unique and len(models) == HUB_MODELS


def test_the_redis_password_comes_from_the_environment_and_stays_out_of_the_log(
    small_hub: FakeHubProcess, tmp_path: Path,
) -> None:
    password = "CANARYredisPASSWORD42"
    with LocalRedis(password=password) as server:
        command, env = crawl_command(
            small_hub.url, tmp_path, "limit=300",
            settings=(f"HFHUB_REDIS_URL={server.url}", "HFHUB_INDEX_ENABLED=False", *FAST_CLUSTER),
            env={"HFHUB_REDIS_PASSWORD": password},
        )
        proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        log = (tmp_path / "crawl.log").read_text()
        assert proc.returncode == 0, log[-3000:]
        assert "cluster worker" in log  # it really ran as a cluster worker, through the password-protected Redis
        assert len(pd.read_parquet(tmp_path / "models")) == 300
        assert password not in log + proc.stdout + proc.stderr
        assert password not in "".join(p.read_text() for p in tmp_path.glob("crawl_stats-*.json"))


def assert_every_model_and_card_once(workdir: Path) -> None:
    expected_ids = set(Corpus(HUB_MODELS, seed=HUB_SEED).model_ids())
    models = pd.read_parquet(workdir / "models", columns=["id"])
    assert models["id"].is_unique and set(models["id"]) == expected_ids
    cards = pd.read_parquet(workdir / "cards", columns=["id"])
    assert cards["id"].is_unique and set(cards["id"]) == expected_ids


@pytest.mark.slow
def test_a_redis_restarted_empty_mid_crawl_loses_nothing(slow_hub: FakeHubProcess, tmp_path: Path) -> None:
    # Before: every Redis call a traceback while it was down; after it came back empty, every worker
    # idle at 0 models/s for good (the crawl's keys and queue were gone), nothing published.
    settings = (*FAST_CLUSTER, "HFHUB_INDEX_ENABLED=False", "HFHUB_CARDS_ROWS_PER_PART=100")
    with LocalRedis() as server:
        workers = [Worker(f"w{n}", slow_hub.url, tmp_path, server.url, *settings) for n in (1, 2)]
        wait_until(lambda: any(tmp_path.glob(".cards/inprogress/*/part-*.parquet")) or workers[0].proc.poll() is not None,
                   120, "a cards part")
        server.stop()
        wait_until(lambda: any("Redis does not answer" in w.log_text() for w in workers), 60, "a worker to notice")
        server.start()  # on the same port, empty
        returncodes = [worker.finish() for worker in workers]
    logs = "".join(w.log_text() for w in workers)
    assert returncodes == [0, 0], logs[-3000:]
    assert "Traceback" not in logs
    assert "Redis had lost the crawl (restarted without persistence?); listing again from the first page" in logs
    assert_every_model_and_card_once(tmp_path)


@pytest.mark.slow
def test_a_listing_request_that_redis_lost_is_sent_again(redis_server: str, tmp_path: Path) -> None:
    # Before: a listing request gone from the queue (a push a restarted Redis did not keep) stopped
    # the listing for good, every worker idle, nothing published.
    client = redis.Redis.from_url(redis_server)
    settings = (*FAST_CLUSTER, "HFHUB_INDEX_ENABLED=False")
    with FakeHubProcess(models=HUB_MODELS, seed=HUB_SEED, args=["--max-page-size", "50", "--slow-ms", "30"]) as hub:
        workers = [Worker(f"w{n}", hub.url, tmp_path, redis_server, *settings) for n in (1, 2)]
        lose_the_listing_request_and_finish(workers, client, tmp_path)


def lose_the_listing_request_and_finish(workers: list[Worker], client: redis.Redis, tmp_path: Path) -> None:
    listing_score = -10  # listing requests have priority 10 (cards 0)

    def lose_the_queued_listing_request() -> bool:
        for worker in workers:  # frozen: nobody pops it while it is looked for
            worker.proc.send_signal(signal.SIGSTOP)
        try:
            return sum(client.zremrangebyscore(key, listing_score, listing_score)
                       for key in client.scan_iter("models:requests:*")) > 0
        finally:
            for worker in workers:
                worker.proc.send_signal(signal.SIGCONT)

    wait_until(lose_the_queued_listing_request, 120, "a queued listing request to lose")
    returncodes = [worker.finish() for worker in workers]
    logs = "".join(w.log_text() for w in workers)
    assert returncodes == [0, 0], logs[-3000:]
    assert "its next page's request was lost (a write a restarted Redis did not keep?); listing again from" in logs
    assert sum(w.stats().get("hfhub/cluster/listing_restarts", 0) for w in workers) == 1
    assert_every_model_and_card_once(tmp_path)
