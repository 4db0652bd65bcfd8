"""Questions answered from the history (``hfhub.history.schema``): a repo over time, what is rising,
which authors grow fastest, new repos per day, deletions. ``hfhub-trends`` is their command line.

Pure pyarrow and pandas, no Scrapy. Each answer is a pandas DataFrame (its ``attrs`` say which days it
compared); a missing or empty history, or one with no snapshot in the days asked, raises
:class:`HistoryError`; a bad argument (an unknown kind, downloads of Spaces) raises ``ValueError``.

**What was known on a day.** The history is read by UTC day (its ``date=`` partitions): the state of
a repo on day D is its newest row at or before the end of D, by ``crawled_at`` (then ``crawl_id``):

- several crawls in one day: the newest row of each repo wins;
- incremental snapshots (rows only for the repos a refresh saw) are carried forward: a repo a
  refresh did not see keeps the row of the crawl before;
- a full crawl lists every repo there is (and writes a ``deleted`` row for each repo of the previous
  full crawl it no longer found), so the state on D is read from the newest full crawl at or before D
  onwards: only those days' partitions are opened (hive partitioning, a filter on ``date``), and a
  repo that full crawl did not list is not a repo on D;
- a ``deleted`` row has null counts: a deleted repo has no value, and is no repo, on that day.

**Windows.** A window of N days ends on the newest snapshot day at or before ``until`` (default: the
newest of the history), day E, and starts on day E − N; the start's values are those of the newest
snapshot at or before that day (``attrs["start_date"]`` says which day that was). When the history
begins after E − N, the window starts at the history's first day instead, and ``attrs["note"]`` says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from hfhub import paths
from hfhub.history.schema import HISTORY_SCHEMA, PARTITION
from hfhub.history.writer import CRAWLED_AT_KEY, MODE_KEY

KINDS = ("models", "datasets", "spaces")
# --metric -> the history's column whose growth is measured. Downloads: ``downloads_all_time``, so
# that growth over a window is the downloads *during* the window (the ``downloads`` column is the
# Hub's rolling 30-day count: its difference between two days is no count of anything).
METRICS = {"downloads": "downloads_all_time", "likes": "likes"}
# Relative growth only for repos with at least this much at the window's start, so that 1 -> 5 likes
# (+400 %) does not top 10,000 -> 20,000: 1,000 all-time downloads, 10 likes (for authors, the sum
# over their repos).
DEFAULT_FLOORS = {"downloads": 1000, "likes": 10}
BY = ("absolute", "relative")
SERIES_COLUMNS = ("date", "crawled_at", "crawl_id", "mode", "deleted", "downloads", "downloads_all_time", "likes",
                  "trending_score", "sha", "last_modified")
_DAY = timedelta(days=1)


class HistoryError(Exception):
    """The history cannot answer: no such folder, no snapshot, nothing in the days asked."""


@dataclass(frozen=True)
class Crawl:
    """One snapshot file: one crawl of one kind."""

    path: str
    date: date
    crawled_at: datetime
    crawl_id: str
    mode: str  # full or incremental

    @property
    def key(self) -> tuple[datetime, str]:
        return (self.crawled_at, self.crawl_id)


def default_metric(kind: str) -> str:
    return "likes" if kind == "spaces" else "downloads"


def author_of(repo_id: str) -> str:
    """The id's namespace ("google" for google/gemma-2b); a legacy id without "/" ("gpt2") is its own."""
    return repo_id.split("/", 1)[0]


def _authors(ids: pa.Array | pa.ChunkedArray) -> pa.Array:
    return pc.list_element(pc.split_pattern(ids, "/", max_splits=1), 0)


