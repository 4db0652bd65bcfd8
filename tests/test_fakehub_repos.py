"""The fake Hub's /api/datasets and /api/spaces, over real loopback HTTP, checked with the official client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args
from urllib.parse import urlencode, urlsplit

import pytest
import yaml
from huggingface_hub import DatasetInfo, HfApi, SpaceInfo
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
from huggingface_hub.hf_api import ExpandDatasetProperty_T, ExpandSpaceProperty_T

from hfhub.fakehub import repovocab
from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.listing import Lister
from hfhub.fakehub.process import FakeHubProcess
from hfhub.fakehub.query import DATASET_EXPANDABLE, SPACE_EXPANDABLE, ListQuery
from hfhub.fakehub.repocorpus import REFERENCED, DatasetCorpus, SpaceCorpus
from hfhub.fakehub.views import DATASET_LIST_DEFAULT, SPACE_LIST_DEFAULT
from tests.conftest import http_get as get

N, SEED, PAGE = 800, 11, 40  # 400 datasets and 400 Spaces: ten pages of each
REAL = Path(__file__).parent / "data" / "real_hub"
ALL_DATASET_EXPAND = list(get_args(ExpandDatasetProperty_T))
ALL_SPACE_EXPAND = list(get_args(ExpandSpaceProperty_T))


@pytest.fixture(scope="module")
def hub() -> Iterator[FakeHubProcess]:
    with FakeHubProcess(models=N, seed=SEED, args=["--max-page-size", str(PAGE)]) as h:
        yield h


@pytest.fixture(scope="module")
def api(hub: FakeHubProcess) -> HfApi:
    return HfApi(endpoint=hub.url, token=False)


def get_json(hub: FakeHubProcess, path: str, **params: Any) -> tuple[int, dict[str, str], Any]:
    status, headers, body = get(f"{hub.url}{path}?{urlencode(params, doseq=True)}")
    return status, headers, json.loads(body)


def next_url(headers: dict[str, str]) -> str | None:
    link = headers.get("Link")
    return link.split(";")[0].strip("<>") if link else None


def test_expand_lists_are_huggingface_hubs() -> None:
    assert list(DATASET_EXPANDABLE) == ALL_DATASET_EXPAND
    assert list(SPACE_EXPANDABLE) == ALL_SPACE_EXPAND


def test_official_client_pages_datasets_with_every_expand_property(hub: FakeHubProcess, api: HfApi) -> None:
    before = hub.stats()["requests"].get("datasets_list", 0)
    datasets = list(api.list_datasets(expand=ALL_DATASET_EXPAND))
    ids = [d.id for d in datasets]
    assert len(ids) == len(set(ids)) == N // 2
    assert set(ids) == set(hub.snapshot("datasets"))
    assert hub.stats()["requests"]["datasets_list"] - before == N // 2 // PAGE
    assert all(isinstance(d, DatasetInfo) and d.downloads is not None and d.tags for d in datasets)
    assert sum(d.card_data is not None for d in datasets) > N / 2 * 0.7
    assert sum(d.citation is not None for d in datasets) > 10 and sum(d.main_size is not None for d in datasets) > 300
    assert {d.gated for d in datasets} == {False, "auto", "manual"}
    assert all(d.used_storage and d.created_at and d.sha for d in datasets)
    legacy = [d for d in datasets if "/" not in d.id]  # ids from before namespaces, as `imdb`
    assert legacy and all(d.author is None for d in legacy)
    limited = list(api.list_datasets(expand=ALL_DATASET_EXPAND, limit=3 * PAGE + 5))
    assert [d.id for d in limited] == ids[: 3 * PAGE + 5]


def test_official_client_pages_spaces_with_every_expand_property(hub: FakeHubProcess, api: HfApi) -> None:
    spaces = list(api.list_spaces(expand=ALL_SPACE_EXPAND))
    ids = [s.id for s in spaces]
    assert len(ids) == len(set(ids)) == N // 2
    assert set(ids) == set(hub.snapshot("spaces"))
    assert all(isinstance(s, SpaceInfo) and s.sdk in repovocab.SDKS for s in spaces)
    assert all(s.subdomain and s.region in ("us", "eu") and s.likes is not None for s in spaces)
    stages = {s.runtime.stage for s in spaces if s.runtime}
    assert {"RUNNING", "SLEEPING", "RUNTIME_ERROR", "BUILD_ERROR", "PAUSED"} <= stages
    static = [s for s in spaces if s.sdk == "static" and s.runtime]
    assert static and all(s.runtime.hardware is None and s.runtime.requested_hardware is None for s in static)
    assert any(s.models for s in spaces) and any(s.datasets for s in spaces)
    assert all(getattr(s, "downloads", None) is None for s in spaces)  # Spaces are not downloaded


@pytest.mark.parametrize(("kind", "default"), [("datasets", DATASET_LIST_DEFAULT), ("spaces", SPACE_LIST_DEFAULT)])
def test_default_list_rows_and_link_to_the_same_endpoint(hub: FakeHubProcess, kind: str, default: tuple) -> None:
    status, headers, rows = get_json(hub, f"/api/{kind}", limit=5, search="a")
    assert status == 200 and len(rows) == 5
    assert all(list(row) == [k for k in default if k in row] and {"_id", "id", "tags"} <= set(row) for row in rows)
    url = next_url(headers)
    assert url and urlsplit(url).path == f"/api/{kind}" and "cursor=" in url and "search=a" in url
    status, _, body = get(url)
    assert status == 200 and not {r["id"] for r in rows} & {r["id"] for r in json.loads(body)}
    _, _, full = get_json(hub, f"/api/{kind}", limit=5, full="true")
    assert all("cardData" in r or "siblings" in r for r in full)


def test_dataset_and_space_info(api: HfApi) -> None:
    info = api.dataset_info("imdb")
    assert info.id == "imdb" and info.sha and info.downloads_all_time is None  # expand-only
    assert api.dataset_info("imdb", revision="main").sha == info.sha
    assert api.dataset_info("imdb", expand=["mainSize", "downloadsAllTime"]).downloads_all_time is not None
    space_id = next(iter(api.list_spaces(limit=1))).id
    space = api.space_info(space_id)
    assert space.id == space_id and space.host == f"https://{space.subdomain}.hf.space"
    assert space.trending_score is None and space.region is None  # expand-only
    assert api.space_info(space_id, expand=["region"]).region in ("us", "eu")
    with pytest.raises(RepositoryNotFoundError):
        api.dataset_info("nobody/no-such-dataset")
    with pytest.raises(RepositoryNotFoundError):
        api.space_info("nobody/no-such-space")


@pytest.mark.parametrize(("path", "params", "message"), [
    ("/api/datasets", {"expand": "sdk"}, '"expand" must be one of author, cardData, citation'),
    ("/api/spaces", {"expand": "downloads"}, '"expand" must be one of author, cardData, createdAt, datasets'),
    ("/api/spaces", {"sort": "downloads"}, "Invalid sort parameter"),
    ("/api/datasets/imdb", {"expand": "runtime"}, '"expand" must be one of'),
])
def test_bad_requests_are_400(hub: FakeHubProcess, path: str, params: dict[str, str], message: str) -> None:
    status, _, body = get_json(hub, path, **params)
    assert status == 400 and body["error"].startswith(message)


def test_filters_search_and_author(api: HfApi) -> None:
    every = list(api.list_datasets(expand=["tags", "author", "gated"]))
    for task in ("text-classification", "question-answering"):
        got = {d.id for d in api.list_datasets(task_categories=task)}
        assert got and got == {d.id for d in every if f"task_categories:{task}" in d.tags}
    for tag in ("modality:tabular", "size_categories:n<1K", "format:parquet", "language:en", "license:mit"):
        assert {d.id for d in api.list_datasets(filter=tag)} == {d.id for d in every if tag in d.tags}
    both = {d.id for d in api.list_datasets(filter=["format:parquet", "modality:text"])}
    assert both == {d.id for d in every if {"format:parquet", "modality:text"} <= set(d.tags)}
    assert {d.id for d in api.list_datasets(gated=True)} == {d.id for d in every if d.gated}
    assert {d.id for d in api.list_datasets(search="reviews")} == {d.id for d in every if "reviews" in d.id.lower()}
    author = "nimbus-labs"
    assert {d.id for d in api.list_datasets(author=author)} == {d.id for d in every if d.author == author}
    spaces = list(api.list_spaces(expand=["sdk", "models", "datasets", "tags"]))
    assert {s.id for s in api.list_spaces(filter="gradio")} == {s.id for s in spaces if s.sdk == "gradio"}
    used = next(m for s in spaces for m in s.models or [])
    assert {s.id for s in api.list_spaces(models=used)} == {s.id for s in spaces if used in (s.models or [])}
    assert {s.id for s in api.list_spaces(linked=True)} == {s.id for s in spaces if s.models or s.datasets}


def test_sorts_page_in_order(hub: FakeHubProcess, api: HfApi) -> None:
    likes = [s.likes for s in api.list_spaces(sort="likes", expand=["likes"])]
    assert len(likes) == N // 2 and likes == sorted(likes, reverse=True)
    downloads = [d.downloads for d in api.list_datasets(sort="downloads", expand=["downloads"])]
    assert len(downloads) == N // 2 and downloads == sorted(downloads, reverse=True)
    created = [d.created_at for d in api.list_datasets(sort="created_at", expand=["createdAt"])]
    assert created == sorted(created, reverse=True)


def test_dataset_readme_front_matter_matches_card_data(hub: FakeHubProcess) -> None:
    corpus = DatasetCorpus(N // 2, SEED)
    checked = missing = 0
    for record in corpus.records(list(range(0, N // 2, 3))):
        status, headers, body = get(f"{hub.url}/datasets/{record['id']}/resolve/main/README.md")
        if "description" not in record:
            assert status == 404 and headers["X-Error-Code"] == "EntryNotFound"
            missing += 1
            continue
        assert status == 200 and headers["X-Repo-Commit"] == record["sha"]
        text = body.decode()
        if "cardData" in record:
            assert text.startswith("---\n")
            assert yaml.safe_load(text.split("---\n")[1]) == record["cardData"]
            checked += 1
        else:
            assert not text.startswith("---")
    assert checked > 80 and missing > 0
    status, headers, _ = get(f"{hub.url}/datasets/nobody/nothing/raw/main/README.md")
    assert status == 404 and headers["X-Error-Code"] == "RepoNotFound"
    space = next(iter(hub.snapshot("spaces")))
    assert get(f"{hub.url}/spaces/{space}/resolve/main/README.md")[0] == 404


def test_mutations_per_kind(hub: FakeHubProcess, api: HfApi) -> None:
    before = hub.snapshot("datasets")
    victim, moved = sorted(before)[5], sorted(before)[6]
    answer = hub.mutate(kind="datasets", touch=[moved], delete=[victim], add=2)
    assert answer["datasets"] == N // 2 + 1 and len(answer["added"]) == 2
    after = hub.snapshot("datasets")
    assert victim not in after and set(answer["added"]) <= set(after)
    assert after[moved]["sha"] != before[moved]["sha"]
    newest = [d.id for d in api.list_datasets(sort="created_at", limit=2)]
    assert set(newest) == set(answer["added"])
    with pytest.raises(RepositoryNotFoundError):
        api.dataset_info(victim)
    assert len(hub.snapshot("models")) == N and hub.stats()["corpus_versions"]["models"] == 0
    assert get(f"{hub.url}/_fake/snapshot?kind=kernels")[0] == 400


def test_churn_touches_the_kind_of_the_listed_page() -> None:
    with FakeHubProcess(models=400, seed=3, args=["--churn", "4", "--max-page-size", "25"]) as hub:
        url: str | None = f"{hub.url}/api/spaces?sort=lastModified"
        seen: list[str] = []
        pages = 0
        while url:
            status, headers, body = get(url)
            assert status == 200
            seen += [s["id"] for s in json.loads(body)]
            url = next_url(headers)
            pages += 1
        # touched Spaces jump ahead of the cursor: missed, never repeated
        assert len(seen) == len(set(seen)) < 200
        versions = hub.stats()["corpus_versions"]
        assert versions["spaces"] == 4 * pages and versions["models"] == 0 and versions.get("datasets", 0) == 0
        api = HfApi(endpoint=hub.url, token=False)
        ids = [d.id for d in api.list_datasets(sort="likes")]  # moves up and down: some twice, some never
        assert set(ids) <= set(hub.snapshot("datasets")) and len(ids) > 150


def test_official_client_rides_out_429s() -> None:
    with FakeHubProcess(models=100, seed=4, args=["--max-page-size", "10", "--fault-429", "0.2",
                                                  "--fault-seed", "9"]) as hub:
        api = HfApi(endpoint=hub.url, token=False)
        assert {s.id for s in api.list_spaces(expand=ALL_SPACE_EXPAND)} == set(hub.snapshot("spaces"))
        assert hub.stats()["faults"].get("429", 0) >= 1


def test_rate_limit_buckets() -> None:
    with FakeHubProcess(models=100, args=["--rate-limit", "2/300", "--rate-limit-resolvers", "1/300"]) as hub:
        first = get(f"{hub.url}/api/datasets?limit=1")
        assert first[0] == 200 and '"api";r=1' in first[1]["RateLimit"]
        assert get(f"{hub.url}/api/spaces?limit=1")[0] == 200
        assert get(f"{hub.url}/api/datasets/imdb")[0] == 429
        readme = get(f"{hub.url}/datasets/imdb/resolve/main/README.md")
        assert readme[0] == 200 and '"resolvers";r=0' in readme[1]["RateLimit"]


def test_recorded_dataset_and_space_records_are_served() -> None:
    args = ["--dataset-records", str(REAL / "dataset_records.jsonl"), "--space-records", str(REAL / "space_records.jsonl")]
    with FakeHubProcess(models=50, seed=2, args=[*args, "--max-page-size", "2"]) as hub:
        api = HfApi(endpoint=hub.url, token=False)
        recorded = [json.loads(line)["record"] for line in (REAL / "dataset_records.jsonl").read_text().splitlines()]
        assert {d.id for d in api.list_datasets(expand=ALL_DATASET_EXPAND)} == {r["id"] for r in recorded}
        info = api.dataset_info("nvidia/OpenMathInstruct-2")
        assert info.card_data is not None and info.used_storage == 87120908513
        assert get(f"{hub.url}/datasets/nvidia/OpenMathInstruct-2/resolve/main/README.md")[0] == 200
        assert get(f"{hub.url}/datasets/akariasai/PopQA/resolve/main/README.md")[0] == 404  # no cardData
        assert {s.id for s in api.list_spaces()} == {"user/tmp_test_space", "enzostvs/deepsite"}
        assert len(list(api.list_models())) == 50  # models are still generated


def test_generated_corpora_are_deterministic_and_unique() -> None:
    for kind in (DatasetCorpus, SpaceCorpus):
        small, big = kind(300, 5), kind(900, 5)
        for i in (0, 1, 25, 250, 299):
            assert small.record(i) == big.record(i)
        assert small.record(260) != kind(300, 6).record(260)
        ids = list(kind(30_000, 1).model_ids())
        assert len({i.lower() for i in ids}) == 30_000
    assert DatasetCorpus(300, 5).record(40)["_id"] != Corpus(300, 5).record(40)["_id"]


def test_column_filters_agree_with_the_records_tags() -> None:
    for corpus, tags in (
        (DatasetCorpus(3000, 2), ["task_categories:text-generation", "modality:tabular", "modality:image",
                                  "size_categories:1K<n<10K", "format:csv", "format:", "region:us"]),
        (SpaceCorpus(3000, 2), ["gradio", "docker", "static", "region:eu"]),
    ):
        lister, records = Lister(corpus), corpus.records(list(range(corpus.size)))
        for tag in tags:
            mask = lister.mask(ListQuery(limit=10, kind=corpus.kind, filters=[tag]))
            assert [bool(m) for m in mask] == [tag in r["tags"] for r in records], tag


def test_repos_name_repos_that_exist() -> None:
    models, datasets, spaces = Corpus(REFERENCED, 8), DatasetCorpus(REFERENCED, 8), SpaceCorpus(600, 8)
    model_ids, dataset_ids, space_ids = set(models.model_ids()), set(datasets.model_ids()), set(spaces.model_ids())
    named = [m for r in spaces.records(list(range(600))) for m in r.get("models", [])]
    used = [d for r in spaces.records(list(range(600))) for d in r.get("datasets", [])]
    assert 0.8 < sum(m in model_ids for m in named) / len(named) < 1.0  # most exist, a few were renamed
    assert 0.8 < sum(d in dataset_ids for d in used) / len(used) < 1.0
    linked = [s for r in models.records(list(range(REFERENCED))) for s in r["spaces"]]
    assert linked and all(s in space_ids for s in linked)  # a model's Spaces are the corpus's first 240
    tagged = {t.split(":", 1)[1] for r in models.records(list(range(REFERENCED))) for t in r["tags"]
              if t.startswith("dataset:")}
    assert tagged and tagged <= dataset_ids


def test_hub_quirks_in_dataset_and_space_records() -> None:
    datasets = DatasetCorpus(3000, 3).records(list(range(3000)))
    no_card = [d for d in datasets if "cardData" not in d]
    assert no_card and not any(t.startswith(("license:", "task_categories:")) for d in no_card for t in d["tags"])
    retired = [d for d in datasets if set(d.get("cardData", {}).get("task_categories", [])) & set(repovocab.RETIRED_TASKS)]
    assert retired and all(f"task_categories:{t}" not in d["tags"] for d in retired for t in repovocab.RETIRED_TASKS)
    assert any(isinstance(d.get("cardData", {}).get("license"), list) for d in datasets)
    assert any(d.get("description", "").endswith(f"page: https://huggingface.co/datasets/{d['id']}.") for d in datasets)
    assert any(d.get("cardData", {}).get("paperswithcode_id", 0) is None for d in datasets)
    spaces = SpaceCorpus(3000, 3).records(list(range(3000)))
    assert any("runtime" not in s for s in spaces) and any("cardData" not in s for s in spaces)
    assert any(s.get("runtime", {}).get("replicas", {}).get("requested") == "auto" for s in spaces)
    assert any(s.get("cardData", {}).get("sdk", s["sdk"]) != s["sdk"] for s in spaces)
    assert any("errorMessage" in s.get("runtime", {}) for s in spaces)


def test_unknown_kinds_and_paths_are_404(hub: FakeHubProcess) -> None:
    status, headers, _ = get(f"{hub.url}/api/datasets/a/b/c")
    assert status == 404 and headers["X-Error-Code"] == "RepoNotFound"
    assert get(f"{hub.url}/api/kernels")[0] == 404
    with pytest.raises(HfHubHTTPError):
        HfApi(endpoint=hub.url, token=False).space_info("a/b")
