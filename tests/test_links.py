"""Links across the tables (#20): ``hfhub.links`` and ``hfhub-links`` on real crawls of the fake Hub,
checked against the tables themselves read whole with pandas; the bare-name rule on tables made here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hfhub.links import LinkFinder, Tables
from tests.test_search_types import crawled, table  # noqa: F401


@pytest.fixture(scope="module")
def finder(crawled: Path) -> LinkFinder:  # noqa: F811
    output = crawled / "output"
    return LinkFinder(Tables(output / "models", output / "datasets", output / "spaces"))


@pytest.fixture(scope="module")
def ids(crawled: Path) -> dict[str, set[str]]:  # noqa: F811
    return {kind: set(table(crawled, kind)["id"]) for kind in ("models", "datasets", "spaces")}


def _listed(values: object) -> list[str]:
    return [] if values is None else list(values)  # type: ignore[call-overload]


def test_a_spaces_links_are_the_ids_in_its_record(finder: LinkFinder, crawled: Path, ids: dict) -> None:  # noqa: F811
    spaces = table(crawled, "spaces")
    spaces = spaces[spaces["models"].map(len, na_action="ignore").fillna(0) > 0]
    spaces = spaces[spaces["datasets"].map(len, na_action="ignore").fillna(0) > 0]
    assert len(spaces) >= 10
    for _, row in spaces.head(10).iterrows():
        answer = finder.links(row["id"], "space")
        assert answer.exists
        models = {link.id for link in answer.links["models"] if "space.models" in link.via}
        assert models == set(row["models"])
        datasets = {link.listed for link in answer.links["datasets"] if "space.datasets" in link.via}
        assert datasets == set(row["datasets"])
        for kind, group in (("models", "models"), ("datasets", "datasets")):
            for link in answer.links[group]:
                assert link.exists == (link.id in ids[kind]), link
                assert link.url.startswith("https://huggingface.co/")
    # the fake Hub's Spaces name existing repos mostly, and some that are not in our tables
    every = [link for _, row in spaces.iterrows() for link in finder.links(row["id"], "space").links["models"]]
    assert any(link.exists for link in every) and any(not link.exists for link in every)


def test_a_models_datasets_and_spaces(finder: LinkFinder, crawled: Path, ids: dict) -> None:  # noqa: F811
    models = table(crawled, "models")
    spaces = table(crawled, "spaces")
    trained = models[models["datasets"].map(len, na_action="ignore").fillna(0) > 0].head(10)
    used = set(spaces["models"].dropna().explode().dropna())
    in_spaces = models[models["id"].isin(used)].head(10)
    assert len(trained) == 10 and len(in_spaces) == 10
    for _, row in pd.concat([trained, in_spaces]).iterrows():
        answer = finder.links(row["id"], "model")
        named = set(_listed(row["datasets"])) | {
            t.removeprefix("dataset:") for t in _listed(row["tags"]) if t.startswith("dataset:")
        }
        assert {link.listed for link in answer.links["datasets"]} == named
        for link in answer.links["datasets"]:
            assert link.exists == (link.id in ids["datasets"])
            assert link.match == "id" or "/" not in link.listed  # a name match is of a bare name only
        users = {s for s, listed in zip(spaces["id"], spaces["models"]) if row["id"] in _listed(listed)}
        via_spaces = {link.id for link in answer.links["spaces"] if "space.models" in link.via}
        via_model = {link.id for link in answer.links["spaces"] if "model.spaces" in link.via}
        assert via_spaces == users and via_model == set(_listed(row["spaces"]))
        assert all(link.exists == (link.id in ids["spaces"]) for link in answer.links["spaces"])


def test_a_datasets_models_and_spaces(finder: LinkFinder, crawled: Path) -> None:  # noqa: F811
    models = table(crawled, "models")
    spaces = table(crawled, "spaces")
    named = models["datasets"].dropna().explode().value_counts()
    used = spaces["datasets"].dropna().explode().value_counts()
    picks = [*named.index[:3], *used.index[:3]]
    for dataset_id in picks:
        answer = finder.links(dataset_id, "dataset")
        by_column = {m for m, d in zip(models["id"], models["datasets"]) if dataset_id in _listed(d)}
        by_tag = {m for m, t in zip(models["id"], models["tags"]) if f"dataset:{dataset_id}" in _listed(t)}
        exact = {link.id for link in answer.links["models"] if link.match == "id"}
        assert exact == by_column | by_tag and exact
        users = {s for s, d in zip(spaces["id"], spaces["datasets"]) if dataset_id in _listed(d)}
        assert {link.id for link in answer.links["spaces"] if link.match == "id"} == users
        assert all(link.exists for group in answer.links.values() for link in group)  # they link *from* rows


@pytest.fixture
def made(tmp_path: Path) -> Tables:
    """Tables made here: bare names that are, and are not, dataset ids of their own."""
    tables = Tables(tmp_path / "models", tmp_path / "datasets", tmp_path / "spaces")
    rows = {
        "models": {"id": ["m/one", "m/two"],
                   "datasets": [["glue", "mnist", "wiki", "x/unknown"], ["nyu-mll/glue"]],
                   "tags": [["dataset:glue"], None], "spaces": [None, ["s/app"]]},
        "datasets": {"id": ["nyu-mll/glue", "mnist", "someone/mnist", "a/wiki", "b/wiki"]},
        "spaces": {"id": ["s/app"], "models": [["m/two", "m/gone"]], "datasets": [["wiki"]]},
    }  # fmt: skip
    for kind, columns in rows.items():
        folder = getattr(tables, kind)
        folder.mkdir()
        pq.write_table(pa.table(columns), folder / "part-00000.parquet")
    return tables


def test_bare_names_match_by_name_only_when_no_dataset_has_that_id(made: Tables) -> None:
    finder = LinkFinder(made)
    answer = finder.links("m/one", "model")
    got = {(link.id, link.match, link.listed, link.exists) for link in answer.links["datasets"]}
    assert got == {
        ("nyu-mll/glue", "name", "glue", True),  # "glue" is no dataset id of ours: its name part
        ("mnist", "id", "mnist", True),  # "mnist" is one: someone/mnist is not claimed
        ("a/wiki", "name", "wiki", True),
        ("b/wiki", "name", "wiki", True),
        ("x/unknown", "id", "x/unknown", False),
    }
    assert any("'wiki' matches 2 datasets by name" in note for note in answer.notes)
    glue = {link.id: (link.match, link.via) for link in finder.links("nyu-mll/glue", "dataset").links["models"]}
    assert glue == {"m/one": ("name", ["model.datasets", "model.tags"]), "m/two": ("id", ["model.datasets"])}
    assert [link.id for link in finder.links("someone/mnist", "dataset").links["models"]] == []
    space = finder.links("s/app", "space")
    assert {(link.id, link.exists, tuple(link.via)) for link in space.links["models"]} == {
        ("m/two", True, ("space.models", "model.spaces")),
        ("m/gone", False, ("space.models",)),
    }


def test_a_missing_table_is_said_not_guessed(made: Tables, tmp_path: Path) -> None:
    finder = LinkFinder(Tables(made.models, made.datasets, tmp_path / "no-spaces"))
    answer = finder.links("m/two", "model")
    assert answer.links["spaces"][0].id == "s/app" and answer.links["spaces"][0].exists is None
    assert any("no spaces table" in note for note in answer.notes)


def links_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hfhub.links", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip


def test_the_command(crawled: Path) -> None:  # noqa: F811
    space = table(crawled, "spaces").dropna(subset=["models"]).iloc[0]
    proc = links_cli(crawled, space["id"], "--json")  # the default tables: output/<kind>
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert (answer["type"], answer["id"], answer["exists"]) == ("space", space["id"], True)
    assert answer["url"] == f"https://huggingface.co/spaces/{space['id']}"
    assert {link["id"] for link in answer["links"]["models"] if "space.models" in link["via"]} == set(space["models"])
    proc = links_cli(crawled, space["id"])
    assert proc.returncode == 0 and proc.stdout.startswith(f"space {space['id']}  (in our table)")
    proc = links_cli(crawled, "nobody/nothing")
    assert proc.returncode == 1 and "give --type" in proc.stderr
    proc = links_cli(crawled, "nobody/nothing", "--type", "model", "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["exists"] is False
    proc = links_cli(crawled.parent, space["id"], "--spaces", str(crawled / "output" / "spaces"), "--type", "space")
    assert proc.returncode == 0 and "no models table" in proc.stdout
