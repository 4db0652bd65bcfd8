"""One worker's membership in a cluster crawl: the crawl's id, the worker's heartbeat, leases.

``ClusterCrawl`` is a ``hfhub.crawl.crawlsession.CrawlSession``, like ``LocalCrawl`` (crawl id, part file
names, publishing), so the spider and pipelines do not care which one they run under.

Decisions that several workers could take at once are single Lua scripts, so Redis runs each as one
step: taking back a dead worker's leases, telling whether the crawl is complete, claiming its
publication. (The scripts name keys they build themselves: fine on one Redis server, not on a
Redis Cluster, which hfhub does not support.)
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import orjson

from hfhub.cluster.keys import ClusterKeys
from hfhub.cluster.outage import REDIS_ERRORS, RedisOutage
from hfhub.cluster.queue import RETURN_LEASES, LeasedPriorityQueue
from hfhub.crawl.crawlstate import new_crawl_id

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Spider

logger = logging.getLogger(__name__)

FINISHED_TTL = 24 * 3600

# KEYS: queue, workers set; ARGV: alive-key prefix, lease-key prefix, this worker
# → flat list: worker, requests returned, worker, requests returned, …
_RETURN_DEAD_WORKERS_LEASES = """
local report = {}
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if worker ~= ARGV[3] and redis.call('EXISTS', ARGV[1] .. worker) == 0 then
    local leases = ARGV[2] .. worker
    local entries = redis.call('HVALS', leases)
    for _, entry in ipairs(entries) do
      local space = string.find(entry, ' ', 1, true)
      redis.call('ZADD', KEYS[1], string.sub(entry, 1, space - 1), string.sub(entry, space + 1))
    end
    redis.call('DEL', leases)
    redis.call('SREM', KEYS[2], worker)
    table.insert(report, worker)
    table.insert(report, #entries)
  end
end
return report
"""

# KEYS: listing_done, queue, workers set; ARGV: lease-key prefix → 1 when nothing is left to do
_COMPLETE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('ZCARD', KEYS[2]) > 0 then return 0 end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('HLEN', ARGV[1] .. worker) > 0 then return 0 end
end
return 1
"""

# KEYS: publisher, current crawl; ARGV: worker, crawl id, TTL → 1 for the one worker that publishes.
# The claim also retires the crawl as the one new workers join: a worker started from now on
# begins the next crawl (its keys are separate) instead of joining one being published.
_CLAIM_PUBLICATION = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[3]) then return 0 end
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
return 1
"""


# KEYS: crawl args, listing_done, queue, workers set; ARGV: lease-key prefix
# → "lost": the crawl's keys are gone (a Redis restarted without persistence); "stalled": the listing
# is not over, yet no listing request is queued or leased anywhere (its next page was lost: a write
# a restarted Redis did not keep); "ok" otherwise. (A listing request's lease settles only once the
# next page's request is in the queue, so in a crawl that runs, one of the two is always there.)
_LISTING_STATE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 'lost' end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'ok' end
if redis.call('ZCARD', KEYS[3]) > 0 then return 'ok' end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  if redis.call('HLEN', ARGV[1] .. worker) > 0 then return 'ok' end
end
return 'stalled'
"""

# KEYS: listing cursor; ARGV: position (models listed before the next page), next page url
_ADVANCE_CURSOR = """
local at = tonumber(redis.call('HGET', KEYS[1], 'position') or '-1')
if tonumber(ARGV[1]) > at then redis.call('HSET', KEYS[1], 'position', ARGV[1], 'url', ARGV[2]) end
"""

# KEYS: as _LISTING_STATE, then listing cursor, listing restarts; ARGV: lease-key prefix, cursor
# position the request was made for, most restarts per position, score, request
# → -1: not stalled any more or the cursor moved (nothing done); -2: too many restarts at this
# position (nothing done); else the request is queued and this is the how-manieth restart it is.
_RESTART_LISTING = _LISTING_STATE.replace("return 'lost'", "return -1").replace("return 'ok'", "return -1").replace(
    "return 'stalled'", """
local at = redis.call('HGET', KEYS[5], 'position') or '0'
if at ~= ARGV[2] then return -1 end
local restarts = redis.call('HINCRBY', KEYS[6], ARGV[2], 1)
if restarts > tonumber(ARGV[3]) then return -2 end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
return restarts
""")

# how often the listing may be started again from one position before the crawl gives up
MAX_LISTING_RESTARTS = 3


