"""Route handlers: each turns a request into (status, content type, body, headers)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import orjson

from hfhub.fakehub import modelconfig, query, views
from hfhub.fakehub.query import ApiError

if TYPE_CHECKING:
    from hfhub.fakehub.corpus import Corpus
    from hfhub.fakehub.replay import ReplayCorpus
    from hfhub.fakehub.server import FakeHub

Response = tuple[int, str, bytes, dict[str, str]]
JSON = "application/json; charset=utf-8"
NOT_FOUND_PAGE = "Sorry, we can't find the page you are looking for."
REPO_NOT_FOUND = "Repository not found"


# Route names (the stats' keys): models keep their names of before datasets and Spaces were served.
ROUTE_KIND: dict[str, str] = {
    "list": "models", "detail": "models", "resolve": "models",
    "datasets_list": "datasets", "datasets_detail": "datasets", "datasets_resolve": "datasets",
    "spaces_list": "spaces", "spaces_detail": "spaces", "spaces_resolve": "spaces",
}
_PREFIX = {"models": "", "datasets": "datasets_", "spaces": "spaces_"}


def classify(path: str) -> tuple[str, str]:
    """(route name for stats, rate-limit bucket)."""
    if path == "/_fake/stats":
        return "stats", "control"
    if path == "/_fake/snapshot":
        return "snapshot", "control"
    for kind in query.KINDS:
        if path == f"/api/{kind}":
            return f"{_PREFIX[kind]}list", "api"
        if path.startswith(f"/api/{kind}/"):
            return f"{_PREFIX[kind]}detail", "api"
    if "/resolve/" in path or "/raw/" in path:
        for kind in ("datasets", "spaces"):
            if path.startswith(f"/{kind}/"):
                return f"{kind}_resolve", "resolvers"
        return "resolve", "resolvers"
    return "other", "api" if path.startswith("/api/") else "pages"


def handle(hub: FakeHub, route: str, path: str, raw_query: str) -> Response:
    kind = ROUTE_KIND.get(route)
    if kind is None:
        raise ApiError(404, NOT_FOUND_PAGE)
    if route.endswith("list"):
        return list_repos(hub, kind, raw_query)
    if route.endswith("detail"):
        return repo_detail(hub, kind, path.removeprefix(f"/api/{kind}/"), raw_query)
    return resolve(hub, kind, path.removeprefix(f"/{kind}") if kind != "models" else path)


def list_repos(hub: FakeHub, kind: str, raw_query: str) -> Response:
    q = query.parse_list(query.parse_pairs(raw_query), hub.config.max_page_size, kind)
    corpus, lister = hub.corpus_of(kind), hub.lister_of(kind)
    with corpus.lock:
        indices, cursor = lister.page(q)
        body = hub.entries.encode_page(indices, corpus.revisions, views.list_keys(q), corpus.records, kind,
                                       corpus.day)
    link = next_link(hub.url, raw_query, cursor, hub.config.faults.link, f"/api/{kind}") if cursor else None
    return 200, JSON, body, {"Link": link} if link else {}


def list_models(hub: FakeHub, raw_query: str) -> Response:
    return list_repos(hub, "models", raw_query)


SNAPSHOT_KEYS = ("sha", "lastModified", "downloads", "downloadsAllTime", "likes", "trendingScore")


def snapshot(hub: FakeHub, raw_query: str = "") -> Response:
    """What the fake holds right now, for tests to compare a crawl with: ``{id: {"sha", "lastModified",
    "downloads", "downloadsAllTime", "likes", "trendingScore"}}`` of every live repo of ``?kind=``
    (models by default), as its records carry them (Spaces' downloads are null). Not counted, and it
    moves nothing (no churn)."""
    kind = dict(query.parse_pairs(raw_query)).get("kind") or "models"
    if kind not in query.KINDS:
        raise ApiError(400, f"kind must be one of {', '.join(query.KINDS)}")
    corpus = hub.corpus_of(kind)
    with corpus.lock:
        live = [int(i) for i in corpus.alive.nonzero()[0]]
        state = {}
        for start in range(0, len(live), 2000):
            for record in corpus.records(live[start:start + 2000]):
                state[record["id"]] = {key: record.get(key) for key in SNAPSHOT_KEYS}
    return 200, JSON, orjson.dumps(state), {}


def _find(corpus: Corpus | ReplayCorpus, repo_id: str) -> int:
    i = corpus.index_of(repo_id) if repo_id.count("/") <= 1 else None
    if i is None:
        raise ApiError(404, REPO_NOT_FOUND, "RepoNotFound")
    return i


def repo_detail(hub: FakeHub, kind: str, rest: str, raw_query: str) -> Response:
    repo_id, _, _revision = rest.partition("/revision/")
    expand = query.parse_expand(query.parse_pairs(raw_query), kind)
    corpus = hub.corpus_of(kind)
    with corpus.lock:
        record = corpus.record(_find(corpus, repo_id.rstrip("/")))
    return 200, JSON, orjson.dumps(views.detail(record, expand, kind)), {}


def resolve(hub: FakeHub, kind: str, path: str) -> Response:
    """``/{id}/resolve/{rev}/README.md`` (and ``/raw/``) of a model; of a dataset or Space with its
    ``/datasets`` or ``/spaces`` prefix taken off. A model's ``config.json`` too (``model_config``)."""
    marker = "/resolve/" if "/resolve/" in path else "/raw/"
    repo_id, _, tail = path.lstrip("/").partition(marker.lstrip("/"))
    repo_id = repo_id.rstrip("/")
    revision, _, filename = tail.partition("/")
    corpus = hub.corpus_of(kind)
    with corpus.lock:
        i = _find(corpus, repo_id)
        record = corpus.record(i)
        known_revision = revision == "main" or corpus.has_revision(i, revision)
    if kind == "models" and filename == "config.json":
        return model_config(hub, record, known_revision)
    if filename != "README.md" or not corpus.has_readme(record):
        raise ApiError(404, "Entry not found", "EntryNotFound")
    body = corpus.readme(record).encode("utf-8")
    headers = {"X-Repo-Commit": record["sha"], "ETag": f'"{hashlib.sha1(body).hexdigest()}"'}
    return 200, "text/plain; charset=utf-8", body, headers


def model_config(hub: FakeHub, record: dict[str, Any], known_revision: bool) -> Response:
    """A model's config.json (``fakehub.modelconfig``): the real file of a replayed model, if kept,
    else the generated one; 404 for a revision the repo never had, as on the Hub."""
    if not known_revision:
        raise ApiError(404, "Revision Not Found", "RevisionNotFound")
    if hub.config.records:
        path = modelconfig.real_config_file(hub.config.records, record["id"])
        body = path.read_bytes() if path is not None else None
    else:
        config = modelconfig.generated_config(record)
        body = modelconfig.render(config) if config is not None else None
    if body is None:
        raise ApiError(404, "Entry not found", "EntryNotFound")
    headers = {"X-Repo-Commit": record["sha"], "ETag": f'"{hashlib.sha1(body).hexdigest()}"'}
    return 200, "text/plain; charset=utf-8", body, headers


def next_link(base_url: str, raw_query: str, cursor: str, fault: str | None = None,
              path: str = "/api/models") -> str:
    """The Hub's `Link` header: the same endpoint ``path`` and query plus the cursor, as a full URL;
    with a link ``fault`` (``--link-fault``), what a hostile or broken Hub could send instead."""
    pairs = [(k, v) for k, v in query.parse_pairs(raw_query) if k != "cursor"]
    url = f"{base_url}{path}?{urlencode([*pairs, ('cursor', cursor)])}"
    if fault == "repeat":  # a cursor that never advances: the link names the page it is on
        url = f"{base_url}{path}?{raw_query}"
    elif fault == "foreign-host":
        url = url.replace("://127.0.0.1:", "://127.0.0.2:", 1)
    elif fault == "other-scheme":
        url = url.replace("http://", "https://", 1)
    elif fault == "file":
        url = "file:///etc/hostname"
    elif fault == "data":
        url = 'data:application/json,[{"id":"intruder/model"}]'
    return f'<{url}>; rel="next"'
