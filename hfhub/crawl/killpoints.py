"""Named points where a test can have hfhub killed, or a write fail, to prove nothing is lost there.

``HFHUB_KILL_AT=<name>`` in the environment makes the process SIGKILL itself the first time it
reaches ``kill_point(name)``; ``HFHUB_FAIL_AT=<name>`` makes ``fail_point(name)`` raise the
``OSError`` of a full disk. Deterministic, unlike a signal sent from outside at some moment or a
disk that fills at some moment. Unset (always, outside tests), each costs one dictionary lookup.
"""

from __future__ import annotations

import errno
import os
import signal


def kill_point(name: str) -> None:
    if os.environ.get("HFHUB_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def fail_point(name: str) -> None:
    if os.environ.get("HFHUB_FAIL_AT") == name:
        raise OSError(errno.ENOSPC, f"No space left on device (HFHUB_FAIL_AT={name})")
