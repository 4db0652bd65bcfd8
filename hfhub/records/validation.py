"""Check a ``ModelItem``'s values against the dataset schema: pure functions, no Scrapy.

A value of the wrong type for its column is replaced by ``None`` and reported; a record without a
usable id cannot be kept at all and is reported as a drop. Nothing here raises on any input.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from hfhub.records.modeltable import StepReport
from hfhub.records.schema import MODEL_SCHEMA, cached_per_schema

# The Hub's repo ids (huggingface_hub's validate_repo_id): an optional namespace and a name, each of
# letters, digits, "_", "-" and ".", starting and ending with a letter, digit or "_", at most 96
# characters, with no "--" or ".." and no ".git" at the end (legacy canonical models such as "gpt2"
# have no namespace). So no ".", "..", "x/.." or "a/.git": an id also names paths and URLs.
_SEGMENT = r"[A-Za-z0-9_](?:[\w.-]{0,94}[A-Za-z0-9_])?"
_REPO_ID = re.compile(rf"^(?:{_SEGMENT}/)?{_SEGMENT}$", re.ASCII)
_FORBIDDEN_IN_ID = ("--", "..")
_MAX_STRING = 10_000
_INT64_MAX = 2**63 - 1

INVALID = object()  # a checker's answer for a value it cannot accept


class InvalidRecord(Exception):
    """A record that cannot become a row; ``reason`` is a short stats-friendly key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _string(value: Any) -> Any:
    return value if isinstance(value, str) and len(value) <= _MAX_STRING else INVALID


def _count(value: Any) -> Any:
    """Counts and sizes: whole, non-negative, within int64."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _INT64_MAX:
        return value
    return INVALID


def _real(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return INVALID
    return float(value) if math.isfinite(value) else INVALID


def _boolean(value: Any) -> Any:
    return value if isinstance(value, bool) else INVALID


def _timestamp(value: Any) -> Any:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not 10 <= len(value) <= 40:
        return INVALID
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return INVALID
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _strings(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, str) and len(v) <= _MAX_STRING for v in value):
        return value
    return INVALID


def _counts_by_key(value: Any) -> Any:
    if isinstance(value, dict) and all(
        isinstance(k, str) and _count(v) is not INVALID for k, v in value.items()
    ):
        return value
    return INVALID


def _checker_for(arrow_type: pa.DataType) -> Callable[[Any], Any]:
    if pa.types.is_string(arrow_type):
        return _string
    if pa.types.is_int64(arrow_type):
        return _count
    if pa.types.is_floating(arrow_type):
        return _real
    if pa.types.is_boolean(arrow_type):
        return _boolean
    if pa.types.is_timestamp(arrow_type):
        return _timestamp
    if pa.types.is_map(arrow_type):
        return _counts_by_key
    if pa.types.is_list(arrow_type) and pa.types.is_string(arrow_type.value_type):
        return _strings
    raise TypeError(f"no validation rule for Arrow type {arrow_type}")


# raw_json holds whole blocks of the API (a card's YAML, a file list): longer than other strings
_MAX_RAW_JSON = 16 * 1024 * 1024


def _raw_json(value: Any) -> Any:
    return value if isinstance(value, str) and len(value) <= _MAX_RAW_JSON else INVALID


@cached_per_schema
def checkers_for(schema: pa.Schema) -> dict[str, Callable[[Any], Any]]:
    """Each column's check but the id's (``check_id``), for a table's schema."""
    return {f.name: _raw_json if f.name == "raw_json" else _checker_for(f.type) for f in schema if f.name != "id"}


CHECKERS = checkers_for(MODEL_SCHEMA)


@dataclass
class ValidationReport:
    nulled: list[str] = field(default_factory=list)  # fields whose value was replaced by None


def check_id(value: Any) -> str:
    if value is None or value == "":
        raise InvalidRecord("missing_id")
    if (not isinstance(value, str) or not _REPO_ID.match(value) or value.endswith(".git")
            or any(part in value for part in _FORBIDDEN_IN_ID)):
        raise InvalidRecord("invalid_id")
    return value


def validate_item(item: Any, schema: pa.Schema = MODEL_SCHEMA) -> ValidationReport:
    """Make ``item`` (a ``ModelItem``, or a dataset's or Space's item with its table's ``schema``)
    conform to the schema in place; raise ``InvalidRecord`` if it cannot."""
    item.id = check_id(item.id)
    report = ValidationReport()
    values = vars(item)  # the dataclass's own dict: faster than getattr/setattr, same effect
    for name, check in checkers_for(schema).items():
        value = values[name]
        if value is None:
            continue
        checked = check(value)
        if checked is INVALID:
            values[name] = None
            report.nulled.append(name)
        elif checked is not value:
            values[name] = checked
    return report


def validate_models(models: list[Any], report: StepReport, schema: pa.Schema = MODEL_SCHEMA) -> list[Any]:
    """The repos that can be rows (``hfhub.records.validation``), made to conform to ``schema`` in place;
    the others are reported by reason, as are the values nulled."""
    kept = []
    for model in models:
        try:
            validation = validate_item(model, schema)
        except InvalidRecord as exc:
            report.drop(exc.reason, model.id)
            continue
        for name in validation.nulled:
            report.null(name, model.id)
        kept.append(model)
    return kept
