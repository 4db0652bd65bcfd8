"""Route handlers: each turns a request into (status, content type, body, headers)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import orjson

from hfhub.fakehub import card, query, views
from hfhub.fakehub.query import ApiError

if TYPE_CHECKING:
    from hfhub.fakehub.server import FakeHub

Response = tuple[int, str, bytes, dict[str, str]]
JSON = "application/json; charset=utf-8"
NOT_FOUND_PAGE = "Sorry, we can't find the page you are looking for."
REPO_NOT_FOUND = "Repository not found"


def classify(path: str) -> tuple[str, str]:
    """(route name for stats, rate-limit bucket)."""
    if path == "/_fake/stats":
        return "stats", "control"
    if path == "/_fake/snapshot":
        return "snapshot", "control"
    if path == "/api/models":
        return "list", "api"
    if path.startswith("/api/models/"):
        return "detail", "api"
    if "/resolve/" in path or "/raw/" in path:
        return "resolve", "resolvers"
    return "other", "api" if path.startswith("/api/") else "pages"


def handle(hub: FakeHub, route: str, path: str, raw_query: str) -> Response:
    if route == "list":
        return list_models(hub, raw_query)
    if route == "detail":
        return model_detail(hub, path.removeprefix("/api/models/"), raw_query)
    if route == "resolve":
        return resolve(hub, path)
    raise ApiError(404, NOT_FOUND_PAGE)


def list_models(hub: FakeHub, raw_query: str) -> Response:
    q = query.parse_list(query.parse_pairs(raw_query), hub.config.max_page_size)
    corpus = hub.corpus
    with corpus.lock:
        indices, cursor = hub.lister.page(q)
        body = hub.entries.encode_page(indices, corpus.revisions, views.list_keys(q), corpus.records)
    headers = {"Link": next_link(hub.url, raw_query, cursor, hub.config.faults.link)} if cursor else {}
    return 200, JSON, body, headers


def snapshot(hub: FakeHub) -> Response:
    """What the fake holds right now, for tests to compare a crawl with: ``{id: {"sha",
    "lastModified"}}`` of every live model. Not counted, and it moves nothing (no churn)."""
    corpus = hub.corpus
    with corpus.lock:
        live = [int(i) for i in corpus.alive.nonzero()[0]]
        state = {}
        for start in range(0, len(live), 2000):
            for record in corpus.records(live[start:start + 2000]):
                state[record["id"]] = {"sha": record["sha"], "lastModified": record["lastModified"]}
    return 200, JSON, orjson.dumps(state), {}


def _find(hub: FakeHub, repo_id: str) -> int:
    i = hub.corpus.index_of(repo_id) if repo_id.count("/") <= 1 else None
    if i is None:
        raise ApiError(404, REPO_NOT_FOUND, "RepoNotFound")
    return i


def model_detail(hub: FakeHub, rest: str, raw_query: str) -> Response:
    repo_id, _, _revision = rest.partition("/revision/")
    expand = query.parse_expand(query.parse_pairs(raw_query))
    with hub.corpus.lock:
        record = hub.corpus.record(_find(hub, repo_id.rstrip("/")))
    return 200, JSON, orjson.dumps(views.detail(record, expand)), {}


def resolve(hub: FakeHub, path: str) -> Response:
    marker = "/resolve/" if "/resolve/" in path else "/raw/"
    repo_id, _, tail = path.lstrip("/").partition(marker.lstrip("/"))
    repo_id = repo_id.rstrip("/")
    _revision, _, filename = tail.partition("/")
    with hub.corpus.lock:
        record = hub.corpus.record(_find(hub, repo_id))
    if filename != "README.md" or not hub.corpus.has_readme(record):
        raise ApiError(404, "Entry not found", "EntryNotFound")
    body = card.render(record).encode("utf-8")
    headers = {"X-Repo-Commit": record["sha"], "ETag": f'"{hashlib.sha1(body).hexdigest()}"'}
    return 200, "text/plain; charset=utf-8", body, headers


def next_link(base_url: str, raw_query: str, cursor: str, fault: str | None = None) -> str:
    """The Hub's `Link` header: the same query plus the cursor, as a full URL; with a link
    ``fault`` (``--link-fault``), what a hostile or broken Hub could send instead."""
    pairs = [(k, v) for k, v in query.parse_pairs(raw_query) if k != "cursor"]
    url = f"{base_url}/api/models?{urlencode([*pairs, ('cursor', cursor)])}"
    if fault == "repeat":  # a cursor that never advances: the link names the page it is on
        url = f"{base_url}/api/models?{raw_query}"
    elif fault == "foreign-host":
        url = url.replace("://127.0.0.1:", "://127.0.0.2:", 1)
    elif fault == "other-scheme":
        url = url.replace("http://", "https://", 1)
    elif fault == "file":
        url = "file:///etc/hostname"
    elif fault == "data":
        url = 'data:application/json,[{"id":"intruder/model"}]'
    return f'<{url}>; rel="next"'
