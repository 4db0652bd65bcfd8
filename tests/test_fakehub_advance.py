"""The fake Hub's simulated time: ``POST /_fake/advance`` (``FakeHubProcess.advance``) moves downloads,
likes and trending scores, commits, creates and deletes repos, deterministically (``fakehub.timeline``)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pytest
from huggingface_hub import HfApi

from hfhub.fakehub import timeline
from hfhub.fakehub.columns import EPOCH_END_MS
from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.process import FakeHubProcess
from hfhub.fakehub.repocorpus import DatasetCorpus, SpaceCorpus
from hfhub.fakehub.server import FakeHub, ServerConfig, serve
from tests.conftest import http_get as get

N, SEED, PAGE, DAYS = 1200, 4, 200, 5
COUNTS = ("downloads", "downloadsAllTime", "likes", "trendingScore")
EXPAND = ["downloads", "downloadsAllTime", "likes", "trendingScore", "sha", "lastModified", "createdAt"]
SPACE_EXPAND = ["likes", "trendingScore", "sha", "lastModified", "createdAt"]


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def walk(url: str, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every record of a listing, page by page (its Link headers)."""
    next_url: str | None = f"{url}{path}?{urlencode(params, doseq=True)}"
    records: list[dict[str, Any]] = []
    while next_url:
        status, headers, body = get(next_url)
        assert status == 200
        records += json.loads(body)
        next_url = headers["Link"].split(";")[0].strip("<>") if "Link" in headers else None
    return records


@pytest.fixture(scope="module")
def hub() -> Iterator[FakeHubProcess]:
    with FakeHubProcess(models=N, seed=SEED, args=["--max-page-size", str(PAGE)]) as h:
        yield h


@pytest.fixture(scope="module")
def advanced(hub: FakeHubProcess) -> dict[str, Any]:
    """The hub's listings read once (the entry cache filled), then ``DAYS`` days advanced."""
    before = {kind: hub.snapshot(kind) for kind in ("models", "datasets", "spaces")}
    for kind, expand in (("models", EXPAND), ("datasets", EXPAND), ("spaces", SPACE_EXPAND)):
        walk(hub.url, f"/api/{kind}", expand=expand)
    answer = hub.advance(DAYS)
    return {"before": before, "answer": answer}


def test_the_answer_says_what_changed(hub: FakeHubProcess, advanced: dict[str, Any]) -> None:
    answer = advanced["answer"]
    assert answer["days"] == DAYS
    for kind in ("models", "datasets", "spaces"):
        moved = answer[kind]
        assert moved["day"] == DAYS
        assert moved["now"] == "2026-11-06T00:00:00.000Z"  # 2026-11-01 (the fake's day 0) + 5 days
        assert moved["touched"] > 0 and moved["changed"] > moved["touched"]
        assert moved["added"] == len(moved["added_ids"]) > 0
        assert moved["deleted"] == len(moved["deleted_ids"])
        assert moved["live"] == len(advanced["before"][kind]) + moved["added"] - moved["deleted"]
        assert moved["live"] == len(hub.snapshot(kind))
    assert answer["models"]["deleted"] > 0
    assert hub.stats()["days"] == {"models": DAYS, "datasets": DAYS, "spaces": DAYS}


@pytest.mark.parametrize(("kind", "expand"), [("models", EXPAND), ("datasets", EXPAND), ("spaces", SPACE_EXPAND)])
def test_listings_serve_the_snapshots_values_not_stale_cached_entries(
        hub: FakeHubProcess, advanced: dict[str, Any], kind: str, expand: list[str]) -> None:
    truth = hub.snapshot(kind)
    listed = walk(hub.url, f"/api/{kind}", expand=expand)
    assert {r["id"] for r in listed} == set(truth) and len(listed) == len(truth)
    for record in listed:
        want = truth[record["id"]]
        for key in ("sha", "lastModified", *COUNTS):
            assert record.get(key) == want[key], (record["id"], key)
    before = advanced["before"][kind]
    assert sum(truth[i]["likes"] != before[i]["likes"] for i in before if i in truth) > 10
    if kind == "spaces":
        assert all(v["downloads"] is None and v["downloadsAllTime"] is None for v in truth.values())
    else:
        assert sum(truth[i]["downloads"] != before[i]["downloads"] for i in before if i in truth) > len(before) / 10


