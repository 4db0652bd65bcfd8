"""`hfhub-search` and `hfhub-index` as a user runs them: real subprocesses, real index on disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hfhub.fakehub.dataset import write_dataset

REPO = Path(__file__).resolve().parents[1]


def run(*args: str, module: str = "hfhub.search") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli")
    dataset = write_dataset(root / "models", 1_500, seed=5, rows_per_part=500)
    proc = run("build", "--dataset", str(dataset), "--index", str(root / "index"), module="hfhub.index")
    assert proc.returncode == 0, proc.stderr
    assert "indexed 1500 models" in proc.stdout
    assert (proc.stdout + proc.stderr).count("indexed 1500 models") == 1  # said once, not by the log too
    return dataset, root / "index"


def test_table(built: tuple[Path, Path]) -> None:
    _, index = built
    proc = run("speech recognition", "-k", "5", "--index", str(index))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["#", "model", "task"]
    rows, links = lines[1:6], lines[7:]
    assert lines[6] == "" and all("automatic-speech-recognition" in line for line in rows)
    # then each result's Hub URL, and what it matched on
    ids = [row.split()[1] for row in rows]
    assert [line for line in links if not line.startswith("    ")] == [
        f"{rank:>2}. https://huggingface.co/{model_id}" for rank, model_id in enumerate(ids, 1)
    ]
    assert all("speech" in line for line in links if line.startswith("    matched on "))


def test_json_and_filters(built: tuple[Path, Path]) -> None:
    _, index = built
    proc = run(
        "text generation",
        "--json",
        "-k",
        "7",
        "--index",
        str(index),
        "--task",
        "text-generation",
        "--max-params",
        "8B",
        "--quantized",
    )
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 7
    assert all(
        r["pipeline_tag"] == "text-generation" and r["quantization"] and r["num_parameters"] <= 8e9
        for r in rows
    )
    assert {"id", "score", "lexical", "dense", "downloads"} <= set(rows[0])


def test_like(built: tuple[Path, Path]) -> None:
    _, index = built
    first = json.loads(run("text classification", "--json", "-k", "1", "--index", str(index)).stdout)
    proc = run("--like", first["id"], "--json", "-k", "3", "--index", str(index))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 3 and first["id"] not in [r["id"] for r in rows]


def _error(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hfhub-search: error: ")
    return lines[0]


def test_error_no_index(tmp_path: Path) -> None:
    assert "hfhub-index build" in _error(run("bert", "--index", str(tmp_path / "none")))


def test_error_empty_query(built: tuple[Path, Path]) -> None:
    assert "empty query" in _error(run("  ", "--index", str(built[1])))
    assert "empty query" in _error(run("--index", str(built[1])))


def test_error_unknown_filter_value(built: tuple[Path, Path]) -> None:
    line = _error(run("bert", "--index", str(built[1]), "--task", "sentence-similarity2"))
    assert "unknown task 'sentence-similarity2'" in line and "did you mean: sentence-similarity" in line


def test_error_unknown_like(built: tuple[Path, Path]) -> None:
    assert "no model 'no/such'" in _error(run("--like", "no/such", "--index", str(built[1])))


def test_error_stale_index(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, index = built
    other = write_dataset(tmp_path / "models", 10, seed=9)
    line = _error(run("bert", "--index", str(index), "--dataset", str(other)))
    assert "different dataset" in line and "hfhub-index build" in line


def test_usage_errors_exit_2(built: tuple[Path, Path]) -> None:
    assert run("bert", "--like", "a/b", "--index", str(built[1])).returncode == 2
    assert run("bert", "--max-params", "lots").returncode == 2


def test_index_build_error(tmp_path: Path) -> None:
    proc = run(
        "build", "--dataset", str(tmp_path / "none"), "--index", str(tmp_path / "ix"), module="hfhub.index"
    )
    assert proc.returncode == 1 and "crawl first" in proc.stderr


def test_search_side_never_imports_scrapy(built: tuple[Path, Path]) -> None:
    code = (
        "import sys, hfhub.search, hfhub.index; from hfhub.index import ModelIndex; "
        f"ModelIndex.load({str(built[1])!r}).search('bert'); "
        "assert not [m for m in sys.modules if m == 'scrapy' or m.startswith('scrapy.')], 'scrapy imported'"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], check=False, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr


def test_a_corrupt_manifest_or_part_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    import shutil

    dataset = write_dataset(tmp_path / "models", 300, seed=6, rows_per_part=100)
    assert run("build", "--dataset", str(dataset), "--index", str(tmp_path / "index"), module="hfhub.index").returncode == 0
    manifest = (tmp_path / "index").resolve() / "manifest.json"
    saved = manifest.read_text()
    manifest.write_text('{"truncated')
    proc = run("anything", "--index", str(tmp_path / "index"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("hfhub-search: error: the index manifest") and proc.stderr.count("\n") == 1
    manifest.write_text(saved)
    part = sorted(dataset.glob("*.parquet"))[0]
    shutil.copy(part, tmp_path / "saved.parquet")
    part.write_bytes(part.read_bytes()[:500])  # a part cut short
    for args, module in ((["anything", "--index", str(tmp_path / "index"), "--dataset", str(dataset)], "hfhub.search"),
                         (["build", "--dataset", str(dataset), "--index", str(tmp_path / "index2")], "hfhub.index")):
        proc = run(*args, module=module)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert "has an unreadable part file" in proc.stderr and proc.stderr.count("\n") == 1


@pytest.mark.parametrize(("option", "message"), [
    (["-k", "100000"], "argument -k: -k must be between 1 and 100"),
    (["--max-size-gb", "-1"], "--max-size-gb must be between 0 and"),
    (["--min-downloads", "-5"], "--min-downloads must be between 0 and"),
    (["--fits-gpu-gb", "lots"], "--fits-gpu-gb must be a number"),
])
def test_the_cli_checks_values_as_the_search_api_does(built: tuple[Path, Path], option: list[str], message: str) -> None:
    _, index = built
    proc = run("bert", *option, "--index", str(index))
    assert proc.returncode == 2 and message in proc.stderr  # argparse's usage error


def test_a_fractional_gpu_size_is_a_filter(built: tuple[Path, Path]) -> None:
    _, index = built

    def gpu_sizes(*gpu: str) -> list[float | None]:
        proc = run("text generation", "-k", "100", *gpu, "--json", "--index", str(index))
        assert proc.returncode == 0, proc.stderr
        return [json.loads(line)["est_min_gpu_gb"] for line in proc.stdout.splitlines()]

    assert any(size is not None and size > 8.5 for size in gpu_sizes())
    fitting = gpu_sizes("--fits-gpu-gb", "8.5")
    assert fitting and all(size is not None and size <= 8.5 for size in fitting)
