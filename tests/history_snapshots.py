"""Histories for the report's and the search's growth tests, in the writer's exact layout and schema
(``hfhub.history.writer.snapshot_table`` / ``snapshot_path``, written with ``write_table``), made from
real tables: each snapshot is the table's repos with their counts moved on day by day, as a crawl
of a Hub whose repos grow would have seen them. And the pandas oracle of what a day's state is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hfhub.history.schema import HISTORY_SCHEMA, TABLE_COLUMNS
from hfhub.history.writer import snapshot_path, snapshot_table
from hfhub.storage.dataset import write_table

DAY0 = date(2026, 10, 20)
# (day, mode): days 2, 4 and 7 without a crawl; an incremental refresh on days 1 and 6
PLAN = [(0, "full"), (1, "incremental"), (3, "full"), (5, "full"), (6, "incremental"), (8, "full"), (9, "full")]


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def at(n: int, hour: int = 6) -> datetime:
    return datetime(DAY0.year, DAY0.month, DAY0.day, hour, tzinfo=UTC) + timedelta(days=n)


def table_rows(table_dir: Path) -> dict[str, dict[str, Any]]:
    """The table's repos: id -> the history's columns (null where the table has none)."""
    table = pq.read_table(table_dir)
    rows = {}
    for record in table.select([c for c in TABLE_COLUMNS if c in table.column_names]).to_pylist():
        rows[record["id"]] = {c: record.get(c) for c in TABLE_COLUMNS}
    return rows


class Hub:
    """Repos whose counts move between crawls; ``crawl`` writes the snapshot a crawl would."""

    def __init__(self, history: Path, kind: str, repos: dict[str, dict[str, Any]], seed: int = 3) -> None:
        self.history, self.kind, self.repos = history, kind, repos
        self.rng = np.random.default_rng(seed)
        self.alive = set(repos)
        self.changed: set[str] = set(repos)
        self.previous_full: set[str] | None = None
        for repo in repos.values():  # counts to grow from (a table's may be null)
            if kind != "spaces":
                repo["downloads_all_time"] = repo["downloads_all_time"] or 0
                repo["downloads"] = repo["downloads"] or 0
            repo["likes"] = repo["likes"] or 0

    def grow(self, repo_id: str, downloads: int = 0, likes: int = 0) -> None:
        repo = self.repos[repo_id]
        if self.kind != "spaces":
            repo["downloads_all_time"] += downloads
            repo["downloads"] += downloads
        repo["likes"] += likes
        self.changed.add(repo_id)

    def churn(self) -> None:
        for repo_id in sorted(self.alive):
            if self.rng.random() < 0.5:
                self.grow(repo_id, int(self.rng.poisson(200) * self.rng.integers(0, 3)), int(self.rng.integers(-1, 6)))

    def crawl(self, n: int, mode: str, hour: int = 6) -> None:
        crawled_at, crawl_id = at(n, hour), f"{at(n, hour):%Y%m%dT%H%M%S}-{mode[:4]}"
        listed = sorted(self.alive if mode == "full" else self.changed & self.alive)
        columns = {c: [repo_id if c == "id" else self.repos[repo_id][c] for repo_id in listed] for c in TABLE_COLUMNS}
        seen = pa.table({c: pa.array(v, HISTORY_SCHEMA.field(c).type) for c, v in columns.items()})
        gone: list[str] = []
        if mode == "full":
            gone = sorted((self.previous_full or set()) - self.alive)
            self.previous_full = set(self.alive)
        table = snapshot_table(seen, pa.array(gone, pa.string()), crawl_id, crawled_at, mode)
        path = snapshot_path(self.history, self.kind, crawled_at, crawl_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_table(table, path)
        self.changed.clear()


def build(history: Path, kind: str, repos: dict[str, dict[str, Any]], *, first_day: int = 0,
          hostile: str | None = None, seed: int = 3) -> Hub:
    """The PLAN's crawls from ``first_day`` on: a sixth of the repos appear only on day 6 (new in
    the window), two are deleted before day 8's full crawl, ``hostile`` (an id) grows fastest."""
    ids = sorted(repos)
    late = set(ids[::6])
    doomed = [i for i in ids if i not in late][1:3]
    hub = Hub(history, kind, {i: dict(r) for i, r in repos.items()}, seed)
    hub.alive -= late
    if hostile is not None:
        hub.repos[hostile] = {c: None for c in TABLE_COLUMNS} | {"id": hostile, "created_at": at(-30),
                                                                   "last_modified": at(-30)}
        hub.repos[hostile].update(downloads_all_time=5000 if kind != "spaces" else None,
                                  downloads=5000 if kind != "spaces" else None, likes=50)
        hub.alive.add(hostile)
    for n, mode in PLAN:
        if n < first_day:
            continue
        if n > first_day:
            hub.churn()
            if hostile is not None:
                hub.grow(hostile, 10**6, 1000)
        if n == 6:
            for repo_id in sorted(late):
                hub.repos[repo_id]["created_at"] = at(5, 12)
                hub.alive.add(repo_id)
                hub.changed.add(repo_id)
        if n == 8:
            hub.alive -= set(doomed)
        hub.crawl(n, mode)
    return hub


# -- the oracle: pandas on every row of the history ------------------------------------------------------
def all_rows(history: Path, kind: str) -> pd.DataFrame:
    frames = []
    for path in sorted((history / kind).glob("date=*/part-*.parquet")):
        frame = pd.read_parquet(path)
        frame["date"] = date.fromisoformat(path.parent.name.removeprefix("date="))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).sort_values(["crawled_at", "crawl_id"], kind="stable")


def state(rows: pd.DataFrame, on: date) -> pd.DataFrame:
    """Each repo's newest row at or before the day, from the day's newest full crawl on."""
    upto = rows[rows["date"] <= on]
    newest = upto.drop_duplicates("id", keep="last")
    fulls = upto[upto["mode"] == "full"]
    if len(fulls):
        newest = newest[newest["crawled_at"] >= fulls["crawled_at"].max()]
    return newest.set_index("id")


def live(rows: pd.DataFrame, on: date, column: str) -> pd.Series:
    s = state(rows, on)
    return s.loc[~s["deleted"] & s[column].notna(), column].astype("int64")
