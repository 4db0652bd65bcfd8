"""``raw_json``: what the API said that no typed column holds as given, so nothing is lost.

A typed column holds an API property *as given* when the property's value can be read back from it
unchanged: ``downloads`` from ``downloads``, ``lastModified`` from ``last_modified``, ``siblings``
from ``files`` when each entry is only ``{"rfilename"}``. Everything else the record held — blocks
with no column (``cardData``, ``config``, ``runtime``, ``transformersInfo``…), properties whose
columns are derived from them, and any value validation nulled for its type — is kept in
``raw_json``, in the record's own order, as JSON text. ``json.loads(row["raw_json"])`` merged with
the typed columns gives back every property the API returned (``api_properties`` does it; DuckDB:
``json_extract``).

Card YAML (``cardData``) is data from strangers: it is stored here as inert text, never evaluated.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

# The Hub's timestamps: ISO 8601, milliseconds, UTC ("2024-11-25T20:07:28.000Z"). Only a value of
# exactly that form reads back unchanged from a timestamp[ms, UTC] column.
_HUB_TIME_LENGTH = len("2024-11-25T20:07:28.000Z")
TIME_KEYS = frozenset({"createdAt", "lastModified"})


def _reads_back_as_time(value: Any) -> bool:
    return isinstance(value, str) and len(value) == _HUB_TIME_LENGTH and value[10] == "T" and value[-1] == "Z"


def _siblings_are_file_names(value: Any, files: Any) -> bool:
    """``siblings`` is held by ``files`` only when it says nothing but the names (the list
    endpoint's ``{"rfilename"}``; the detail endpoint's sizes and blob ids stay raw)."""
    return (
        isinstance(value, list) and isinstance(files, list) and len(files) == len(value)
        and all(isinstance(s, dict) and len(s) == 1 for s in value)
    )


def raw_json(item: Any, record: Any, held: Mapping[str, str]) -> str | None:
    """The JSON text of ``record``'s properties that ``held`` (API key → the typed column holding it
    as given) does not cover for ``item`` as validated; None when every property is held."""
    if not isinstance(record, dict):
        return None
    values = vars(item)
    rest = {}
    for key, value in record.items():
        column = held.get(key)
        if column is not None and value is not None:
            typed = values.get(column)
            if key == "siblings":
                kept = _siblings_are_file_names(value, typed)
            elif key == "modelId":  # the legacy alias of id, in default listings
                kept = value == values.get("id")
            elif key in TIME_KEYS:
                kept = typed is not None and _reads_back_as_time(value)
            elif key == "gated":
                kept = value is typed if isinstance(value, bool) else value == values.get("gated_mode")
            else:
                kept = typed is not None
            if kept:
                continue
        elif column is not None:  # null in the record, null in its column
            continue
        rest[key] = value
    if not rest:
        return None
    try:
        return orjson.dumps(rest).decode("utf-8")
    except TypeError:  # an item of one's own spider: integers beyond 64 bits, keys that are not strings
        return json.dumps(rest, ensure_ascii=False, default=repr)


def fill_raw_json(items: list[Any], held: Mapping[str, str]) -> None:
    """Set each validated item's ``raw_json`` from the API record it was made from."""
    for item in items:
        if item.api_record is not None:
            item.raw_json = raw_json(item, item.api_record, held)
            item.api_record = None


def _api_time(value: Any) -> Any:
    """A timestamp column's value in the Hub's format (ISO 8601, milliseconds, Z)."""
    if not isinstance(value, datetime):
        return value
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def api_properties(row: Mapping[str, Any], held: Mapping[str, str]) -> dict[str, Any]:
    """The API properties a stored row holds: ``raw_json`` merged with the typed columns that hold
    a property as given (``held``: the kind's ``held_by_column``), in the API's own spelling.
    ``row``: one row as ``pyarrow.Table.to_pylist()`` gives it. Two approximations: a property the
    API sent as null and one it left out are both absent here; and ``author`` (the id's namespace
    when the record had none) and a Space's ``sdk`` (its card's when the record had none) read back
    even where the API left them out."""
    properties: dict[str, Any] = {}
    for key, column in held.items():
        value = row.get(column)
        if value is None or key == "modelId":
            continue
        if key == "siblings":
            value = [{"rfilename": name} for name in value]
        elif key == "gated":
            value = row.get("gated_mode") or value
        properties[key] = _api_time(value)
    if row.get("raw_json"):
        properties.update(orjson.loads(row["raw_json"]))
    return properties
