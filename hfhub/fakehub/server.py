"""The fake Hub's HTTP server: routes, Hub-like headers and bodies, fault injection.

It serves three corpora, one per kind of repo (``query.KINDS``): models, datasets and Spaces. The
models' corpus is built when the server starts; the others on their first request (a crawl of models
never pays for them)."""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import orjson

from hfhub.fakehub import columns, query, routes
from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.faults import FaultConfig, Faults, Verdict
from hfhub.fakehub.listing import Lister
from hfhub.fakehub.pagecache import EntryCache
from hfhub.fakehub.query import ApiError
from hfhub.fakehub.replay import ReplayCorpus
from hfhub.fakehub.repocorpus import DatasetCorpus, SpaceCorpus

logger = logging.getLogger(__name__)

JSON = routes.JSON
_5XX_BODIES = {
    500: (JSON, b'{"error":"Internal Error - We\'re working hard to fix this as soon as possible!"}'),
    502: ("text/html", b"<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"),
    503: ("text/html", b"<html><head><title>503 Service Unavailable</title></head><body>503</body></html>"),
    504: ("text/html", b"<html><head><title>504 Gateway Time-out</title></head><body>504</body></html>"),
}


@dataclass
class ServerConfig:
    models: int = 1000
    seed: int = 1
    host: str = "127.0.0.1"
    port: int = 0
    max_page_size: int = 1000
    cache_mb: int = 256
    faults: FaultConfig = field(default_factory=FaultConfig)
    records: tuple[str, ...] = ()  # JSON-lines files of recorded real records to serve instead (fakehub.replay)
    datasets: int | None = None  # None: models // 2 (none when serving recorded records)
    spaces: int | None = None  # None: models // 2 (none when serving recorded records)
    dataset_records: tuple[str, ...] = ()  # recorded real dataset records to serve instead
    space_records: tuple[str, ...] = ()  # recorded real Space records to serve instead
    cards: tuple[str, ...] = ()  # real card texts of recorded models (JSON lines of {"id", "text"}, fakehub.replay)
    start_days: int = 0  # advance every generated kind this many days at start-up (``FakeHub.advance``)

    def records_of(self, kind: str) -> tuple[str, ...]:
        return {"models": self.records, "datasets": self.dataset_records, "spaces": self.space_records}[kind]

    def size_of(self, kind: str) -> int:
        """How many repos of ``kind`` a generated corpus holds."""
        if kind == "models":
            return self.models
        given = self.datasets if kind == "datasets" else self.spaces
        if given is not None:
            return given
        replaying = self.records or self.dataset_records or self.space_records
        return 0 if replaying else self.models // 2


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: dict[str, int] = {}
        self.responses: dict[str, int] = {}
        self.faults: dict[str, int] = {}
        self.authorized = 0  # requests that carried an Authorization header

    def count(self, table: dict[str, int], key: str) -> None:
        with self.lock:
            table[key] = table.get(key, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"requests": dict(self.requests), "responses": dict(self.responses),
                    "faults": dict(self.faults), "authorized_requests": self.authorized}