def test_official_client_lists_the_advanced_values(hub: FakeHubProcess, advanced: dict[str, Any]) -> None:
    api = HfApi(endpoint=hub.url, token=False)
    truth = hub.snapshot("models")
    models = list(api.list_models(expand=["downloads", "downloadsAllTime", "likes", "trendingScore", "sha"]))
    assert {m.id for m in models} == set(truth)
    for m in models:
        want = truth[m.id]
        assert (m.downloads, m.downloads_all_time, m.likes, m.trending_score, m.sha) == (
            want["downloads"], want["downloadsAllTime"], want["likes"], want["trendingScore"], want["sha"])
    top = next(iter(api.list_models(sort="downloads", limit=1, expand=["downloads"])))
    assert top.downloads == max(v["downloads"] for v in truth.values())
    spaces = hub.snapshot("spaces")
    for s in api.list_spaces(expand=["likes", "trendingScore"]):
        assert (s.likes, s.trending_score) == (spaces[s.id]["likes"], spaces[s.id]["trendingScore"])


def test_new_and_deleted_repos(hub: FakeHubProcess, advanced: dict[str, Any]) -> None:
    moved = advanced["answer"]["models"]
    truth = hub.snapshot("models")
    assert set(moved["added_ids"]) <= set(truth) and not set(moved["added_ids"]) & set(advanced["before"]["models"])
    assert not set(moved["deleted_ids"]) & set(truth) and set(moved["deleted_ids"]) <= set(advanced["before"]["models"])
    for repo_id in moved["deleted_ids"]:
        assert get(f"{hub.url}/api/models/{repo_id}")[0] == 404
    newest = walk(hub.url, "/api/models", sort="createdAt", limit=len(moved["added_ids"]), expand=EXPAND)
    newest = newest[: len(moved["added_ids"])]
    assert {r["id"] for r in newest} == set(moved["added_ids"])  # the newest repos are the day's new ones
    for r in newest:
        assert EPOCH_END_MS < _ms(r["createdAt"]) < EPOCH_END_MS + DAYS * timeline.DAY_MS
        assert r["lastModified"] >= r["createdAt"]
    for kind in ("datasets", "spaces"):
        listed = {r["id"] for r in walk(hub.url, f"/api/{kind}")}
        assert set(advanced["answer"][kind]["added_ids"]) <= listed
        assert not set(advanced["answer"][kind]["deleted_ids"]) & listed


def test_commits_are_newer_than_anything_before(hub: FakeHubProcess, advanced: dict[str, Any]) -> None:
    before, truth = advanced["before"]["models"], hub.snapshot("models")
    watermark = max(_ms(v["lastModified"]) for v in before.values())
    committed = {i for i in before if i in truth and truth[i]["sha"] != before[i]["sha"]}
    assert len(committed) == advanced["answer"]["models"]["touched"]
    for i in before:
        if i in truth:
            assert (i in committed) == (truth[i]["lastModified"] != before[i]["lastModified"])
    assert all(_ms(truth[i]["lastModified"]) > watermark for i in committed)
    # an incremental crawl from the watermark: the lastModified listing down to it is what changed
    recent = []
    for record in walk(hub.url, "/api/models", sort="lastModified", expand=["lastModified"]):
        if _ms(record["lastModified"]) <= watermark:
            break
        recent.append(record["id"])
    assert set(recent) == committed | set(advanced["answer"]["models"]["added_ids"])


def test_determinism_over_http() -> None:
    """Two hubs of one seed, advanced alike (in other steps), serve the same snapshots; another seed not."""
    hubs = [serve(ServerConfig(models=400, seed=SEED, start_days=1)) for _ in range(2)]
    other = serve(ServerConfig(models=400, seed=SEED + 1, start_days=1))
    try:
        _post(hubs[0], {"days": 3})
        _post(hubs[1], {"days": 1, "kind": "models"})
        _post(hubs[1], {"days": 2, "kind": "models"})
        _post(hubs[1], {"days": 3, "kind": "datasets"})
        _post(hubs[1], {"days": 3, "kind": "spaces"})
        _post(other, {"days": 3})
        for kind in ("models", "datasets", "spaces"):
            snaps = [get(f"{h.url}/_fake/snapshot?kind={kind}")[2] for h in (*hubs, other)]
            assert snaps[0] == snaps[1] != snaps[2]
    finally:
        for h in (*hubs, other):
            h.shutdown()


