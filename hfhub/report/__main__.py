"""``python -m hfhub.report``: the same as ``hfhub-report``."""

from __future__ import annotations

import sys

from hfhub.report.cli import main

if __name__ == "__main__":
    sys.exit(main())
