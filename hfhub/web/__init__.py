"""The search page: ``serve(index_dir, host, port)`` (``hfhub-search --serve``) and its JSON API.

Like ``hfhub.search``, it reads only the index on disk and never imports Scrapy.
"""

from __future__ import annotations

from hfhub.web.api import BadRequest, SearchApi, parse_params
from hfhub.web.server import DEFAULT_HOST, DEFAULT_PORT, SearchServer, serve, serve_cli

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "BadRequest",
    "SearchApi",
    "SearchServer",
    "parse_params",
    "serve",
    "serve_cli",
]