def _post(hub: FakeHub, payload: dict[str, Any]) -> tuple[int, Any]:
    req = urllib.request.Request(f"{hub.url}/_fake/advance", data=json.dumps(payload).encode(), method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.parametrize("payload", [{"days": -1}, {"days": "2"}, {"days": 1.5}, {"kind": "papers"}])
def test_bad_advances_are_400(payload: dict[str, Any]) -> None:
    hub = serve(ServerConfig(models=50))
    try:
        status, body = _post(hub, payload)
        assert status == 400 and "error" in body
        status, body = _post(hub, {"days": 0})
        assert status == 200 and all(body[k]["day"] == 0 and body[k]["added"] == 0 for k in ("models", "spaces"))
    finally:
        hub.shutdown()


def test_start_days_is_the_same_as_advancing_after_start(hub: FakeHubProcess, advanced: dict[str, Any]) -> None:
    with FakeHubProcess(models=N, seed=SEED, start_days=DAYS) as started:
        assert started.stats()["days"]["models"] == DAYS
        assert started.snapshot("models") == hub.snapshot("models")
        assert started.snapshot("spaces") == hub.snapshot("spaces")


@pytest.mark.parametrize("cls", [Corpus, DatasetCorpus, SpaceCorpus])
def test_day_by_day(cls: type[Corpus]) -> None:
    """Every day: downloadsAllTime never falls, the 30-day downloads and likes move both ways (likes
    rarely down), some repos rise fast, flat ones stay put; the same as one advance of all the days."""
    corpus, whole = cls(3000, 2), cls(3000, 2)
    start = {k: corpus.cols[k].copy() for k in ("downloads", "downloads_all", "likes", "trending")}
    prev = start
    fell = rose = 0
    for _ in range(20):
        corpus.advance(1)
        now = {k: corpus.cols[k][: len(prev[k])] for k in prev}
        assert (now["downloads_all"] >= prev["downloads_all"]).all()
        fell += int((now["likes"] < prev["likes"]).sum())
        rose += int((now["likes"] > prev["likes"]).sum())
        prev = {k: corpus.cols[k].copy() for k in prev}
    assert 0 < fell < rose / 5
    whole.advance(20)
    for key in corpus.cols:
        assert np.array_equal(corpus.cols[key], whole.cols[key]), key
    assert corpus.revisions == whole.revisions and (corpus.alive == whole.alive).all()
    n = len(start["likes"])
    live = corpus.alive[:n]
    likes = corpus.cols["likes"][:n]
    assert ((likes - start["likes"])[live] >= 20).sum() >= 3  # rises bring likes
    if cls is SpaceCorpus:
        assert not corpus.cols["downloads"].any() and not corpus.cols["downloads_all"].any()
        return
    d0, d1 = start["downloads"], corpus.cols["downloads"][:n]
    risen = live & (d1 >= 10 * np.maximum(d0, 100))
    assert 5 <= risen.sum() < n / 20
    assert (live & (d1 < d0)).sum() > n / 20  # the rolling count falls too
    flat = corpus.timeline is not None and corpus.timeline.flat[:n]
    quiet = live & flat & (d0 == 0)
    assert quiet.sum() > 100 and (corpus.cols["downloads_all"][:n][quiet] == start["downloads_all"][quiet]).all()


def test_no_advance_no_change() -> None:
    """Records of a corpus advanced 0 days are those of one never advanced (byte for byte)."""
    a, b = Corpus(300, 9), Corpus(300, 9)
    assert a.advance(0)["day"] == 0
    assert json.dumps(a.records(list(range(300)))) == json.dumps(b.records(list(range(300))))


def test_a_touch_is_kept_and_time_stays_monotonic() -> None:
    """``touch`` stamps wall time, later than the simulated clock: the next day starts after it."""
    corpus = Corpus(500, 3)
    corpus.advance(2)
    corpus.touch(7)
    touched_at, downloads = int(corpus.cols["modified_ms"][7]), int(corpus.cols["downloads"][7])
    revisions = dict(corpus.revisions)
    answer = corpus.advance(1)
    committed = [i for i, rev in corpus.revisions.items() if rev != revisions.get(i, 0)]
    assert committed and answer["touched"] == len(committed)
    assert all(int(corpus.cols["modified_ms"][i]) > touched_at for i in committed)
    assert _ms(answer["now"]) > touched_at
    assert abs(int(corpus.cols["downloads"][7]) - downloads) <= max(10, downloads // 2)  # went on from the touch
