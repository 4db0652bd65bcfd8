"""Fault knobs and the Hub's fixed-window rate limits, deterministic given a fault seed."""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Quota:
    requests: int
    window: int  # seconds

    @classmethod
    def parse(cls, text: str) -> Quota:
        """``"500/300"``: 500 requests per 300-second fixed window."""
        q, _, w = text.partition("/")
        quota = cls(int(q), int(w or 300))
        if quota.requests < 1 or quota.window < 1:
            raise ValueError(f"bad quota {text!r}: want Q/W with Q, W >= 1")
        return quota


# Next-page links a hostile or broken Hub could send (fakehub.routes.next_link).
LINK_FAULTS = ("foreign-host", "other-scheme", "file", "data", "repeat")


@dataclass(frozen=True)
class FaultConfig:
    rate_limit: Quota | None = None
    rate_limit_resolvers: Quota | None = None
    fault_429: float = 0.0
    fault_5xx: float = 0.0
    fault_malformed: float = 0.0
    fault_drop: float = 0.0
    slow_ms: int = 0
    churn: int = 0
    fault_seed: int = 0
    link: str | None = None  # a hostile next-page link (LINK_FAULTS) on the first page
    outage_s: float = 0.0  # after the first API request, every API request answers 503 for this long


@dataclass
class Verdict:
    """What to do with one request before (or instead of) answering it normally."""

    drop: bool = False
    status: int | None = None  # an injected error status
    retry_after: int | None = None
    malformed: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    reason: str | None = None  # stats key for an injected fault


class RateLimiter:
    """Per-bucket fixed windows that start when the server starts, like the Hub's."""

    def __init__(self, quotas: dict[str, Quota], clock: Callable[[], float] = time.monotonic) -> None:
        self.quotas = quotas
        self.clock = clock
        self.t0 = clock()
        self.counts: dict[tuple[str, int], int] = {}

    def hit(self, bucket: str) -> tuple[bool, dict[str, str], int]:
        """Count a request; (allowed, RateLimit headers, seconds until the window resets)."""
        quota = self.quotas.get(bucket)
        if quota is None:
            return True, {}, 0
        elapsed = self.clock() - self.t0
        window = int(elapsed // quota.window)
        reset = max(1, math.ceil((window + 1) * quota.window - elapsed))
        used = self.counts.get((bucket, window), 0) + 1
        self.counts = {k: v for k, v in self.counts.items() if k[1] >= window}
        self.counts[(bucket, window)] = used
        remaining = max(quota.requests - used, 0)
        headers = {
            "RateLimit": f'"{bucket}";r={remaining};t={reset}',
            "RateLimit-Policy": f'"fixed window";"{bucket}";q={quota.requests};w={quota.window}',
        }
        return used <= quota.requests, headers, reset


class Faults:
    def __init__(self, config: FaultConfig) -> None:
        self.config = config
        self.rng = random.Random(config.fault_seed)
        self.lock = threading.Lock()
        quotas: dict[str, Quota] = {}
        if config.rate_limit:
            quotas["api"] = config.rate_limit
            quotas["resolvers"] = config.rate_limit_resolvers or Quota(
                config.rate_limit.requests * 6, config.rate_limit.window)
        elif config.rate_limit_resolvers:
            quotas["resolvers"] = config.rate_limit_resolvers
        self.limiter = RateLimiter(quotas)
        self.churn = config.churn  # models touched after each list page; POST /_fake/churn changes it
        self.outage_ends: float | None = None  # set by the first API request when outage_s is given

    def judge(self, bucket: str) -> Verdict:
        cfg = self.config
        with self.lock:
            rolls = [self.rng.random() for _ in range(4)]
            pick_5xx = self.rng.choice((500, 502, 503, 504))
            allowed, headers, reset = self.limiter.hit(bucket)
        v = Verdict(headers=headers)
        if cfg.outage_s and bucket == "api" and self._in_outage():
            v.status, v.reason = 503, "outage"
        elif rolls[0] < cfg.fault_drop:
            v.drop, v.reason = True, "drop"
        elif not allowed:
            v.status, v.retry_after, v.reason = 429, reset, "rate_limit"
        elif rolls[1] < cfg.fault_429:
            v.status, v.retry_after, v.reason = 429, 1, "429"
        elif rolls[2] < cfg.fault_5xx:
            v.status, v.reason = pick_5xx, str(pick_5xx)
        elif rolls[3] < cfg.fault_malformed:
            v.malformed, v.reason = True, "malformed"
        return v

    def _in_outage(self) -> bool:
        with self.lock:
            if self.outage_ends is None:  # the first API request is answered; the outage starts after it
                self.outage_ends = time.monotonic() + self.config.outage_s
                return False
            return time.monotonic() < self.outage_ends

    def churn_picks(self, size: int) -> list[int]:
        if not self.churn or size == 0:
            return []
        with self.lock:
            return [self.rng.randrange(size) for _ in range(self.churn)]
