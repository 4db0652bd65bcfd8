"""Search across the three tables (#20): `hfhub-search --type`, the API's `type`, the indexes per kind.

The tables are real crawls of the fake Hub (models, datasets, Spaces) into ``<tmp>/output/``, each
indexed by the crawl's own extension beside its table (``output/index``, ``index-datasets``,
``index-spaces``), so the CLI's defaults are exercised by running it in ``<tmp>``.
"""

from __future__ import annotations

import collections
import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser

from hfhub.fakehub.process import FakeHubProcess
from hfhub.index import IndexKindError, ModelIndex, build_index, store
from hfhub.index.build import INDEX_COLUMNS
from hfhub.links import HUB_URL
from hfhub.web import SearchServer
from tests.conftest import run_crawl

REPO = Path(__file__).resolve().parents[1]
KINDS = ("models", "datasets", "spaces")


@pytest.fixture(scope="session")
def crawled(small_hub: FakeHubProcess, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose ``output/`` holds the three tables and their indexes, as crawls leave them."""
    root = tmp_path_factory.mktemp("three-tables")
    output = root / "output"
    for kind in KINDS:
        result = run_crawl(
            small_hub.url,
            output,
            spider=kind,
            settings=[f"HFHUB_DATASET_DIR={output / kind}", f"LOG_FILE={root / f'crawl-{kind}.log'}"],
        )
        assert result.returncode == 0, (root / f"crawl-{kind}.log").read_text()[-3000:]
    return root


def table(crawled: Path, kind: str) -> pd.DataFrame:
    return pd.read_parquet(crawled / "output" / kind)


def search(crawled: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hfhub.search", *args],
        cwd=crawled, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def json_rows(proc: subprocess.CompletedProcess[str]) -> list[dict]:
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_each_crawl_indexes_its_table_as_its_kind(crawled: Path) -> None:
    for kind, folder in (("models", "index"), ("datasets", "index-datasets"), ("spaces", "index-spaces")):
        _, manifest = store.resolve(crawled / "output" / folder)
        assert manifest["kind"] == kind
        assert manifest["columns"] == list(INDEX_COLUMNS[kind])
        assert manifest["model_count"] == len(table(crawled, kind))
        index = ModelIndex.load(crawled / "output" / folder, kind=kind)
        assert index.models.column_names == list(INDEX_COLUMNS[kind])
    assert {"task_categories", "languages", "downloads"} <= set(INDEX_COLUMNS["datasets"])
    assert {"sdk", "models", "datasets", "likes"} <= set(INDEX_COLUMNS["spaces"])


def _unique_by(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Rows whose ``column`` is set and shared by no other row."""
    frame = frame[frame[column].notna()]
    counts = frame[column].str.lower().value_counts()
    return frame[frame[column].str.lower().map(counts) == 1]


def test_a_dataset_is_found_by_its_pretty_name_and_description(crawled: Path) -> None:
    datasets = table(crawled, "datasets")
    candidates = _unique_by(datasets, "pretty_name")
    # and a name no other dataset has: two owners' "poetry-captions-parquet" are the same words
    names = datasets["name"].str.lower().value_counts()
    candidates = candidates[candidates["name"].str.lower().map(names) == 1]
    candidates = candidates[candidates["task_categories"].map(lambda t: t is not None and len(t) > 0)]
    assert len(candidates) >= 5
    for _, row in candidates.head(5).iterrows():
        words = re.findall(r"[a-z]+", (row["description"] or "").lower())
        query = f"{row['pretty_name']} {' '.join(w for w in words if len(w) > 5)[:80]}"
        rows = json_rows(search(crawled, query, "--type", "dataset", "-k", "3", "--json"))
        assert row["id"] in [r["id"] for r in rows], (query, rows)
        found = next(r for r in rows if r["id"] == row["id"])
        assert found["type"] == "dataset"
        assert found["url"] == f"https://huggingface.co/datasets/{row['id']}"
        assert found["task_categories"] == list(row["task_categories"])


def test_a_space_is_found_by_its_title_and_a_model_it_uses(crawled: Path) -> None:
    spaces = table(crawled, "spaces")
    spaces = spaces[spaces["title"].notna() & spaces["models"].map(lambda m: m is not None and len(m) > 0)]
    index = ModelIndex.load(crawled / "output" / "index-spaces", kind="spaces")
    sample = spaces.head(20)
    found = 0
    for _, row in sample.iterrows():
        query = f"{row['title']} {row['models'][0].split('/')[1]}"
        found += row["id"] in [r.id for r in index.search(query, 3)]
    # A few titles are generic ("Text To Image") and their model's name is shared by other Spaces'
    assert found >= 0.9 * len(sample)
    row = sample.iloc[0]
    rows = json_rows(search(crawled, f"{row['title']} {row['models'][0].split('/')[1]}", "--type", "space", "-k", "3", "--json"))
    hit = next(r for r in rows if r["id"] == row["id"])
    assert (hit["type"], hit["sdk"], hit["models"]) == ("space", row["sdk"], list(row["models"]))
    assert hit["url"] == f"https://huggingface.co/spaces/{row['id']}"


def test_models_stay_the_default_type(crawled: Path) -> None:
    rows = json_rows(search(crawled, "speech recognition", "-k", "5", "--json"))
    assert len(rows) == 5 and {r["type"] for r in rows} == {"model"}
    assert all(r["url"] == f"{HUB_URL}/{r['id']}" for r in rows)
    assert all("pipeline_tag" in r for r in rows)


def test_all_shows_each_types_results_apart(crawled: Path) -> None:
    rows = json_rows(search(crawled, "speech", "--type", "all", "-k", "4", "--json"))
    types = [r["type"] for r in rows]
    assert types == ["model"] * 4 + ["dataset"] * 4 + ["space"] * types.count("space")
    assert types.count("space") >= 1
    for kind in ("model", "dataset", "space"):
        scores = [r["score"] for r in rows if r["type"] == kind]
        assert scores == sorted(scores, reverse=True)  # each index's own ranking, never merged
    proc = search(crawled, "speech", "--type", "all", "-k", "2")
    assert proc.returncode == 0, proc.stderr
    headers = [line for line in proc.stdout.splitlines() if line.startswith("== ")]
    assert [h.split()[1] for h in headers] == ["models", "datasets", "spaces"]
    assert "output/index-datasets" in headers[1]


def test_all_skips_a_type_without_an_index(crawled: Path, tmp_path: Path) -> None:
    (tmp_path / "output").mkdir()
    for name in ("index", "index-datasets"):  # no index-spaces
        (tmp_path / "output" / name).symlink_to((crawled / "output" / name).resolve())
    proc = search(tmp_path, "speech", "--type", "all", "--json", "-k", "2")
    assert proc.returncode == 0, proc.stderr
    assert {json.loads(line)["type"] for line in proc.stdout.splitlines()} == {"model", "dataset"}
    assert "no index of spaces at output/index-spaces: skipped" in proc.stderr
    proc = search(tmp_path / "output", "speech", "--type", "all")  # no index at all there
    assert proc.returncode == 1 and "hfhub-index build" in proc.stderr


def test_dataset_filters(crawled: Path) -> None:
    datasets = table(crawled, "datasets")
    tasks = collections.Counter(t for ts in datasets["task_categories"].dropna() for t in ts)
    task = tasks.most_common(1)[0][0]
    rows = json_rows(search(crawled, "data", "--type", "dataset", "--task", task, "-k", "20", "--json"))
    assert len(rows) == min(20, tasks[task]) and all(task in r["task_categories"] for r in rows)
    rows = json_rows(search(crawled, "data", "--type", "dataset", "--language", "en", "--min-downloads", "10",
                            "--min-likes", "1", "-k", "30", "--json"))  # fmt: skip
    assert rows and all("en" in r["languages"] and r["downloads"] >= 10 and r["likes"] >= 1 for r in rows)
    licensed = datasets["license"].value_counts().index[0]
    rows = json_rows(search(crawled, "text", "--type", "dataset", "--license", licensed, "-k", "10", "--json"))
    assert rows and {r["license"] for r in rows} == {licensed}


def test_space_filters(crawled: Path) -> None:
    rows = json_rows(search(crawled, "demo chat", "--type", "space", "--sdk", "gradio", "--min-likes", "2",
                            "-k", "20", "--json"))  # fmt: skip
    assert rows and all(r["sdk"] == "gradio" and r["likes"] >= 2 for r in rows)
    proc = search(crawled, "demo", "--type", "space", "--sdk", "gradoi")
    assert proc.returncode == 1 and "unknown sdk 'gradoi': no space in the index has it; did you mean: gradio" in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "dataset", "--fits-gpu-gb", "8"], "--fits-gpu-gb does not apply to datasets (it filters models)"),
        (["--type", "space", "--task", "x"], "--task does not apply to spaces (it filters models and datasets)"),
        (["--type", "model", "--sdk", "gradio"], "--sdk does not apply to models (it filters spaces)"),
        (["--type", "space", "--min-downloads", "3"], "--min-downloads does not apply to spaces"),
        (["--type", "all", "--sdk", "gradio"], "every filter must apply to all three types"),
        (["--type", "all", "--index", "output/index"], "--index is for one type"),
    ],
)
def test_a_filter_of_another_type_is_a_clear_error(crawled: Path, args: list[str], message: str) -> None:
    proc = search(crawled, "speech", *args)
    assert proc.returncode == 2 and proc.stdout == ""
    assert message in proc.stderr.splitlines()[-1]


