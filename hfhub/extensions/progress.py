"""Progress a person can read during a long crawl, and a summary table at its end.

Every ``HFHUB_PROGRESS_INTERVAL`` seconds (Scrapy's LogStats style, which it replaces)::

    progress: 120 pages, 120,000 models listed (9,812/s now, 9,400/s overall), 100,000 written, 3 × 429, 12 retries, 59% of limit=200,000, ~8 s left

The estimate of what is left appears when the total is known (a ``limit``); the Hub's API does not
say how many models a full listing holds.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

# (label, stats key) rows of the end-of-crawl summary, in order; prefixes expand to one row per key.
SUMMARY_ROWS = (
    ("finish reason", "finish_reason"),
    ("elapsed (s)", "elapsed_time_seconds"),
    ("listing pages", "hfhub/pages"),
    ("listing pages failed", "hfhub/pages_failed"),
    ("listed by", "hfhub/listing/sort"),
    ("records out of that order", "hfhub/listing/out_of_order"),
    ("listing complete", "hfhub/listing/completeness"),
    ("{kind} listed", "hfhub/{kind}_listed"),
    ("{kind} written", "hfhub/{kind}_written"),
    ("{kind} in the dataset", "hfhub/{kind}_published"),
    ("duplicates seen", "hfhub/duplicates"),
    ("older duplicates removed", "hfhub/duplicates_removed"),
    ("pipeline errors: ", "hfhub/pipeline_errors/"),
    ("dropped: ", "hfhub/dropped/"),
    ("nulled: ", "hfhub/nulled/"),
    ("retries", "retry/count"),
    ("429 responses", "hfhub/crawl/ratelimit/429"),
    ("waited for rate limits (s)", "hfhub/crawl/ratelimit/wait_seconds"),
)


def summary_table(stats: dict[str, Any], kind: str = "models") -> str:
    """The crawl's stats as a table; ``kind`` (models, datasets, spaces) names the counted repos."""
    rows: list[tuple[str, Any]] = []
    for label_of_kind, key_of_kind in SUMMARY_ROWS:
        label, key = label_of_kind.format(kind=kind), key_of_kind.format(kind=kind)
        if key.endswith("/"):
            rows += [(label + k[len(key):], v) for k, v in sorted(stats.items()) if k.startswith(key)]
        elif stats.get(key) is not None:
            rows.append((label, stats[key]))
    elapsed, written = stats.get("elapsed_time_seconds"), stats.get(f"hfhub/{kind}_written")
    if elapsed and written:
        rows.append((f"{kind}/s", round(written / elapsed)))
    width = max(len(label) for label, _ in rows)
    lines = [f"| {'':<{width}} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {label:<{width}} | {value:,} |" if isinstance(value, int) else f"| {label:<{width}} | {value} |"
              for label, value in rows]
    return "\n".join(lines)


def progress_line(stats: dict[str, Any], rate_now: float, elapsed: float, limit: int | None,
                  kind: str = "models") -> str:
    listed = stats.get(f"hfhub/{kind}_listed", 0)
    rate_overall = listed / elapsed if elapsed > 0 else 0.0
    line = (
        f"progress: {stats.get('hfhub/pages', 0):,} pages, {listed:,} {kind} listed "
        f"({rate_now:,.0f}/s now, {rate_overall:,.0f}/s overall), "
        f"{stats.get(f'hfhub/{kind}_written', 0):,} written, "
        f"{stats.get('hfhub/crawl/ratelimit/429', 0):,} × 429, {stats.get('retry/count', 0):,} retries"
    )
    if limit:
        line += f", {min(listed / limit, 1.0):.0%} of limit={limit:,}"
        if rate_overall > 0:
            line += f", ~{max(limit - listed, 0) / rate_overall:,.0f} s left"
    return line


class ProgressLog:
    def __init__(self, stats: StatsCollector, interval: float, kind: str = "models") -> None:
        self.stats = stats
        self.interval = interval
        self.kind = kind
        self.task: Any = None
        self.limit: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("HFHUB_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        assert crawler.stats is not None
        extension = cls(crawler.stats, interval, crawler.settings["HFHUB_REPO_KIND"])
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        args = getattr(spider, "args", None)
        self.limit = getattr(args, "limit", None)
        self.started = self.last_time = time.monotonic()
        self.last_listed = 0
        self.task = create_looping_call(self.log)
        self.task.start(self.interval, now=False)

    def log(self) -> None:
        stats = self.stats.get_stats()
        now = time.monotonic()
        listed = stats.get(f"hfhub/{self.kind}_listed", 0)
        rate_now = (listed - self.last_listed) / max(now - self.last_time, 1e-9)
        self.last_time, self.last_listed = now, listed
        logger.info(progress_line(stats, rate_now, now - self.started, self.limit, self.kind))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

    def engine_stopped(self) -> None:
        logger.info("crawl summary:\n%(table)s", {"table": summary_table(self.stats.get_stats(), self.kind)})
