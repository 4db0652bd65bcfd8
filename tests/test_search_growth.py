"""``hfhub-search --sort growth`` and the API's ``sort=growth`` (#21): the best 10 × k by relevance
re-ranked by the growth ``hfhub.history.trends`` computes over the window, from a history in the
writer's layout beside a real table (the fake Hub's synthetic models, the crawl's schema), checked
against trends and a pandas oracle; the default ranking untouched; a clear error without a history.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hfhub.fakehub.dataset import write_dataset
from hfhub.history import trends
from hfhub.index import ModelIndex, SearchFilters, build_index
from hfhub.index.growth import POOL
from hfhub.web import BadRequest
from hfhub.web.api import SearchApi
from tests.history_snapshots import all_rows, build, day, live, table_rows

REPO = Path(__file__).resolve().parents[1]
QUERIES = ("text generation", "speech recognition", "japanese")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hfhub.search", *args], check=False, cwd=REPO,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """output-like: models/ (1,500 synthetic models), index/ built from it, history/ beside them."""
    root = tmp_path_factory.mktemp("search-growth")
    write_dataset(root / "models", 1_500, seed=5, rows_per_part=500)
    build_index(root / "models", root / "index")
    build(root / "history", "models", table_rows(root / "models"), seed=9)
    return root


@pytest.fixture(scope="module")
def index(site: Path) -> ModelIndex:
    return ModelIndex.load(site / "index")


def oracle(history: Path, window: int = 7) -> tuple[dict[str, int | None], pd.Series]:
    """(growth by id: end - start of downloads_all_time, None without a start value; the end values)."""
    start, end, _ = trends.History(history, "models").window(window)
    rows = all_rows(history, "models")
    ends, starts = live(rows, end, "downloads_all_time"), live(rows, start, "downloads_all_time")
    return {i: (int(v - starts[i]) if i in starts.index else None) for i, v in ends.items()}, ends


def expected(index: ModelIndex, query: str, k: int, growth: dict[str, int | None],
             filters: SearchFilters | None = None) -> list[tuple[str, int | None]]:
    """The best POOL × k by relevance, by growth (largest first; ties and unknowns in relevance order)."""
    pool = [r.id for r in index.search(query, POOL * k, filters)]
    order = sorted(range(len(pool)), key=lambda i: (growth.get(pool[i]) is None, -(growth.get(pool[i]) or 0), i))
    return [(pool[i], growth.get(pool[i])) for i in order[:k]]


@pytest.mark.parametrize("query", QUERIES)
def test_sort_growth_orders_by_the_growth_trends_computes(site: Path, index: ModelIndex, query: str) -> None:
    proc = run(query, "--sort", "growth", "--json", "-k", "8", "--index", str(site / "index"))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    growth, _ = oracle(site / "history")
    assert [(r["id"], r["growth"]) for r in rows] == expected(index, query, 8, growth)
    known = [r["growth"] for r in rows if r["growth"] is not None]
    assert known == sorted(known, reverse=True)
    # the growth is trends.rising's (absolute, downloads) for every repo that grew and had a start value
    risen = trends.rising(site / "history", "models", 7, k=None).set_index("id")
    for r in rows:
        if r["growth"] and r["growth"] > 0:
            assert r["growth"] == int(risen.at[r["id"], "growth"]) and not risen.at[r["id"], "new"]
        elif r["growth"] is None:  # no start value: new in the window (rising counts it from 0, marked new)
            assert r["id"] not in risen.index or bool(risen.at[r["id"], "new"])
    relevance = [r.id for r in index.search(query, 8)]
    assert [r["id"] for r in rows] != relevance  # re-ranked, not the relevance order
    assert "re-ranked by growth of downloads_all_time from 2026-10-21 to 2026-10-29" in proc.stderr


def test_a_repo_new_in_the_window_has_a_null_growth_and_comes_last(site: Path, index: ModelIndex) -> None:
    growth, _ = oracle(site / "history")
    authors = pd.read_parquet(site / "models", columns=["author"])["author"].value_counts()
    author = str(authors.index[0])  # every model of one author: fewer than k, so all of them come back
    assert 10 < authors.iloc[0] < 100
    filters = SearchFilters(author=author)
    pool = [r.id for r in index.search(author, 1000, filters)]
    assert any(growth.get(i) is None for i in pool) and any(growth.get(i) == 0 for i in pool)
    proc = run(author, "--author", author, "--sort", "growth", "--json", "-k", "100", "--index", str(site / "index"))
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    nulls = [i for i, r in enumerate(rows) if r["growth"] is None]
    assert nulls and nulls == list(range(len(rows) - len(nulls), len(rows)))  # last
    assert rows[len(rows) - len(nulls) - 1]["growth"] == 0  # after those that did not grow
    assert [(r["id"], r["growth"]) for r in rows] == expected(index, author, 100, growth, filters)


def test_the_window_and_the_history_can_be_given(site: Path, index: ModelIndex, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(site / "history", elsewhere)
    proc = run("japanese", "--sort", "growth", "--window", "3d", "--history", str(elsewhere), "--json",
               "--index", str(site / "index"))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    growth, _ = oracle(elsewhere, 3)
    assert trends.History(elsewhere, "models").window(3)[:2] == (day(6), day(9))  # day 6: a refresh
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(r["id"], r["growth"]) for r in rows] == expected(index, "japanese", 10, growth)
    assert f"history {elsewhere}" in proc.stderr


def test_the_table_has_a_growth_column(site: Path) -> None:
    proc = run("speech recognition", "--sort", "growth", "-k", "5", "--index", str(site / "index"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[-2:] == ["score", "growth"] and lines[6] == ""
    assert all(line.split()[-1].startswith(("+", "-")) for line in lines[1:6])


def test_relevance_stays_the_default_and_unchanged(site: Path, index: ModelIndex) -> None:
    for extra in ([], ["--sort", "relevance"]):
        proc = run("text generation", "--json", "-k", "7", "--index", str(site / "index"), *extra)
        rows = [json.loads(line) for line in proc.stdout.splitlines()]
        assert [r["id"] for r in rows] == [r.id for r in index.search("text generation", 7)]
        assert all("growth" not in r for r in rows) and proc.stderr == ""


def test_no_history_is_a_clear_error(site: Path, tmp_path: Path) -> None:
    proc = run("bert", "--sort", "growth", "--index", str(site / "index"), "--history", str(tmp_path / "none"))
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert lines == [f"hfhub-search: error: cannot sort by growth: no history of models at {tmp_path / 'none' / 'models'} "
                     "(every finished crawl adds a snapshot there)"]  # fmt: skip
    one_day = tmp_path / "one-day"
    shutil.copytree(site / "history" / "models" / f"date={day(0)}", one_day / "models" / f"date={day(0)}")
    proc = run("bert", "--sort", "growth", "--index", str(site / "index"), "--history", str(one_day))
    assert proc.returncode == 1 and "nothing to compare it with" in proc.stderr
    for args in (["--window", "7d"], ["--history", str(one_day)]):  # for --sort growth only
        proc = run("bert", "--index", str(site / "index"), *args)
        assert proc.returncode == 2 and "is for --sort growth" in proc.stderr
    assert "not a window" in run("bert", "--sort", "growth", "--window", "soon").stderr


def test_the_api_sorts_by_growth(site: Path, index: ModelIndex, tmp_path: Path) -> None:
    api = SearchApi(index)
    body = api.search({"q": ["text generation"], "k": ["6"], "sort": ["growth"]})
    growth, _ = oracle(site / "history")
    assert [(r["id"], r["growth"]) for r in body["results"]] == expected(index, "text generation", 6, growth)
    assert body["sort"] == "growth" and body["growth"]["start_date"] == "2026-10-21"
    assert body["growth"]["end_date"] == "2026-10-29" and body["growth"]["column"] == "downloads_all_time"
    assert body["growth"]["note"] == "" and body["growth"]["pool"] == POOL
    short = api.search({"q": ["text generation"], "k": ["6"], "sort": ["growth"], "window": ["3d"]})
    assert short["growth"]["start_date"] == "2026-10-26"
    target = body["results"][0]["id"]
    similar = api.similar(target, {"k": ["5"], "sort": ["growth"]})
    pool = [r.id for r in index.like(target, POOL * 5)]
    order = sorted(range(len(pool)), key=lambda i: (growth.get(pool[i]) is None, -(growth.get(pool[i]) or 0), i))
    assert [(r["id"], r["growth"]) for r in similar["results"]] == [(pool[i], growth.get(pool[i])) for i in order[:5]]
    plain = api.search({"q": ["text generation"], "k": ["6"]})
    assert plain["sort"] == "relevance" and all("growth" not in r for r in plain["results"])
    with pytest.raises(BadRequest, match="sort must be one of relevance, downloads"):
        api.search({"q": ["x"], "sort": ["newest"]})
    with pytest.raises(BadRequest, match="window is for sort=growth"):
        api.search({"q": ["x"], "window": ["7d"]})
    with pytest.raises(BadRequest) as missing:
        SearchApi(index, history_dir=tmp_path / "none").search({"q": ["x"], "sort": ["growth"]})
    assert missing.value.status == 404 and "cannot sort by growth: no history of models" in str(missing.value)
