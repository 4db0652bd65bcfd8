"""hfhub-report's datasets and Spaces parts: the numbers against pandas on real crawls of the fake
Hub (``scrapy crawl models``, ``datasets`` and ``spaces``), the page, the command line, and hostile
text from strangers (cards, tags, titles) that stays text in the report and in the search API.
"""

from __future__ import annotations

import html
import json
import re
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hfhub.fakehub.process import FakeHubProcess
from hfhub.report import build_report, data, main
from hfhub.report.data import NO_VALUE, OTHER
from tests.conftest import run_crawl

KINDS = ("models", "datasets", "spaces")


def crawl_all(hub_url: str, workdir: Path) -> Path:
    """``scrapy crawl <kind>`` for each kind into ``workdir/<kind>`` (stats beside, as a user's crawl)."""
    for kind in KINDS:
        result = run_crawl(hub_url, workdir, spider=kind, settings=[f"HFHUB_DATASET_DIR={workdir / kind}"])
        assert result.returncode == 0, result.log[-2000:]
    return workdir


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    with FakeHubProcess(models=300, seed=7, datasets=600, spaces=600, args=["--max-page-size", "200"]) as hub:
        return crawl_all(hub.url, tmp_path_factory.mktemp("report-repos"))


@pytest.fixture(scope="module")
def datasets(crawled: Path) -> pd.DataFrame:
    return data.load_table(crawled / "datasets", data.DATASET_COLUMNS)


@pytest.fixture(scope="module")
def spaces(crawled: Path) -> pd.DataFrame:
    return data.load_table(crawled / "spaces", data.SPACE_COLUMNS)


# -- the numbers, hand-made tables (exact expectations) ----------------------------------------------
def test_list_counts_count_rows_once_and_say_how_many_have_none() -> None:
    lists = pd.Series([["en", "fr"], ["en", "en"], [], None, ["de"], ["fr"]], dtype="object")
    assert data.list_counts(lists).to_dict() == {"en": 2, "fr": 2, "de": 1, NO_VALUE: 2}
    assert data.list_counts(lists, top=1).to_dict() == {"en": 1 + 1, NO_VALUE: 2}


def test_size_categories_go_from_small_to_large() -> None:
    table = pd.DataFrame({"size_category": ["1M<n<10M", "n<1K", "n>1T", None, "10K<n<100K", "n<1K", "other",
                                            "1K<n<10K", "100B<n<1T"]})  # fmt: skip
    assert list(data.size_categories(table).index) == [
        "n<1K", "1K<n<10K", "10K<n<100K", "1M<n<10M", "100B<n<1T", "n>1T", NO_VALUE, "other"]  # fmt: skip
    assert data.size_categories(table)["n<1K"] == 2


def test_sizes_come_from_main_size_and_used_storage_only_when_no_dataset_has_one() -> None:
    table = pd.DataFrame({"main_size": pd.array([1_000, None, 0, 10**9], dtype="Int64"),
                          "used_storage": pd.array([5_000, 6_000, 7, 2 * 10**9], dtype="Int64")})  # fmt: skip
    column, bins, known = data.size_histogram(table)
    assert (column, int(bins["datasets"].sum()), known) == ("main_size", 2, {"known": 2, "unknown": 2})
    column, bins, known = data.size_histogram(table.assign(main_size=pd.array([None] * 4, dtype="Int64")))
    assert (column, int(bins["datasets"].sum()), known) == ("used_storage", 4, {"known": 4, "unknown": 0})


def test_hardware_puts_requested_and_current_side_by_side() -> None:
    table = pd.DataFrame({"hardware_requested": ["cpu-basic", "cpu-basic", "t4-small", None, "a100-large"],
                          "hardware_current": ["cpu-basic", None, "t4-small", None, None]})  # fmt: skip
    got = data.hardware(table, top=2)
    assert got.to_dict("index") == {
        "cpu-basic": {"requested": 2, "current": 1},
        NO_VALUE: {"requested": 1, "current": 3},
        OTHER: {"requested": 2, "current": 1},
    }


def test_top_rows_break_ties_by_id() -> None:
    table = pd.DataFrame({"id": ["b/x", "a/x", "c/x"], "likes": pd.array([3, 3, None], dtype="Int64"),
                          "title": ["B", "A", None]})  # fmt: skip
    top = data.top_rows(table, "likes", ("title",), top=2)
    assert list(top.index) == ["a/x", "b/x"] and top["likes"].tolist() == [3, 3]


