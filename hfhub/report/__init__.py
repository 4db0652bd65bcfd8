"""``hfhub-report``: one self-contained HTML page of charts about the mirrored Hub and its crawl.

``build_report(dataset_dir, stats_file)`` returns the page; ``hfhub.report.data`` has the numbers
behind each chart as pure functions of the dataset.
"""

from __future__ import annotations

from hfhub.report.cli import build_report, main, write_report

__all__ = ["build_report", "main", "write_report"]