def test_an_index_of_another_kind_is_refused(crawled: Path) -> None:
    proc = search(crawled, "speech", "--type", "dataset", "--index", "output/index")
    assert proc.returncode == 1
    assert "the index at output/index holds models, not datasets" in proc.stderr


def test_an_index_built_before_kinds_counts_as_models(crawled: Path, tmp_path: Path) -> None:
    # output/index-datasets as the crawls built it before this change: the model columns, no kind
    build_index(crawled / "output" / "datasets", tmp_path / "index-datasets", kind="models")
    manifest = (tmp_path / "index-datasets" / "manifest.json")
    data = json.loads(manifest.read_text())
    del data["kind"], data["columns"]
    manifest.write_text(json.dumps(data))
    with pytest.raises(IndexKindError, match="rebuild it: `hfhub-index build --type dataset"):
        ModelIndex.load(tmp_path / "index-datasets", kind="datasets")
    from hfhub.extensions.index import index_is_current

    assert not index_is_current(crawled / "output" / "datasets", tmp_path / "index-datasets", "datasets")
    assert index_is_current(crawled / "output" / "datasets", crawled / "output" / "index-datasets", "datasets")


def test_hfhub_index_build_type_uses_the_types_folders(crawled: Path, tmp_path: Path) -> None:
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "spaces").symlink_to((crawled / "output" / "spaces").resolve())
    proc = subprocess.run([sys.executable, "-m", "hfhub.index", "build", "--type", "space"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"indexed {len(table(crawled, 'spaces'))} spaces" in proc.stdout
    assert ModelIndex.load(tmp_path / "output" / "index-spaces").kind == "spaces"


# -- the search page's API ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def three(crawled: Path) -> SearchServer:
    from hfhub.web.server import load_indexes

    with SearchServer(load_indexes(crawled / "output" / "index")) as server:
        yield server


def api(server: SearchServer, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(server.url + path, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_the_api_searches_the_type_asked_for(three: SearchServer, crawled: Path) -> None:
    status, body = api(three, "/api/search?q=speech&k=5")
    assert status == 200 and body["type"] == "model" and {r["type"] for r in body["results"]} == {"model"}
    status, body = api(three, "/api/search?q=speech&k=5&type=dataset&min_downloads=1")
    assert status == 200 and body["type"] == "dataset"
    assert all(r["url"] == f"{HUB_URL}/datasets/{r['id']}" and r["downloads"] >= 1 for r in body["results"])
    status, body = api(three, "/api/search?q=demo&k=5&type=space&sdk=gradio")
    assert status == 200 and all(r["sdk"] == "gradio" and "/spaces/" in r["url"] for r in body["results"])
    space = body["results"][0]["id"]
    status, body = api(three, f"/api/similar/{space}?k=3&type=space")
    assert status == 200 and len(body["results"]) == 3 and space not in [r["id"] for r in body["results"]]


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/api/search?q=x&type=dataset&fits_gpu_gb=8", 400, "fits_gpu_gb does not apply to datasets"),
        ("/api/search?q=x&type=space&task=x", 400, "task does not apply to spaces"),
        ("/api/search?q=x&type=models", 400, "type must be one of model, dataset, space"),
        ("/api/options?type=repo", 400, "type must be one of"),
        ("/api/options?sort=1", 400, "takes no parameters but type"),
        ("/api/similar/no/such?type=dataset", 404, "no dataset 'no/such'"),
    ],
)
def test_the_api_says_what_is_wrong_with_a_type(three: SearchServer, path: str, status: int, message: str) -> None:
    got, body = api(three, path)
    assert got == status and message in body["error"]


def test_options_per_type(three: SearchServer, crawled: Path) -> None:
    status, body = api(three, "/api/options?type=space")
    assert status == 200 and body["types"] == ["model", "dataset", "space"]
    sdks = table(crawled, "spaces")["sdk"].value_counts()
    assert body["sdk"][0] == {"value": sdks.index[0], "models": int(sdks.iloc[0])}
    status, body = api(three, "/api/options?type=dataset")
    tasks = collections.Counter(t for ts in table(crawled, "datasets")["task_categories"].dropna() for t in set(ts))
    assert {o["value"]: o["models"] for o in body["task"]} == dict(tasks)
    assert "library" not in body
    assert api(three, "/api/options")[1]["type"] == "model"


def test_a_server_without_an_index_of_a_type_says_so(tmp_path: Path, crawled: Path) -> None:
    with SearchServer(ModelIndex.load(crawled / "output" / "index-datasets")) as server:
        status, body = api(server, "/api/search?q=x&type=space")
        assert status == 404 and "no index of spaces" in body["error"]
        assert api(server, "/api/search?q=speech")[1]["type"] == "dataset"  # its one type is the default


def test_the_page_searches_the_type_chosen(three: SearchServer, browser: Browser) -> None:
    from playwright.sync_api import expect

    # the session's one browser (tests/conftest.py): a second sync_playwright() in a process whose
    # session browser is running fails ("Sync API inside the asyncio loop")
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(three.url)
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        page.select_option("#type", "dataset")
        expect(page.locator("#fits_gpu_gb")).to_be_hidden()  # a model filter: not shown, not sent
        page.fill("#q", "speech")
        page.select_option("#task", "automatic-speech-recognition")
        page.click("#go")
        expect(page.locator("#status")).to_contain_text("datasets for “speech”")
        # the filtered answer, not one of an earlier request (typing searches as it goes): every result
        # carries the task
        results = page.locator("#results > li")
        expect(results.first).to_be_visible()
        expect(results.filter(has_not_text="automatic-speech-recognition")).to_have_count(0)
        first = results.first
        dataset = first.get_attribute("data-id")
        expect(first.locator("a.model-link")).to_have_attribute("href", f"https://huggingface.co/datasets/{dataset}")
        expect(first.locator(".url")).to_have_text(f"https://huggingface.co/datasets/{dataset}")
        expect(first.locator(".facts")).to_contain_text("automatic-speech-recognition")
        first.get_by_role("button", name="Similar datasets").click()
        expect(page.locator("#status")).to_contain_text(f"similar to {dataset}")
        page.go_back()
        expect(page.locator("#type")).to_have_value("dataset")
        expect(page.locator("#task")).to_have_value("automatic-speech-recognition")
        page.select_option("#type", "space")
        page.select_option("#sdk", "gradio")
        page.fill("#q", "chat")
        page.click("#go")
        expect(page.locator("#status")).to_contain_text("Spaces for “chat”")
        expect(page.locator("#results > li a.model-link").first).to_have_attribute(
            "href", re.compile(r"^https://huggingface\.co/spaces/")
        )
    finally:
        context.close()
    assert errors == []
