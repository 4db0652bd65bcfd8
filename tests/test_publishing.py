"""Publishing in whole versions (hfhub/storage/versions.py, hfhub/storage/publishing.py): kills at every step of a
publication, readers during one, and paths hfhub must not destroy."""

from __future__ import annotations

import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from hfhub.fakehub.process import FakeHubProcess
from hfhub.storage.versions import LEGACY_VERSION, UnsafeDatasetPath, current_version, publish_version
from tests.conftest import REPO, crawl_command, run_crawl

KILL_POINTS = ["publish:linked", "publish:built", "publish:renamed", "publish:pointed", "publish:before_forget",
               "publish:forgotten"]


def hub_state(hub: FakeHubProcess) -> set[tuple[str, str]]:
    return {(model_id, state["sha"]) for model_id, state in hub.snapshot().items()}


def dataset_state(dataset: Path) -> set[tuple[str, str]]:
    models = pd.read_parquet(current_version(dataset), columns=["id", "sha"])
    assert models["id"].is_unique
    return set(zip(models["id"], models["sha"]))


def killed_run(hub_url: str, workdir: Path, point: str, *args: str) -> subprocess.CompletedProcess[str]:
    command, env = crawl_command(hub_url, workdir, *args, settings=[f"JOBDIR={workdir / 'job'}"],
                                 env={"HFHUB_KILL_AT": point})
    return subprocess.run(command, cwd=REPO, env=env, timeout=300, capture_output=True, text=True)


@pytest.mark.slow
@pytest.mark.parametrize("point", KILL_POINTS)
@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_a_publication_killed_at_any_step_is_finished_by_the_next_run(tmp_path, point, mode):
    job = [f"JOBDIR={tmp_path / 'job'}"]
    with FakeHubProcess(models=600, seed=51, args=["--max-page-size", "100"]) as hub:
        assert run_crawl(hub.url, tmp_path, settings=job).returncode == 0
        before = hub_state(hub)
        hub.mutate(touch=sorted(m for m, _ in before)[:40], add=25)
        after = hub_state(hub)
        killed = killed_run(hub.url, tmp_path, point, f"mode={mode}")
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        assert dataset_state(tmp_path / "models") in (before, after)  # readable, whole, one version
        again = run_crawl(hub.url, tmp_path, f"mode={mode}", settings=job)
    assert again.returncode == 0, again.log[-3000:]
    assert dataset_state(tmp_path / "models") == after
    assert again.stats["hfhub/models_published"] == len(after)
    assert not any((tmp_path / ".models" / "inprogress").iterdir())  # no crawl's parts left behind


