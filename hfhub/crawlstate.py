"""A crawl's identity and its durable progress, so that a killed crawl resumes without loss.

A listing page counts as done only when every one of its records is in a written Parquet part (or
was dropped by validation): then the URL of the page after it is saved in the checkpoint
(``checkpoint.json`` in the crawl's parts folder, written atomically after each part). Scrapy's
JOBDIR queue alone would forget a page whose items were still in the writer's buffer when the
process died. A resumed crawl continues the listing from the checkpoint; records that were written
after it are listed again and the compaction at publish keeps one row each.

With ``JOBDIR``, the crawl's id is kept in ``JOBDIR/hfhub-crawl.json`` so the next run with the same
JOBDIR finds the parts and checkpoint again; the file is removed once the crawl is published.
"""

from __future__ import annotations

import json
import re
import time
import uuid
import weakref
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hfhub.dataset import write_json_atomically

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

CRAWL_FILE = "hfhub-crawl.json"
CHECKPOINT_FILE = "checkpoint.json"


@dataclass(frozen=True)
class Checkpoint:
    pages: int = 0  # listing pages 0..pages-1 are durably handled
    models: int = 0  # records those pages held
    next_url: str | None = None  # where the listing continues
    listing_done: bool = False  # the last page is among them


_CRAWL_ID_TIME = "%Y%m%dT%H%M%SZ"
_CRAWL_ID = re.compile(r"\d{8}T\d{6}Z-[0-9a-f]{8}")


class CheckpointError(ValueError):
    """A checkpoint that cannot be trusted: resuming from it could skip or repeat pages."""


def new_crawl_id() -> str:
    """A new crawl's id: the time it started (UTC, to the second) and a random part."""
    return f"{time.strftime(_CRAWL_ID_TIME, time.gmtime())}-{uuid.uuid4().hex[:8]}"


def crawl_started_at(crawl_id: str) -> datetime | None:
    """When the crawl ``crawl_id`` started (its first run, for a resumed crawl), or None if the id
    does not say."""
    try:
        return datetime.strptime(crawl_id.partition("-")[0], _CRAWL_ID_TIME).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def crawl_identity(jobdir: str | None) -> tuple[str, bool]:
    """(crawl id, whether it resumes an earlier run). Without JOBDIR every run is a new crawl."""
    if not jobdir:
        return new_crawl_id(), False
    path = Path(jobdir) / CRAWL_FILE
    if path.exists():
        try:
            crawl_id = json.loads(path.read_text())["crawl_id"]
        except (ValueError, KeyError, TypeError, OSError) as exc:
            raise CheckpointError(f"{path} is unreadable ({exc!r}); to start the crawl over, remove its JOBDIR") from None
        # the id names folders: nothing but what new_crawl_id makes
        if not isinstance(crawl_id, str) or not _CRAWL_ID.fullmatch(crawl_id):
            raise CheckpointError(f"{path} names a crawl id hfhub never makes ({crawl_id!r}); "
                                  "to start the crawl over, remove its JOBDIR")
        return crawl_id, True
    crawl_id = new_crawl_id()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomically(path, {"crawl_id": crawl_id})
    except OSError as exc:
        raise OSError(exc.errno, f"the JOBDIR {jobdir} cannot be written ({exc.strerror})") from None
    return crawl_id, False


def forget_crawl(jobdir: str | None) -> None:
    """After publishing: the next run with this JOBDIR starts a new crawl."""
    if jobdir:
        (Path(jobdir) / CRAWL_FILE).unlink(missing_ok=True)


class LocalCrawl:
    """A crawl run by this process alone. With JOBDIR its id survives a restart, so the next run
    continues it (see ``crawl_identity``). ``hfhub.cluster.membership.ClusterCrawl`` is the
    counterpart for a crawl shared by many processes."""

    checkpoints = True  # progress is kept in the crawl's checkpoint.json
    shared = False

    def __init__(self, jobdir: str | None) -> None:
        self.jobdir = jobdir
        self.crawl_id, self.resumed = crawl_identity(jobdir)
        self.may_repeat_rows = self.resumed  # an earlier run's rows are in parts this run cannot see
        self.part_stem = f"part-{self.crawl_id}"
        # Listing requests of this run carry this token; requests of an earlier run that JOBDIR
        # kept queued are skipped, since the listing resumes from the checkpoint instead.
        self.run_token = uuid.uuid4().hex

    def agree_on_args(self, args: dict[str, Any]) -> None:
        pass

    def listing_finished(self) -> None:
        pass

    def listing_advanced(self, position: int, next_url: str) -> None:
        pass  # the checkpoint keeps the listing's place (hfhub.pipelines.parquet)

    def claim_publication(self) -> bool:
        return True

    def published(self) -> None:
        forget_crawl(self.jobdir)

    def resume_hint(self) -> str:
        return f"; run again with -s JOBDIR={self.jobdir} to resume" if self.jobdir else ""


