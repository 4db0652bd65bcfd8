"""Shared fixtures: a real fake Hub over loopback, and real `scrapy crawl` runs against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hfhub.fakehub.process import FakeHubProcess
from hfhub.paths import stats_file_name

REPO = Path(__file__).resolve().parents[1]
SMALL_HUB_MODELS = 2_500


@dataclass
class CrawlResult:
    returncode: int
    log: str
    stats: dict
    dataset_dir: Path
    workdir: Path

    def models(self) -> pd.DataFrame:
        return pd.read_parquet(self.dataset_dir)


def table_of(spider: str) -> str:
    """The table a spider writes: its own for ``datasets`` and ``spaces``; models for any other
    (``models``, and a spider of one's own yielding ``ModelItem``s)."""
    return spider if spider in ("datasets", "spaces") else "models"


def crawl_command(
    hub_url: str, workdir: Path, *spider_args: str, settings: Sequence[str] = (), env: dict[str, str] | None = None,
    spider: str = "models",
) -> tuple[list[str], dict[str, str]]:
    """The `scrapy crawl <spider>` command line and environment for a crawl against ``hub_url`` whose
    table (``workdir / spider``) and log go under ``workdir`` (``settings`` may override any of
    them). The stats file is left to its default, beside the table's folder: ``workdir /
    "crawl_stats.json"`` (``crawl_stats-datasets.json``, … for the other spiders)."""
    workdir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "scrapy", "crawl", spider]
    for arg in spider_args:
        command += ["-a", arg]
    for setting in (
        f"HFHUB_DATASET_DIR={workdir / table_of(spider)}",
        f"LOG_FILE={workdir / 'crawl.log'}",
        *settings,
    ):
        command += ["-s", setting]
    full_env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}
    full_env.update(HF_ENDPOINT=hub_url, **(env or {}))
    return command, full_env


def run_crawl(
    hub_url: str,
    workdir: Path,
    *spider_args: str,
    settings: Sequence[str] = (),
    env: dict[str, str] | None = None,
    timeout: float = 300,
    spider: str = "models",
) -> CrawlResult:
    """Run `scrapy crawl <spider>` as a user would, in a subprocess, against ``hub_url``."""
    command, full_env = crawl_command(hub_url, workdir, *spider_args, settings=settings, env=env, spider=spider)
    proc = subprocess.run(command, cwd=REPO, env=full_env, timeout=timeout, capture_output=True, text=True)
    log_file, stats_file = workdir / "crawl.log", workdir / stats_file_name(table_of(spider))
    log = log_file.read_text() if log_file.exists() else ""
    stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
    return CrawlResult(proc.returncode, log + proc.stdout + proc.stderr, stats, workdir / table_of(spider), workdir)


def http_get(url: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


CHROMIUM = os.environ.get("HFHUB_CHROMIUM", "/usr/bin/chromium")
# Without these a sandbox-less container or the closed network makes Chromium hang or refuse.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium for a test module. Playwright's sync API runs once at a time in a process,
    and while it runs the process has a running asyncio loop (asyncio.run() fails in it): so it stops
    with the module that used it, before another module's tests run in the same process."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium (or set HFHUB_CHROMIUM)")
    with sync_playwright() as playwright:
        # launch() starts from a fresh temporary profile each time
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def small_hub() -> Iterator[FakeHubProcess]:
    """A fault-free fake Hub of a few thousand models with small pages, so crawls really page."""
    with FakeHubProcess(models=SMALL_HUB_MODELS, seed=7, args=["--max-page-size", "500"]) as hub:
        yield hub


def _output_state() -> dict[str, int]:
    output = REPO / "output"
    return {str(p.relative_to(output)): p.lstat().st_mtime_ns for p in output.rglob("*")} if output.exists() else {}


@pytest.fixture(scope="session", autouse=True)
def users_output_is_never_touched() -> Iterator[None]:
    """Tests write only under their own temporary folders: a user's ``output/`` (``make demo``'s
    dataset and index) is exactly as it was when the tests end."""
    before = _output_state()
    yield
    assert _output_state() == before, "a test wrote into the repository's output/ folder"
