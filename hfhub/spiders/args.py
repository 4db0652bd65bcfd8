"""Validation of the ``models`` spider's arguments, done before the first request.

``scrapy crawl models -a NAME=VALUE`` hands every argument over as a string; each is checked here
and turned into its typed value, or refused with a ``ValueError`` that says what is accepted.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

SORT_KEYS = ("downloads", "likes", "createdAt", "lastModified", "trendingScore")
MODES = ("full", "incremental")
_AUTHOR = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class ListingArgs:
    limit: int | None = None
    author: str | None = None
    search: str | None = None
    filters: tuple[str, ...] = ()
    pipeline_tag: str | None = None
    sort: str | None = None
    mode: str = "full"
    cards: bool = False
    configs: bool = False  # each listed model's config.json (hfhub.spiders.configs)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, for comparing the arguments of cluster workers."""
        return {**asdict(self), "filters": list(self.filters)}


def _flag(name: str, value: str | bool | None) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{name} must be 1 or 0, got {value!r}")


def _limit(value: str | int | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        limit = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"limit must be a positive whole number of models, got {value!r}") from None
    if limit < 1:
        raise ValueError(f"limit must be a positive whole number of models, got {value!r}")
    return limit


def _author(value: str | None) -> str | None:
    if not value:
        return None
    if not _AUTHOR.match(value):
        raise ValueError(f"author must be a Hub user or organisation name such as 'google', got {value!r}")
    return value


def _sort(value: str | None) -> str | None:
    if not value:
        return None
    if value not in SORT_KEYS:
        raise ValueError(f"sort must be one of {', '.join(SORT_KEYS)}; got {value!r}")
    return value


def _filters(value: str | None) -> tuple[str, ...]:
    """``filter`` takes one tag or several separated by commas; a model must carry them all."""
    if not value:
        return ()
    tags = tuple(tag.strip() for tag in value.split(","))
    if any(not tag for tag in tags):
        raise ValueError(f"filter must be tags separated by commas, got {value!r}")
    return tags


def _text(name: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not value.strip() or len(value) > 200:
        raise ValueError(f"{name} must be non-blank text of at most 200 characters, got {value!r}")
    return value


def _mode(value: str | None, sort: str | None) -> str:
    mode = value or "full"
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {value!r}")
    if mode == "incremental" and sort:
        raise ValueError("mode=incremental lists by lastModified; leave sort out")
    return mode


def parse_listing_args(
    *,
    limit: str | int | None = None,
    author: str | None = None,
    search: str | None = None,
    filter: str | None = None,  # noqa: A002 - the Hub's own parameter name
    pipeline_tag: str | None = None,
    sort: str | None = None,
    mode: str | None = None,
    cards: str | bool | None = None,
    configs: str | bool | None = None,
) -> ListingArgs:
    return ListingArgs(
        limit=_limit(limit),
        author=_author(author),
        search=_text("search", search),
        filters=_filters(filter),
        pipeline_tag=_text("pipeline_tag", pipeline_tag),
        sort=_sort(sort),
        mode=_mode(mode, sort),
        cards=_flag("cards", cards),
        configs=_flag("configs", configs),
    )
