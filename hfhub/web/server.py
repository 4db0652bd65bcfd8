"""The search page's HTTP server: the standard library's ``ThreadingHTTPServer`` on loopback.

``serve(index_dir, host, port)`` runs it until Ctrl-C (``hfhub-search --serve``); ``SearchServer``
runs it in a thread (the tests). Routes: ``/`` the page, ``/static/…`` its script and style,
``/api/search``, ``/api/similar/<id>``, ``/api/options`` (see ``hfhub.web.api``). It serves the index
it is given and the other types' indexes found beside it (``index``, ``index-datasets``,
``index-spaces``: ``hfhub.paths.index_dir_name``).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

from hfhub import paths
from hfhub.index.errors import IndexNotFoundError, SearchError
from hfhub.links import SINGULAR
from hfhub.web.api import BadRequest, SearchApi

if TYPE_CHECKING:
    from hfhub.index.searcher import ModelIndex

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_URL_CHARS = 4096
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
}
# The page loads nothing from elsewhere and runs no inline script: even if a model id slipped into the
# DOM as HTML, the browser would refuse to run it.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _static(name: str) -> bytes:
    return resources.files("hfhub.web").joinpath("static", name).read_bytes()


# A connection that sends nothing for this long is closed (StreamRequestHandler applies it to the socket).
IDLE_TIMEOUT_S = 30.0
_LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "hfhub-search"
    sys_version = ""
    timeout = IDLE_TIMEOUT_S

    head_only = False

    def do_HEAD(self) -> None:
        self.head_only = True
        self.do_GET()

    def do_POST(self) -> None:
        self._json(HTTPStatus.METHOD_NOT_ALLOWED, {"error": "the search page answers GET requests only"})

    do_PUT = do_DELETE = do_PATCH = do_POST

    def _host_allowed(self) -> bool:
        """On loopback, only requests addressed to loopback names: a web page elsewhere cannot reach
        the server through a domain it points at 127.0.0.1 (DNS rebinding)."""
        if not _is_loopback(str(self.server.server_address[0])):
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in _LOOPBACK_NAMES

    def do_GET(self) -> None:
        if not self._host_allowed():
            self._json(HTTPStatus.MISDIRECTED_REQUEST, {"error": "this server answers requests to 127.0.0.1 or localhost only"})
            return
        if len(self.path) > MAX_URL_CHARS:
            self._json(
                HTTPStatus.REQUEST_URI_TOO_LONG, {"error": f"the URL is over {MAX_URL_CHARS} characters"}
            )
            return
        url = urlsplit(self.path)
        if url.path == "/favicon.ico":  # browsers ask for it; there is none
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
            return
        if url.path in STATIC:
            name, kind = STATIC[url.path]
            self._send(HTTPStatus.OK, _static(name), kind)
            return
        if not url.path.startswith("/api/"):
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no page at {url.path[:100]}"})
            return
        try:
            body = self._api(url.path, parse_qs(url.query, keep_blank_values=True, max_num_fields=50))
        except BadRequest as exc:
            self._json(exc.status, {"error": str(exc)})
        except ValueError as exc:  # parse_qs: more than max_num_fields
            self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
        else:
            self._json(HTTPStatus.OK, body)

    def _api(self, path: str, params: dict[str, list[str]]) -> dict[str, Any]:
        api = self.server.api
        if path == "/api/search":
            return api.search(params)
        if path.startswith("/api/similar/"):
            try:
                model_id = unquote(path.removeprefix("/api/similar/"), errors="strict")
            except UnicodeDecodeError:
                raise BadRequest("the model id in the path is not percent-encoded UTF-8") from None
            return api.similar(model_id, params)
        if path == "/api/options":
            if set(params) - {"type"} or any(len(v) > 1 for v in params.values()):
                raise BadRequest("/api/options takes no parameters but type (model, dataset, space)")
            return api.options(params["type"][0] if params.get("type", [""])[0] else None)
        raise BadRequest(
            f"no API at {path[:100]}: there are /api/search, /api/similar/<model id> and /api/options",
            status=404,
        )

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
        self._send(status, data, "application/json; charset=utf-8")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if not self.head_only:
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # connections waiting to be accepted: socketserver's default of 5 reset clients that came
    # together (200 at once, in benchmarks/bench_web.py)
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], api: SearchApi) -> None:
        self.api = api
        super().__init__(address, Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away (or idled past the timeout) is not an error worth a traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            logger.debug("connection from %s ended: %r", client_address, error)
            return
        super().handle_error(request, client_address)


class SearchServer:
    """The server running in a background thread: ``with SearchServer(index) as s: get(s.url)``."""

    def __init__(
        self,
        index: ModelIndex | dict[str, ModelIndex],
        host: str = DEFAULT_HOST,
        port: int = 0,
        api: SearchApi | None = None,
    ) -> None:
        self.httpd = _Server((host, port), api or SearchApi(index))
        bound_host, bound_port = self.httpd.server_address[:2]
        self.url = f"http://{bound_host!s}:{bound_port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="hfhub-web", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._thread.is_alive():
            self.httpd.shutdown()
            self._thread.join()
        self.httpd.server_close()


def load_indexes(
    index_dir: Path | str, dataset_dir: Path | str | None = None, kind: str = "models"
) -> dict[str, ModelIndex]:
    """The index of ``kind`` at ``index_dir`` (first: the page's default type), and the other types'
    indexes beside it where they exist. Only the first must load; another that is missing is left
    out, one that cannot be loaded (stale, another format) is left out with a warning."""
    from hfhub.index.searcher import ModelIndex

    indexes = {kind: ModelIndex.load(index_dir, dataset_dir, kind=kind)}
    for other in ("models", "datasets", "spaces"):
        if other == kind:
            continue
        beside = Path(index_dir).parent / paths.index_dir_name(other)
        try:
            indexes[other] = ModelIndex.load(beside, kind=other)
        except IndexNotFoundError:
            continue
        except SearchError as exc:
            print(f"hfhub-search: warning: not serving {other}: {exc}", file=sys.stderr)
    return indexes


def serve(
    index_dir: Path | str,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    dataset_dir: Path | str | None = None,
    kind: str = "models",
    history_dir: Path | str | None = None,
) -> None:
    """Serve the search page for the index at ``index_dir`` (of ``kind``), and the other types'
    indexes beside it, until interrupted (Ctrl-C). ``history_dir``: the history ``sort=growth``
    reads (default: the one beside each index's table).

    Raises the index's ``SearchError`` when it cannot be loaded, ``OSError`` when the port is taken.
    """
    indexes = load_indexes(index_dir, dataset_dir, kind)
    httpd = _Server((host, port), SearchApi(indexes, history_dir=history_dir))
    bound_host, bound_port = httpd.server_address[:2]
    served = ", ".join(f"{index.n:,} {k if index.n != 1 else SINGULAR[k]}" for k, index in indexes.items())
    print(f"hfhub-search: serving {served} on http://{bound_host!s}:{bound_port}/ (Ctrl-C stops)",
          flush=True)  # fmt: skip
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


def serve_cli(
    index_dir: Path | str,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    dataset_dir: Path | str | None = None,
    kind: str = "models",
    history_dir: Path | str | None = None,
) -> int:
    """``hfhub-search --serve``: ``serve`` with its errors as one line on stderr; the exit status."""
    if not _is_loopback(host):
        print(f"hfhub-search: warning: serving on {host}: the page has no login, anyone who reaches it can "
              "use it", file=sys.stderr)  # fmt: skip
    try:
        serve(index_dir, host, port, dataset_dir, kind, history_dir)
    except (SearchError, OSError) as exc:
        print(f"hfhub-search: error: {exc}", file=sys.stderr)
        return 1
    return 0


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
