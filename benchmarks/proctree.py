"""Memory of a process and all its descendants, sampled: the crawl forks page processes, whose
memory a parent's ``wait4`` peak does not add up.

The process's own peak RSS is read from its ``VmHWM`` (its memory's high-water mark), not from
``wait4``/``getrusage``: Linux carries the high-water mark of the process that started a child
over the child's ``exec``, so a child of a benchmark that had read a big dataset back reported the
benchmark's own RSS as its peak (hfhub and the baseline once showed the same 443.9 MB at 100k).

PSS (proportional set size, from ``/proc/<pid>/smaps_rollup``) splits each shared page among the
processes that share it, so forked children are not counted twice for what they share with the
crawl. Linux only; elsewhere the sampler reports nothing.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:
                continue
    return found


def _kilobytes_field(path: str, field: str) -> int:
    """A ``<field>: <n> kB`` line of a /proc file, in bytes; 0 if the process has ended."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    except OSError:
        pass  # the process ended between listing and reading
    return 0


def pss_bytes(pid: int) -> int:
    return _kilobytes_field(f"/proc/{pid}/smaps_rollup", "Pss:")


def high_water_rss_bytes(pid: int) -> int:
    return _kilobytes_field(f"/proc/{pid}/status", "VmHWM:")


class PeakTreeMemory:
    """``with PeakTreeMemory(pid) as peak: ...`` then ``peak.mb``: the largest summed PSS seen, and
    ``peak.rss_mb``: the process's own peak RSS (its last high-water mark seen)."""

    # Reading smaps_rollup makes the kernel walk each process's page tables: ~6 ms of CPU a sample
    # for a crawl and its page processes, measured. Every 0.1 s that took ~6 % of a core from the
    # crawl being timed; every 0.5 s, ~1 %. The high-water mark costs ~20 µs: read every 0.05 s,
    # so little growth goes unseen before the process ends.
    def __init__(self, pid: int, interval: float = 0.5, rss_interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.rss_interval = rss_interval
        self.peak_bytes = 0
        self.rss_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @property
    def mb(self) -> float:
        return self.peak_bytes / 2**20

    @property
    def rss_mb(self) -> float:
        return self.rss_bytes / 2**20

    def __enter__(self) -> PeakTreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        next_pss = time.monotonic() + self.interval
        while not self._stop.wait(self.rss_interval):
            self.rss_bytes = max(self.rss_bytes, high_water_rss_bytes(self.pid))
            if time.monotonic() >= next_pss:
                self.peak_bytes = max(self.peak_bytes, sum(pss_bytes(p) for p in descendants(self.pid)))
                next_pss += self.interval