_sessions: weakref.WeakKeyDictionary[Crawler, Any] = weakref.WeakKeyDictionary()


def crawl_session(crawler: Crawler) -> Any:
    """The crawl this process takes part in (``LocalCrawl`` or, with a Redis URL, ``ClusterCrawl``),
    one per crawler, shared by the spider, the pipelines and the cluster components."""
    if crawler not in _sessions:
        from hfhub.cluster import redis_settings, redis_url  # noqa: PLC0415 (scrapy-redis only when used)

        settings = crawler.settings
        if redis_url(settings):
            from scrapy_redis.connection import get_redis_from_settings  # noqa: PLC0415

            from hfhub.cluster.keys import ClusterKeys  # noqa: PLC0415
            from hfhub.cluster.membership import ClusterCrawl, default_worker_id  # noqa: PLC0415

            keys = ClusterKeys(
                crawler.spidercls.name,
                settings.get("SCHEDULER_QUEUE_KEY") or ClusterKeys.queue_pattern,
                settings.get("SCHEDULER_DUPEFILTER_KEY") or ClusterKeys.dupefilter_pattern,
            )
            # (the spider asks before add-ons have run, so before ClusterAddon has set REDIS_URL)
            _sessions[crawler] = ClusterCrawl(
                get_redis_from_settings(redis_settings(settings)), keys,
                settings.get("HFHUB_WORKER_ID") or default_worker_id(),
                settings.getfloat("HFHUB_REDIS_WORKER_TTL"),
            )
        else:
            _sessions[crawler] = LocalCrawl(settings.get("JOBDIR"))
    return _sessions[crawler]


def read_checkpoint(parts_dir: Path) -> Checkpoint:
    path = parts_dir / CHECKPOINT_FILE
    if not path.exists():
        return Checkpoint()
    try:
        fields = json.loads(path.read_text())
        checkpoint = Checkpoint(**fields)
    except (ValueError, TypeError, OSError) as exc:
        raise CheckpointError(f"the checkpoint {path} is unreadable ({exc}); to start the crawl over, "
                              "remove its JOBDIR") from None
    if not (isinstance(checkpoint.pages, int) and checkpoint.pages >= 0 and isinstance(checkpoint.models, int)
            and checkpoint.models >= 0 and isinstance(checkpoint.listing_done, bool)
            and (checkpoint.next_url is None or isinstance(checkpoint.next_url, str))
            and (checkpoint.next_url is None) == checkpoint.listing_done):
        raise CheckpointError(f"the checkpoint {path} holds values a crawl never writes ({fields}); "
                              "to start the crawl over, remove its JOBDIR")
    return checkpoint


def write_checkpoint(parts_dir: Path, checkpoint: Checkpoint) -> None:
    write_json_atomically(parts_dir / CHECKPOINT_FILE, asdict(checkpoint))


class PageLedger:
    """Per listing page: how many records it held and how many are durably handled so far."""

    def __init__(self, start: Checkpoint) -> None:
        self.checkpoint = start
        self._listed: dict[int, tuple[int, str | None]] = {}
        self._handled: Counter[int] = Counter()

    def page_listed(self, seq: int, count: int, next_url: str | None) -> None:
        self._listed[seq] = (count, next_url)

    def handled(self, pages: Counter[int]) -> None:
        self._handled.update(pages)

    def advance(self) -> bool:
        """Move the checkpoint past every completed page in sequence; True if it moved."""
        moved = False
        while (seq := self.checkpoint.pages) in self._listed and self._handled[seq] >= self._listed[seq][0]:
            count, next_url = self._listed.pop(seq)
            self._handled.pop(seq, None)
            self.checkpoint = Checkpoint(seq + 1, self.checkpoint.models + count, next_url, next_url is None)
            moved = True
        return moved
