"""hfhub-report's "Rising this week" sections (#21), from histories written in the writer's layout
over real crawls of the fake Hub (``scrapy crawl models``, ``datasets``, ``spaces``): the numbers on
the page against ``hfhub.history.trends`` and a pandas oracle, the days compared and the shortened
window said, hostile ids kept text, and no section (the page as before) without a history.
"""

from __future__ import annotations

import html
import shutil
import urllib.parse
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from hfhub.fakehub.process import FakeHubProcess
from hfhub.history import trends
from hfhub.report import build_report, main, rising
from tests.conftest import run_crawl
from tests.history_snapshots import all_rows, build, day, live, state, table_rows

KINDS = ("models", "datasets", "spaces")
HOSTILE = "evil/<script>alert(1)</script>$\\alpha$_x"
PREFIX = {"models": "", "datasets": "datasets/", "spaces": "spaces/"}
KEYS = {"models": "rising", "datasets": "datasets-rising", "spaces": "spaces-rising"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real tables of the three kinds (crawled), and beside them a history of ten days (the Spaces'
    begins on day 5, after the week's start: a shortened window)."""
    root = tmp_path_factory.mktemp("report-history")
    with FakeHubProcess(models=120, seed=11, datasets=150, spaces=150, args=["--max-page-size", "100"]) as hub:
        for kind in KINDS:
            result = run_crawl(hub.url, root, spider=kind, settings=[f"HFHUB_DATASET_DIR={root / kind}"])
            assert result.returncode == 0, result.log[-2000:]
    shutil.rmtree(root / "history")  # the crawls' own snapshots: one day each; ours replace them
    for kind in KINDS:
        build(root / "history", kind, table_rows(root / kind), first_day=5 if kind == "spaces" else 0,
              hostile=HOSTILE if kind == "models" else None)  # fmt: skip
    return root


@pytest.fixture(scope="module")
def page(site: Path) -> str:
    return build_report(site / "models", site / "crawl_stats.json", datasets_dir=site / "datasets",
                        spaces_dir=site / "spaces", history_dir=site / "history")  # fmt: skip


class Tables(HTMLParser):
    """The element with ``id=key``: its caption and its first table (header, rows of cell texts, links)."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key, self.depth, self.done = key, 0, False
        self.caption, self.header, self.rows, self.links = "", [], [], []
        self._cell: list[str] | None = None
        self._in_caption = self._in_table = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if self.depth == 0:
            if dict(attrs).get("id") == self.key:
                self.depth = 1
            return
        if tag in ("div", "section"):
            self.depth += 1
        if tag == "p" and dict(attrs).get("class") == "caption" and not self.caption:
            self._in_caption = True
        if tag == "table":
            self._in_table = True
        if self._in_table and tag == "tr":
            self.rows.append([])
        if self._in_table and tag in ("td", "th"):
            self._cell = []
        if self._in_table and tag == "a":
            self.links.append(dict(attrs)["href"])

    def handle_endtag(self, tag: str) -> None:
        if self.depth == 0 or self.done:
            return
        if tag == "p":
            self._in_caption = False
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        if tag == "table":
            self._in_table = False
            self.header, self.rows = self.rows[0], self.rows[1:]
            self.done = True
        if tag in ("div", "section"):
            self.depth -= 1
            if self.depth == 0:
                self.done = True

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            self.caption += data
        if self._cell is not None:
            self._cell.append(data)


def block(page: str, key: str) -> Tables:
    parser = Tables(key)
    parser.feed(page)
    assert parser.depth or parser.done, f"no element {key}"
    return parser


def count(cell: str) -> int | None:
    return None if cell == "" else int(cell.replace(",", "").replace("+", ""))


def num(value: object) -> int | None:
    return None if pd.isna(value) else int(value)  # type: ignore[call-overload]


def test_each_kind_has_its_section_between_its_charts_and_its_crawl(page: str) -> None:
    for kind, key in KEYS.items():
        assert f'<section id="{key}"><h2>Rising this week</h2>' in page
        crawl = {"models": "crawl", "datasets": "datasets-crawl", "spaces": "spaces-crawl"}[kind]
        assert page.index(f'id="{key}"') < page.index(f'id="{crawl}"')
    assert '<a href="#rising">Rising this week</a>' in page


@pytest.mark.parametrize("kind", KINDS)
def test_the_top_risers_are_trends_and_the_pandas_answer(site: Path, page: str, kind: str) -> None:
    history = site / "history"
    got = block(page, KEYS[kind])
    want = trends.rising(history, kind, 7, k=rising.TOP)
    assert got.header == ["repo", "start", "end", "growth", "new"]
    rows = [(r[0], count(r[1]), count(r[2]), count(r[3]), r[4] == "new") for r in got.rows]
    assert rows == [(r.id, num(r.start), int(r.end), int(r.growth), bool(r.new)) for r in want.itertuples()]
    # the pandas oracle: end - start (0 for a repo new in the window), largest first, ties by id
    column = trends.METRICS[trends.default_metric(kind)]
    start, end = want.attrs["start_date"], want.attrs["end_date"]
    ends, starts = live(all_rows(history, kind), end, column), live(all_rows(history, kind), start, column)
    growth = (ends - starts.reindex(ends.index).fillna(0)).astype(int)
    growth = growth[growth > 0]
    assert [(r[0], r[3]) for r in rows] == sorted(growth.items(), key=lambda t: (-t[1], t[0]))[: rising.TOP]
    assert any(r[4] for r in rows) or kind == "spaces"  # repos new in the window are there, marked
    # each id links to its Hub page
    assert got.links == ["https://huggingface.co/" + PREFIX[kind] + urllib.parse.quote(r[0], safe="/") for r in rows]


@pytest.mark.parametrize("kind", KINDS)
def test_the_days_compared_are_said_and_a_shortened_window_too(site: Path, page: str, kind: str) -> None:
    want = trends.rising(site / "history", kind, 7)
    caption = block(page, KEYS[kind]).caption
    start, end = want.attrs["start_date"], want.attrs["end_date"]
    assert f"Compared the snapshots of {start} and {end} ({(end - start).days} days)" in caption
    if kind == "spaces":  # the Spaces' history begins on day 5: 4 days, and the note says why
        assert (start, end) == (day(5), day(9)) and want.attrs["note"]
        assert want.attrs["note"] in caption
    else:
        assert (start, end) == (day(1), day(9)) and not want.attrs["note"]  # day 2 had no crawl: day 1's


@pytest.mark.parametrize("kind", KINDS)
def test_relative_growth_and_authors_are_trends_answers(site: Path, page: str, kind: str) -> None:
    history = site / "history"
    got = block(page, KEYS[kind] + "-relative")
    want = trends.rising(history, kind, 7, by="relative", k=rising.TOP)
    floor = trends.DEFAULT_FLOORS[trends.default_metric(kind)]
    assert f"at least {floor:,} {trends.default_metric(kind)} then (the floor" in got.caption
    assert [(r[0], count(r[3]), r[4]) for r in got.rows] == [
        (r.id, int(r.growth), f"{r.relative:+.1%}") for r in want.itertuples()]
    assert all(int(r.start) >= floor for r in want.itertuples())
    authors = block(page, KEYS[kind] + "-authors")
    expected = trends.authors_by_growth(history, kind, 7, k=rising.TOP)
    assert authors.header == ["author", "repos", "new repos", "start", "end", "growth"]
    assert [(r[0], count(r[1]), count(r[5])) for r in authors.rows] == [
        (r.author, int(r.repos), int(r.growth)) for r in expected.itertuples()]
    assert len(authors.rows) > 0


@pytest.mark.parametrize("kind", KINDS)
def test_totals_per_snapshot_day_are_the_pandas_sums(site: Path, page: str, kind: str) -> None:
    history = site / "history"
    rows = all_rows(history, kind)
    column = trends.METRICS[trends.default_metric(kind)]
    got = block(page, KEYS[kind] + "-totals")
    assert got.header == ["snapshot day", "total", "repos"]
    days = sorted(set(rows["date"]))
    assert [r[0] for r in got.rows] == [d.isoformat() for d in days]
    for (_, total, repos), on in zip(got.rows, days):
        assert count(total) == int(live(rows, on, column).sum())
        assert count(repos) == int((~state(rows, on)["deleted"]).sum())  # live: not deleted that day
    assert got.rows[-1] != got.rows[0]  # they grew


@pytest.mark.parametrize("kind", KINDS)
def test_new_per_day_and_deletions_are_trends_answers(site: Path, page: str, kind: str) -> None:
    history = site / "history"
    got = block(page, KEYS[kind] + "-new")
    h = trends.History(history, kind)
    want = trends.new_per_day(history, kind, days=(h.days[-1] - h.days[0]).days + 1)
    assert [(r[0], count(r[1]), count(r[2]), count(r[3])) for r in got.rows] == [
        (r.date.isoformat(), int(r.crawls), int(r.created), num(r.appeared)) for r in want.itertuples()]
    assert sum(count(r[2]) or 0 for r in got.rows) > 0  # the repos created on day 5
    start = trends.rising(history, kind, 7).attrs["start_date"]
    gone = trends.deleted(history, kind, since=start + timedelta(days=1))
    assert len(gone) == 2  # two repos deleted before day 8's full crawl
    deleted = block(page, KEYS[kind] + "-deleted")
    assert [(r[0], r[1]) for r in deleted.rows] == [(r.id, r.date.isoformat()) for r in gone.itertuples()]


@pytest.mark.parametrize("kind", KINDS)
def test_the_top_five_risers_over_time_are_their_series(site: Path, page: str, kind: str) -> None:
    history = site / "history"
    got = block(page, KEYS[kind] + "-series")
    top = list(trends.rising(history, kind, 7, k=5)["id"])
    assert got.header == ["snapshot day", *top]
    column = trends.METRICS[trends.default_metric(kind)]
    days = trends.History(history, kind).days
    for position, repo_id in enumerate(top, 1):
        series = trends.repo_series(history, kind, repo_id, per_day=True)
        values = dict(zip(series["date"], series[column]))
        assert [count(r[position]) for r in got.rows] == [num(values.get(d)) for d in days]
    assert "<svg" in page.split(f'id="{KEYS[kind]}-series"')[1].split("</div>")[0]


def test_hostile_ids_stay_text(page: str) -> None:
    assert "<script>alert(1)" not in page
    escaped = html.escape(HOSTILE)
    rows = block(page, "rising").rows
    assert rows[0][0] == HOSTILE  # it grew most: the first row, as text
    assert f">{escaped}</a>" in page
    series = page.split('id="rising-series"')[1].split("</div>")[0]
    assert escaped in series  # the legend: the id as plain text (no TeX, not left out for its "_")
    assert html.escape("$\\alpha$") in series


def test_no_history_no_section_and_the_page_as_before(site: Path, page: str, tmp_path: Path) -> None:
    without = build_report(site / "models", site / "crawl_stats.json", datasets_dir=site / "datasets",
                           spaces_dir=site / "spaces")  # fmt: skip
    assert "Rising this week" not in without and 'id="rising"' not in without

    def strip(text: str) -> str:  # the page without its time and the rising sections
        text = text.split("report made ")[0] + text.split(" by hfhub-report.")[1]
        for key in KEYS.values():
            text = text.replace(f'<a href="#{key}">Rising this week</a>', "")
            if f'<section id="{key}">' in text:
                head, tail = text.split(f'<section id="{key}">', 1)
                text = head + tail.split("</section>", 1)[1]
        return text

    assert strip(page) == strip(without)
    # the command line: the history beside the models table by default, '' for none, a missing one an error
    out = tmp_path / "r.html"
    args = ["--dataset", str(site / "models"), "--out", str(out)]
    assert main(args) == 0 and all(f'id="{key}"' in out.read_text() for key in KEYS.values())
    assert main([*args, "--history", ""]) == 0 and "Rising this week" not in out.read_text()
    assert main([*args, "--history", str(tmp_path / "none")]) == 1
    one_day = tmp_path / "one-day"  # a first crawl's history: nothing to compare, no section
    shutil.copytree(site / "history" / "models" / f"date={day(0)}", one_day / "models" / f"date={day(0)}")
    assert main([*args, "--history", str(one_day)]) == 0 and "Rising this week" not in out.read_text()
