"""scrapy-redis's priority queue, where a pop is a lease rather than a removal.

scrapy-redis pops a request by deleting it from the sorted set; a worker killed after that loses
it. Here the same Lua call that takes the request out of the queue files it under the worker's
lease hash (lease id → "score request"), and the lease id travels in ``request.meta``. The request
leaves Redis only when its lease is settled (``ack``); a retry or redirect copy that is scheduled
again settles its original's lease as it is pushed, since the copy is then safe in the queue.
"""

from __future__ import annotations

import itertools
import secrets
from typing import TYPE_CHECKING, Any

from scrapy_redis.queue import PriorityQueue

from hfhub.cluster.leases import LEASE_META

if TYPE_CHECKING:
    from redis import Redis
    from scrapy import Request, Spider

# KEYS: queue, lease hash, workers set, worker's heartbeat; ARGV: worker id, lease id, heartbeat TTL ms
# → {lease id, request} or nil. The worker joins the workers set in the same call, so every lease
# hash is one the others can see, and a worker that takes a lease is alive (its heartbeat key is
# made if missing, as after a Redis restart, before its next heartbeat: else peers would take it
# for dead and queue its leases again).
# Lease ids are made by the worker (a random prefix per process and a count): a counter in Redis
# would start again from 1 after Redis lost its data, and repeat ids the worker still holds.
_POP_INTO_LEASE = """
local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #head == 0 then return false end
redis.call('ZREM', KEYS[1], head[1])
redis.call('HSET', KEYS[2], ARGV[2], head[2] .. ' ' .. head[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SET', KEYS[4], '1', 'PX', ARGV[3], 'NX')
return {ARGV[2], head[1]}
"""

# KEYS: queue, dupefilter; ARGV: fingerprint ("" for an unfiltered request), score, request
# → 1 if queued. Seen-marking and queueing in one step: a worker killed between the two would leave
# a request marked seen but never queued, lost to every worker.
_PUSH_UNSEEN = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
return 1
"""

# KEYS: queue, lease hash → how many requests went back to the queue
RETURN_LEASES = """
local entries = redis.call('HVALS', KEYS[2])
for _, entry in ipairs(entries) do
  local space = string.find(entry, ' ', 1, true)
  redis.call('ZADD', KEYS[1], string.sub(entry, 1, space - 1), string.sub(entry, space + 1))
end
redis.call('DEL', KEYS[2])
return #entries
"""


class LeasedPriorityQueue(PriorityQueue):
    def __init__(self, server: Redis, spider: Spider, key: str, serializer: Any = None, *,
                 leases_key: str, workers_key: str, worker_id: str, alive_key: str, alive_ttl_ms: int) -> None:
        super().__init__(server, spider, key, serializer)
        self.leases_key = leases_key
        self.alive_key = alive_key
        self.alive_ttl_ms = alive_ttl_ms
        self._lease_ids = (f"{secrets.token_hex(4)}-{n}" for n in itertools.count(1))
        self.workers_key = workers_key
        self.worker_id = worker_id
        self._pop = server.register_script(_POP_INTO_LEASE)
        self._push_unseen = server.register_script(_PUSH_UNSEEN)

    def push(self, request: Request) -> None:
        self.push_unseen(request, None, "")

    def push_unseen(self, request: Request, fingerprint: str | None, seen_key: str) -> bool:
        """Queue ``request`` unless its fingerprint is already in ``seen_key`` (None: always queue).
        A retry or redirect copy of a leased request settles the original's lease either way."""
        lease = request.meta.pop(LEASE_META, None)
        try:
            queued = bool(self._push_unseen(
                keys=[self.key, seen_key or self.key],
                args=[fingerprint or "", -request.priority, self._encode_request(request)],
            ))
        except Exception:
            if lease is not None:  # for the next try
                request.meta[LEASE_META] = lease
            raise
        if lease is not None:
            self.ack(lease)
        return queued

    def pop(self, timeout: int = 0) -> Request | None:
        popped = self._pop(keys=[self.key, self.leases_key, self.workers_key, self.alive_key],
                           args=[self.worker_id, next(self._lease_ids), self.alive_ttl_ms])
        if not popped:
            return None
        lease, data = popped
        request = self._decode_request(data)
        request.meta[LEASE_META] = lease.decode() if isinstance(lease, bytes) else str(lease)
        return request

    def ack(self, lease: str) -> None:
        self.server.hdel(self.leases_key, lease)
