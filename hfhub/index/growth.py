"""``--sort growth`` (``hfhub-search``, and ``sort=growth`` on the search page and its API): the
results re-ranked by their recent growth, read from the history (``hfhub.history``).

The rule: the best ``POOL × k`` results by relevance (the usual ranking, filters applied) are
re-ranked by their growth over the window (default 7 days), largest first; ties, and results
without a growth, keep their relevance order, those without a growth last. The first ``k`` are shown.

Growth is what ``hfhub.history.trends.rising`` counts with ``by="absolute"`` and the type's default
metric: the value on the window's last snapshot day minus the value on the newest snapshot at or
before its start, of ``downloads_all_time`` for models and datasets (the downloads during the
window) and of ``likes`` for Spaces. A result the history has no value for on the start day (new
in the window, or deleted or not listed then), or none on the end day, has ``growth`` None (null):
it is not counted from 0, as ``rising`` does for new repos, since its growth is not known.

The history is the one beside the index's table (``history`` beside ``output/models``, as crawls
write it: ``hfhub.paths.HISTORY_DIR``), or the one given. Imported only when asked for: it brings
pandas and the history readers, which the default ranking does without.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hfhub import paths
from hfhub.index.errors import SearchError

if TYPE_CHECKING:
    import pyarrow as pa

    from hfhub.index.searcher import ModelIndex, Result

POOL = 10  # re-rank the best POOL × k results by relevance
DEFAULT_WINDOW = "7d"
SORTS = ("relevance", "growth")


class GrowthUnavailableError(SearchError):
    """No history to sort by (none beside the table, or one snapshot day only)."""


def parse_window(text: str | int) -> int:
    """Days from "7d", "2w" or "7" (``hfhub-trends --window``); ValueError says what is wrong."""
    from hfhub.history.trends import parse_window as parse

    return parse(text)


def history_beside(index: ModelIndex, dataset_dir: Path | str | None = None) -> Path:
    """``history`` beside the index's table (``dataset_dir`` when given, else the one it was built from)."""
    table = Path(dataset_dir) if dataset_dir is not None else Path(index.manifest["dataset"]["path"])
    return table.parent / Path(paths.HISTORY_DIR).name


@dataclass(frozen=True)
class Window:
    """The days a growth compares, as ``trends.rising``'s ``attrs`` say them."""

    kind: str
    history: str
    metric: str  # downloads or likes
    column: str  # downloads_all_time or likes
    days: int
    start_date: date
    end_date: date
    note: str  # set when the history begins after the window's start (a shorter window)

    def to_dict(self) -> dict[str, Any]:
        return {"metric": self.metric, "column": self.column, "window_days": self.days,
                "start_date": self.start_date.isoformat(), "end_date": self.end_date.isoformat(),
                "note": self.note, "pool": POOL}  # fmt: skip

    def describe(self) -> str:
        text = (f"growth of {self.column} from {self.start_date} to {self.end_date} "
                f"({(self.end_date - self.start_date).days} days, history {self.history})")  # fmt: skip
        return f"{text}; {self.note}" if self.note else text


class Growth:
    """Each repo's growth over one window of one kind's history: (id, start, end) of the repos
    with a value on the end day, read once (two snapshots' states) and looked up per query."""

    def __init__(self, history_dir: Path | str, kind: str, window_days: int) -> None:
        import pyarrow.compute as pc

        from hfhub.history import trends

        try:
            history = trends.History(history_dir, kind)
            start, end, note = history.window(window_days)
        except trends.HistoryError as exc:
            raise GrowthUnavailableError(f"cannot sort by growth: {exc}") from None
        metric = trends.default_metric(kind)
        column = trends.METRICS[metric]
        self.window = Window(kind, str(history_dir), metric, column, window_days, start, end, note)
        try:
            ends, starts = _live(history.state(end, [column]), column), _live(history.state(start, [column]), column)
        finally:
            history.forget()
        self.table = ends.join(starts.rename_columns(["id", "start"]), keys="id", join_type="left outer")
        self._pc = pc

    def of(self, ids: list[str]) -> list[int | None]:
        """The growth of each of ``ids`` (None: no value on the start or the end day)."""
        import pyarrow as pa

        pc = self._pc
        rows = self.table.filter(pc.is_in(self.table.column("id"), value_set=pa.array(ids, pa.string())))
        growth = pc.subtract(rows.column("end"), rows.column("start"))  # null where start is null
        found = dict(zip(rows.column("id").to_pylist(), growth.to_pylist()))
        return [found.get(repo_id) for repo_id in ids]


def _live(state: pa.Table, column: str) -> pa.Table:
    """(id, value) of the repos with a value: not deleted, the column not null."""
    import pyarrow.compute as pc

    live = state.filter(pc.and_(pc.invert(state.column("deleted")), pc.is_valid(state.column(column))))
    return live.select(["id", column]).rename_columns(["id", "end"])


@dataclass(frozen=True)
class Ranked:
    """A result and its growth: ``to_dict`` is the result's, plus ``growth``."""

    result: Result
    growth: int | None

    def to_dict(self) -> dict[str, Any]:
        return {**self.result.to_dict(), "growth": self.growth}


def rerank(results: list[Result], growth: list[int | None], k: int) -> list[Ranked]:
    """``results`` (best relevance first) by growth, largest first; ties and unknowns keep their
    relevance order, unknowns last; the first ``k``."""
    order = sorted(range(len(results)), key=lambda i: (growth[i] is None, -(growth[i] or 0), i))
    return [Ranked(results[i], growth[i]) for i in order[:k]]


class GrowthRanker:
    """Growths by (history, kind, window), read once and kept while the history's files are
    unchanged (a snapshot added, or rewritten, reads them again): the search page asks many times."""

    def __init__(self, history_dir: Path | str | None = None) -> None:
        self.history_dir = history_dir  # None: the history beside each index's table
        self._cache: dict[tuple[str, str, int], tuple[tuple[Any, ...], Growth]] = {}
        self._lock = threading.Lock()

    def history_of(self, index: ModelIndex, dataset_dir: Path | str | None = None) -> Path:
        return Path(self.history_dir) if self.history_dir else history_beside(index, dataset_dir)

    def growth(self, history: Path, kind: str, window_days: int) -> Growth:
        key = (str(history), kind, window_days)
        files = _signature(history / kind)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == files:
                return cached[1]
        growth = Growth(history, kind, window_days)
        with self._lock:
            self._cache[key] = (files, growth)
        return growth

    def rank(self, index: ModelIndex, pooled: list[Result], k: int, window_days: int,
             dataset_dir: Path | str | None = None) -> tuple[list[Ranked], Window]:
        """``pooled`` (the best ``POOL × k`` of ``index`` by relevance) re-ranked by growth."""
        growth = self.growth(self.history_of(index, dataset_dir), index.kind, window_days)
        return rerank(pooled, growth.of([r.id for r in pooled]), k), growth.window


def _signature(folder: Path) -> tuple[Any, ...]:
    """The snapshot files of a kind's history, with their sizes and times: changed when one is added."""
    out = []
    for path in sorted(folder.glob("date=*/part-*.parquet")):
        try:
            stat = path.stat()
        except OSError:
            continue
        out.append((path.name, path.parent.name, stat.st_size, stat.st_mtime_ns))
    return tuple(out)


def pool_size(k: int) -> int:
    return POOL * k
