"""Throughput check: ``python -m hfhub.fakehub.bench --models 100000 --pages 40 [--kind datasets]``.

Starts the fake Hub as a subprocess (one server process, so one core for the GIL-bound
server) and walks ``rel="next"`` links over one keep-alive connection, reporting pages/s
and models/s for fully expanded 1000-model pages. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import http.client
import time
from urllib.parse import urlencode, urlsplit

from hfhub.fakehub.process import FakeHubProcess
from hfhub.fakehub.query import EXPANDABLE_BY_KIND, KINDS


def walk(url: str, pages: int) -> tuple[int, int, int, float]:
    """(pages, models, bytes, seconds) following next links from ``url``."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    target: str | None = f"{parts.path}?{parts.query}"
    n_pages = n_models = n_bytes = 0
    start = time.perf_counter()
    while target and n_pages < pages:
        conn.request("GET", target)
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}: {body[:200]!r}")
        n_pages += 1
        n_bytes += len(body)
        n_models += body.count(b'"_id"') - body.count(b'"models":[{"_id"')
        link = resp.getheader("Link")
        target = None
        if link:
            nxt = urlsplit(link.split(";")[0].strip("<>"))
            target = f"{nxt.path}?{nxt.query}"
    elapsed = time.perf_counter() - start
    conn.close()
    return n_pages, n_models, n_bytes, elapsed


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--models", type=int, default=100_000)
    p.add_argument("--pages", type=int, default=40)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--kind", choices=KINDS, default="models", help="the endpoint walked: /api/<kind>")
    args = p.parse_args()
    sort = "likes" if args.kind == "spaces" else "downloads"
    config = [("config", "true")] if args.kind == "models" else []
    views = {
        "expand=all": [("expand[]", e) for e in EXPANDABLE_BY_KIND[args.kind]] + [("limit", "1000"), ("sort", sort)],
        "full+config+cardData": [("full", "true"), *config, ("cardData", "true"), ("limit", "1000")],
        "default": [("limit", "1000")],
    }
    with FakeHubProcess(models=args.models, seed=args.seed, startup_timeout=120) as hub:
        for name, params in views.items():
            for run in ("cold", "warm"):  # warm: the same pages again, from the entry cache
                pages, models, nbytes, secs = walk(f"{hub.url}/api/{args.kind}?{urlencode(params)}", args.pages)
                print(f"{name:22s} {run}: {pages} pages in {secs:.2f}s: {pages / secs:.1f} pages/s, "
                      f"{models / secs:,.0f} {args.kind}/s, {nbytes / secs / 1e6:.1f} MB/s", flush=True)


if __name__ == "__main__":
    main()
