"""Small pure helpers for talking to the Hub's HTTP API: listing URLs and pagination links."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlencode, urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}

# One link-value of an RFC 8288 Link header: <target>; param=value; rel="next"
_LINK_VALUE = re.compile(r"<(?P<url>[^>]*)>(?P<params>[^,]*)")
_REL = re.compile(r"""\brel\s*=\s*"?(?P<rel>[^";]+)"?""", re.IGNORECASE)


def next_page_url(link_header: str | bytes | None) -> str | None:
    """The URL of the ``rel="next"`` link in a ``Link`` header, or ``None`` on the last page.

    The Hub pages ``/api/models`` by an opaque cursor carried in that URL; clients follow it as given
    (as huggingface_hub does with ``response.links["next"]["url"]``).
    """
    if not link_header:
        return None
    if isinstance(link_header, bytes):
        link_header = link_header.decode("latin-1")
    for match in _LINK_VALUE.finditer(link_header):
        rel = _REL.search(match.group("params"))
        if rel and "next" in rel.group("rel").lower().split():
            return match.group("url")
    return None


def listing_url(
    endpoint: str,
    kind_name: str,
    *,
    expand: Sequence[str],
    limit: int,
    author: str | None = None,
    search: str | None = None,
    filters: Iterable[str] = (),
    pipeline_tag: str | None = None,
    sort: str | None = None,
) -> str:
    """The first page of ``GET /api/<kind_name>`` (models, datasets, spaces) for these parameters
    (descending when sorted)."""
    params: list[tuple[str, str]] = []
    if author:
        params.append(("author", author))
    if search:
        params.append(("search", search))
    params.extend(("filter", tag) for tag in filters)
    if pipeline_tag:
        params.append(("pipeline_tag", pipeline_tag))
    if sort:
        params += [("sort", sort), ("direction", "-1")]
    params.append(("limit", str(limit)))
    params.extend(("expand[]", prop) for prop in expand)
    return f"{endpoint.rstrip('/')}/api/{kind_name}?{urlencode(params)}"


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of ``url``, lower-cased, the port made explicit: what must match for a
    URL to belong to the endpoint (``http`` and ``https`` on one host are two origins)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port that is not a number
        port = -1
    return scheme, (parts.hostname or "").lower(), port


def same_origin(url: str, endpoint: str) -> bool:
    return origin(url) == origin(endpoint)