class FakeHub:
    """A running fake Hub (``serve`` makes one): ``.url``, ``.corpus``, ``.shutdown()``."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self._build_lock = threading.Lock()
        self._corpora: dict[str, Corpus | ReplayCorpus] = {}
        self._listers: dict[str, Lister] = {}
        self.corpus = self.corpus_of("models")
        self.lister = self.lister_of("models")
        self.entries = EntryCache(config.cache_mb * 1024 * 1024)
        self.faults = Faults(config.faults)
        self.stats = Stats()
        self.httpd = ThreadingHTTPServer((config.host, config.port), _handler_class(self))
        self.httpd.daemon_threads = True
        self.url = f"http://{config.host}:{self.httpd.server_port}"
        self._thread: threading.Thread | None = None
        if config.start_days:
            self.advance({"days": config.start_days})

    def start(self) -> FakeHub:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="fakehub", daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    def corpus_of(self, kind: str) -> Corpus | ReplayCorpus:
        """The corpus of one kind of repo (``query.KINDS``), built on first use."""
        corpus = self._corpora.get(kind)
        if corpus is None:
            with self._build_lock:
                corpus = self._corpora.get(kind)
                if corpus is None:
                    corpus = self._corpora[kind] = self._build(kind)
        return corpus

    def lister_of(self, kind: str) -> Lister:
        lister = self._listers.get(kind)
        if lister is None:
            corpus = self.corpus_of(kind)
            with self._build_lock:
                lister = self._listers.setdefault(kind, Lister(corpus))
        return lister

    def _build(self, kind: str) -> Corpus | ReplayCorpus:
        config = self.config
        if config.records_of(kind):
            cards = [Path(p) for p in config.cards] if kind == "models" else []
            return ReplayCorpus.load([Path(p) for p in config.records_of(kind)], kind, cards)
        generated = {"models": Corpus, "datasets": DatasetCorpus, "spaces": SpaceCorpus}[kind]
        return generated(config.size_of(kind), config.seed)

    def size(self, kind: str) -> int:
        """Live repos of ``kind``, without building a corpus not built yet."""
        corpus = self._corpora.get(kind)
        if corpus is not None:
            return len(corpus)
        return self.config.size_of(kind) if not self.config.records_of(kind) else len(self.corpus_of(kind))

    def stats_payload(self) -> dict[str, Any]:
        versions = {kind: corpus.version for kind, corpus in self._corpora.items()}
        days = {kind: corpus.day for kind, corpus in self._corpora.items()}
        return {**self.stats.snapshot(), "models": len(self.corpus), "corpus_version": self.corpus.version,
                "datasets": self.size("datasets"), "spaces": self.size("spaces"), "corpus_versions": versions,
                "days": days}

    def clock_seconds(self) -> float:
        """The fake's simulated time: the end of its generated dates (2026-11-01) until
        ``/_fake/advance`` moves it (the newest kind's clock). The ``Date`` of its responses, as the
        real Hub's says its own time: a crawl dates its history snapshot by it."""
        clocks = [getattr(c, "clock_ms", 0) for c in list(self._corpora.values())]
        return max([columns.EPOCH_END_MS, *clocks]) / 1000

    def advance(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``{"days": N, "kind": "models"|"datasets"|"spaces"|"all"}`` (1 day, all kinds by default):
        move the fake's time on (``Corpus.advance``, ``fakehub.timeline``). The answer: ``{"days": N,
        "<kind>": {"day", "now", "touched", "changed", "added", "deleted", "added_ids", "deleted_ids",
        "live"}}`` for each generated kind moved (a kind of recorded records does not move: all skips it,
        naming it is a 400)."""
        kind = payload.get("kind") or "all"
        if kind != "all" and kind not in query.KINDS:
            raise ApiError(400, f"kind must be all or one of {', '.join(query.KINDS)}")
        days = payload.get("days", 1)
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 36_500:
            raise ApiError(400, "days must be an integer from 0 to 36500")
        kinds = query.KINDS if kind == "all" else (kind,)
        answer: dict[str, Any] = {"days": days}
        for k in kinds:
            if self.config.records_of(k):
                if kind != "all":
                    raise ApiError(400, f"recorded {k} do not change")
                continue
            corpus = self.corpus_of(k)
            assert isinstance(corpus, Corpus)
            answer[k] = corpus.advance(days)
        return answer

    def mutate(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``{"kind": "models"|"datasets"|"spaces", "touch": [ids], "delete": [ids], "add": n}``;
        the answer counts the kind's live repos under its name (``"models": n`` for models)."""
        kind = payload.get("kind") or "models"
        if kind not in query.KINDS:
            raise ApiError(400, f"kind must be one of {', '.join(query.KINDS)}")
        corpus = self.corpus_of(kind)
        with corpus.lock:
            touch = [self._index(corpus, m) for m in payload.get("touch", [])]
            delete = [self._index(corpus, m) for m in payload.get("delete", [])]
            added = corpus.apply(touch=touch, delete=delete, add=int(payload.get("add", 0)))
            return {"added": [corpus.model_id(i) for i in added],
                    "touched": [corpus.model_id(i) for i in touch], kind: len(corpus)}

    @staticmethod
    def _index(corpus: Corpus | ReplayCorpus, repo_id: str) -> int:
        i = corpus.index_of(repo_id)
        if i is None:
            raise ApiError(404, f"Repository not found: {repo_id}", "RepoNotFound")
        return i


def serve(config: ServerConfig) -> FakeHub:
    """Start a fake Hub in a background thread of this process."""
    return FakeHub(config).start()


def _handler_class(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.hub = hub
    return Handler


class _Handler(BaseHTTPRequestHandler):
    hub: FakeHub
    protocol_version = "HTTP/1.1"
    server_version = "hfhub-fakehub"

    def version_string(self) -> str:
        return self.server_version

    def date_time_string(self, timestamp: float | None = None) -> str:
        # the Date header says the fake's simulated time (FakeHub.clock_seconds)
        return super().date_time_string(self.hub.clock_seconds() if timestamp is None else timestamp)

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without NODELAY, Nagle plus delayed
        # ACKs would add ~40 ms to every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        logger.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:
        self._dispatch(head=False)

    def do_HEAD(self) -> None:
        self._dispatch(head=True)

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        self.hub.stats.count(self.hub.stats.requests, "control")
        length = int(self.headers.get("Content-Length") or 0)
        try:
            if path not in ("/_fake/mutate", "/_fake/churn", "/_fake/advance"):
                raise ApiError(404, routes.NOT_FOUND_PAGE)
            payload = orjson.loads(self.rfile.read(length) or b"{}")
            if not isinstance(payload, dict):
                raise ApiError(400, "Body is not a JSON object")
            if path == "/_fake/advance":
                return self._json(200, self.hub.advance(payload))
            if path == "/_fake/churn":
                self.hub.faults.churn = max(0, int(payload.get("per_page", 0)))
                return self._json(200, {"per_page": self.hub.faults.churn})
            self._json(200, self.hub.mutate(payload))
        except orjson.JSONDecodeError:
            self._error(ApiError(400, "Body is not JSON"), {})
        except ApiError as exc:
            self._error(exc, {})

    def _dispatch(self, head: bool) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        route, bucket = routes.classify(path)
        if route == "stats":  # not counted: reading the stats must not change them
            return self._send(200, JSON, orjson.dumps(self.hub.stats_payload()), {}, count=False)
        if route == "snapshot":
            try:
                return self._send(*routes.snapshot(self.hub, parts.query), count=False)
            except ApiError as exc:
                return self._error(exc, {})
        self.hub.stats.count(self.hub.stats.requests, route)
        if self.headers.get("Authorization"):
            with self.hub.stats.lock:
                self.hub.stats.authorized += 1
        verdict = self.hub.faults.judge(bucket)
        if self.hub.config.faults.slow_ms:
            time.sleep(self.hub.config.faults.slow_ms / 1000)
        if verdict.reason:
            self.hub.stats.count(self.hub.stats.faults, verdict.reason)
        if verdict.drop:
            self.close_connection = True
            return None
        if verdict.status is not None:
            return self._fault(verdict)
        try:
            status, ctype, body, headers = routes.handle(self.hub, route, path, parts.query)
        except ApiError as exc:
            return self._error(exc, verdict.headers)
        if verdict.malformed:
            body = body[: max(1, len(body) // 2)]
        if route.endswith("list"):
            self._churn(routes.ROUTE_KIND[route])  # the page is built: repos now change "between pages"
        self._send(status, ctype, b"" if head else body, {**verdict.headers, **headers},
                   length=len(body))
        return None

    def _churn(self, kind: str) -> None:
        """Touch ``--churn`` repos of the kind whose page was just served (a replayed corpus stays)."""
        corpus = self.hub.corpus_of(kind)
        if isinstance(corpus, ReplayCorpus):
            return
        picks = self.hub.faults.churn_picks(corpus.size)
        with corpus.lock:
            for i in picks:
                if corpus.alive[i]:
                    corpus.touch(i)

    def _fault(self, v: Verdict) -> None:
        headers = dict(v.headers)
        if v.status == 429:
            headers["Retry-After"] = str(v.retry_after or 1)
            message = "You have exceeded our rate limits. Please retry later."
            if v.reason == "rate_limit":
                message = f"You have been rate-limited; you can retry this action in about {v.retry_after or 1:d} seconds"
            body = orjson.dumps({"error": message})
            self._send(429, JSON, body, {"X-Error-Message": message, **headers})
            return
        ctype, body = _5XX_BODIES[v.status or 500]
        self._send(v.status or 500, ctype, body, headers)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, JSON, orjson.dumps(payload), {})

    def _error(self, exc: ApiError, headers: dict[str, str]) -> None:
        extra = {"X-Error-Message": exc.message, **headers}
        if exc.code:
            extra["X-Error-Code"] = exc.code
        self._send(exc.status, JSON, orjson.dumps({"error": exc.message}), extra)

    def _send(self, status: int, ctype: str, body: bytes, headers: dict[str, str],
              length: int | None = None, count: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("X-Request-Id", f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}")
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if body:
            self.wfile.write(body)
        if count:
            self.hub.stats.count(self.hub.stats.responses, str(status))

