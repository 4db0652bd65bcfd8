"""The fake Hub over real loopback HTTP, checked with the official huggingface_hub client."""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Iterator
from typing import Any, get_args
from urllib.parse import urlencode

import pytest
import yaml
from huggingface_hub import HfApi, ModelInfo
from huggingface_hub.errors import RepositoryNotFoundError
from huggingface_hub.hf_api import ExpandModelProperty_T

from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.process import FakeHubProcess
from tests.conftest import http_get as get

N, SEED, PAGE = 1500, 5, 100


@pytest.fixture(scope="module")
def hub() -> Iterator[FakeHubProcess]:
    with FakeHubProcess(models=N, seed=SEED, args=["--max-page-size", str(PAGE)]) as h:
        yield h


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus(N, SEED)


@pytest.fixture(scope="module")
def api(hub: FakeHubProcess) -> HfApi:
    return HfApi(endpoint=hub.url, token=False)


def get_json(hub: FakeHubProcess, path: str, **params: Any) -> tuple[int, dict[str, str], Any]:
    status, headers, body = get(f"{hub.url}{path}?{urlencode(params, doseq=True)}")
    return status, headers, json.loads(body)


def test_official_client_pages_through_everything_once(hub: FakeHubProcess, api: HfApi, corpus: Corpus) -> None:
    ids = [m.id for m in api.list_models()]
    assert len(ids) == len(set(ids)) == N
    assert set(ids) == set(corpus.model_ids())
    assert hub.stats()["requests"]["list"] >= N // PAGE


@pytest.mark.parametrize("kwargs", [
    {"full": True},
    {"expand": ["author", "downloads", "lastModified", "siblings", "cardData", "config", "gguf", "tags"]},
    {"sort": "downloads"},
    {"sort": "likes"},
    {"sort": "last_modified"},
    {"sort": "created_at"},
])
def test_official_client_every_model_once_with_options(api: HfApi, corpus: Corpus, kwargs: dict[str, Any]) -> None:
    models = list(api.list_models(**kwargs))
    assert all(isinstance(m, ModelInfo) for m in models)
    assert sorted(m.id for m in models) == sorted(corpus.model_ids())
    if "full" in kwargs:
        assert all(m.sha and m.last_modified for m in models)
        assert sum(m.siblings is None for m in models) < N / 50  # the Hub sends `siblings: null` now and then
    if "expand" in kwargs:
        assert all(m.downloads is not None and m.likes is None for m in models)


# huggingface_hub's ExpandModelProperty_T (hf_api.py): the official client must page the fake with all of them.
ALL_EXPAND = list(get_args(ExpandModelProperty_T))


def test_official_client_pages_with_every_expand_property(api: HfApi, corpus: Corpus) -> None:
    assert len(ALL_EXPAND) >= 30
    models = list(api.list_models(expand=ALL_EXPAND))
    assert sorted(m.id for m in models) == sorted(corpus.model_ids())
    assert sum(m.safetensors is not None for m in models) > N / 3
    assert any(m.gguf for m in models) and any(m.inference_provider_mapping for m in models)
    detail = api.model_info(next(m.id for m in models if m.inference_provider_mapping), expand=ALL_EXPAND)
    assert detail.inference_provider_mapping  # the detail endpoint's dict form parses too


def test_official_client_filters(api: HfApi, corpus: Corpus) -> None:
    records = corpus.records(list(range(N)))
    author = records[0]["author"]
    assert {m.id for m in api.list_models(author=author)} == {r["id"] for r in records if r["author"] == author}
    assert {m.id for m in api.list_models(search="CORVID")} == {r["id"] for r in records if "corvid" in r["id"].lower()}
    want = {r["id"] for r in records if r.get("pipeline_tag") == "text-generation"}
    assert {m.id for m in api.list_models(pipeline_tag="text-generation")} == want
    want = {r["id"] for r in records if {"gguf", "text-generation"} <= set(r["tags"])}
    assert {m.id for m in api.list_models(filter=["gguf", "text-generation"])} == want
    want = {r["id"] for r in records if "license:mit" in r["tags"]}
    assert {m.id for m in api.list_models(filter="license:mit")} == want
    assert list(api.list_models(limit=7)) and len(list(api.list_models(limit=7))) == 7