def as_day(value: date | datetime | str | None) -> date | None:
    """A day from a date, a datetime (its UTC day) or "YYYY-MM-DD"."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).date()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"not a day: {value!r} (give YYYY-MM-DD)") from None


def parse_window(text: str | int) -> int:
    """Days from "7d", "2w" or "7"."""
    if isinstance(text, int):
        days = text
    else:
        match = re.fullmatch(r"\s*(\d+)\s*([dw]?)\s*", text.lower())
        if not match:
            raise ValueError(f"not a window: {text!r} (give days, e.g. 7d, 30d or 2w)")
        days = int(match.group(1)) * (7 if match.group(2) == "w" else 1)
    if days < 1:
        raise ValueError(f"a window is at least one day, not {text!r}")
    return days


def _crawl_of(path: Path) -> Crawl | None:
    """The crawl of a snapshot file: its day from its folder, its mode and start from its footer."""
    folder = path.parent.name
    try:
        day = date.fromisoformat(folder.removeprefix(f"{PARTITION}="))
    except ValueError:
        return None  # not a date=YYYY-MM-DD folder: not part of the history
    crawl_id = path.name.removeprefix("part-").removesuffix(".parquet")
    metadata = pq.read_schema(path).metadata or {}
    mode, started = metadata.get(MODE_KEY, b"").decode(), metadata.get(CRAWLED_AT_KEY, b"").decode()
    if not mode or not started:  # a file without the writer's keys: read the two columns
        table = pq.read_table(path, columns=["mode", "crawled_at"])
        modes = set(table.column("mode").to_pylist())
        mode = modes.pop() if len(modes) == 1 else "incremental"  # not known to be a full listing
        first = pc.min(table.column("crawled_at")).as_py()
        started = first.isoformat() if first else datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat()
    crawled_at = datetime.fromisoformat(started)
    if crawled_at.tzinfo is None:
        crawled_at = crawled_at.replace(tzinfo=UTC)
    return Crawl(str(path), day, crawled_at, crawl_id, mode)


class History:
    """The snapshots of one kind under a history folder (default ``output/history``)."""

    def __init__(self, history_dir: str | Path = paths.HISTORY_DIR, kind: str = "models") -> None:
        if kind not in KINDS:
            raise ValueError(f"no such kind: {kind!r} (one of {', '.join(KINDS)})")
        self.kind = kind
        self.folder = Path(history_dir) / kind
        if not self.folder.is_dir():
            raise HistoryError(f"no history of {kind} at {self.folder} (every finished crawl adds a snapshot there)")
        crawls = [_crawl_of(path) for path in self.folder.glob(f"{PARTITION}=*/part-*.parquet")
                  if not path.name.startswith((".", "_"))]
        self.crawls = sorted((c for c in crawls if c is not None), key=lambda c: c.key)
        if not self.crawls:
            raise HistoryError(f"the history of {kind} at {self.folder} holds no snapshot")
        self.days = sorted({c.date for c in self.crawls})
        self.by_path = {c.path: c for c in self.crawls}
        schema = HISTORY_SCHEMA.append(pa.field(PARTITION, pa.date32()))
        partitioning = ds.partitioning(pa.schema([schema.field(PARTITION)]), flavor="hive")
        self.dataset = ds.dataset(self.folder, format="parquet", partitioning=partitioning, schema=schema)
        self._tables: dict[tuple[str, tuple[str, ...]], pa.Table] = {}

    # -- days and crawls ---------------------------------------------------------------------------
    def day_at_or_before(self, day: date) -> date | None:
        earlier = [d for d in self.days if d <= day]
        return earlier[-1] if earlier else None

    def end_day(self, until: date | datetime | str | None = None) -> date:
        """The newest snapshot day at or before ``until`` (default: the newest)."""
        limit = as_day(until)
        if limit is None:
            return self.days[-1]
        end = self.day_at_or_before(limit)
        if end is None:
            raise HistoryError(f"the history of {self.kind} begins on {self.days[0]}, after {limit}")
        return end

    def window(self, window_days: int, until: date | datetime | str | None = None) -> tuple[date, date, str]:
        """(start day, end day, note): the snapshot days a window of ``window_days`` compares."""
        if window_days < 1:
            raise ValueError(f"a window is at least one day, not {window_days}")
        end = self.end_day(until)
        wanted = end - timedelta(days=window_days)
        start, note = self.day_at_or_before(wanted), ""
        if start is None:
            start = self.days[0]
            note = (f"the history of {self.kind} begins on {start}, after the window's start {wanted}: "
                    f"growth over {(end - start).days} days")
        if start >= end:
            raise HistoryError(f"the history of {self.kind} holds one day ({end}) up to then: nothing to compare it with")
        return start, end, note

    def _segment(self, day: date) -> list[Crawl]:
        """The crawls whose rows make the state on ``day``: from the newest full crawl at or before
        it (every crawl at or before it when there is none) to the end of the day, oldest first."""
        upto = [c for c in self.crawls if c.date <= day]
        fulls = [c for c in upto if c.mode == "full"]
        return [c for c in upto if c.key >= fulls[-1].key] if fulls else upto

    # -- reading -----------------------------------------------------------------------------------
    def read(self, crawls: Iterable[Crawl], columns: list[str], where: ds.Expression | None = None,
             keep: bool = False) -> list[pa.Table]:
        """``columns`` of the rows of ``crawls`` (oldest first, one table each), through the hive
        dataset: a filter on ``date`` opens only those days' files. ``keep``: kept for the query's
        other reads of the same crawls and columns (two states of overlapping days), until ``forget``."""
        crawls = list(crawls)
        if not crawls:
            return []
        days = ds.field(PARTITION)
        fragments = {_file_key(f.path): f for f in self.dataset.get_fragments(
            filter=(days >= crawls[0].date) & (days <= max(c.date for c in crawls)))}
        tables = []
        for crawl in crawls:
            key = (crawl.path, tuple(columns))
            table = self._tables.get(key) if where is None else None
            if table is None:
                table = fragments[_file_key(crawl.path)].to_table(schema=self.dataset.schema, columns=columns, filter=where)
                if keep and where is None:
                    self._tables[key] = table
            tables.append(table)
        return tables

    def state(self, day: date, columns: list[str]) -> pa.Table:
        """Each repo as known on ``day`` (its newest row at or before it; deleted rows included)."""
        columns = ["id", "deleted", *(c for c in columns if c not in ("id", "deleted"))]
        return newest_per_repo(self.read(self._segment(day), columns, keep=True))

    def forget(self) -> None:
        self._tables.clear()


def _file_key(path: str) -> str:
    """date=YYYY-MM-DD/part-<crawl>.parquet: a file's name in the history, however its folder is spelt."""
    parent, name = path.replace("\\", "/").rsplit("/", 2)[-2:]
    return f"{parent}/{name}"


