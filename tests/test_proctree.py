"""The benchmarks' memory sampler (benchmarks/proctree.py) measures the process it is given."""

from __future__ import annotations

import subprocess
import sys
import time

from benchmarks.proctree import PeakTreeMemory

# Holds 150 MB (touched: bytearray zero-fills it), says so, and ends when its stdin closes.
CHILD = "import sys; block = bytearray(150 * 2**20); print('ready', flush=True); sys.stdin.read()"


def test_peak_rss_is_the_childs_own_not_the_high_water_mark_of_its_parent():
    ballast = bytearray(400 * 2**20)  # this process: over 400 MB resident when the child starts
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    with PeakTreeMemory(child.pid, interval=0.05) as memory:
        assert child.stdout.readline() == b"ready\n"
        deadline = time.monotonic() + 30
        while memory.rss_mb < 150 or memory.mb < 150:  # polling a real condition, bounded by the deadline
            assert time.monotonic() < deadline, (memory.rss_mb, memory.mb)
            time.sleep(0.01)
        child.communicate(b"")
    del ballast
    assert memory.rss_mb < 300, memory.rss_mb  # the child's ~160 MB, not this process's 400+
    assert memory.mb < 300, memory.mb
