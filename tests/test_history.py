"""History end to end: real crawls of a fake Hub whose counts move between them (its clock advanced a
day at a time), each appending its snapshot to output/history/, read back and compared with what
the fake Hub held at each crawl."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pytest

from hfhub.fakehub.process import FakeHubProcess
from tests.conftest import REPO, crawl_command, run_crawl


def history(folder: Path, kind: str = "models") -> pd.DataFrame:
    table = ds.dataset(folder / kind, format="parquet", partitioning="hive").to_table()
    return table.to_pandas()


def snapshot_files(folder: Path, kind: str = "models") -> list[Path]:
    return sorted((folder / kind).glob("date=*/part-*.parquet"))


def assert_rows_match(rows: pd.DataFrame, truth: dict[str, dict]) -> None:
    """Each row's counts, sha and lastModified are the fake Hub's at the time of the crawl."""
    assert set(rows["id"]) == set(truth)
    for row in rows.itertuples():
        hub = truth[row.id]
        assert row.sha == hub["sha"], row.id
        assert row.likes == hub["likes"], row.id
        assert (pd.isna(row.downloads) and hub["downloads"] is None) or row.downloads == hub["downloads"], row.id
        assert row.downloads_all_time == hub["downloadsAllTime"] or hub["downloadsAllTime"] is None, row.id
        assert row.trending_score == hub["trendingScore"], row.id
        assert row.last_modified == pd.Timestamp(hub["lastModified"]), row.id


@pytest.fixture(scope="module")
def three_crawls(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, dict]], list[int]]:
    """A full crawl, a day, an incremental refresh, a day, a full crawl: the history they leave, what
    the Hub held at each crawl, and the number of rows each crawl's snapshot wrote."""
    workdir = tmp_path_factory.mktemp("three-crawls")
    truths, rows = [], []
    with FakeHubProcess(models=1200, seed=51, args=["--max-page-size", "300"]) as hub:
        for step, mode in enumerate(("full", "incremental", "full")):
            if step:
                hub.advance(days=1, kind="models")
            result = run_crawl(hub.url, workdir, f"mode={mode}", settings=["HFHUB_INDEX_ENABLED=False"])
            assert result.returncode == 0, result.log[-3000:]
            truths.append(hub.snapshot("models"))
            rows.append(result.stats["hfhub/history/rows"])
    return workdir / "history", truths, rows


def test_each_crawl_appends_one_snapshot_of_what_it_saw(three_crawls):
    folder, truths, rows = three_crawls
    files = snapshot_files(folder)
    assert len(files) == 3
    table = history(folder)
    crawls = sorted(table["crawl_id"].unique())
    assert len(crawls) == 3
    first, refresh, last = (table[table["crawl_id"] == c] for c in crawls)
    # the full crawls: every repo the Hub held, as it held it
    assert_rows_match(first, truths[0])
    assert_rows_match(last[~last["deleted"]], truths[2])
    # the refresh: the repos changed since the first crawl (a new commit, or new), as the Hub held them
    # then; at least those whose lastModified moved past the first crawl's newest
    watermark = max(pd.Timestamp(r["lastModified"]) for r in truths[0].values())
    moved = {i for i, r in truths[1].items() if pd.Timestamp(r["lastModified"]) > watermark}
    assert moved and moved <= set(refresh["id"])
    assert_rows_match(refresh, {i: truths[1][i] for i in refresh["id"]})
    assert (refresh["mode"] == "incremental").all() and not refresh["deleted"].any()
    assert [len(first), len(refresh), int((~last["deleted"]).sum())] == rows


def test_a_full_crawl_marks_what_the_last_full_crawl_had_and_is_gone(three_crawls):
    folder, truths, _ = three_crawls
    table = history(folder)
    last = table[table["crawl_id"] == max(table["crawl_id"])]
    gone = set(truths[0]) - set(truths[2])
    assert gone  # the fake deleted some on the way
    assert set(last.loc[last["deleted"], "id"]) == gone
    assert last.loc[last["deleted"], ["downloads", "likes", "sha"]].isna().all().all()


def test_the_history_is_partitioned_by_day(three_crawls):
    folder, _, _ = three_crawls
    table = history(folder)
    days = {path.parent.name for path in snapshot_files(folder)}
    assert days == {f"date={d:%Y-%m-%d}" for d in table["crawled_at"]}
    # dated by the Hub's clock (its Date header): the fake's starts on 2026-11-01, a day per advance
    assert days == {"date=2026-11-01", "date=2026-11-02", "date=2026-11-03"}
    # a reader names the days it wants and reads only those folders
    one_day = ds.dataset(folder / "models", format="parquet", partitioning="hive")
    day = sorted(days)[0].partition("=")[2]
    assert one_day.to_table(filter=ds.field("date") == day).num_rows == int((table["date"].astype(str) == day).sum())


def test_a_kill_while_the_snapshot_is_written_leaves_none_and_the_resume_writes_it_once(tmp_path):
    jobdir = tmp_path / "job"
    with FakeHubProcess(models=600, seed=52, args=["--max-page-size", "200"]) as hub:
        command, env = crawl_command(hub.url, tmp_path, settings=[f"JOBDIR={jobdir}", "HFHUB_INDEX_ENABLED=False"])
        killed = subprocess.run(command, cwd=REPO, env={**env, "HFHUB_KILL_AT": "history:staged"}, timeout=300)
        assert killed.returncode == -signal.SIGKILL
        assert not snapshot_files(tmp_path / "history")  # the staged file is hidden from readers
        assert list((tmp_path / "models").glob("*.parquet"))  # the crawl itself was published
        resumed = subprocess.run(command, cwd=REPO, env=env, timeout=300)
        truth = hub.snapshot("models")
    assert resumed.returncode == 0
    (only,) = snapshot_files(tmp_path / "history")
    assert_rows_match(history(tmp_path / "history"), truth)
    assert not list((tmp_path / "history" / "models" / ".staging").iterdir())
    assert only.name.startswith("part-")