# -- the numbers against pandas, on real crawls -----------------------------------------------------
@pytest.mark.parametrize("column", ["task_categories", "modalities", "languages"])
def test_list_counts_match_pandas(datasets: pd.DataFrame, column: str) -> None:
    counts = data.list_counts(datasets[column], top=8)
    held = datasets[column].dropna()
    expected = held.map(lambda values: sorted(set(values))).explode().dropna().value_counts()
    shown = counts.drop(NO_VALUE, errors="ignore")
    assert shown.to_dict() == expected[shown.index].to_dict()
    rest = expected.drop(shown.index)
    assert len(shown) == min(8, len(expected)) and (rest.empty or shown.min() >= rest.max())
    assert counts.get(NO_VALUE, 0) == len(datasets) - (held.map(len) > 0).sum()


def test_dataset_numbers_match_pandas(datasets: pd.DataFrame) -> None:
    sizes = data.size_categories(datasets)
    assert sizes.to_dict() == datasets["size_category"].fillna(NO_VALUE).value_counts().to_dict()
    assert list(sizes.index[:3]) == ["n<1K", "1K<n<10K", "10K<n<100K"]
    top = data.top_rows(datasets, "downloads", ("likes",), top=10)
    assert top["downloads"].tolist() == datasets["downloads"].fillna(0).nlargest(10).tolist()
    column, bins, known = data.size_histogram(datasets)
    assert column == "main_size"  # the fake gives most datasets one
    sizes_known = datasets["main_size"].dropna()
    assert int(bins["datasets"].sum()) == known["known"] == (sizes_known > 0).sum()
    assert bins["low"].iloc[0] <= sizes_known.min() < bins["high"].iloc[0]


def test_space_numbers_match_pandas(spaces: pd.DataFrame) -> None:
    for column in ("models", "datasets"):
        used = data.used_by_spaces(spaces, column, top=10)
        named = spaces[column].dropna().map(lambda ids: sorted(set(ids))).explode().dropna().value_counts()
        rest = named.drop(used.index)
        assert used.to_dict() == named[used.index].to_dict() and (rest.empty or used.min() >= rest.max())
    hardware = data.hardware(spaces, top=100)
    assert (
        hardware["requested"].to_dict()
        == spaces["hardware_requested"].fillna(NO_VALUE).value_counts().to_dict()
    )
    assert hardware["current"].sum() == len(spaces)
    stages = data.counts_with_other(spaces["runtime_stage"], 100)
    assert stages.to_dict() == spaces["runtime_stage"].fillna(NO_VALUE).value_counts().to_dict()


# -- the page and the command line --------------------------------------------------------------------
MODEL_SECTIONS = ("by-task", "by-library", "parameters", "growth", "licenses", "quantization", "authors", "memory",
                  "crawl")  # fmt: skip
DATASET_SECTIONS = ("datasets-by-task", "datasets-by-modality", "datasets-by-size-category", "datasets-by-language",
                    "datasets-licenses", "datasets-top", "datasets-sizes", "datasets-crawl")  # fmt: skip
SPACE_SECTIONS = ("spaces-by-sdk", "spaces-by-stage", "spaces-hardware", "spaces-top", "spaces-models",
                  "spaces-datasets", "spaces-crawl")  # fmt: skip
LOADS = re.compile(
    r"""(?:src|xlink:href|action)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import"""
    r"|<link|<script|<img|<iframe",
    re.IGNORECASE,
)


def section(page: str, key: str) -> str:
    found = re.search(rf'<section id="{key}">(.*?)</section>', page, re.DOTALL)
    assert found, key
    return found.group(1)


def without_time(page: str) -> str:
    return re.sub(r"report made \d{4}-\d\d-\d\d \d\d:\d\d UTC", "report made …", page)