def newest_per_repo(tables: list[pa.Table]) -> pa.Table:
    """One row per id: its last row across ``tables`` (given oldest first, each a crawl's rows)."""
    if len(tables) == 1 and _strictly_sorted(tables[0].column("id")):
        return tables[0]  # one crawl, its ids unique (the writer sorts them): nothing to drop
    table = pa.concat_tables(tables).combine_chunks()
    if table.num_rows == 0:
        return table
    rows = pa.table({"id": table.column("id"), "_row": pa.array(np.arange(table.num_rows))})
    last = rows.group_by("id").aggregate([("_row", "max")]).column("_row_max").to_numpy()
    return table.take(pa.array(np.sort(last)))  # in the order read


def _strictly_sorted(ids: pa.ChunkedArray) -> bool:
    ids = ids.combine_chunks()
    return len(ids) < 2 or bool(pc.all(pc.less(ids.slice(0, len(ids) - 1), ids.slice(1))).as_py())


def _open(history: str | Path | History, kind: str) -> History:
    if isinstance(history, History):
        if history.kind != kind:
            raise ValueError(f"this History is of {history.kind}, not {kind}")
        return history
    return History(history, kind)


def _metric_column(kind: str, metric: str | None) -> tuple[str, str]:
    metric = metric or default_metric(kind)
    if metric not in METRICS:
        raise ValueError(f"no such metric: {metric!r} (downloads or likes)")
    if kind == "spaces" and metric == "downloads":
        raise ValueError("Spaces have no downloads: use the metric likes")
    return metric, METRICS[metric]


def _alive(state: pa.Table, column: str, name: str) -> pa.Table:
    """(id, name): the repos of a state with a value of ``column`` (not deleted, not null)."""
    keep = pc.and_(pc.invert(state.column("deleted")), pc.is_valid(state.column(column)))
    return pa.table({"id": state.column("id"), name: state.column(column)}).filter(keep)


def _growth(h: History, column: str, start: date, end: date) -> pa.Table:
    """(id, start, end, growth, new) of every repo with a value on ``end``: growth from its value on
    ``start``, or from 0 when it had none then (``new``)."""
    ends = _alive(h.state(end, [column]), column, "end")
    starts = _alive(h.state(start, [column]), column, "start")
    joined = ends.join(starts, keys="id", join_type="left outer").combine_chunks()
    start_values = joined.column("start")
    growth = pc.subtract(joined.column("end"), pc.fill_null(start_values, 0))
    return pa.table({"id": joined.column("id"), "start": start_values, "end": joined.column("end"),
                     "growth": growth, "new": pc.is_null(start_values)})


