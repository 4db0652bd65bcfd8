from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hfhub.items import ModelItem
from hfhub.records.enrichment import enrich_item
from hfhub.records.hubrecord import model_item_from_api
from hfhub.records.schema import COLUMNS, MODEL_SCHEMA
from hfhub.records.validation import InvalidRecord, validate_item

NOW = datetime(2026, 11, 26, tzinfo=UTC)


@pytest.mark.parametrize(
    ("model_id", "reason"),
    [(None, "missing_id"), ("", "missing_id"), (42, "invalid_id"), ("a/b/c", "invalid_id"),
     ("<script>/x", "invalid_id"), ("x" * 200, "invalid_id")],
)
def test_records_without_a_usable_id_are_refused(model_id, reason):
    with pytest.raises(InvalidRecord) as excinfo:
        validate_item(ModelItem(id=model_id))
    assert excinfo.value.reason == reason


@pytest.mark.parametrize("model_id", ["gpt2", "google-bert/bert-base-uncased", "org/Model_v1.5-GGUF", "a-b/c.d"])
def test_hub_ids_are_accepted(model_id):
    validate_item(ModelItem(id=model_id))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("downloads", "12"),  # a string where a count belongs
        ("downloads", -1),
        ("likes", 1.5),
        ("likes", True),
        ("num_parameters", -7_000_000),
        ("created_at", "last tuesday"),
        ("created_at", 1700000000),
        ("tags", ["ok", 3]),
        ("tags", "en"),
        ("param_dtypes", {"BF16": -1}),
        ("gated", "auto"),
        ("trending_score", float("nan")),
    ],
)
def test_a_value_of_the_wrong_type_is_nulled_and_reported(field, value):
    item = ModelItem(id="a/b", **{field: value})
    report = validate_item(item)
    assert getattr(item, field) is None
    assert report.nulled == [field]


def test_valid_values_are_kept_and_dates_parsed():
    item = ModelItem(id="a/b", downloads=3, created_at="2024-07-24T10:00:00.000Z", tags=["x"], trending_score=2)
    assert validate_item(item).nulled == []
    assert item.created_at == datetime(2024, 7, 24, 10, tzinfo=UTC)
    assert item.trending_score == 2.0 and item.tags == ["x"] and item.downloads == 3


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
KEYS = st.sampled_from(
    ["id", "author", "sha", "createdAt", "lastModified", "downloads", "likes", "tags", "cardData", "config",
     "safetensors", "gguf", "gated", "siblings", "spaces", "trendingScore", "usedStorage", "private"]
)
RECORDS = st.one_of(
    JSON,
    st.dictionaries(KEYS, JSON, max_size=12),
    st.fixed_dictionaries({"id": st.just("org/model")}, optional={k: JSON for k in ["cardData", "safetensors", "gguf", "config", "tags", "createdAt"]}),
)


@settings(max_examples=300, deadline=None)
@given(RECORDS)
def test_arbitrary_json_never_raises_and_what_passes_fits_the_schema(record):
    item = model_item_from_api(record, NOW)
    try:
        validate_item(item)
    except InvalidRecord:
        return
    enrich_item(item)  # derivation never raises on a validated item either
    row = {name: [getattr(item, name)] for name in COLUMNS}
    table = pa.Table.from_pydict(row, schema=MODEL_SCHEMA)  # raises if anything invalid got through
    assert table.num_rows == 1