def test_sort_orders_descending_with_id_tiebreak(hub: FakeHubProcess) -> None:
    _, _, page = get_json(hub, "/api/models", sort="downloads", limit=100)
    values = [(-m["downloads"], m["_id"]) for m in page]
    assert values == sorted(values)
    _, _, page = get_json(hub, "/api/models", sort="createdAt", direction="1", limit=100)
    assert [m["createdAt"] for m in page] == sorted(m["createdAt"] for m in page)
    _, _, default = get_json(hub, "/api/models", limit=50)
    assert [m["trendingScore"] for m in default] == sorted((m["trendingScore"] for m in default), reverse=True)


def test_model_info_and_404(api: HfApi, corpus: Corpus) -> None:
    repo = corpus.model_id(3)
    info = api.model_info(repo)
    assert info.id == repo and info.sha == corpus.record(3)["sha"] and info.siblings
    expanded = api.model_info(repo, expand=["downloadsAllTime", "trendingScore"])
    assert expanded.downloads_all_time is not None and expanded.sha is None
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("no-such-owner/no-such-model")


def test_default_and_full_shapes(hub: FakeHubProcess) -> None:
    _, _, page = get_json(hub, "/api/models", limit=20)
    allowed = {"_id", "id", "likes", "trendingScore", "private", "downloads", "tags", "pipeline_tag",
               "library_name", "createdAt", "modelId"}
    assert all(set(m) <= allowed and {"_id", "id", "modelId", "tags"} <= set(m) for m in page)
    _, _, page = get_json(hub, "/api/models", limit=20, full="true")
    assert all({"sha", "lastModified", "author", "siblings", "gated"} <= set(m) for m in page)
    _, _, page = get_json(hub, "/api/models", limit=20, **{"expand[]": ["likes"]})
    assert all(set(m) == {"_id", "id", "likes"} for m in page)


def test_limit_is_capped_and_link_follows(hub: FakeHubProcess) -> None:
    status, headers, page = get_json(hub, "/api/models", limit=5000)
    assert status == 200 and len(page) == PAGE and 'rel="next"' in headers["Link"]
    assert headers["Content-Type"] == "application/json; charset=utf-8" and headers["X-Request-Id"]
    url = headers["Link"].split(";")[0].strip("<>")
    assert url.startswith(f"{hub.url}/api/models?") and "limit=5000" in url and "cursor=" in url


def test_last_page_has_no_link(hub: FakeHubProcess, corpus: Corpus) -> None:
    author = corpus.model_id(0).split("/")[0]
    status, headers, page = get_json(hub, "/api/models", author=author)
    assert status == 200 and page and "Link" not in headers
    status, headers, page = get_json(hub, "/api/models", author="nobody-at-all")
    assert status == 200 and page == [] and "Link" not in headers


@pytest.mark.parametrize("params", [
    {"expand": "author", "full": "true"},
    {"expand[]": "likes", "config": "true"},
    {"expand[]": "not-a-property"},
    {"cursor": "not base64!"},
    {"cursor": base64.b64encode(b'{"x": 1}').decode()},
    {"sort": "bogus"},
    {"limit": "ten"},
])
def test_bad_requests_are_400_with_error_body(hub: FakeHubProcess, params: dict[str, str]) -> None:
    status, headers, body = get_json(hub, "/api/models", **params)
    assert status == 400 and isinstance(body["error"], str) and headers["X-Error-Message"]


def test_readme_front_matter_matches_card_data(hub: FakeHubProcess, corpus: Corpus) -> None:
    checked = 0
    for i in range(0, 200, 9):
        rec = corpus.record(i)
        status, headers, body = get(f"{hub.url}/{rec['id']}/resolve/main/README.md")
        if status == 404:  # a repo without a README (test_some_readmes_are_missing)
            continue
        assert status == 200 and headers["X-Repo-Commit"] == rec["sha"]
        text = body.decode()
        if "cardData" not in rec:
            assert not text.startswith("---")
            continue
        _, front, rest = text.split("---\n", 2)
        assert yaml.safe_load(front) == rec["cardData"]
        assert f"# {rec['id'].split('/')[1]}" in rest and "## Usage" in rest
        checked += 1
    assert checked > 5
    status, headers, _ = get(f"{hub.url}/nobody/nothing/resolve/main/README.md")
    assert status == 404 and headers["X-Error-Code"] == "RepoNotFound"


