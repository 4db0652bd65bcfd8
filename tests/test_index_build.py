"""Building the index from real Parquet files: manifest, atomic swap, failures, staleness."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hfhub.fakehub.dataset import write_dataset
from hfhub.index import (
    EmptyDatasetError,
    IndexNotFoundError,
    ModelIndex,
    StaleIndexError,
    ann,
    build_index,
    store,
)
from hfhub.index.vectors import VectorizerSettings

MODELS = 1_500
# Tests of the build's mechanics do not need good topics: a cheaper SVD keeps them fast.
TINY = VectorizerSettings(lsa_n_iter=1, lsa_fit_sample=500)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("data") / "models", MODELS, seed=3, rows_per_part=500)


def test_manifest(dataset: Path, tmp_path: Path) -> None:
    manifest = build_index(dataset, tmp_path / "index")
    on_disk = json.loads((tmp_path / "index" / "manifest.json").read_text())
    assert on_disk == manifest
    assert manifest["model_count"] == MODELS
    assert manifest["dataset"]["files"] == 3
    assert manifest["vectorizer"]["terms"] > 1_000
    assert manifest["embedding"] == {"kind": "m2v-minilm", "dim": 384}  # the default, shipped with hfhub
    assert manifest["vectorizer"]["random_state"] == 0
    assert manifest["format_version"] == store.FORMAT_VERSION and manifest["build_seconds"] > 0


def test_the_default_embedding_falls_back_to_lsa_only_when_not_asked_for(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hfhub.index import embedders

    monkeypatch.setattr(embedders, "M2V_DIR", tmp_path / "no-model")  # as if the model were missing
    manifest = build_index(dataset, tmp_path / "fallback", settings=TINY)
    assert manifest["embedding"]["kind"] == "lsa" and "no m2v-minilm model" in manifest["embedding"]["default_unavailable"]
    index = ModelIndex.load(tmp_path / "fallback")
    assert index.lsa is not None and index.search("japanese text classification", k=3)
    with pytest.raises(RuntimeError, match="no m2v-minilm model"):
        build_index(dataset, tmp_path / "asked", embedding="m2v-minilm")
    with pytest.raises(ValueError, match="embedding must be one of lsa, minilm"):
        build_index(dataset, tmp_path / "unknown", embedding="bge")
    assert build_index(dataset, tmp_path / "lsa", embedding="lsa", settings=TINY)["embedding"] == {"kind": "lsa", "dim": 384}


def test_deterministic(dataset: Path, tmp_path: Path) -> None:
    build_index(dataset, tmp_path / "a", settings=TINY)
    build_index(dataset, tmp_path / "b", settings=TINY)
    query = "japanese text classification"
    a = [(r.id, round(r.score, 5)) for r in ModelIndex.load(tmp_path / "a").search(query)]
    b = [(r.id, round(r.score, 5)) for r in ModelIndex.load(tmp_path / "b").search(query)]
    assert a == b


def test_rebuild_swaps_atomically_and_keeps_one_previous_version(dataset: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    versions = []
    for _ in range(3):
        build_index(dataset, index, settings=TINY)
        assert index.is_symlink()
        versions.append(os.readlink(index))
    assert len(set(versions)) == 3
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(["index", versions[1], versions[2]])  # current and previous only


def test_failed_build_leaves_previous_index(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "index"
    build_index(dataset, index, settings=TINY)
    before = os.readlink(index)

    def broken(*args: object, **kwargs: object) -> None:
        raise MemoryError("simulated")

    monkeypatch.setattr(ann, "save", broken)
    with pytest.raises(MemoryError):
        build_index(dataset, index, settings=TINY)
    assert os.readlink(index) == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(ModelIndex.load(index).search("text generation")) == 10


def test_legacy_index_directory_is_replaced(dataset: Path, tmp_path: Path) -> None:
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "manifest.json").write_text("{}")  # an index from before versions
    build_index(dataset, tmp_path / "index", settings=TINY)
    assert (tmp_path / "index").is_symlink()


def test_stale_index(dataset: Path, tmp_path: Path) -> None:
    data = tmp_path / "models"
    data.mkdir()
    for part in dataset.glob("*.parquet"):
        (data / part.name).write_bytes(part.read_bytes())
    build_index(data, tmp_path / "index", settings=TINY)
    ModelIndex.load(tmp_path / "index")  # matches
    next(data.glob("*.parquet")).unlink()
    with pytest.raises(StaleIndexError, match="rebuild"):
        ModelIndex.load(tmp_path / "index")
    ModelIndex.load(tmp_path / "index", check=False)


def test_an_index_whose_dataset_is_gone_is_refused(dataset: Path, tmp_path: Path) -> None:
    # before, the check was skipped: the index answered with ids of a dataset that no longer exists
    import shutil

    data = tmp_path / "models"
    shutil.copytree(dataset, data)
    build_index(data, tmp_path / "index", settings=TINY)
    shutil.rmtree(data)
    with pytest.raises(StaleIndexError, match="which no longer exists"):
        ModelIndex.load(tmp_path / "index")
    ModelIndex.load(tmp_path / "index", dataset, check=True)  # the same data elsewhere: --dataset


def test_no_index(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="hfhub-index build"):
        ModelIndex.load(tmp_path / "nothing")


def test_empty_dataset(tmp_path: Path) -> None:
    (tmp_path / "models" / "_inprogress").mkdir(parents=True)
    with pytest.raises(EmptyDatasetError, match="crawl first"):
        build_index(tmp_path / "models", tmp_path / "index")
    assert not (tmp_path / "index").exists()


def test_dataset_without_enrichment_columns(dataset: Path, tmp_path: Path) -> None:
    """A dataset written before search_text and the size columns existed still indexes."""
    table = pq.read_table(dataset).drop_columns(
        ["search_text", "weights_bytes", "est_min_gpu_gb", "quantization"]
    )
    (tmp_path / "models").mkdir()
    pq.write_table(table, tmp_path / "models" / "part-old-00000.parquet")
    build_index(tmp_path / "models", tmp_path / "index")
    results = ModelIndex.load(tmp_path / "index").search("automatic-speech-recognition")
    assert results and all(r.pipeline_tag == "automatic-speech-recognition" for r in results)
    assert all(r.weights_bytes is None for r in results)


def test_skips_underscore_paths(dataset: Path, tmp_path: Path) -> None:
    data = tmp_path / "models"
    (data / "_inprogress" / "crawl").mkdir(parents=True)
    first = next(iter(sorted(dataset.glob("*.parquet"))))
    (data / first.name).write_bytes(first.read_bytes())
    pq.write_table(pa.table({"id": ["x/y"]}), data / "_inprogress" / "crawl" / "part-x.parquet")
    assert build_index(data, tmp_path / "index", settings=TINY)["model_count"] == 500


@pytest.mark.parametrize("make", ["file", "folder", "link"])
def test_an_index_path_hfhub_did_not_make_is_refused_and_left_alone(tmp_path, make):
    from hfhub.index.errors import IndexPathError
    from hfhub.index.store import new_version

    precious = tmp_path / "precious"
    if make == "file":
        precious.write_text("a system file")
    elif make == "folder":
        precious.mkdir()
        (precious / "notes.txt").write_text("years of work")
    else:
        (tmp_path / "elsewhere").mkdir()
        precious.symlink_to(tmp_path / "elsewhere")
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    with pytest.raises(IndexPathError), new_version(precious):
        pass
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before
