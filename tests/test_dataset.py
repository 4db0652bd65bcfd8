from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hfhub.records.schema import COLUMNS, MODEL_SCHEMA
from hfhub.storage.dataset import drop_superseded_rows, write_table


def columns(ids: list[str]) -> dict[str, list]:
    data = {name: [None] * len(ids) for name in COLUMNS}
    data["id"] = ids
    data["tags"] = [["a", "b"]] * len(ids)
    data["param_dtypes"] = [{"BF16": 10, "F32": 2}] * len(ids)
    return data


def write_part(data: dict[str, list], path: Path) -> int:
    return write_table(pa.Table.from_pydict(data, schema=MODEL_SCHEMA), path)


def test_write_part_is_atomic_and_reads_back(tmp_path: Path):
    path = tmp_path / "part-x-00000.parquet"
    size = write_part(columns(["a/1", "a/2"]), path)
    assert size == path.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    table = pq.read_table(path)
    assert table.schema.equals(MODEL_SCHEMA, check_metadata=False)
    assert table.column("id").to_pylist() == ["a/1", "a/2"]
    assert table.column("tags").to_pylist() == [["a", "b"], ["a", "b"]]
    assert dict(table.column("param_dtypes").to_pylist()[0]) == {"BF16": 10, "F32": 2}


def test_drop_superseded_rows_keeps_the_newest_record_of_each_id(tmp_path: Path):
    t = [datetime(2026, 1, d, tzinfo=UTC) for d in range(1, 5)]
    first, second = tmp_path / "part-a.parquet", tmp_path / "part-b.parquet"
    data = columns(["m/1", "m/2", "m/3"])
    data["last_modified"] = [t[0], t[2], t[1]]
    data["crawled_at"] = [t[0], t[0], t[0]]
    data["sha"] = ["old-1", "new-2", "only-3"]
    write_part(data, first)
    data = columns(["m/2", "m/1", "m/4"])
    data["last_modified"] = [t[1], t[3], None]
    data["crawled_at"] = [t[1], t[1], t[1]]
    data["sha"] = ["old-2", "new-1", "only-4"]
    write_part(data, second)

    assert drop_superseded_rows([first, second]) == 2
    rows = pd.read_parquet(tmp_path).sort_values("id")
    assert list(rows["id"]) == ["m/1", "m/2", "m/3", "m/4"]
    assert list(rows["sha"]) == ["new-1", "new-2", "only-3", "only-4"]
    assert drop_superseded_rows([first, second]) == 0  # idempotent


def test_repeating_values_are_dictionary_encoded_and_unique_ones_are_not(tmp_path):
    rows = 50
    table = MODEL_SCHEMA.empty_table().to_pydict()
    table.update(id=[f"org/m{i}" for i in range(rows)], sha=[f"{i:040x}" for i in range(rows)],
                 tags=[["transformers", "en"] for _ in range(rows)], param_dtypes=[{"BF16": i} for i in range(rows)],
                 library_name=["transformers"] * rows)
    table = {name: values if len(values) == rows else [None] * rows for name, values in table.items()}
    write_table(pa.Table.from_pydict(table, schema=MODEL_SCHEMA), tmp_path / "part.parquet")
    group = pq.ParquetFile(tmp_path / "part.parquet").metadata.row_group(0)
    encodings = {group.column(i).path_in_schema: group.column(i).encodings for i in range(group.num_columns)}
    for path in ("tags.list.element", "param_dtypes.key_value.key", "library_name"):
        assert "RLE_DICTIONARY" in encodings[path], (path, encodings[path])
    for path in ("id", "sha", "param_dtypes.key_value.value"):
        assert "RLE_DICTIONARY" not in encodings[path], (path, encodings[path])
