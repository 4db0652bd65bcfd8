"""How long the Hub asks us to wait: ``Retry-After`` and the IETF draft ``RateLimit`` headers.

The Hub answers over-quota requests with HTTP 429 and, e.g.,
``RateLimit: "api";r=0;t=55`` (remaining requests, seconds until the window resets) and
``RateLimit-Policy: "fixed window";"api";q=500;w=300``; ``Retry-After`` may be present too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_RATELIMIT = re.compile(r'^\s*"?(?P<bucket>[^";]*)"?\s*;\s*r\s*=\s*(?P<r>\d+)\s*;\s*t\s*=\s*(?P<t>\d+)')


@dataclass(frozen=True)
class RateLimitState:
    bucket: str
    remaining: int
    reset_in: float


def _header(headers: Mapping[bytes, object], name: bytes) -> str | None:
    """A header value from Scrapy's Headers (or any bytes-keyed mapping), as text."""
    value = headers.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else None


def parse_ratelimit(headers: Mapping[bytes, object]) -> RateLimitState | None:
    value = _header(headers, b"RateLimit")
    match = _RATELIMIT.match(value) if value else None
    if not match:
        return None
    return RateLimitState(match["bucket"], int(match["r"]), float(match["t"]))


def parse_retry_after(headers: Mapping[bytes, object]) -> float | None:
    """Seconds from ``Retry-After`` (the delay-seconds form; HTTP dates are not used by the Hub)."""
    value = _header(headers, b"Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def wait_after_429(headers: Mapping[bytes, object], default: float, maximum: float) -> float:
    """Seconds to wait before retrying a 429, clamped to ``maximum``.

    ``Retry-After`` is the server's explicit instruction, so it wins; otherwise the ``RateLimit``
    reset time (``t``) of an exhausted window; otherwise ``default``.
    """
    wait = parse_retry_after(headers)
    if wait is None:
        state = parse_ratelimit(headers)
        if state is not None and state.remaining == 0:
            wait = state.reset_in
    return min(default if wait is None else wait, maximum)