def _top(table: pa.Table, k: int | None, sort_keys: list[tuple[str, str]]) -> pa.Table:
    if k is not None and k < 1:
        raise ValueError(f"k is at least 1, not {k}")
    if k is None or k >= table.num_rows:
        return table.take(pc.sort_indices(table, sort_keys=sort_keys))
    return table.take(pc.select_k_unstable(table, k, sort_keys=sort_keys))  # the keys end in a unique one


def _check_by(by: str) -> None:
    if by not in BY:
        raise ValueError(f"no such ranking: {by!r} (absolute or relative)")


def _frame(table: pa.Table, attrs: dict[str, Any]) -> pd.DataFrame:
    frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    frame.attrs.update(attrs)
    return frame


# -- the questions -------------------------------------------------------------------------------------
def repo_series(history: str | Path | History, kind: str, repo_id: str, *, since: date | str | None = None,
                until: date | str | None = None, per_day: bool = False) -> pd.DataFrame:
    """The repo in every crawl that saw it (``per_day``: its newest row of each day), oldest first:
    date, crawled_at, crawl_id, mode, deleted, downloads, downloads_all_time, likes, trending_score,
    sha, last_modified. Days without a row of it are days its counts did not change (incremental
    refreshes) or it was not listed. ``since``/``until``: the days to read (default: all)."""
    h = _open(history, kind)
    first, last = as_day(since) or h.days[0], as_day(until) or h.days[-1]
    crawls = [c for c in h.crawls if first <= c.date <= last]
    columns = [c for c in SERIES_COLUMNS if c != "date"]
    tables = h.read(crawls, columns, where=pc.field("id") == repo_id)
    rows = [t.append_column("date", pa.array([c.date] * t.num_rows, pa.date32())) for c, t in zip(crawls, tables)]
    table = pa.concat_tables(rows).select(list(SERIES_COLUMNS)) if rows else None
    if table is None or table.num_rows == 0:
        raise HistoryError(f"{repo_id} is in no snapshot of {kind} from {first} to {last}")
    frame = _frame(table, {"kind": kind, "id": repo_id})
    frame = frame.sort_values(["crawled_at", "crawl_id"], kind="stable")
    if per_day:
        frame = frame.drop_duplicates("date", keep="last")
    return frame.reset_index(drop=True)


def rising(history: str | Path | History, kind: str, window_days: int = 7, by: str = "absolute",
           metric: str | None = None, floor: int | None = None, k: int | None = 20,
           until: date | str | None = None) -> pd.DataFrame:
    """The ``k`` repos that grew most over the window (all, with ``k=None``), only those that grew.

    ``metric``: ``downloads`` (models, datasets; the default) is the growth of ``downloads_all_time``,
    i.e. the downloads during the window; ``likes`` (the default and only metric of Spaces).
    ``by="absolute"``: growth = the value on the end day − the value on the start day. A repo without
    a value on the start day (new in the window, or deleted or not listed then) counts from 0, and its
    ``new`` is true. ``by="relative"``: growth / max(start, 1), only for repos with a start value of at
    least ``floor`` (default ``DEFAULT_FLOORS``: 1,000 downloads, 10 likes); new repos are left out.
    A repo deleted on the end day has no value: it is left out. Ties: the larger growth, then the id.

    Columns: id, author, start, end, growth, relative, new; ``attrs``: kind, metric, column, by,
    floor, window_days, start_date, end_date, note.
    """
    _check_by(by)
    h = _open(history, kind)
    metric, column = _metric_column(kind, metric)
    start, end, note = h.window(window_days, until)
    floor = DEFAULT_FLOORS[metric] if floor is None else floor
    table = _growth(h, column, start, end)
    table = table.filter(pc.greater(table.column("growth"), 0))
    relative = pc.divide(pc.cast(table.column("growth"), pa.float64()),
                         pc.cast(pc.max_element_wise(table.column("start"), 1), pa.float64()))
    table = table.append_column("relative", pc.if_else(table.column("new"), None, relative))  # no start: none
    if by == "relative":
        table = table.filter(pc.fill_null(pc.greater_equal(table.column("start"), floor), False))
        keys = [("relative", "descending"), ("growth", "descending"), ("id", "ascending")]
    else:
        keys = [("growth", "descending"), ("id", "ascending")]
    top = _top(table, k, keys)
    top = top.add_column(1, "author", _authors(top.column("id")))
    top = top.select(["id", "author", "start", "end", "growth", "relative", "new"])
    h.forget()
    return _frame(top, {"kind": kind, "metric": metric, "column": column, "by": by, "floor": floor,
                        "window_days": window_days, "start_date": start, "end_date": end, "note": note})


