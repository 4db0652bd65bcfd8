"""hfhub-report: the numbers behind each chart, recomputed independently with pandas, and the page.

Two datasets: a real crawl of the fake Hub (``crawled``), and a small hand-written one whose
nulls, ties and edge values are known (``handmade``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfhub.report import build_report, data, main
from hfhub.report.data import OTHER
from tests.conftest import CrawlResult, run_crawl


@pytest.fixture(scope="module")
def crawl(small_hub, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    result = run_crawl(small_hub.url, tmp_path_factory.mktemp("report-crawl"))
    assert result.returncode == 0, result.log[-2000:]
    return result


@pytest.fixture(scope="module")
def crawled(crawl: CrawlResult) -> pd.DataFrame:
    return data.load_models(crawl.dataset_dir)


def handmade() -> pd.DataFrame:
    t = pd.Timestamp
    return pd.DataFrame(
        {
            "id": [f"m/{i}" for i in range(8)],
            "author": ["a", "a", "b", "b", "c", None, "<script>x</script>", "c"],
            "created_at": pd.to_datetime(
                [t("2023-01-05"), t("2023-01-31 23:59"), t("2023-04-01"), None, t("2023-02-10"),
                 t("2023-04-30"), t("2023-01-01"), t("2023-02-01")], utc=True),
            "downloads": [10, 20, 5, None, 30, 1000, 0, 0],
            "pipeline_tag": ["text-generation", "text-generation", None, "fill-mask", "fill-mask",
                             "text-generation", "<b>bold</b>", "translation"],
            "library_name": ["transformers"] * 4 + ["gguf", None, "transformers", "mlx"],
            "license": ["mit", "mit", "apache-2.0", None, "mit", "other", "<i>l</i>", "mit"],
            "num_parameters": [1_000, 9_999, 10_000, 7_000_000_000, None, 0, 350_000_000, 1],
            "quantization": [None, "gguf", "gguf", "awq", None, None, None, "mlx"],
            "est_mem_stored_gb": [0.5, 9.0, 20.0, 100.0, None, 70.0, 1.0, 16.0],
            "est_min_gpu_gb": [8, 12, 24, None, None, 80, 8, 16],
        }
    )  # fmt: skip


# -- each chart's numbers, hand-made dataset (exact expectations) ----------------------------------
def test_counts_keep_nulls_and_fold_the_tail_into_other() -> None:
    tasks = data.models_by_task(handmade(), top=2)
    assert tasks.to_dict() == {"text-generation": 3, "fill-mask": 2, OTHER: 3}
    libraries = data.models_by_library(handmade())
    assert libraries.to_dict() == {"transformers": 5, "(none)": 1, "gguf": 1, "mlx": 1}


def test_parameter_bins_are_a_quarter_decade_wide() -> None:
    bins = data.parameter_histogram(handmade())
    assert bins["low"].iloc[0] == pytest.approx(1.0)  # the count of 1 starts the first bin
    assert np.allclose(bins["high"] / bins["low"], 10**0.25)
    counted = dict(zip(np.round(np.log10(bins["low"]) * 4).astype(int), bins["models"]))
    assert counted[12] == 1 and counted[15] == 1 and counted[16] == 1  # 1e3, 9999 (<1e4), 1e4
    assert bins["models"].sum() == 6  # 0 and unknown are left out
    assert data.parameter_coverage(handmade()) == {"known": 6, "unknown": 2}


def test_growth_fills_empty_months() -> None:
    growth = data.growth_by_month(handmade())
    assert [d.strftime("%Y-%m") for d in growth.index] == ["2023-01", "2023-02", "2023-03", "2023-04"]
    assert growth["created"].tolist() == [3, 2, 0, 2]
    assert growth["cumulative"].tolist() == [3, 5, 5, 7]


def test_memory_tiers_count_only_models_with_an_estimate() -> None:
    tiers = data.memory_tiers(handmade())
    assert tiers["models"].tolist() == [2, 4, 5, 6]  # of 7 with an estimate; 100 GB fits none
    assert tiers["share"].tolist() == pytest.approx([2 / 7, 4 / 7, 5 / 7, 6 / 7])
    assert data.memory_coverage(handmade()) == {"estimated": 7, "unknown": 1, "over_80_gb": 1}


def test_top_authors_sum_downloads_and_break_ties_by_name() -> None:
    authors = data.top_authors(handmade())
    assert list(authors.index) == ["a", "c", "b", "<script>x</script>"]  # a and c tie at 30
    assert authors.loc["a"].tolist() == [30, 2]
    assert authors.loc["b"].tolist() == [5, 2]


def test_crawl_summary_reads_the_stats_keys() -> None:
    stats = {
        "hfhub/pages": 12, "retry/count": 3, "hfhub/crawl/ratelimit/429": 2, "elapsed_time_seconds": 61.26,
        "downloader/response_status_count/200": 12, "downloader/response_status_count/429": 2,
        "downloader/response_status_count/503": 1, "finish_reason": "finished",
    }  # fmt: skip
    summary = data.crawl_summary(stats)
    assert summary["listing pages"] == 12
    assert summary["retries"] == 3
    assert summary["429 responses"] == 2
    assert summary["duration (s)"] == 61.3
    assert summary["pages failed"] == 0
    assert data.response_statuses(stats).to_dict() == {"200": 12, "429": 2, "503": 1}


# -- each chart's numbers against pandas, on a real crawl -----------------------------------------
@pytest.mark.parametrize(("chart", "column"), [(data.models_by_task, "pipeline_tag"),
                                                (data.models_by_library, "library_name")])  # fmt: skip
def test_category_counts_match_pandas(crawled: pd.DataFrame, chart, column: str) -> None:
    counts = chart(crawled, top=10)
    expected = crawled[column].fillna("(none)").value_counts()
    shown = counts.drop(OTHER, errors="ignore")
    assert shown.to_dict() == expected[shown.index].to_dict()
    assert shown.min() >= expected.drop(shown.index).max()  # the 10 shown are the 10 largest
    assert counts.sum() == len(crawled)


def test_parameter_histogram_matches_pandas(crawled: pd.DataFrame) -> None:
    bins = data.parameter_histogram(crawled)
    params = crawled["num_parameters"].dropna()
    params = params[params > 0]
    for low, high, n in bins.itertuples(index=False):
        assert n == ((params >= low * (1 - 1e-12)) & (params < high * (1 - 1e-12))).sum()
    assert bins["models"].sum() == len(params)
    assert bins["low"].iloc[0] <= params.min() < bins["high"].iloc[0]
    assert bins["low"].iloc[-1] <= params.max() < bins["high"].iloc[-1]


def test_growth_matches_pandas(crawled: pd.DataFrame) -> None:
    growth = data.growth_by_month(crawled)
    created = crawled["created_at"].dropna()
    expected = created.dt.strftime("%Y-%m").value_counts()
    got = pd.Series(growth["created"].to_numpy(), index=growth.index.strftime("%Y-%m"))
    assert got[got > 0].to_dict() == expected.to_dict()
    assert growth["cumulative"].iloc[-1] == len(created)
    assert (
        growth.index.to_period("M").asi8 == np.arange(len(growth)) + growth.index.to_period("M").asi8[0]
    ).all()


def test_license_share_matches_pandas(crawled: pd.DataFrame) -> None:
    shares = data.license_share(crawled)
    expected = crawled["license"].fillna("(none)").value_counts()
    for license, row in shares.drop(OTHER, errors="ignore").iterrows():
        assert row["models"] == expected[license]
        assert row["share"] == pytest.approx(expected[license] / len(crawled))
    assert shares["share"].sum() == pytest.approx(1.0)


def test_quantization_formats_match_pandas(crawled: pd.DataFrame) -> None:
    formats = data.quantization_formats(crawled)
    assert formats.to_dict() == crawled["quantization"].value_counts().to_dict()
    assert formats.is_monotonic_decreasing and len(formats) > 2


def test_top_authors_match_pandas(crawled: pd.DataFrame) -> None:
    authors = data.top_authors(crawled, top=10)
    expected = crawled.groupby("author")["downloads"].sum().sort_values(ascending=False)
    assert authors["downloads"].tolist() == expected.head(10).tolist()
    for author in authors.index:
        assert authors.loc[author, "models"] == (crawled["author"] == author).sum()


def test_memory_tiers_match_pandas(crawled: pd.DataFrame) -> None:
    tiers = data.memory_tiers(crawled)
    estimated = crawled[crawled["est_mem_stored_gb"].notna()]
    for gb, row in tiers.iterrows():
        fits = (estimated["est_mem_stored_gb"] <= gb).sum()  # the estimate itself, not the GPU tier
        assert row["models"] == fits
        assert row["share"] == pytest.approx(fits / len(estimated))


def test_crawl_summary_matches_the_crawls_stats(crawl: CrawlResult, crawled: pd.DataFrame) -> None:
    summary = data.crawl_summary(crawl.stats)
    assert summary["listing pages"] == crawl.stats["hfhub/pages"] >= 5  # the small Hub has 500-model pages
    assert summary["models published"] == len(crawled)
    assert summary["finish reason"] == "finished"
    assert 0 < summary["duration (s)"] < 300


# -- the page ------------------------------------------------------------------------------------
SECTIONS = ("by-task", "by-library", "parameters", "growth", "licenses", "quantization", "authors",
            "memory", "crawl")  # fmt: skip
EXTERNAL = re.compile(r"""(?:src|href|xlink:href|action)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import""", re.IGNORECASE)  # fmt: skip


def test_the_report_has_every_chart_and_loads_nothing(crawl: CrawlResult, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    assert main(["--dataset", str(crawl.dataset_dir), "--stats", str(crawl.workdir / "crawl_stats.json"),
                 "--out", str(out)]) == 0  # fmt: skip
    page = out.read_text()
    for key in SECTIONS:
        section = re.search(rf'<section id="{key}">(.*?)</section>', page, re.DOTALL)
        assert section, key
        assert "<svg" in section.group(1), f"no chart in {key}"
    assert not EXTERNAL.search(page)
    assert "<script" not in page and "<link" not in page and "<img" not in page
    stats = json.loads((crawl.workdir / "crawl_stats.json").read_text())
    assert f"<td>listing pages</td><td>{stats['hfhub/pages']}</td>" in page


def test_dataset_text_is_escaped(tmp_path: Path) -> None:
    handmade().to_parquet(tmp_path / "part-0.parquet")
    page = build_report(tmp_path, None)
    assert "<script>x</script>" not in page and "<b>bold</b>" not in page and "<i>l</i>" not in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page
    assert "No crawl stats" in page


def test_no_dataset_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--dataset", str(tmp_path / "none"), "--out", str(tmp_path / "r.html")]) == 1
    assert "no Parquet files" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()
