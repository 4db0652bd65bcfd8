"""One worker's membership in a cluster crawl: the crawl's id, the worker's heartbeat, leases.

``ClusterCrawl`` offers the same interface as ``hfhub.crawlstate.LocalCrawl`` (crawl id, part file
names, publishing), so the spider and pipelines do not care which one they run under.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
from typing import TYPE_CHECKING, Any

from hfhub.cluster.keys import ClusterKeys
from hfhub.cluster.queue import RETURN_LEASES
from hfhub.crawlstate import new_crawl_id

if TYPE_CHECKING:
    from redis import Redis

logger = logging.getLogger(__name__)

FINISHED_TTL = 24 * 3600


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _safe(worker_id: str) -> str:
    """Worker ids go into file names and Redis keys."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", worker_id)[:64]
    if not safe:
        raise ValueError("HFHUB_WORKER_ID is empty")
    return safe


class ClusterCrawl:
    checkpoints = False  # progress lives in Redis (queue + leases), not in a JOBDIR checkpoint
    shared = True
    may_repeat_rows = True  # a re-fetched page (a dead worker's lease) repeats its models

    def __init__(self, server: Redis, keys: ClusterKeys, worker_id: str, heartbeat_ttl: float) -> None:
        self.server = server
        self.keys = keys
        self.worker_id = _safe(worker_id)
        self.heartbeat_ttl = heartbeat_ttl
        self._return_leases = server.register_script(RETURN_LEASES)
        self._publisher: bool | None = None
        self.crawl_id, self.joined_running_crawl = self._join()
        self.run_token = self.crawl_id  # listing requests of this crawl, whichever worker made them
        self.part_stem = f"part-{self.crawl_id}-{self.worker_id}"
        self.heartbeat()
        self.server.sadd(self.keys.workers, self.worker_id)
        # Leases a previous process with this worker id left behind are not in flight here.
        self.return_leases(self.worker_id)

    def _join(self) -> tuple[str, bool]:
        created = self.server.set(self.keys.crawl, new_crawl_id(), nx=True)
        return self.server.get(self.keys.crawl).decode(), not created

    def agree_on_args(self, args: dict[str, Any]) -> None:
        """Every worker of a crawl must list the same thing: the first worker's arguments stand."""
        self.server.set(self.keys.crawl_args, json.dumps(args, sort_keys=True), nx=True)
        agreed = json.loads(self.server.get(self.keys.crawl_args))
        if agreed != args:
            raise ValueError(
                f"this worker's spider arguments {args} differ from those of cluster crawl {self.crawl_id} "
                f"({agreed}); start every worker with the same -a arguments"
            )

    # --- liveness -------------------------------------------------------------------------------
    def heartbeat(self) -> None:
        self.server.set(self.keys.alive(self.worker_id), "1", px=int(self.heartbeat_ttl * 1000))

    def return_leases(self, worker_id: str) -> int:
        """Put a worker's unsettled requests back in the queue."""
        return int(self._return_leases(keys=[self.keys.queue, self.keys.leases(worker_id)]))

    def return_dead_workers_leases(self) -> int:
        returned = 0
        for raw in self.server.smembers(self.keys.workers):
            worker = raw.decode()
            if worker == self.worker_id or self.server.exists(self.keys.alive(worker)):
                continue
            count = self.return_leases(worker)
            self.server.srem(self.keys.workers, worker)
            if count:
                logger.warning(
                    "worker %(worker)s stopped heart-beating: %(count)d of its requests are back in the queue",
                    {"worker": worker, "count": count},
                )
            returned += count
        return returned

    def settle(self, lease: str) -> None:
        """The leased request is done with: its items are stored. It leaves Redis."""
        self.server.hdel(self.keys.leases(self.worker_id), lease)

    def leave(self) -> int:
        """A stopping worker hands back what it did not finish, and says so."""
        returned = self.return_leases(self.worker_id)
        self.server.srem(self.keys.workers, self.worker_id)
        self.server.delete(self.keys.alive(self.worker_id))
        return returned

    # --- progress -------------------------------------------------------------------------------
    def listing_finished(self) -> None:
        self.server.set(self.keys.listing_done, "1")

    def queued(self) -> int:
        return int(self.server.zcard(self.keys.queue))

    def leased(self) -> int:
        workers = [raw.decode() for raw in self.server.smembers(self.keys.workers)]
        return sum(int(self.server.hlen(self.keys.leases(worker))) for worker in workers)

    def complete(self) -> bool:
        """Nothing left anywhere: the listing is over, nothing queued, nothing leased."""
        return bool(self.server.exists(self.keys.listing_done)) and not self.queued() and not self.leased()

    def finished_elsewhere(self) -> bool:
        finished = self.server.get(self.keys.finished)
        return finished is not None and finished.decode() == self.crawl_id

    # --- publishing -----------------------------------------------------------------------------
    def claim_publication(self) -> bool:
        """True for exactly one worker of a completed crawl: the one that publishes it."""
        if self._publisher is None:
            # kept (with the crawl's id in its name) after the state is cleared, so a late claim fails
            key = self.keys.publisher(self.crawl_id)
            self._publisher = bool(self.server.set(key, self.worker_id, nx=True, ex=FINISHED_TTL))
            if not self._publisher:
                logger.info("the crawl is complete; worker %(w)s publishes it",
                            {"w": (self.server.get(key) or b"?").decode()})
        return self._publisher

    def published(self) -> None:
        """Clear the crawl's state, so the next `scrapy crawl models` starts a new crawl."""
        workers = [raw.decode() for raw in self.server.smembers(self.keys.workers)]
        self.server.set(self.keys.finished, self.crawl_id, ex=FINISHED_TTL)
        self.server.delete(
            self.keys.queue, self.keys.dupefilter, self.keys.listing_done, self.keys.lease_seq,
            self.keys.workers, self.keys.crawl, self.keys.crawl_args,
            *(self.keys.leases(w) for w in workers), *(self.keys.alive(w) for w in workers),
        )

    def resume_hint(self) -> str:
        return "; start workers again with the same HFHUB_REDIS_URL to resume"