def test_the_report_covers_the_three_tables(crawled: Path, datasets: pd.DataFrame, spaces: pd.DataFrame,
                                            tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "report.html"
    assert main(["--dataset", str(crawled / "models"), "--out", str(out)]) == 0  # the others beside it
    page = out.read_text()
    for key in (*MODEL_SECTIONS, *DATASET_SECTIONS, *SPACE_SECTIONS):
        assert "<svg" in section(page, key), f"no chart in {key}"
    assert not LOADS.search(page)  # links to the Hub, but nothing loaded from anywhere
    assert (
        '<div class="part" id="datasets"><h1>Datasets</h1>' in page and 'id="spaces"><h1>Spaces</h1>' in page
    )
    assert f"<td>datasets written</td><td>{len(datasets)}</td>" in section(page, "datasets-crawl")
    assert f"<td>spaces written</td><td>{len(spaces)}</td>" in section(page, "spaces-crawl")
    top_dataset = datasets.sort_values(["downloads", "id"], ascending=[False, True])["id"].iloc[0]
    assert f'<a href="https://huggingface.co/datasets/{top_dataset}">{top_dataset}</a>' in section(
        page, "datasets-top"
    )
    top_space = spaces.sort_values(["likes", "id"], ascending=[False, True])["id"].iloc[0]
    assert f'<a href="https://huggingface.co/spaces/{top_space}">{top_space}</a>' in section(
        page, "spaces-top"
    )
    model = data.used_by_spaces(spaces, "models").index[0]
    assert f'<a href="https://huggingface.co/{model}">{model}</a>' in section(page, "spaces-models")
    dataset = data.used_by_spaces(spaces, "datasets").index[0]
    assert f'<a href="https://huggingface.co/datasets/{dataset}">' in section(page, "spaces-datasets")
    assert "Dataset sizes (main_size)" in page
    # the models part is what a models-only report shows, to the byte
    models_only = build_report(crawled / "models", crawled / "crawl_stats.json")

    def head(text: str) -> str:  # the heading and tiles, between the style (one rule more) and the nav
        return without_time(text).split("<body>")[1].split("<nav>")[0]

    assert head(page) == head(models_only)
    for key in MODEL_SECTIONS:
        assert section(page, key) == section(models_only, key)


def test_datasets_and_spaces_can_be_turned_off_or_alone(crawled: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    models = str(crawled / "models")
    assert main(["--dataset", models, "--datasets", "", "--spaces", "", "--out", str(out)]) == 0
    assert without_time(out.read_text()) == without_time(build_report(models, crawled / "crawl_stats.json"))
    assert (
        main(["--dataset", "", "--spaces", "", "--datasets", str(crawled / "datasets"), "--out", str(out)])
        == 0
    )
    page = out.read_text()
    assert 'id="datasets"' in page and 'id="spaces"' not in page and 'id="by-task"' not in page
    assert "No models table" in page


def test_a_table_asked_for_but_missing_is_a_clear_error(crawled: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    out = tmp_path / "r.html"
    assert (
        main(["--dataset", str(crawled / "models"), "--spaces", str(tmp_path / "nope"), "--out", str(out)])
        == 1
    )
    err = capsys.readouterr().err
    assert f"no Parquet files in {tmp_path / 'nope'}: crawl first (scrapy crawl spaces)" in err
    assert not out.exists()


# -- hostile text -------------------------------------------------------------------------------------
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = '"><svg onload=alert(1)>'
BOMB = "&a [*a,*a,*a]"
TEX = r"$\frac{<b>$ 5$"  # matplotlib would typeset "$...$" as TeX, and fail on this one (a ValueError)


def yaml_tag(pwned: Path) -> str:
    return f'!!python/object/apply:os.system ["touch {pwned}"]'


def hostile_records(folder: Path, pwned: Path) -> dict[str, Path]:
    """One model, dataset and Space per hostile string, the string in every text the Hub lets a
    stranger choose (ids cannot hold it): card values, tags, titles, runtime fields."""
    texts = (SCRIPT, IMG, SVG, BOMB, TEX, yaml_tag(pwned))
    base = {"author": "evil", "sha": "0" * 40, "private": False, "disabled": False, "gated": False,
            "createdAt": "2024-01-02T03:04:05.000Z", "lastModified": "2024-01-03T03:04:05.000Z"}  # fmt: skip
    rows: dict[str, list[dict[str, Any]]] = {"models": [], "datasets": [], "spaces": []}
    for i, text in enumerate(texts):
        card = {"license": text, "language": [text], "tags": [text], "yaml": yaml_tag(pwned), "bomb": BOMB,
                "nested": {"a": [text, {"b": text}]}}  # fmt: skip
        rows["models"].append({
            "_id": f"65a0000000000000000001{i:02x}", "id": f"evil/model-{i}", **base, "downloads": 10 + i,
            "likes": i, "pipeline_tag": text, "library_name": text, "tags": [text, f"license:{text}"],
            "cardData": {**card, "pipeline_tag": text}})  # fmt: skip
        rows["datasets"].append({
            "_id": f"65a0000000000000000002{i:02x}", "id": f"evil/data-{i}", **base, "downloads": 10 + i,
            "likes": i, "description": text, "citation": text, "paperswithcode_id": text,
            "tags": [f"task_categories:{text}", f"modality:{text}", f"language:{text}", f"license:{text}",
                     f"size_categories:{text}", text],
            "cardData": {**card, "pretty_name": text, "task_categories": [text]},
            "mainSize": 1000 * (i + 1), "usedStorage": 2000 * (i + 1)})  # fmt: skip
        rows["spaces"].append({
            "_id": f"65a0000000000000000003{i:02x}", "id": f"evil/space-{i}", **base, "likes": 10 + i,
            "tags": [text], "sdk": text, "subdomain": f"evil-space-{i}",
            "models": [f"evil/model-{i}"], "datasets": [f"evil/data-{i}"],
            "cardData": {**card, "title": text, "short_description": text, "sdk": text},
            "runtime": {"stage": text, "hardware": {"current": text, "requested": text}}})  # fmt: skip
    files = {}
    for kind, records in rows.items():
        files[kind] = folder / f"{kind}.jsonl"
        files[kind].write_text("".join(json.dumps(r) + "\n" for r in records))
    return files


class Markup(HTMLParser):
    """Every element and attribute of a page, and its text as a browser would show it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


# The elements of the page and of matplotlib's SVG; none can run anything.
SAFE_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "div", "b", "nav", "a", "section",
             "details", "summary", "table", "thead", "tbody", "tr", "th", "td", "figure", "svg", "defs", "g", "path",
             "clippath", "use", "text", "rect"}  # fmt: skip


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str]]:
    root = tmp_path_factory.mktemp("hostile")
    pwned = root / "pwned"
    files = hostile_records(root, pwned)
    args = ["--records", str(files["models"]), "--dataset-records", str(files["datasets"]),
            "--space-records", str(files["spaces"])]  # fmt: skip
    with FakeHubProcess(models=0, args=args) as hub:
        workdir = crawl_all(hub.url, root / "crawl")
    yield workdir, pwned, build_report(
        workdir / "models", workdir / "crawl_stats.json",
        datasets_dir=workdir / "datasets", datasets_stats=workdir / "crawl_stats-datasets.json",
        spaces_dir=workdir / "spaces", spaces_stats=workdir / "crawl_stats-spaces.json",
    )  # fmt: skip


HOSTILE_COLUMNS = {
    "models": ("pipeline_tag", "library_name", "license"),
    "datasets": ("pretty_name", "description", "license", "size_category", "task_categories", "modalities",
                 "languages", "tags"),
    "spaces": ("title", "short_description", "sdk", "runtime_stage", "hardware_current", "hardware_requested",
               "license", "tags"),
}  # fmt: skip


def test_hostile_text_is_stored_as_given(hostile: tuple[Path, Path, str]) -> None:
    workdir, pwned, _ = hostile
    texts = (SCRIPT, IMG, SVG, BOMB, TEX, yaml_tag(pwned))  # row evil/<kind>-<i> has texts[i]
    for kind, columns in HOSTILE_COLUMNS.items():
        table = pd.read_parquet(workdir / kind)
        assert len(table) == len(texts), kind
        for repo_id, row in zip(table["id"], table[list(columns)].itertuples(index=False)):
            text = texts[int(repo_id.rsplit("-", 1)[1])]
            for column, value in zip(columns, row):
                assert value == text if isinstance(value, str) else text in list(value), (repo_id, column)
        cards = [json.loads(raw)["cardData"] for raw in table["raw_json"]]
        assert {c["yaml"] for c in cards} == {yaml_tag(pwned)} and {c["bomb"] for c in cards} == {BOMB}
    assert not pwned.exists()


def test_hostile_text_is_only_text_in_the_report(hostile: tuple[Path, Path, str]) -> None:
    _, pwned, page = hostile
    markup = Markup()
    markup.feed(page)
    assert markup.tags <= SAFE_TAGS, markup.tags - SAFE_TAGS
    assert not {a for a in markup.attributes if a.startswith("on") or a in ("src", "srcdoc", "formaction")}
    shown = "\n".join(markup.text)
    for text in (SCRIPT, IMG, SVG, BOMB, TEX, yaml_tag(pwned)):
        assert text in shown, text  # shown as the characters it is made of
        assert html.escape(text) in page or html.escape(text, quote=False) in page
    for raw in (SCRIPT, IMG, "<svg onload", "&a [", r"$\frac{<b>$"):
        assert raw not in page
    for key in ("datasets-by-task", "datasets-by-language", "spaces-by-sdk", "spaces-hardware", "spaces-top"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section(page, key)
    assert page.count("<svg") == page.count('<svg xmlns:xlink="http://www.w3.org/1999/xlink" class="chart"')
    assert "&lt;svg onload" in page
    assert not pwned.exists()  # nothing parsed the YAML, nothing ran it


def test_hostile_text_is_data_in_the_search_api(hostile: tuple[Path, Path, str]) -> None:
    """The search page's API answers with JSON (the page puts it in with textContent)."""
    from hfhub.index import ModelIndex
    from hfhub.web import SearchServer

    workdir, pwned, _ = hostile
    index = ModelIndex.load(workdir / "index")
    with SearchServer(index) as server:
        with urllib.request.urlopen(server.url + "/api/search?q=evil&k=20", timeout=10) as response:
            assert response.headers["Content-Type"].startswith("application/json")
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            body = response.read()
        with urllib.request.urlopen(server.url + "/api/options", timeout=10) as response:
            options = json.loads(response.read())
    results = json.loads(body)["results"]
    texts = {SCRIPT, IMG, SVG, BOMB, TEX, yaml_tag(pwned)}
    assert {r["license"] for r in results} == texts
    assert {r["pipeline_tag"] for r in results} == texts
    assert {o["value"] for o in options["license"]} == texts
    assert not pwned.exists()
