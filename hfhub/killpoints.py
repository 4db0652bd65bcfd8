"""Named points where a test can have hfhub killed, to prove a crash there loses nothing.

``HFHUB_KILL_AT=<name>`` in the environment makes the process SIGKILL itself the first time it
reaches ``kill_point(name)``: deterministic, unlike a signal sent from outside at some moment.
Unset (always, outside tests), a kill point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal


def kill_point(name: str) -> None:
    if os.environ.get("HFHUB_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
