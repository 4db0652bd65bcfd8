"""Cluster mode for the datasets listing: real redis-server, the fake Hub over loopback, real
`scrapy crawl datasets` workers sharing one crawl, one of them killed mid-crawl (as for models in
tests/test_cluster.py), while a models cluster on the same Redis keeps its own keys."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import redis

from hfhub.fakehub.process import FakeHubProcess
from tests.conftest import REPO, crawl_command
from tests.test_cluster import FAST_CLUSTER, redis_server, wait_until  # noqa: F401 (redis_server: a fixture)

CANARY = "hf_CANARYdatasetsCLUSTER0123456789"


def start_worker(name: str, hub_url: str, workdir: Path, redis_url: str) -> subprocess.Popen[bytes]:
    command, env = crawl_command(
        hub_url, workdir, "cards=1", spider="datasets",
        settings=(f"HFHUB_REDIS_URL={redis_url}", f"HFHUB_WORKER_ID={name}", f"LOG_FILE={workdir / f'{name}.log'}",
                  f"HFHUB_CARDS_DIR={workdir / 'dataset_cards'}", f"HFHUB_STATS_FILE={workdir / 'stats.json'}",
                  "HFHUB_CARDS_ROWS_PER_PART=100", "HFHUB_PARQUET_ROWS_PER_PART=200", "HFHUB_INDEX_ENABLED=False",
                  *FAST_CLUSTER),
        env={"HF_TOKEN": CANARY},
    )
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.slow
def test_dataset_workers_one_killed_lose_nothing(redis_server: str, tmp_path: Path) -> None:  # noqa: F811
    client = redis.Redis.from_url(redis_server)
    with FakeHubProcess(models=10, datasets=2000, spaces=0, seed=12,
                        args=["--max-page-size", "200", "--slow-ms", "30"]) as hub:
        workers = {name: start_worker(name, hub.url, tmp_path, redis_server) for name in ("d1", "d2", "d3")}
        victim = workers["d2"]
        wait_until(lambda: any(tmp_path.glob(".dataset_cards/inprogress/*/part-*-d2-*.parquet"))
                   or victim.poll() is not None, 120, "d2 to write a cards part")
        assert victim.poll() is None, "the crawl ended before the victim could be killed; slow the hub down"
        assert list(client.scan_iter("datasets:requests:*"))  # the datasets crawl's own queue
        assert not list(client.scan_iter("models:requests:*"))
        victim.send_signal(signal.SIGKILL)
        codes = {name: proc.wait(timeout=240) for name, proc in workers.items()}
        expected = set(hub.snapshot("datasets"))
    assert codes == {"d1": 0, "d2": -signal.SIGKILL, "d3": 0}
    datasets = pd.read_parquet(tmp_path / "datasets")
    assert datasets["id"].is_unique and set(datasets["id"]) == expected
    cards = pd.read_parquet(tmp_path / "dataset_cards")
    assert cards["id"].is_unique and set(cards["id"]) == expected
    stats = [json.loads((tmp_path / f"stats-{name}.json").read_text()) for name in ("d1", "d3")]
    assert sorted(s.get("hfhub/datasets_published", 0) for s in stats) == [0, 2000]
    assert sum(s.get("hfhub/cluster/leases_reclaimed", 0) for s in stats) > 0
    assert not list(client.scan_iter("datasets:requests:*"))
    # the worker that published wrote the crawl's one snapshot to the history
    (snapshot,) = (tmp_path / "history" / "datasets").glob("date=*/part-*.parquet")
    assert set(pd.read_parquet(snapshot)["id"]) == expected
