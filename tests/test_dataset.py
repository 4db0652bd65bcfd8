from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from hfhub.dataset import INPROGRESS, crawl_dir, publish, write_part
from hfhub.schema import COLUMNS, MODEL_SCHEMA


def columns(ids: list[str]) -> dict[str, list]:
    data = {name: [None] * len(ids) for name in COLUMNS}
    data["id"] = ids
    data["tags"] = [["a", "b"]] * len(ids)
    data["param_dtypes"] = [{"BF16": 10, "F32": 2}] * len(ids)
    return data


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


def test_publish_replaces_the_previous_crawl_and_readers_skip_work_in_progress(tmp_path: Path):
    dataset = tmp_path / "models"
    for crawl, ids in (("old", ["a/1", "a/2"]), ("new", ["b/1"]), ("running", ["c/1"])):
        crawl_dir(dataset, crawl).mkdir(parents=True)
        write_part(columns(ids), crawl_dir(dataset, crawl) / f"part-{crawl}-00000.parquet")
    publish(dataset, "old")
    assert sorted(pd.read_parquet(dataset)["id"]) == ["a/1", "a/2"]
    publish(dataset, "new")
    assert sorted(pd.read_parquet(dataset)["id"]) == ["b/1"]  # "running" under _inprogress is not read
    assert sorted(p.name for p in (dataset / INPROGRESS).iterdir()) == ["running"]
