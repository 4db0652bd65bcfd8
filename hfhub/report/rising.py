"""The numbers of the report's "Rising this week" sections, from the history's snapshots
(``hfhub.history.trends``): one ``KindHistory`` per kind, no plotting here, so that each number can
be checked against ``trends`` and pandas (``tests/test_report_history.py``).

Per kind: the top risers over ``WINDOW`` days by absolute and by relative growth (downloads during the
window for models and datasets, likes for Spaces: the kind's default metric), the authors by growth,
the repos deleted in the window, and for the charts, over the last ``CHART_DAYS`` days of the history:
the total of the metric over the live repos on each snapshot day, new repos per day, and the top
``SERIES`` risers' values on each day a crawl saw them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc

from hfhub.history import trends
from hfhub.history.trends import History, HistoryError

WINDOW = 7  # days: "this week"
TOP = 10  # repos and authors in each table
SERIES = 5  # risers drawn over time
CHART_DAYS = 30  # the charts' span, at most: the last 30 days of the history


@dataclass(frozen=True)
class KindHistory:
    kind: str
    folder: str  # the kind's history folder
    days: list[date]  # the snapshot days of the history
    metric: str  # downloads or likes
    column: str  # downloads_all_time or likes
    rising: pd.DataFrame  # trends.rising, by="absolute"
    relative: pd.DataFrame  # trends.rising, by="relative" (default floor)
    authors: pd.DataFrame  # trends.authors_by_growth
    deleted: pd.DataFrame  # trends.deleted, from the day after the window's start to its end
    totals: pd.DataFrame  # by snapshot day (the last CHART_DAYS days): total (of column, live repos), repos
    new: pd.DataFrame  # trends.new_per_day over the charts' days
    series: pd.DataFrame  # wide: a row per day, a column per top riser (its column's value that day)

    @property
    def start_date(self) -> date:
        return self.rising.attrs["start_date"]  # type: ignore[no-any-return]

    @property
    def end_date(self) -> date:
        return self.rising.attrs["end_date"]  # type: ignore[no-any-return]

    @property
    def note(self) -> str:
        return str(self.rising.attrs["note"])


def kind_history(history_dir: Path | str, kind: str, window: int = WINDOW, top: int = TOP) -> KindHistory | None:
    """What the history at ``history_dir`` says of ``kind``; None when it holds no snapshot of it, or
    snapshots of one day only (nothing to compare: a first crawl's)."""
    try:
        h = History(history_dir, kind)
    except HistoryError:
        return None
    if len(h.days) < 2:
        return None
    metric = trends.default_metric(kind)
    column = trends.METRICS[metric]
    end = h.days[-1]
    chart_first = max(h.days[0], end - timedelta(days=CHART_DAYS - 1))
    totals = daily_totals(h, column, [d for d in h.days if d >= chart_first])
    new = trends.new_per_day(h, kind, days=(end - chart_first).days + 1)
    rising = trends.rising(h, kind, window, by="absolute", k=top)
    relative = trends.rising(h, kind, window, by="relative", k=top)
    authors = trends.authors_by_growth(h, kind, window, k=top)
    start = rising.attrs["start_date"]
    deleted = trends.deleted(h, kind, since=start + timedelta(days=1), until=rising.attrs["end_date"])
    series = risers_over_time(h, kind, column, list(rising["id"][:SERIES]), chart_first)
    return KindHistory(kind, str(h.folder), h.days, metric, column, rising, relative, authors, deleted, totals,
                       new, series)  # fmt: skip


def daily_totals(h: History, column: str, days: list[date]) -> pd.DataFrame:
    """On each of ``days``: the sum of ``column`` over the repos live that day (their newest row at or
    before it, not deleted, with a value), and how many repos were live."""
    rows = []
    for day in days:
        state = h.state(day, [column])
        h.forget()  # one day at a time: a day's snapshots are not kept for the next
        live = state.filter(pc.invert(state.column("deleted")))
        values = live.column(column)
        rows.append({"date": day, "total": int(pc.sum(values).as_py() or 0), "repos": live.num_rows,
                     "with a value": len(values) - values.null_count})  # fmt: skip
    return pd.DataFrame(rows, columns=["date", "total", "repos", "with a value"])


def risers_over_time(h: History, kind: str, column: str, ids: list[str], since: date) -> pd.DataFrame:
    """A row per snapshot day from ``since``, a column per id: its ``column`` on each day a crawl saw it
    (trends.repo_series, its newest row of the day; missing: no row of it that day, or deleted)."""
    out = pd.DataFrame(index=pd.Index([d for d in h.days if d >= since], name="date"))
    for repo_id in ids:
        try:
            series = trends.repo_series(h, kind, repo_id, since=since, per_day=True)
        except HistoryError:  # no row of it in those days (its value is an older crawl's)
            out[repo_id] = pd.array([None] * len(out), dtype="Int64")
            continue
        values = series.loc[~series["deleted"].astype(bool)].set_index("date")[column]
        out[repo_id] = values.reindex(out.index).astype("Int64")
    return out