@contextmanager
def reader_polling(folder: Path, state_of: Callable[[Path], set[tuple[str, str]]]) -> Iterator[tuple[list, list]]:
    """A thread reading ``folder``'s published version (``state_of``) again and again while the
    block runs: (the states it read, the errors it met)."""
    reads: list[frozenset[tuple[str, str]]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def read_forever() -> None:
        while not stop.is_set():
            try:
                if current_version(folder) is not None:
                    reads.append(frozenset(state_of(folder)))
            except BaseException as error:  # noqa: BLE001 - what the tests are about
                errors.append(error)

    reader = threading.Thread(target=read_forever, daemon=True)
    reader.start()
    try:
        yield reads, errors
    finally:
        stop.set()
        reader.join(timeout=60)


@pytest.mark.slow
def test_readers_see_one_whole_version_while_crawls_publish(tmp_path):
    with FakeHubProcess(models=1500, seed=52, args=["--max-page-size", "100"]) as hub:
        assert run_crawl(hub.url, tmp_path).returncode == 0
        states = [hub_state(hub)]
        with reader_polling(tmp_path / "models", dataset_state) as (reads, errors):
            for mode in ("incremental", "full", "incremental"):
                hub.mutate(touch=sorted(m for m, _ in states[-1])[:300:3], add=40)
                assert run_crawl(hub.url, tmp_path, f"mode={mode}").returncode == 0
                states.append(hub_state(hub))
    assert not errors, errors[:3]
    assert len(reads) > 10
    assert {read for read in reads} <= {frozenset(state) for state in states}  # never a mix of two


def test_a_dataset_folder_from_before_versions_becomes_the_first_version(tmp_path):
    dataset = tmp_path / "models"
    dataset.mkdir()
    (dataset / "part-old-00000.parquet").write_bytes(b"old part")
    (dataset / "_state.json").write_text("{}")
    publish_version(dataset, "20270101T000000Z-new", lambda folder: (folder / "part-new.parquet").write_bytes(b"new"))
    assert dataset.is_symlink() and [p.name for p in dataset.iterdir()] == ["part-new.parquet"]
    legacy = tmp_path / ".models" / "versions" / LEGACY_VERSION
    assert (legacy / "part-old-00000.parquet").read_bytes() == b"old part"  # kept one publication longer
    publish_version(dataset, "20270102T000000Z-newer", lambda folder: None)
    assert legacy.exists()  # replaced just now: readers have RETIRED_GRACE_S to finish with it
    publish_version(dataset, "20270103T000000Z-newest", lambda folder: None, grace_s=0)
    assert not legacy.exists()
    assert sorted(p.name for p in legacy.parent.iterdir()) == ["20270102T000000Z-newer", "20270103T000000Z-newest"]


@pytest.mark.parametrize("make", ["file", "foreign folder", "parts not published by hfhub", "foreign link", "no name"])
def test_a_path_hfhub_did_not_make_is_refused_and_left_alone(tmp_path, make):
    dataset = tmp_path / "precious"
    if make == "file":
        dataset.write_text("my notes")
    elif make == "foreign folder":
        dataset.mkdir()
        (dataset / "thesis.tex").write_text("years of work")
    elif make == "parts not published by hfhub":
        dataset.mkdir()
        (dataset / "part-00000.parquet").write_bytes(b"someone else's data")
    elif make == "foreign link":
        (tmp_path / "elsewhere").mkdir()
        dataset.symlink_to(tmp_path / "elsewhere")
    else:
        dataset = Path(".")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(UnsafeDatasetPath):
        publish_version(dataset, "20270101T000000Z-x", lambda folder: None)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_a_crawl_into_a_foreign_folder_is_refused_before_any_request(small_hub, tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "part-mine.parquet").write_bytes(b"not hfhub's")
    result = run_crawl(small_hub.url, tmp_path, "limit=10")
    assert result.returncode == 1
    assert "holds files hfhub did not write" in result.log
    assert (tmp_path / "models" / "part-mine.parquet").read_bytes() == b"not hfhub's"
    assert not (tmp_path / ".models").exists()


def test_a_kill_while_the_index_is_built_is_finished_without_crawling_again(tmp_path):
    job = [f"JOBDIR={tmp_path / 'job'}", f"HFHUB_INDEX_DIR={tmp_path / 'index'}"]
    with FakeHubProcess(models=600, seed=53, args=["--max-page-size", "100"]) as hub:
        command, env = crawl_command(hub.url, tmp_path, settings=job, env={"HFHUB_KILL_AT": "index:building"})
        assert subprocess.run(command, cwd=REPO, env=env, timeout=300).returncode == -signal.SIGKILL
        assert list(tmp_path.glob(".index.*.tmp"))  # the build the kill interrupted
        listed = hub.stats()["requests"]["list"]
        again = run_crawl(hub.url, tmp_path, settings=job)
        assert hub.stats()["requests"]["list"] == listed  # no page listed again
        assert dataset_state(tmp_path / "models") == hub_state(hub)
    assert again.returncode == 0, again.log[-3000:]
    assert again.stats["hfhub/index/models"] == 600
    assert not list(tmp_path.glob(".index.*.tmp"))


def test_crawls_after_the_first_publish_beside_it(small_hub, tmp_path):
    first = run_crawl(small_hub.url, tmp_path, "limit=300")
    second = run_crawl(small_hub.url, tmp_path, "mode=incremental")
    third = run_crawl(small_hub.url, tmp_path, "limit=200")
    assert first.returncode == second.returncode == third.returncode == 0
    versions = tmp_path / ".models" / "versions"
    assert (tmp_path / "models").is_symlink()
    current = current_version(tmp_path / "models")
    assert current.parent == versions.resolve()
    assert all(p.parent.parent == versions for p in versions.rglob("_state.json"))  # no version inside a version
    assert len(list(versions.iterdir())) == 3  # the two replaced ones are kept for their grace period
    assert len(pd.read_parquet(current)) == 200
    assert not any((tmp_path / ".models" / "inprogress").iterdir())


def cards_state(cards: Path) -> set[tuple[str, str]]:
    table = pd.read_parquet(current_version(cards), columns=["id", "sha"])
    assert table["id"].is_unique
    return set(zip(table["id"], table["sha"]))


@pytest.mark.slow
def test_readers_of_the_cards_table_see_one_whole_version_while_crawls_publish(tmp_path):
    # Before, the cards table was compacted in place: readers saw a model's old and new card at once.
    cards = tmp_path / "cards"
    settings = [f"HFHUB_CARDS_DIR={cards}", "HFHUB_CARDS_ROWS_PER_PART=100"]
    with FakeHubProcess(models=600, seed=53, args=["--max-page-size", "100"]) as hub:
        assert run_crawl(hub.url, tmp_path, "cards=1", settings=settings).returncode == 0
        states = [cards_state(cards)]
        with reader_polling(cards, cards_state) as (reads, errors):
            for mode in ("incremental", "full"):
                hub.mutate(touch=sorted(m for m, _ in states[-1])[:300:2], add=30)
                result = run_crawl(hub.url, tmp_path, "cards=1", f"mode={mode}", settings=settings)
                assert result.returncode == 0, result.log[-3000:]
                assert result.stats["hfhub/cards/superseded_removed"] == 150  # the touched models' old cards
                states.append(cards_state(cards))
                assert states[-1] == dataset_state(tmp_path / "models")  # each model's card, at its sha
    assert not errors, errors[:3]
    assert len(reads) > 10
    assert set(reads) <= {frozenset(state) for state in states}  # never a mix of two


def test_a_cards_folder_from_before_versions_becomes_the_first_version(tmp_path):
    from datetime import UTC, datetime

    from hfhub.cards.publishing import cards_inprogress_dir, publish_cards
    from hfhub.cards.table import card_row, write_cards

    cards = tmp_path / "cards"
    cards.mkdir()
    old, new = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    write_cards([card_row("a/x", "1" * 40, old, None), card_row("a/y", "2" * 40, old, None)],
                cards / "part-old-00000.parquet")
    cards_inprogress_dir(cards, "C1").mkdir(parents=True)
    write_cards([card_row("a/x", "3" * 40, new, None)], cards_inprogress_dir(cards, "C1") / "part-new-00000.parquet")
    publication = publish_cards(cards, "C1", compression="zstd")
    assert publication is not None and (publication.cards, publication.removed) == (2, 1)
    assert cards.is_symlink() and cards_state(cards) == {("a/x", "3" * 40), ("a/y", "2" * 40)}
    assert not cards_inprogress_dir(cards, "C1").exists()
    assert publish_cards(cards, "C1", compression="zstd") is None  # nothing of that crawl is left to publish


@pytest.mark.slow
@pytest.mark.parametrize("point", ["publish:built", "publish:renamed", "publish:pointed"])
def test_a_cards_publication_killed_at_any_step_is_finished_by_the_next_run(tmp_path, point):
    # the cards table publishes first, so these kill points stop the crawl in the cards' publication
    cards = tmp_path / "cards"
    settings = [f"JOBDIR={tmp_path / 'job'}", f"HFHUB_CARDS_DIR={cards}"]
    with FakeHubProcess(models=400, seed=54, args=["--max-page-size", "100"]) as hub:
        command, env = crawl_command(hub.url, tmp_path, "cards=1", settings=settings, env={"HFHUB_KILL_AT": point})
        killed = subprocess.run(command, cwd=REPO, env=env, timeout=300, capture_output=True, text=True)
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        assert current_version(tmp_path / "models") is None  # killed before the models were published
        again = run_crawl(hub.url, tmp_path, "cards=1", settings=settings)
    assert again.returncode == 0, again.log[-3000:]
    assert cards_state(cards) == dataset_state(tmp_path / "models")
    assert len(cards_state(cards)) == 400
    assert not list(tmp_path.glob(".cards/inprogress/*/part-*"))
    assert not list(tmp_path.glob(".cards/versions/.*.tmp"))