def test_history_off_and_elsewhere(small_hub, tmp_path):
    off = run_crawl(small_hub.url, tmp_path / "off", "limit=50", settings=["HFHUB_HISTORY_DIR="])
    assert off.returncode == 0 and not (tmp_path / "off" / "history").exists()
    elsewhere = tmp_path / "kept" / "hist"
    result = run_crawl(small_hub.url, tmp_path / "on", "limit=50", spider="datasets",
                       settings=[f"HFHUB_HISTORY_DIR={elsewhere}"])
    assert result.returncode == 0
    assert len(history(elsewhere, "datasets")) == 50


def test_a_full_crawl_marks_gone_what_a_refresh_since_the_last_full_crawl_had_seen(tmp_path):
    from datetime import UTC, datetime

    import pyarrow as pa

    from hfhub.history.writer import _gone_since, previous_state, snapshot_path, snapshot_table
    from hfhub.storage.dataset import write_table

    def write(ids: list[str], mode: str, day: int, deleted: tuple[str, ...] = ()) -> None:
        at = datetime(2026, 11, day, tzinfo=UTC)
        seen = pa.table({"id": ids, **{c: pa.nulls(len(ids)) for c in (
            "downloads", "downloads_all_time", "likes", "trending_score", "sha", "last_modified", "created_at")}})
        table = snapshot_table(seen, pa.array(list(deleted), pa.string()), f"crawl{day}", at, mode)
        path = snapshot_path(tmp_path, "models", at, f"crawl{day}")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_table(table, path)

    write(["a/x", "b/y", "c/z"], "full", 1)
    write(["b/y"], "full", 2, deleted=("c/z",))  # c/z gone, marked by that crawl
    write(["d/new"], "incremental", 3)  # a refresh sees a new repo
    previous = previous_state(tmp_path, "models", datetime(2026, 11, 4, tzinfo=UTC), "crawl4")
    assert [p.name for p in previous] == ["part-crawl2.parquet", "part-crawl3.parquet"]
    # the next full crawl lists only a/x (restored): b/y and the refresh's d/new are gone, c/z was already
    assert set(_gone_since(previous, pa.array(["a/x"])).to_pylist()) == {"b/y", "d/new"}


def state_on(table: pd.DataFrame, day: str) -> pd.DataFrame:
    """The oracle: each repo's newest row at or before the end of ``day`` (the last full crawl
    lists every repo; refreshes after it carry forward), deleted ones dropped."""
    upto = table[table["date"].astype(str) <= day].sort_values(["crawled_at", "crawl_id"])
    last_full = upto.loc[upto["mode"] == "full", "crawled_at"].max()
    newest = upto[upto["crawled_at"] >= last_full].drop_duplicates("id", keep="last")
    return newest[~newest["deleted"]].set_index("id")


@pytest.mark.parametrize(("window", "start_day"), [(2, "2026-11-01"), (1, "2026-11-02")])
def test_trends_answer_as_pandas_does_on_the_same_snapshots(three_crawls, window, start_day):
    from hfhub.history import trends

    folder, _, _ = three_crawls
    table = history(folder)
    start, end = state_on(table, start_day), state_on(table, "2026-11-03")
    growth = (end["downloads_all_time"] - start["downloads_all_time"].reindex(end.index).fillna(0)).astype("int64")
    expected = growth[growth > 0].reset_index().sort_values(["downloads_all_time", "id"], ascending=[False, True])

    risers = trends.rising(folder, "models", window_days=window, k=None)
    assert str(risers.attrs["start_date"]) == start_day and str(risers.attrs["end_date"]) == "2026-11-03"
    assert risers["id"].tolist() == expected["id"].tolist()
    assert risers["growth"].tolist() == expected["downloads_all_time"].tolist()
    assert len(risers) > 10  # the counts really moved between the crawls

    floor = 1000
    known = start["downloads_all_time"].reindex(end.index)
    relative = (growth / known.clip(lower=1))[(known >= floor) & (growth > 0)]
    order = pd.DataFrame({"relative": relative, "growth": growth[relative.index]}).reset_index()
    order = order.sort_values(["relative", "growth", "id"], ascending=[False, False, True])
    by_relative = trends.rising(folder, "models", window_days=window, by="relative", floor=floor, k=10)
    assert by_relative["id"].tolist() == order["id"].head(10).tolist()

    authors = trends.authors_by_growth(folder, "models", window_days=window, k=None)
    by_author = growth.groupby(growth.index.map(lambda repo_id: repo_id.partition("/")[0])).sum()
    by_author = by_author[by_author > 0]
    assert dict(zip(authors["author"], authors["growth"])) == by_author.to_dict()

    top = risers["id"].iloc[0]
    series = trends.repo_series(folder, "models", top)
    rows = table[table["id"] == top].sort_values("crawled_at")
    assert series["downloads_all_time"].tolist() == rows["downloads_all_time"].tolist()

    gone = trends.deleted(folder, "models")
    assert set(gone["id"]) == set(table.loc[table["deleted"], "id"])