def authors_by_growth(history: str | Path | History, kind: str, window_days: int = 7, by: str = "absolute",
                      metric: str | None = None, floor: int | None = None, k: int | None = 20,
                      until: date | str | None = None) -> pd.DataFrame:
    """Authors by the summed growth of their repos over the window (those whose sum grew).

    An author is the namespace of an id (``google`` for google/gemma-2b); a legacy id without "/"
    (``gpt2``) is its own author. Each repo with a value on the end day counts as in :func:`rising`
    (a new one from 0). ``by="relative"``: growth / max(start, 1) where start is the sum of the
    author's repos' start values, only for authors whose start is at least ``floor``.

    Columns: author, repos (with a value on the end day), new_repos, start, end, growth, relative.
    """
    _check_by(by)
    h = _open(history, kind)
    metric, column = _metric_column(kind, metric)
    start, end, note = h.window(window_days, until)
    floor = DEFAULT_FLOORS[metric] if floor is None else floor
    table = _growth(h, column, start, end)
    table = table.append_column("author", _authors(table.column("id")))
    table = table.append_column("new_int", pc.cast(table.column("new"), pa.int64()))
    sums = table.group_by("author").aggregate([
        ("id", "count"), ("new_int", "sum"), ("start", "sum"), ("end", "sum"), ("growth", "sum"),
    ])
    sums = pa.table({"author": sums.column("author"), "repos": sums.column("id_count"),
                     "new_repos": sums.column("new_int_sum"), "start": sums.column("start_sum"),
                     "end": sums.column("end_sum"), "growth": sums.column("growth_sum")})
    sums = sums.set_column(sums.schema.get_field_index("start"), "start", pc.fill_null(sums.column("start"), 0))
    sums = sums.filter(pc.greater(sums.column("growth"), 0))
    relative = pc.divide(pc.cast(sums.column("growth"), pa.float64()),
                         pc.cast(pc.max_element_wise(sums.column("start"), 1), pa.float64()))
    sums = sums.append_column("relative", relative)
    if by == "relative":
        sums = sums.filter(pc.greater_equal(sums.column("start"), floor))
        keys = [("relative", "descending"), ("growth", "descending"), ("author", "ascending")]
    else:
        keys = [("growth", "descending"), ("author", "ascending")]
    top = _top(sums, k, keys).select(["author", "repos", "new_repos", "start", "end", "growth", "relative"])
    h.forget()
    return _frame(top, {"kind": kind, "metric": metric, "column": column, "by": by, "floor": floor,
                        "window_days": window_days, "start_date": start, "end_date": end, "note": note})


