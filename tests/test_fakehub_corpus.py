"""The fake Hub's corpus: deterministic, unique, internally consistent, mutable."""

from __future__ import annotations

import re

import pytest

from hfhub.fakehub.corpus import Corpus
from hfhub.fakehub.records import iso

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus(3000, seed=3)


def test_same_seed_same_records_and_prefix_stable() -> None:
    a, b, bigger = Corpus(400, seed=7), Corpus(400, seed=7), Corpus(900, seed=7)
    for i in (0, 1, 57, 399):
        assert a.record(i) == b.record(i)
        assert a.model_id(i) == bigger.model_id(i)
    assert a.record(5) != Corpus(400, seed=8).record(5)


def test_ids_unique_even_ignoring_case() -> None:
    ids = list(Corpus(30000, seed=1).model_ids())
    assert len(ids) == 30000
    assert len({i.lower() for i in ids}) == 30000
    assert all(re.fullmatch(r"[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*", i) for i in ids)


def test_record_shapes(corpus: Corpus) -> None:
    for rec in corpus.records(list(range(0, 3000, 7))):
        assert ISO.match(rec["createdAt"]) and ISO.match(rec["lastModified"])
        # legacy repos may have been last changed before the Hub back-filled their createdAt
        assert rec["lastModified"] >= rec["createdAt"] or rec["createdAt"] == "2022-03-02T23:29:04.000Z"
        assert re.fullmatch(r"[0-9a-f]{40}", rec["sha"]) and re.fullmatch(r"[0-9a-f]{24}", rec["_id"])
        assert rec["downloadsAllTime"] >= rec["downloads"] >= 0
        assert rec["gated"] in (False, "auto", "manual") and rec["private"] is False
        assert rec["id"] == rec["modelId"] and rec["id"].startswith(rec["author"] + "/")
        assert "region:us" in rec["tags"]
        st = rec.get("safetensors")
        if st:
            assert st["total"] >= 1 and all(n >= 1 for n in st["parameters"].values())
        files = {s["rfilename"] for s in rec["siblings"] or [{"rfilename": f"x.{f}"} for f in ("safetensors", "gguf")]}
        if "gguf" in rec:
            assert rec.get("library_name") in ("gguf", None) and "gguf" in rec["tags"]
            assert any(f.endswith(".gguf") for f in files)
        if st:
            assert any(f.endswith(".safetensors") for f in files)


def test_card_data_agrees_with_tags(corpus: Corpus) -> None:
    for rec in corpus.records(list(range(0, 3000, 5))):
        card, tags = rec.get("cardData"), set(rec["tags"])
        if not card:
            continue
        if "license" in card:
            assert f"license:{card['license']}" in tags
        for d in card.get("datasets", []):
            assert f"dataset:{d}" in tags
        base = card.get("base_model")
        current = {m["id"] for m in rec.get("baseModels", {}).get("models", [])}
        for b in [base] if isinstance(base, str) else base or []:
            if b not in current:  # the card names the base by a former id; the tags by the current one
                assert any(b.endswith("-" + c.split("/")[1]) for c in current)
                continue
            assert f"base_model:{b}" in tags
            assert f"base_model:{rec['baseModels']['relation']}:{b}" in tags
        lang = card.get("language")
        for code in [lang] if isinstance(lang, str) else lang or []:
            assert code in tags
        if card.get("pipeline_tag"):
            assert card["pipeline_tag"] == rec["pipeline_tag"]


def test_distributions_look_like_the_hub() -> None:
    c = Corpus(20000, seed=1)
    downloads = c.cols["downloads"]
    assert 0.25 < (downloads == 0).mean() < 0.5
    assert downloads.max() > 100 * max(int(sorted(downloads)[len(downloads) // 2]), 1)
    created = [iso(int(x)) for x in c.cols["created_ms"][:2000]]
    assert created.count("2022-03-02T23:29:04.000Z") > 50
    params = c.cols["params"]
    assert params.min() < 5e7 and params.max() > 1e11


def test_mutations() -> None:
    c = Corpus(200, seed=2)
    before = c.record(10)
    c.touch(10)
    after = c.record(10)
    assert after["sha"] != before["sha"] and after["downloads"] > before["downloads"]
    assert after["lastModified"] > before["lastModified"]
    gone = c.model_id(11)
    c.delete(11)
    assert gone not in set(c.model_ids()) and len(c) == 199
    new = c.add(5)
    ids = list(c.model_ids())
    assert len(ids) == len(set(ids)) == 204
    assert [c.model_id(i) for i in new] == ids[-5:]
    assert c.index_of(c.model_id(new[0])) == new[0] and c.index_of(gone) is None
