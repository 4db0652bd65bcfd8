"""Shapes the Hub's API uses in every kind of repo record, normalised: pure functions that never
raise, whatever JSON they are given (values of unexpected types pass through for validation to judge)."""

from __future__ import annotations

from typing import Any


def mapping_or_empty(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> Any:
    """A card field that may be one string or a list of them, as a list; other shapes unchanged."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return value


def len_or_none(value: Any) -> int | None:
    return len(value) if isinstance(value, list) else None


def file_names(siblings: Any) -> Any:
    if not isinstance(siblings, list):
        return None
    return [s["rfilename"] for s in siblings if isinstance(s, dict) and isinstance(s.get("rfilename"), str)]


def gated_and_mode(value: Any) -> tuple[Any, Any]:
    """(gated, gated_mode): the Hub sends false, "auto" or "manual"."""
    if value is False or value is True:
        return value, None
    if isinstance(value, str):
        return True, value
    return value, None


def repo_author_and_name(repo_id: Any, author: Any) -> tuple[Any, Any]:
    """(author, name) of a repo id: the record's ``author`` when it has one, else the id's namespace."""
    name = repo_id.rpartition("/")[2] if isinstance(repo_id, str) else None
    if author is None and isinstance(repo_id, str) and "/" in repo_id:
        author = repo_id.partition("/")[0]
    return author, name


def prefixed_tag_values(tags: Any, prefixes: tuple[str, ...]) -> dict[str, list[str]]:
    """The values of the ``<prefix>:`` tags for each prefix, in one pass (other tags are skipped)."""
    found: dict[str, list[str]] = {prefix: [] for prefix in prefixes}
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, str):
                prefix, colon, value = tag.partition(":")
                if colon and prefix in found:
                    found[prefix].append(value)
    return found