def _text(raw: bytes | str | None) -> str:
    """A Redis reply as text ("" for none)."""
    if raw is None:
        return ""
    return raw.decode() if isinstance(raw, bytes) else raw


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
        self.worker_id = _safe(worker_id)
        self.heartbeat_ttl = heartbeat_ttl
        self._scripts = {
            name: server.register_script(source) for name, source in (
                ("return_leases", RETURN_LEASES), ("return_dead", _RETURN_DEAD_WORKERS_LEASES),
                ("complete", _COMPLETE), ("claim", _CLAIM_PUBLICATION), ("listing_state", _LISTING_STATE),
                ("advance_cursor", _ADVANCE_CURSOR), ("restart_listing", _RESTART_LISTING),
            )
        }
        self.outage = RedisOutage()  # its stats are set by the scheduler
        self.listing_done_unsent = False
        self.queue: LeasedPriorityQueue | None = None
        self.args: dict[str, Any] = {}
        self._publisher: bool | None = None
        if not server.set(keys.alive(self.worker_id), "1", px=self._ttl_ms, nx=True):
            raise ValueError(
                f"a live worker already uses the id {self.worker_id!r}: give this one another HFHUB_WORKER_ID "
                f"(or wait {heartbeat_ttl:.0f} s if that worker was just stopped)"
            )
        self.crawl_id, self.joined_running_crawl = self._join(keys)
        self.keys = replace(keys, crawl_id=self.crawl_id)
        self.run_token = self.crawl_id  # listing requests of this crawl, whichever worker made them
        # the random part keeps two processes that were given one worker id from sharing file names
        self.part_stem = f"part-{self.crawl_id}-{self.worker_id}-{secrets.token_hex(2)}"
        self.heartbeat()
        # Leases a previous process with this worker id left behind are not in flight here.
        self.return_leases()

    @property
    def resumed(self) -> bool:
        return self.joined_running_crawl

    @property
    def _ttl_ms(self) -> int:
        return int(self.heartbeat_ttl * 1000)

    def _join(self, keys: ClusterKeys) -> tuple[str, bool]:
        created = self.server.set(keys.current, new_crawl_id(), nx=True)
        return _text(self.server.get(keys.current)), not created

    def agree_on_args(self, args: dict[str, Any]) -> None:
        """Every worker of a crawl must list the same thing: the first worker's arguments stand."""
        self.args = args
        mine = orjson.dumps(args, option=orjson.OPT_SORT_KEYS)
        self.server.set(self.keys.crawl_args, mine, nx=True)
        agreed = orjson.loads(self.server.get(self.keys.crawl_args) or b"null")
        if agreed != orjson.loads(mine):
            raise ValueError(
                f"this worker's arguments {args} differ from those of cluster crawl {self.crawl_id} "
                f"({agreed}); start every worker with the same -a arguments, endpoint and page size"
            )

    def leased_queue(self, spider: Spider, serializer: Any) -> LeasedPriorityQueue:
        self.queue = LeasedPriorityQueue(
            self.server, spider, self.keys.queue, serializer,
            leases_key=self.keys.leases(self.worker_id),
            workers_key=self.keys.workers, worker_id=self.worker_id,
            alive_key=self.keys.alive(self.worker_id), alive_ttl_ms=self._ttl_ms,
        )
        return self.queue

    # --- liveness -------------------------------------------------------------------------------
    def heartbeat(self) -> None:
        with self.server.pipeline(transaction=True) as pipe:
            pipe.set(self.keys.alive(self.worker_id), "1", px=self._ttl_ms)
            pipe.sadd(self.keys.workers, self.worker_id)  # again, if peers took this worker for dead
            pipe.execute()

    def return_leases(self) -> int:
        """Put this worker's unsettled requests back in the queue."""
        return int(self._scripts["return_leases"](keys=[self.keys.queue, self.keys.leases(self.worker_id)]))

    def return_dead_workers_leases(self) -> int:
        report = self._scripts["return_dead"](
            keys=[self.keys.queue, self.keys.workers],
            args=[self.keys.alive(""), self.keys.lease_prefix(), self.worker_id],
        )
        returned = 0
        for worker, count in zip(report[::2], report[1::2]):
            logger.warning(
                "worker %(worker)s stopped heart-beating: %(count)d of its requests are back in the queue",
                {"worker": _text(worker), "count": count},
            )
            returned += int(count)
        return returned

    def leave(self) -> int:
        """A stopping worker hands back what it did not finish, and says so."""
        returned = self.return_leases()
        self.server.srem(self.keys.workers, self.worker_id)
        self.server.delete(self.keys.alive(self.worker_id))
        return returned

    # --- progress -------------------------------------------------------------------------------
    def settle(self, lease: str) -> None:
        """The leased request is done with: its items are stored. It leaves Redis."""
        self.server.hdel(self.keys.leases(self.worker_id), lease)

    def listing_finished(self) -> None:
        self.listing_done_unsent = True
        self.send_listing_done()

    def send_listing_done(self) -> None:
        """Mark the listing done in Redis; while Redis does not answer, on the next idle check."""
        if self.listing_done_unsent:
            try:
                self.server.set(self.keys.listing_done, "1")
            except REDIS_ERRORS as exc:
                self.outage.failed(exc)
                return
            self.listing_done_unsent = False

    def listing_advanced(self, position: int, next_url: str) -> None:
        """A listing page was parsed: ``next_url`` follows the first ``position`` models. Kept in
        Redis as the cursor from which the listing starts again if its next request is lost."""
        try:
            self._scripts["advance_cursor"](keys=[self.keys.listing_cursor], args=[position, next_url])
        except REDIS_ERRORS as exc:  # a later page moves the cursor on
            self.outage.failed(exc)

    def listing_state(self) -> str:
        keys = self.keys
        state = self._scripts["listing_state"](keys=[keys.crawl_args, keys.listing_done, keys.queue, keys.workers],
                                               args=[keys.lease_prefix()])
        return state.decode() if isinstance(state, bytes) else str(state)

    def adopt_lost_crawl(self) -> str:
        """The crawl's keys are gone from Redis (restarted without persistence): make them again,
        so the workers carry on with the same crawl and its parts. "adopted" for the one worker
        that did (it starts the listing again: what was queued is gone), "joined" for the others,
        "other" if another crawl is current by now (the workers of this one must stop)."""
        keys = self.keys
        self.server.set(keys.current, self.crawl_id, nx=True)
        if _text(self.server.get(keys.current)) != self.crawl_id:
            return "other"
        self.heartbeat()
        if not self.server.set(keys.crawl_args, orjson.dumps(self.args, option=orjson.OPT_SORT_KEYS), nx=True):
            return "joined"
        # marks that came back after the restart with requests pushed since: not the whole story
        self.server.delete(keys.listing_done, keys.listing_cursor, keys.listing_restarts)
        return "adopted"

    def listing_cursor(self) -> tuple[int, str | None]:
        """(models listed before the page, its url) the listing starts again from; (0, None): from
        the first page."""
        cursor = self.server.hgetall(self.keys.listing_cursor)
        if not cursor:
            return 0, None
        return int(cursor[b"position"]), _text(cursor[b"url"])

    def restart_listing(self, position: int, request: Any, *, stalled_or_not: bool = False) -> int:
        """Queue ``request`` (the listing's page at the cursor) if the listing is still stalled
        there (or, ``stalled_or_not``, anyway): how many times it was started again from there, -1
        if it is not stalled any more, -2 if that was once too many."""
        assert self.queue is not None
        keys = self.keys
        if stalled_or_not:
            self.server.zadd(keys.queue, {self.queue._encode_request(request): -request.priority})
            return 1
        return int(self._scripts["restart_listing"](
            keys=[keys.crawl_args, keys.listing_done, keys.queue, keys.workers, keys.listing_cursor,
                  keys.listing_restarts],
            args=[keys.lease_prefix(), position, MAX_LISTING_RESTARTS, -request.priority,
                  self.queue._encode_request(request)],
        ))

    def queued(self) -> int:
        return int(self.server.zcard(self.keys.queue))

    def complete(self) -> bool:
        """Nothing left anywhere: the listing is over, nothing queued, nothing leased."""
        keys = self.keys
        return bool(self._scripts["complete"](keys=[keys.listing_done, keys.queue, keys.workers],
                                              args=[keys.lease_prefix()]))

    def finished_elsewhere(self) -> bool:
        finished = self.server.get(self.keys.finished)
        return finished is not None and _text(finished) == self.crawl_id

    # --- publishing -----------------------------------------------------------------------------
    def claim_publication(self) -> bool:
        """True for exactly one worker of a completed crawl: the one that publishes it."""
        if self._publisher is None:
            keys = self.keys
            self._publisher = bool(self._scripts["claim"](
                keys=[keys.publisher, keys.current], args=[self.worker_id, self.crawl_id, FINISHED_TTL],
            ))
            if not self._publisher:
                logger.info("the crawl is complete; worker %(w)s publishes it",
                            {"w": _text(self.server.get(keys.publisher)) or "?"})
        return self._publisher

    def publication_failed(self) -> None:
        """Let the next worker started try again: the crawl is current again and unclaimed."""
        self.server.delete(self.keys.publisher)
        self.server.set(self.keys.current, self.crawl_id, nx=True)

    def published(self) -> None:
        """Clear the crawl's state (its publisher claim expires by itself, so no late worker re-claims)."""
        keys = self.keys
        workers = [_text(raw) for raw in self.server.smembers(keys.workers)]
        self.server.set(keys.finished, self.crawl_id, ex=FINISHED_TTL)
        self.server.delete(
            keys.queue, keys.dupefilter, keys.listing_done, keys.listing_cursor, keys.listing_restarts, keys.workers,
            keys.crawl_args,
            *(keys.leases(w) for w in workers),
        )

    def resume_hint(self) -> str:
        return "; start workers again with the same HFHUB_REDIS_URL to resume"
