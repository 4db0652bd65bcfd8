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
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from hfhub.storage.dataset import write_json_atomically

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
        return datetime.strptime(crawl_id.partition("-")[0], _CRAWL_ID_TIME).replace(tzinfo=UTC)
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