def test_mutations_visible_in_listings(hub: FakeHubProcess, corpus: Corpus) -> None:
    victim, touched = corpus.model_id(20), corpus.model_id(21)
    result = hub.mutate(touch=[touched], delete=[victim], add=2)
    assert len(result["added"]) == 2
    _, _, page = get_json(hub, "/api/models", sort="lastModified", limit=3)
    assert {m["id"] for m in page} == {*result["added"], touched}  # all three changed just now
    status, _, _ = get(f"{hub.url}/api/models/{victim}")
    assert status == 404
    stats = hub.stats()
    assert stats["models"] == N + 1 and stats["responses"]["404"] >= 1


def _walk(hub: FakeHubProcess, query: str) -> list[dict[str, Any]]:
    url: str | None = f"{hub.url}/api/models?{query}"
    records = []
    while url:
        status, headers, body = get(url)
        assert status == 200
        records += json.loads(body)
        url = headers["Link"].split(";")[0].strip("<>") if "Link" in headers else None
    return records


def test_safetensors_total_is_always_there_and_sometimes_wrong_as_on_the_hub(hub: FakeHubProcess) -> None:
    """huggingface_hub#4221: `total` can disagree with the per-dtype counts (a number from the repo)."""
    blocks = [m["safetensors"] for m in _walk(hub, "expand[]=safetensors") if "safetensors" in m]
    assert blocks and all("total" in b for b in blocks)
    wrong = [b for b in blocks if b["total"] != sum(b["parameters"].values())]
    assert 0 < len(wrong) < len(blocks) * 0.05


def test_records_carry_the_real_hubs_quirks(hub: FakeHubProcess) -> None:
    records = _walk(hub, urlencode([("expand[]", p) for p in ALL_EXPAND]))
    tags = {t for r in records for t in r.get("tags", [])}
    assert {"autotrain_compatible", "text-generation-inference", "endpoints_compatible", "4-bit"} <= tags
    assert any(t.startswith("doi:") for t in tags) and any(" " in t for t in tags)  # free text
    gguf = [r for r in records if "gguf" in r]
    assert gguf and sum("library_name" not in r for r in gguf) > len(gguf) / 2
    assert any(r["siblings"] is None for r in records)
    assert any(r["lastModified"] < r["createdAt"] for r in records)  # legacy repos
    configs = [r["config"] for r in records if r.get("config")]
    assert configs and not any({"num_experts", "num_local_experts", "num_hidden_layers"} & set(c) for c in configs)
    assert any(isinstance(r.get("inferenceProviderMapping"), list) and r["inferenceProviderMapping"] for r in records)
    assert any(r.get("model-index") for r in records) and any("model-index" in r and r["model-index"] is None for r in records)


def test_some_readmes_are_missing(hub: FakeHubProcess, corpus: Corpus) -> None:
    statuses = {}
    for i in range(60):
        record = corpus.record(i)
        status, headers, body = get(f"{hub.url}/{record['id']}/resolve/main/README.md")
        if headers.get("X-Error-Code") == "RepoNotFound":  # deleted by another test
            continue
        statuses[status] = statuses.get(status, 0) + 1
        if status == 404:
            assert "cardData" not in record and headers["X-Error-Code"] == "EntryNotFound"
        else:
            assert len(body) > 1000  # real cards are kilobytes
    assert statuses.get(404) and statuses.get(200)


def test_stats_count_authorized_requests_and_do_not_count_themselves(hub: FakeHubProcess) -> None:
    before = hub.stats()
    assert hub.stats() == before
    req = urllib.request.Request(f"{hub.url}/api/models?limit=1", headers={"Authorization": "Bearer hf_fake"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200
    after = hub.stats()
    assert after["authorized_requests"] == before["authorized_requests"] + 1
    assert after["requests"]["list"] == before["requests"]["list"] + 1
