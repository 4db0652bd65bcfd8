"""hfhub under a real scrapyd: deploy with scrapyd-deploy, schedule a crawl of the fake Hub, read its output.

scrapyd (the pinned version, basic auth on, loopback only) runs from an interpreter that sees the
virtualenv's packages but not its editable install of hfhub, as on a production host where only the
dependencies are installed: the job can import hfhub only from the egg that scrapyd-deploy built.
``HF_TOKEN`` is in scrapyd's environment and nowhere else; the test proves it reached the Hub and
that it was written to none of scrapyd's files and shown in none of its answers.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import site
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.process import FakeHubProcess

REPO = Path(__file__).resolve().parents[1]
HUB_MODELS = 1_500
HUB_SEED = 11
CANARY = f"hf_scrapydCANARY{secrets.token_hex(12)}"
USERNAME = "hfhub-ci"
PASSWORD = secrets.token_urlsafe(18)
START_TIMEOUT = 30.0
JOB_TIMEOUT = 60.0
POLL_INTERVAL = 0.2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def isolated_python(where: Path) -> Path:
    """A venv whose only packages are this one's site-packages, without their .pth files.

    A path listed in a .pth file is put on ``sys.path`` but not scanned for .pth files itself, so the
    editable install of hfhub (a .pth hook) stays out while Scrapy, scrapyd and pyarrow come in.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=60)
    python = where / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             check=True, capture_output=True, text=True, timeout=30).stdout.strip()
    (Path(purelib) / "hfhub-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return python


@dataclass
class Scrapyd:
    url: str
    root: Path
    log: Path
    proc: subprocess.Popen[bytes]

    def request(self, endpoint: str, data: dict[str, Any] | None = None, *, auth: bool = True) -> bytes:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(f"{self.url}/{endpoint}", data=body)
        if auth:
            basic = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
            req.add_header("Authorization", f"Basic {basic}")
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.read()  # type: ignore[no-any-return]

    def call(self, endpoint: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        answer: dict[str, Any] = json.loads(self.request(endpoint, data))
        assert answer.get("status") == "ok", answer
        return answer

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"scrapyd exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                self.call("daemonstatus.json")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(POLL_INTERVAL)
        raise TimeoutError(f"scrapyd not ready within {timeout}s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            # A crawl still running (a failed test) is scrapyd's child: end it by its pid first.
            try:
                running = self.call("listjobs.json")["running"]
            except (OSError, AssertionError, ValueError):
                running = []
            for job in running:
                os.kill(job["pid"], signal.SIGKILL)
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


SCRAPYD_CONF = """\
[scrapyd]
bind_address = 127.0.0.1
http_port = {port}
username = {username}
password = {password}
eggs_dir = {root}/eggs
logs_dir = {root}/logs
dbs_dir = {root}/dbs
jobs_dir = {root}/jobs
jobstorage = scrapyd.jobstorage.SqliteJobStorage
max_proc = 1
# scrapyd looks for queued jobs every poll_interval seconds (5 by default): keep the test quick.
poll_interval = 0.2
"""


@pytest.fixture(scope="module")
def hub() -> Iterator[FakeHubProcess]:
    with FakeHubProcess(models=HUB_MODELS, seed=HUB_SEED, args=["--max-page-size", "500"]) as fake:
        yield fake


@pytest.fixture(scope="module")
def scrapyd(hub: FakeHubProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scrapyd]:
    root = tmp_path_factory.mktemp("scrapyd").resolve()
    python = isolated_python(tmp_path_factory.mktemp("venv"))
    probe = subprocess.run([str(python), "-c", "import scrapyd, scrapy, pyarrow; import hfhub"],
                           cwd=root, capture_output=True, text=True, timeout=60)
    assert "No module named 'hfhub'" in probe.stderr, probe.stderr  # only the egg may provide hfhub

    port = free_port()
    (root / "scrapyd.conf").write_text(
        SCRAPYD_CONF.format(port=port, username=USERNAME, password=PASSWORD, root=root))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "SCRAPY"))}
    # HOME: no ~/.scrapyd.conf or ~/.scrapy.cfg of the machine's user may change the setup.
    env.update(HF_TOKEN=CANARY, HF_ENDPOINT=hub.url, HOME=str(root))
    log = root / "scrapyd.out"
    with log.open("wb") as out:
        proc = subprocess.Popen([str(python), "-m", "scrapyd"], cwd=root, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    server = Scrapyd(f"http://127.0.0.1:{port}", root, log, proc)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@dataclass
class Job:
    id: str
    output: Path
    listing: bytes


@pytest.fixture(scope="module")
def finished_job(scrapyd: Scrapyd, tmp_path_factory: pytest.TempPathFactory) -> Job:
    deploy(scrapyd, tmp_path_factory.mktemp("deploy-config"))
    output = tmp_path_factory.mktemp("output")
    scheduled = scrapyd.call("schedule.json", {
        "project": "hfhub",
        "spider": "models",
        "setting": [f"HFHUB_DATASET_DIR={output / 'models'}",
                    f"HFHUB_STATS_FILE={output / 'crawl_stats.json'}",
                    f"HFHUB_INDEX_DIR={output / 'index'}"],
        "limit": str(HUB_MODELS),  # a spider argument, checked by the spider like `-a limit=`
    })
    job_id = scheduled["jobid"]
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        listing = scrapyd.request("listjobs.json?project=hfhub")
        if any(job["id"] == job_id for job in json.loads(listing)["finished"]):
            return Job(job_id, output, listing)
        time.sleep(POLL_INTERVAL)
    pytest.fail(f"job {job_id} not finished within {JOB_TIMEOUT}s:\n{job_log(scrapyd, job_id)[-3000:]}")


def deploy(scrapyd: Scrapyd, config_home: Path) -> None:
    """``scrapyd-deploy pytest`` from the project, with the target in a generated user scrapy.cfg."""
    (config_home / "scrapy.cfg").write_text(
        f"[deploy:pytest]\nurl = {scrapyd.url}/\nproject = hfhub\n"
        f"username = {USERNAME}\npassword = {PASSWORD}\n")
    env = {**os.environ, "XDG_CONFIG_HOME": str(config_home)}
    result = subprocess.run([sys.executable, "-m", "scrapyd_client.deploy", "pytest"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == "ok" and answer["project"] == "hfhub" and answer["spiders"] == 3, answer  # models, datasets, spaces


def job_log(scrapyd: Scrapyd, job_id: str) -> str:
    path = scrapyd.root / "logs" / "hfhub" / "models" / f"{job_id}.log"
    return path.read_text() if path.exists() else scrapyd.log.read_text()


def test_a_scheduled_job_mirrors_the_hub(scrapyd: Scrapyd, finished_job: Job) -> None:
    # exit status 0: hfhub's crawl command exits 1 when the crawl did not finish (scrapyd: "Process died")
    finished = f"Process finished: project='hfhub' spider='models' job='{finished_job.id}'"
    assert finished in scrapyd.log.read_text(), job_log(scrapyd, finished_job.id)[-3000:]

    models = pd.read_parquet(finished_job.output / "models")
    assert len(models) == HUB_MODELS
    assert set(models["id"]) == set(Corpus(HUB_MODELS, seed=HUB_SEED).model_ids())

    stats = json.loads((finished_job.output / "crawl_stats.json").read_text())
    assert stats["finish_reason"] == "finished"
    assert stats["hfhub/models_written"] == HUB_MODELS

    # the index extension builds the search index at spider close
    manifest = json.loads((finished_job.output / "index" / "manifest.json").read_text())
    assert manifest

    # scrapyd gave the job its own JOBDIR (jobs_dir/<project>/<spider>/<job id>)
    assert (scrapyd.root / "jobs" / "hfhub" / "models" / finished_job.id).is_dir()


def wait_for_job(scrapyd: Scrapyd, job_id: str, spider: str) -> None:
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        listing = json.loads(scrapyd.request("listjobs.json?project=hfhub"))
        if any(job["id"] == job_id for job in listing["finished"]):
            return
        time.sleep(POLL_INTERVAL)
    pytest.fail(f"{spider} job {job_id} not finished within {JOB_TIMEOUT}s")


@pytest.mark.parametrize("spider", ["datasets", "spaces"])
def test_scheduled_datasets_and_spaces_jobs_mirror_the_hub(hub: FakeHubProcess, scrapyd: Scrapyd, finished_job: Job,
                                                          tmp_path: Path, spider: str) -> None:
    scheduled = scrapyd.call("schedule.json", {
        "project": "hfhub", "spider": spider,
        "setting": [f"HFHUB_DATASET_DIR={tmp_path / spider}", f"HFHUB_STATS_FILE={tmp_path / 'stats.json'}"],
    })
    wait_for_job(scrapyd, scheduled["jobid"], spider)
    finished = f"Process finished: project='hfhub' spider='{spider}' job='{scheduled['jobid']}'"
    assert finished in scrapyd.log.read_text()
    table = pd.read_parquet(tmp_path / spider)
    assert table["id"].is_unique and set(table["id"]) == set(hub.snapshot(spider))
    assert json.loads((tmp_path / "stats.json").read_text())[f"hfhub/{spider}_written"] == len(table)
    assert (tmp_path / f"index-{spider}" / "manifest.json").exists()
    (snapshot,) = (tmp_path / "history" / spider).glob("date=*/part-*.parquet")  # the job's history
    assert set(pd.read_parquet(snapshot)["id"]) == set(table["id"])


def test_the_token_reaches_the_hub_and_nothing_else(hub: FakeHubProcess, scrapyd: Scrapyd,
                                                     finished_job: Job) -> None:
    assert hub.stats()["authorized_requests"] > 0
    assert CANARY.encode() not in finished_job.listing
    files = [p for p in scrapyd.root.rglob("*") if p.is_file()]  # conf, eggs, logs, dbs, jobs, stdout
    assert any(p.suffix == ".egg" for p in files) and any(p.suffix == ".log" for p in files)
    assert [p for p in files if CANARY.encode() in p.read_bytes()] == []
    assert [p for p in finished_job.output.rglob("*") if p.is_file() and CANARY.encode() in p.read_bytes()] == []


@pytest.mark.parametrize("endpoint", ["daemonstatus.json", "listjobs.json?project=hfhub", "listprojects.json"])
def test_requests_without_credentials_are_refused(scrapyd: Scrapyd, endpoint: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        scrapyd.request(endpoint, auth=False)
    assert refused.value.code == 401


def test_scheduling_without_credentials_is_refused(scrapyd: Scrapyd) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        scrapyd.request("schedule.json", {"project": "hfhub", "spider": "models"}, auth=False)
    assert refused.value.code == 401


def test_the_schedule_script_refuses_a_wrong_mode_before_calling_scrapyd() -> None:
    # scrapyd accepts any spider argument, and mode=bogus failed only inside the job
    script = Path(__file__).resolve().parents[1] / "deploy" / "schedule-crawl.sh"
    env = {"PATH": "/usr/bin:/bin", "SCRAPYD_USERNAME": "u", "SCRAPYD_PASSWORD": "p",
           "SCRAPYD_URL": "http://127.0.0.1:9"}  # nothing listens there: a call would fail otherwise
    refused = subprocess.run(["sh", str(script), "bogus"], env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "mode must be full or incremental, not 'bogus'" in refused.stderr
    refused = subprocess.run(["sh", str(script), "full", "datasets", "papers"], env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "the tables are models, datasets and spaces, not 'papers'" in refused.stderr
