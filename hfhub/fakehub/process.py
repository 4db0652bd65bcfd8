"""Run the fake Hub as a subprocess: ``with FakeHubProcess(models=1000) as hub: hub.url``.

It serves datasets and Spaces too (``models // 2`` of each unless ``datasets=``/``spaces=`` say)."""

from __future__ import annotations

import re
import selectors
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any

import orjson

_LISTENING = re.compile(r"^hfhub-fakehub listening on (http://\S+) ")


class FakeHubProcess:
    """Starts ``python -m hfhub.fakehub --port 0`` and waits for its listening line."""

    def __init__(self, models: int = 1000, seed: int = 1, args: Sequence[str] = (),
                 startup_timeout: float = 30.0, datasets: int | None = None, spaces: int | None = None,
                 start_days: int = 0) -> None:
        self.models = models
        self.seed = seed
        self.datasets = datasets
        self.spaces = spaces
        self.start_days = start_days
        self.args = list(args)
        self.startup_timeout = startup_timeout
        self.url = ""
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> FakeHubProcess:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def start(self) -> FakeHubProcess:
        cmd = [sys.executable, "-m", "hfhub.fakehub", "--port", "0", "--models", str(self.models),
               "--seed", str(self.seed), *self.args]
        if self.datasets is not None:
            cmd += ["--datasets", str(self.datasets)]
        if self.spaces is not None:
            cmd += ["--spaces", str(self.spaces)]
        if self.start_days:
            cmd += ["--start-days", str(self.start_days)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            self.url = self._read_url()
        except BaseException:
            self.stop()
            raise
        return self

    def _read_url(self) -> str:
        """Block on the child's stdout (with a deadline) until it says where it listens."""
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + self.startup_timeout
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(timeout=left):
                raise TimeoutError(f"fake hub did not start within {self.startup_timeout}s")
            line = self.proc.stdout.readline().decode("utf-8", "replace")
        match = _LISTENING.match(line)
        if not match:
            raise RuntimeError(f"fake hub failed to start (exit {self.proc.poll()}): {line!r}")
        return match.group(1)

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/_fake/stats", timeout=10) as r:
            return orjson.loads(r.read())  # type: ignore[no-any-return]

    def snapshot(self, kind: str = "models") -> dict[str, dict[str, Any]]:
        """``{id: {"sha", "lastModified", "downloads", "downloadsAllTime", "likes", "trendingScore"}}`` of
        every repo of ``kind`` (models, datasets, spaces) the fake holds now (moves nothing; Spaces'
        downloads are None)."""
        with urllib.request.urlopen(f"{self.url}/_fake/snapshot?kind={kind}", timeout=60) as r:
            return orjson.loads(r.read())  # type: ignore[no-any-return]

    def mutate(self, touch: Iterable[str] = (), delete: Iterable[str] = (), add: int = 0,
               kind: str = "models") -> dict[str, Any]:
        return self._post("/_fake/mutate", {"kind": kind, "touch": list(touch), "delete": list(delete), "add": add})

    def advance(self, days: int = 1, kind: str = "all") -> dict[str, Any]:
        """Move the fake's time ``days`` days on, for ``kind`` (models, datasets, spaces or all):
        ``{"days": N, "<kind>": {"day", "now", "touched", "changed", "added", "deleted", "added_ids",
        "deleted_ids", "live"}}`` (``FakeHub.advance``, ``fakehub.timeline``)."""
        return self._post("/_fake/advance", {"days": days, "kind": kind}, timeout=600)

    def set_churn(self, per_page: int) -> None:
        """From now on, touch ``per_page`` repos after each list page, of the page's kind (``--churn``)."""
        self._post("/_fake/churn", {"per_page": per_page})

    def _post(self, path: str, payload: dict[str, Any], timeout: float = 30) -> dict[str, Any]:
        req = urllib.request.Request(f"{self.url}{path}", data=orjson.dumps(payload), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return orjson.loads(r.read())  # type: ignore[no-any-return]
