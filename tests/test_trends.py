"""History readers (#21): ``hfhub.history.trends`` and ``hfhub-trends`` on histories written here in the
writer's exact layout and schema (``hfhub.history.writer.snapshot_table`` / ``snapshot_path``, written
with ``hfhub.storage.dataset.write_table``), each answer checked against a plain pandas computation on
all the rows of the history.

The history: nine days of models, full crawls and incremental refreshes, two crawls on one day, days
without a crawl, new repos, a deletion (marked by the next full crawl), a restored repo, a repo that
appeared in a refresh and vanished before the next full crawl (no row says so: the full crawl's
listing does), legacy ids without an owner, tied growths and falling likes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from hfhub.history import trends
from hfhub.history.cli import main
from hfhub.history.schema import HISTORY_SCHEMA, TABLE_COLUMNS
from hfhub.history.trends import History, HistoryError
from hfhub.history.writer import snapshot_path, snapshot_table
from hfhub.storage.dataset import write_table
from tests.history_snapshots import live  # the pandas oracle of what was known on a day

DAY0 = date(2025, 3, 1)
# (day, hour, mode): no crawl on days 3 and 6; two on day 2
PLAN = [(0, 6, "full"), (1, 6, "incremental"), (2, 6, "full"), (2, 18, "incremental"), (4, 6, "incremental"),
        (5, 6, "full"), (7, 6, "full"), (8, 6, "incremental")]
LEGACY = ["gpt2", "bert-base-uncased"]


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def _at(n: int, hour: int = 0) -> datetime:
    return datetime(DAY0.year, DAY0.month, DAY0.day, hour, tzinfo=UTC) + timedelta(days=n)


class World:
    """The repos of a fake Hub, changed between crawls; each crawl's snapshot is written as the writer does."""

    def __init__(self, history: Path, kind: str, seed: int = 7) -> None:
        self.history, self.kind = history, kind
        self.rng = np.random.default_rng(seed)
        self.repos: dict[str, dict[str, Any]] = {}
        self.changed: set[str] = set()
        self.previous_full: set[str] | None = None  # ids the previous full snapshot listed alive

    def add(self, repo_id: str, when: datetime, downloads: int = 0, likes: int = 0) -> None:
        self.repos[repo_id] = {"downloads_all_time": downloads, "downloads": downloads, "likes": likes,
                               "trending_score": 0.0, "sha": f"{len(self.repos):040x}", "last_modified": when,
                               "created_at": when, "alive": True}
        self.changed.add(repo_id)

    def bump(self, repo_id: str, when: datetime, downloads: int = 0, likes: int = 0) -> None:
        repo = self.repos[repo_id]
        repo["downloads_all_time"] += downloads
        repo["downloads"] += downloads
        repo["likes"] += likes
        repo["trending_score"] = float(downloads + 10 * likes) / 100
        repo["last_modified"] = when
        self.changed.add(repo_id)

    def churn(self, when: datetime) -> None:
        for repo_id, repo in self.repos.items():
            if repo["alive"] and not repo_id.startswith("tie/") and self.rng.random() < 0.4:
                self.bump(repo_id, when, int(self.rng.poisson(300) if self.rng.random() < 0.5 else 0),
                          int(self.rng.integers(-1, 4)))

    def crawl(self, n: int, hour: int, mode: str) -> None:
        crawled_at, crawl_id = _at(n, hour), f"{_at(n, hour):%Y%m%dT%H%M%S}-{mode[:4]}"
        alive = sorted(i for i, r in self.repos.items() if r["alive"])
        seen_ids = alive if mode == "full" else sorted(i for i in self.changed if self.repos[i]["alive"])
        columns = {c: [self.repos[i][c] if c != "id" else i for i in seen_ids] for c in TABLE_COLUMNS}
        if self.kind == "spaces":
            columns["downloads"] = columns["downloads_all_time"] = [None] * len(seen_ids)
        seen = pa.table({c: pa.array(v, HISTORY_SCHEMA.field(c).type) for c, v in columns.items()})
        gone: list[str] = []
        if mode == "full":
            gone = sorted((self.previous_full or set()) - set(alive))
            self.previous_full = set(alive)
        table = snapshot_table(seen, pa.array(gone, pa.string()), crawl_id, crawled_at, mode)
        path = snapshot_path(self.history, self.kind, crawled_at, crawl_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_table(table, path)
        self.changed.clear()


def build(history: Path, kind: str = "models") -> None:
    world = World(history, kind)
    for number in range(30):
        world.add(f"author{number % 6}/repo-{number:02d}", _at(-100 + number), 1000 * number, 5 * number)
    for legacy in LEGACY:
        world.add(legacy, _at(-400), 50_000, 300)
    world.add("zz/doomed", _at(-50), 4000, 40)
    world.add("tie/a", _at(-20), 5000, 20)
    world.add("tie/b", _at(-20), 7000, 20)
    for n, hour, mode in PLAN:
        when = _at(n, hour - 1)
        if n > 0:
            world.churn(when)
        if (n, hour) == (1, 6):
            world.add("new/born-day1", _at(1, 2), 10, 1)
            world.add("flash/gone", _at(1, 3), 99_999, 999)  # seen by a refresh, gone before the next full
        if (n, hour) == (2, 6):
            world.repos["flash/gone"]["alive"] = False
            world.repos["zz/doomed"]["alive"] = False  # the full crawl of day 2 marks it deleted
        if (n, hour) == (2, 18):
            world.add("new/born-day2", _at(2, 12), 500, 3)
            world.bump("tie/a", when, 777, 0)
            world.bump("tie/b", when, 777, 0)
        if (n, hour) == (4, 6):
            world.add("new/born-day3", _at(3, 20), 0, 0)  # created on a day without a crawl
            world.bump("gpt2", when, 1234, -5)  # likes fall
            world.bump("bert-base-uncased", when, 99, 0)
        if (n, hour) == (5, 6):
            world.repos["zz/doomed"]["alive"] = True  # restored: listed again
            world.changed.add("zz/doomed")
            world.repos["author1/repo-07"]["alive"] = False
        world.crawl(n, hour, mode)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("history")
    build(folder, "models")
    build(folder, "spaces")
    return folder


# -- the oracle: pandas on every row of the history ------------------------------------------------------
@pytest.fixture(scope="module")
def rows(history: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for kind in ("models", "spaces"):
        frames = []
        for path in sorted((history / kind).glob("date=*/part-*.parquet")):
            frame = pd.read_parquet(path)
            frame["date"] = date.fromisoformat(path.parent.name.removeprefix("date="))
            frames.append(frame)
        out[kind] = pd.concat(frames, ignore_index=True).sort_values(["crawled_at", "crawl_id"], kind="stable")
    return out


def growth(rows: pd.DataFrame, start: date, end: date, column: str) -> pd.DataFrame:
    ends, starts = live(rows, end, column), live(rows, start, column)
    frame = pd.DataFrame({"end": ends})
    frame["start"] = starts.reindex(frame.index)
    frame["new"] = frame["start"].isna()
    frame["growth"] = frame["end"] - frame["start"].fillna(0)
    frame["author"] = [i.split("/")[0] for i in frame.index]
    return frame


def expected_rising(rows: pd.DataFrame, start: date, end: date, column: str, by: str, floor: int,
                    k: int | None) -> list[tuple]:
    g = growth(rows, start, end, column)
    g = g[g["growth"] > 0]
    if by == "relative":
        g = g[g["start"].notna() & (g["start"] >= floor)]
        g["relative"] = g["growth"] / g["start"].clip(lower=1)
        order = sorted(g.index, key=lambda i: (-g.at[i, "relative"], -g.at[i, "growth"], i))
    else:
        order = sorted(g.index, key=lambda i: (-g.at[i, "growth"], i))
    return [(i, g.at[i, "growth"], None if pd.isna(g.at[i, "start"]) else g.at[i, "start"], g.at[i, "end"],
             bool(g.at[i, "new"])) for i in order[:k]]


def got_rising(frame: pd.DataFrame) -> list[tuple]:
    return [(r.id, r.growth, None if pd.isna(r.start) else r.start, r.end, bool(r.new)) for r in frame.itertuples()]


# -- tests ---------------------------------------------------------------------------------------------
def test_the_history_is_the_writers_layout(history: Path, rows: dict[str, pd.DataFrame]) -> None:
    h = History(history, "models")
    assert [c.mode for c in h.crawls] == [mode for _, _, mode in PLAN]
    assert h.days == sorted({day(n) for n, _, _ in PLAN})
    models = rows["models"]
    assert models["deleted"].sum() == 2  # zz/doomed on day 2, author1/repo-07 on day 5
    assert models.loc[models["deleted"], "downloads"].isna().all()
    assert not (models["id"] == "flash/gone").loc[models["mode"] == "full"].any()


@pytest.mark.parametrize("repo_id", ["author0/repo-00", "gpt2", "zz/doomed", "new/born-day2", "flash/gone"])
def test_repo_series_is_every_row_of_the_repo(history: Path, rows: dict[str, pd.DataFrame], repo_id: str) -> None:
    got = trends.repo_series(history, "models", repo_id)
    want = rows["models"][rows["models"]["id"] == repo_id]
    columns = list(trends.SERIES_COLUMNS)
    assert got[columns].astype(object).where(got[columns].notna(), None).values.tolist() == \
        want[columns].astype(object).where(want[columns].notna(), None).values.tolist()
    daily = trends.repo_series(history, "models", repo_id, per_day=True)
    assert daily["date"].tolist() == want.drop_duplicates("date", keep="last")["date"].tolist()
    assert daily["crawl_id"].tolist() == want.drop_duplicates("date", keep="last")["crawl_id"].tolist()


def test_repo_series_of_a_deleted_repo_has_null_counts(history: Path) -> None:
    series = trends.repo_series(history, "models", "zz/doomed")
    gone = series[series["deleted"]]
    assert gone["date"].tolist() == [day(2)]
    assert gone[["downloads", "downloads_all_time", "likes"]].isna().all().all()
    assert not series.iloc[-1]["deleted"]  # restored on day 5


@pytest.mark.parametrize(("window", "until", "start", "end"), [
    (7, None, day(1), day(8)),   # the start: the newest snapshot at or before day 1
    (5, None, day(2), day(8)),   # day 3 had no crawl: day 2's (two crawls: the evening's wins)
    (2, day(6), day(2), day(5)),  # until a day without a crawl: ends on day 5; day 3 had none either
    (1, day(3), day(1), day(2)),
    (3, day(0), day(0), day(0)),  # the history's first day: nothing to compare it with
])
@pytest.mark.parametrize("metric", ["downloads", "likes"])
@pytest.mark.parametrize("by", ["absolute", "relative"])
def test_rising_is_the_pandas_answer(history: Path, rows: dict[str, pd.DataFrame], window: int, until: date | None,
                                     start: date, end: date, metric: str, by: str) -> None:
    if start == end:
        with pytest.raises(HistoryError, match="nothing to compare"):
            trends.rising(history, "models", window, by=by, metric=metric, until=until)
        return
    for k in (3, None):
        got = trends.rising(history, "models", window, by=by, metric=metric, k=k, until=until)
        assert (got.attrs["start_date"], got.attrs["end_date"]) == (start, end)
        floor = trends.DEFAULT_FLOORS[metric]
        want = expected_rising(rows["models"], start, end, trends.METRICS[metric], by, floor, k)
        assert got_rising(got) == want
        assert len(want) > (2 if k is None else 0)


def test_rising_relative_floor_and_new_repos(history: Path, rows: dict[str, pd.DataFrame]) -> None:
    everyone = trends.rising(history, "models", 7, k=None)
    new = everyone[everyone["new"]]
    assert "new/born-day2" in set(new["id"]) and "new/born-day1" not in set(new["id"])  # day 1's refresh saw it
    assert new["relative"].isna().all() and new["start"].isna().all()
    assert "flash/gone" not in set(everyone["id"])  # not in the full crawls after day 1
    relative = trends.rising(history, "models", 7, by="relative", floor=0, k=None)
    assert not relative["new"].any()
    want = expected_rising(rows["models"], day(1), day(8), "downloads_all_time", "relative", 0, None)
    assert got_rising(relative) == want
    floored = trends.rising(history, "models", 7, by="relative", floor=20_000, k=None)
    assert (floored["start"] >= 20_000).all() and len(floored) < len(relative)


def test_ties_go_to_the_smaller_id(history: Path) -> None:
    got = trends.rising(history, "models", 1, metric="downloads", until=day(2), k=None)
    ties = got[got["id"].str.startswith("tie/")]
    assert ties["id"].tolist() == ["tie/a", "tie/b"] and ties["growth"].nunique() == 1


@pytest.mark.parametrize(("window", "by", "metric"), [(7, "absolute", "downloads"), (3, "absolute", "likes"),
                                                      (7, "relative", "downloads"), (5, "relative", "likes")])
def test_authors_by_growth_is_the_pandas_answer(history: Path, rows: dict[str, pd.DataFrame], window: int, by: str,
                                                metric: str) -> None:
    got = trends.authors_by_growth(history, "models", window, by=by, metric=metric, k=None)
    start, end = got.attrs["start_date"], got.attrs["end_date"]
    g = growth(rows["models"], start, end, trends.METRICS[metric])
    sums = g.groupby("author").agg(repos=("end", "size"), new_repos=("new", "sum"), start=("start", "sum"),
                                   end=("end", "sum"), growth=("growth", "sum"))
    sums = sums[sums["growth"] > 0]
    if by == "relative":
        sums = sums[sums["start"] >= trends.DEFAULT_FLOORS[metric]]
        sums["relative"] = sums["growth"] / sums["start"].clip(lower=1)
        order = sorted(sums.index, key=lambda a: (-sums.at[a, "relative"], -sums.at[a, "growth"], a))
    else:
        order = sorted(sums.index, key=lambda a: (-sums.at[a, "growth"], a))
    want = [(a, *(int(sums.at[a, c]) for c in ("repos", "new_repos", "start", "end", "growth"))) for a in order]
    assert [(r.author, r.repos, r.new_repos, r.start, r.end, r.growth) for r in got.itertuples()] == want
    assert len(want) >= 2


def test_legacy_ids_are_their_own_authors(history: Path) -> None:
    got = trends.authors_by_growth(history, "models", 7, metric="downloads", k=None)
    assert trends.author_of("gpt2") == "gpt2" and trends.author_of("a/b/c") == "a"
    everyone = trends.rising(history, "models", 7, k=None)
    for legacy in LEGACY:  # both grew (day 4)
        growth = everyone.loc[everyone["id"] == legacy, "growth"].item()
        assert everyone.loc[everyone["id"] == legacy, "author"].item() == legacy
        assert got.loc[got["author"] == legacy, "growth"].item() == growth


@pytest.mark.parametrize(("days", "until"), [(9, None), (3, None), (4, day(5)), (12, None)])
def test_new_per_day_is_the_pandas_answer(history: Path, rows: dict[str, pd.DataFrame], days: int,
                                          until: date | None) -> None:
    got = trends.new_per_day(history, "models", days, until=until)
    models = rows["models"]
    end = until or day(8)
    span = [end - timedelta(days=n) for n in range(days - 1, -1, -1)]
    assert got["date"].tolist() == span
    seen = models[models["date"] <= end].drop_duplicates("id", keep="last")
    created = pd.to_datetime(seen["created_at"]).dt.date
    crawl_days = sorted(set(models["date"]))
    for row in got.itertuples():
        assert row.crawls == int((models.drop_duplicates("crawl_id")["date"] == row.date).sum())
        assert row.created == int((created == row.date).sum()), row.date
        if not any(d < row.date for d in crawl_days):
            assert pd.isna(row.appeared), row.date
            continue
        before = set(live(models, row.date - timedelta(days=1), "likes").index)
        now = set(live(models, row.date, "likes").index)
        assert row.appeared == len(now - before), row.date
    assert got["created"].sum() >= (3 if days >= 9 else 0)


def test_deleted_is_the_pandas_answer(history: Path, rows: dict[str, pd.DataFrame]) -> None:
    models = rows["models"]
    for since, until in [(None, None), (day(3), None), (day(0), day(4)), (day(6), None)]:
        got = trends.deleted(history, "models", since=since, until=until)
        first, last = since or day(0), until or day(8)
        span = models[(models["date"] >= first) & (models["date"] <= last)]
        marks = span[span["deleted"]].drop_duplicates("id", keep="last").sort_values(["date", "id"])
        newest = span.drop_duplicates("id", keep="last").set_index("id")
        want = [(r.id, r.date, r.crawl_id, not newest.at[r.id, "deleted"]) for r in marks.itertuples()]
        assert [(r.id, r.date, r.crawl_id, r.restored) for r in got.itertuples()] == want
    everything = trends.deleted(history, "models")
    assert dict(zip(everything["id"], everything["restored"])) == {"zz/doomed": True, "author1/repo-07": False}


def test_spaces_have_likes_only(history: Path, rows: dict[str, pd.DataFrame]) -> None:
    got = trends.rising(history, "spaces", 7, k=None)
    assert got.attrs["metric"] == "likes"
    assert got_rising(got) == expected_rising(rows["spaces"], day(1), day(8), "likes", "absolute", 10, None)
    with pytest.raises(ValueError, match="Spaces have no downloads"):
        trends.rising(history, "spaces", 7, metric="downloads")
    series = trends.repo_series(history, "spaces", "gpt2")
    assert series["downloads"].isna().all() and series["likes"].notna().all()


def test_a_window_longer_than_the_history_starts_at_its_first_day(history: Path) -> None:
    got = trends.rising(history, "models", 30, k=5)
    assert got.attrs["start_date"] == day(0) and "begins on 2025-03-01" in got.attrs["note"]


def test_missing_empty_and_out_of_range_histories(tmp_path: Path, history: Path) -> None:
    with pytest.raises(HistoryError, match="no history of models"):
        trends.rising(tmp_path / "nowhere", "models")
    (tmp_path / "empty" / "models" / "date=2025-03-01").mkdir(parents=True)
    with pytest.raises(HistoryError, match="holds no snapshot"):
        trends.new_per_day(tmp_path / "empty", "models", 7)
    with pytest.raises(HistoryError, match="begins on"):
        trends.rising(history, "models", 7, until=day(-1))
    with pytest.raises(HistoryError, match="in no snapshot"):
        trends.repo_series(history, "models", "nobody/nothing")
    with pytest.raises(ValueError, match="no such kind"):
        trends.rising(history, "papers")


def test_a_file_without_the_writers_metadata_is_read_from_its_columns(tmp_path: Path, history: Path) -> None:
    for path in (history / "models").glob("date=*/part-*.parquet"):
        table = pd.read_parquet(path)
        target = tmp_path / path.relative_to(history)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_table(pa.Table.from_pandas(table, schema=HISTORY_SCHEMA, preserve_index=False).replace_schema_metadata(None),
                    target)
    plain = History(tmp_path, "models")
    assert [(c.date, c.crawled_at, c.mode) for c in plain.crawls] == \
        [(c.date, c.crawled_at, c.mode) for c in History(history, "models").crawls]
    assert got_rising(trends.rising(plain, "models", 7, k=None)) == got_rising(trends.rising(history, "models", 7, k=None))


# -- the command ---------------------------------------------------------------------------------------
def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> list[dict[str, Any]]:
    assert main([*argv, "--json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_cli_json_is_the_api_answer(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    h = ["--history", str(history)]
    lines = _json(capsys, ["rising", *h, "--window", "7d", "-k", "5"])
    api = trends.rising(history, "models", 7, k=5)
    assert [(r["id"], r["growth"], r["new"]) for r in lines] == list(zip(api["id"], api["growth"], api["new"]))
    assert lines[0]["start_date"] == "2025-03-02" and lines[0]["metric"] == "downloads"
    lines = _json(capsys, ["authors", *h, "--window", "1w", "--by", "relative", "--metric", "likes", "--floor", "1"])
    api = trends.authors_by_growth(history, "models", 7, by="relative", metric="likes", floor=1)
    assert [r["author"] for r in lines] == api["author"].tolist()
    lines = _json(capsys, ["repo", "zz/doomed", *h, "--per-day"])
    assert [r["deleted"] for r in lines].count(True) == 1 and lines[0]["date"] == "2025-03-01"
    lines = _json(capsys, ["new", *h, "--window", "9d"])
    assert [r["created"] for r in lines] == trends.new_per_day(history, "models", 9)["created"].tolist()
    assert lines[0]["appeared"] is None
    lines = _json(capsys, ["deleted", *h, "--window", "4d"])  # days 5 to 8
    assert [(r["id"], r["date"]) for r in lines] == [("author1/repo-07", "2025-03-06")]
    lines = _json(capsys, ["rising", *h, "--type", "space", "-k", "3"])
    assert lines and all(r["metric"] == "likes" for r in lines)


def test_cli_tables(history: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rising", "--history", str(history), "-k", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("models rising by absolute growth of downloads") and "2025-03-02 → 2025-03-09" in out[0]
    assert out[1].split() == ["id", "start", "end", "growth", "relative", "new"] and len(out) == 5
    assert main(["repo", "gpt2", "--history", str(history), "--type", "space"]) == 0
    out = capsys.readouterr().out
    assert "downloads" not in out and "likes" in out
    assert main(["new", "--history", str(history), "--window", "30d"]) == 0
    assert "note: the history begins on 2025-03-01" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "status", "message"), [
    (["rising", "--window", "seven"], 2, "not a window"),
    (["rising", "--type", "space", "--metric", "downloads"], 2, "Spaces have no downloads"),
    (["rising", "--floor", "5"], 2, "--floor is for --by relative"),
    (["rising", "-k", "0"], 2, "at least 1"),
    (["repo"], 2, "required: id"),
    (["repo", "nobody/nothing"], 1, "in no snapshot"),
    (["rising", "--until", "2024-01-01"], 1, "begins on"),
])
def test_cli_errors(history: Path, capsys: pytest.CaptureFixture[str], argv: list[str], status: int, message: str) -> None:
    try:
        code = main([*argv, "--history", str(history)])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    err = capsys.readouterr().err.strip().splitlines()
    assert code == status and message in err[-1]


def test_cli_without_a_history(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "hfhub.history.cli", "rising", "--history", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.strip() == f"hfhub-trends: error: no history of models at {tmp_path / 'models'} (every finished crawl adds a snapshot there)"


def test_only_the_days_needed_are_read(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    h = History(history, "models")
    read: list[str] = []
    original = History.read

    def spy(self: History, crawls: Any, *args: Any, **kwargs: Any) -> list[pa.Table]:
        crawls = list(crawls)
        read.extend(c.crawl_id for c in crawls)
        return original(self, crawls, *args, **kwargs)

    monkeypatch.setattr(History, "read", spy)
    got = trends.rising(h, "models", 2, by="relative", floor=1, k=None)  # day 6 → day 8
    assert sorted(set(read)) == ["20250306T060000-full", "20250308T060000-full", "20250309T060000-incr"]
    new = got["new"]
    assert np.allclose(got.loc[~new, "relative"], got.loc[~new, "growth"] / got.loc[~new, "start"])