def new_per_day(history: str | Path | History, kind: str, days: int = 7,
                until: date | str | None = None) -> pd.DataFrame:
    """New repos on each of the ``days`` days ending on the newest snapshot day at or before ``until``.

    Two counts, as they answer different questions:

    - ``created``: repos whose ``created_at`` (the Hub's) falls on that UTC day, among the repos the
      history saw in those days (a repo created and deleted between two crawls was never seen);
    - ``appeared``: repos with a value that day that had none the day before (not yet listed, or
      deleted): new to the history — created, made public or restored. Counted on the day of the
      crawl that first listed them, so a day without a crawl (``crawls`` 0) shows 0 and the next crawl
      counts them. Null (unknown) up to the history's first day: nothing was known before it.
    """
    if days < 1:
        raise ValueError(f"days is at least 1, not {days}")
    h = _open(history, kind)
    end = h.end_day(until)
    first = end - timedelta(days=days - 1)
    before = first - _DAY
    columns = ["id", "deleted", "created_at"]
    known = h.day_at_or_before(before) is not None
    alive = _live_ids(h.state(before, columns)) if known else None
    out: list[dict[str, Any]] = []
    created: dict[str, pa.Table] = {}
    day = first
    while day <= end:
        crawls = [c for c in h.crawls if c.date == day]
        fulls = [c for c in crawls if c.mode == "full"]
        if fulls:
            crawls = [c for c in crawls if c.key >= fulls[-1].key]
        appeared: int | None = 0 if alive is not None else None
        if crawls:
            rows = newest_per_repo(h.read(crawls, columns))
            live = _live_ids(rows)
            if alive is not None:
                appeared = len(live) - int(pc.sum(pc.is_in(live, value_set=alive)).as_py() or 0)
            if fulls or alive is None:
                alive = live  # a full crawl lists every repo there is (or this is the first day known)
            else:  # a refresh's rows replace those repos' state; the others carry forward
                unchanged = alive.filter(pc.invert(pc.is_in(alive, value_set=rows.column("id").combine_chunks())))
                alive = pa.concat_arrays([unchanged, live])
            born = rows.filter(pc.and_(pc.is_valid(rows.column("created_at")),
                                       pc.greater_equal(rows.column("created_at"), _midnight(first))))
            created[day.isoformat()] = born.select(["id", "created_at"])
        out.append({"date": day, "crawls": len(crawls), "appeared": appeared})
        day += _DAY
    births = _created_per_day([t for t in created.values() if t.num_rows], first, end)
    for row in out:
        row["created"] = births.get(row["date"], 0)
    frame = pd.DataFrame(out, columns=["date", "crawls", "created", "appeared"])
    frame["appeared"] = frame["appeared"].astype(pd.Int64Dtype())
    h.forget()
    frame.attrs.update({"kind": kind, "days": days, "start_date": first, "end_date": end,
                        "first_snapshot": h.days[0]})
    return frame


def _live_ids(rows: pa.Table) -> pa.Array:
    return rows.filter(pc.invert(rows.column("deleted"))).column("id").combine_chunks()


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _created_per_day(tables: list[pa.Table], first: date, end: date) -> dict[date, int]:
    """Distinct repos per UTC day of their created_at (their newest row's), from ``first`` to ``end``."""
    if not tables:
        return {}
    rows = newest_per_repo([pa.concat_tables(tables)])
    days = pc.cast(rows.column("created_at"), pa.date32()).to_pylist()  # UTC: the timestamps are UTC
    counts: dict[date, int] = {}
    for day in days:
        if first <= day <= end:
            counts[day] = counts.get(day, 0) + 1
    return counts


def deleted(history: str | Path | History, kind: str, since: date | str | None = None,
            until: date | str | None = None) -> pd.DataFrame:
    """Repos marked deleted from ``since`` (default: the history's first day) to ``until`` (default:
    its newest day), one row each (its newest deletion): id, author, date, crawled_at, crawl_id, and
    ``restored``: a later row shows it listed again. A full crawl marks a repo deleted once, the first
    time it no longer lists a repo the previous full crawl listed; incremental refreshes mark none."""
    h = _open(history, kind)
    first, last = as_day(since) or h.days[0], as_day(until) or h.days[-1]
    crawls = [c for c in h.crawls if first <= c.date <= last]
    marks = [t.append_column("date", pa.array([c.date] * t.num_rows, pa.date32()))
             for c, t in zip(crawls, h.read(crawls, ["id", "crawled_at", "crawl_id"], where=pc.field("deleted")))]
    gone = newest_per_repo(marks) if marks else pa.table({"id": pa.array([], pa.string())})
    if gone.num_rows == 0:
        frame = pd.DataFrame(columns=["id", "author", "date", "crawled_at", "crawl_id", "restored"])
    else:
        ids = gone.column("id").combine_chunks()
        later = h.read(crawls, ["id", "crawled_at", "crawl_id", "deleted"], where=pc.field("id").isin(ids))
        newest = newest_per_repo(later).select(["id", "deleted"]).rename_columns(["id", "still_deleted"])
        joined = gone.join(newest, keys="id", join_type="left outer")
        joined = joined.append_column("restored", pc.invert(pc.fill_null(joined.column("still_deleted"), True)))
        joined = joined.append_column("author", _authors(joined.column("id")))
        joined = joined.select(["id", "author", "date", "crawled_at", "crawl_id", "restored"])
        joined = joined.take(pc.sort_indices(joined, sort_keys=[("date", "ascending"), ("id", "ascending")]))
        frame = joined.to_pandas()
    h.forget()
    frame.attrs.update({"kind": kind, "start_date": first, "end_date": last})
    return frame
