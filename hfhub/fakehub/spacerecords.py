"""Build the full JSON record of one fake Space (``/api/spaces``).

``runtime`` follows the shapes huggingface_hub's cassettes recorded from the real Hub
(``tests/cassettes/*space*.yaml``: ``{"stage", "hardware": {"current", "requested"}, "storage",
"gcTimeout", "replicas": {...}, "devMode", "domains": [...]}``, a static Space's
``{"current": null, "requested": null}`` hardware, ``replicas`` with or without ``current``).
A Space's ``models`` and ``datasets`` name repos of the other corpora (``repocorpus.REFERENCED``) and,
now and then, one that does not exist; its card may name others than the Hub's lists say.
"""

from __future__ import annotations

import hashlib
import random
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from hfhub.fakehub import rand
from hfhub.fakehub import repovocab as rv
from hfhub.fakehub.records import iso_many

if TYPE_CHECKING:
    from hfhub.fakehub.repocorpus import SpaceCorpus

_RUNNING = {"RUNNING", "RUNNING_BUILDING", "RUNNING_APP_STARTING"}
_ERRORS = {
    "BUILD_ERROR": ("Job failed with exit code: 1. Reason: cache miss: [run 2/4] RUN pip install --no-cache-dir "
                    "-r requirements.txt"),
    "RUNTIME_ERROR": "Exit code: 1. Reason: ModuleNotFoundError: No module named 'torch'",
    "CONFIG_ERROR": "Missing configuration in README",
}
_FILES = {
    "gradio": ("app.py", "requirements.txt"), "streamlit": ("app.py", "requirements.txt"),
    "docker": ("Dockerfile", "app.py", "requirements.txt"), "static": ("index.html", "style.css"),
}


def build_many(corpus: SpaceCorpus, indices: list[int], model_pool: tuple[str, ...],
               dataset_pool: tuple[str, ...]) -> list[dict[str, Any]]:
    """Records of these Spaces; ``model_pool`` and ``dataset_pool`` are the ids they may name."""
    idx = np.asarray(indices, dtype=np.int64)
    c = corpus.cols
    names = ("sdk", "stage", "hardware", "region", "likes", "trending", "created_ms")
    cols = {k: c[k][idx].tolist() for k in names}
    cols["created"] = iso_many(c["created_ms"][idx])
    cols["modified"] = iso_many(c["modified_ms"][idx])
    cols["sha"] = corpus.shas(idx)
    return [build(corpus, i, {k: v[n] for k, v in cols.items()}, model_pool, dataset_pool)
            for n, i in enumerate(indices)]


def build(corpus: SpaceCorpus, i: int, row: dict[str, Any], model_pool: tuple[str, ...],
          dataset_pool: tuple[str, ...]) -> dict[str, Any]:
    rng = rand.FastRandom(rand.record_seed(corpus.seed, i))
    sdk = rv.SDKS[row["sdk"]]
    stage = rv.STAGES[row["stage"]]
    space_id = corpus.model_id(i)
    author, _, name = space_id.partition("/")
    sub = subdomain(space_id)
    models = _linked(rng, model_pool, 0.45, 6)
    datasets = _linked(rng, dataset_pool, 0.22, 3)
    region = "eu" if row["region"] else "us"
    license_ = rng.choice(rv.SPACE_LICENSES) if rng.random() < 0.55 else None
    free_tags = rng.sample(rv.SPACE_FREE_TAGS, 1) if rng.random() < 0.12 else []

    rec: dict[str, Any] = {
        "_id": corpus.object_id(i), "id": space_id, "author": author, "sha": row["sha"],
        "lastModified": row["modified"], "private": False, "gated": False, "disabled": False,
        "host": f"https://{sub}.hf.space", "subdomain": sub, "likes": row["likes"], "sdk": sdk,
        "tags": [sdk, *free_tags, f"region:{region}"],
    }
    if rng.random() < 0.995:  # the Hub leaves runtime out now and then
        rec["runtime"] = _runtime(rng, sdk, stage, row["hardware"], sub, row["sha"])
    rec["createdAt"] = row["created"]
    rec["siblings"] = _siblings(rng, sdk, stage)
    if rng.random() < 0.96:
        rec["cardData"] = _card_data(rng, name, sdk, license_, models, datasets, free_tags)
    if models:
        rec["models"] = models
    if datasets:
        rec["datasets"] = datasets
    rec["usedStorage"] = int(2_000 + 10 ** (3 + 6 * rng.random() ** 2))
    # Expand-only properties (absent from the detail endpoint's default payload).
    rec["trendingScore"] = row["trending"]
    rec["region"] = region
    return rec


def subdomain(space_id: str) -> str:
    """``author/Name_x`` -> ``author-name-x``; a long one is cut and made unique with a hash."""
    sub = re.sub(r"[^a-z0-9]+", "-", space_id.lower()).strip("-")
    if len(sub) > 63:
        sub = sub[:56].rstrip("-") + "-" + hashlib.sha1(space_id.encode()).hexdigest()[:6]
    return sub


def _linked(rng: random.Random, pool: tuple[str, ...], share: float, most: int) -> list[str]:
    if rng.random() > share:
        return []
    picks = [pool[int(len(pool) * rng.random() ** 2)] for _ in range(rng.randint(1, most))]
    if rng.random() < 0.1:  # a repo renamed or deleted since: the Space still names the old id
        owner, _, repo = rng.choice(picks).partition("/")
        picks.append(f"{owner}/{repo}-old" if repo else f"{owner}-old")
    return list(dict.fromkeys(picks))


def _runtime(rng: random.Random, sdk: str, stage: str, hardware: int, sub: str, sha: str) -> dict[str, Any]:
    if sdk == "static":
        return {"stage": stage, "hardware": {"current": None, "requested": None}, "storage": None,
                "replicas": {"requested": 1, "current": 1}}
    flavour = rv.HARDWARE[hardware]
    current = flavour if stage in _RUNNING else None
    runtime: dict[str, Any] = {
        "stage": stage, "hardware": {"current": current, "requested": flavour},
        "storage": rng.choice(("small", "medium", "large")) if rng.random() < 0.03 else None,
        "gcTimeout": 172800 if flavour in ("cpu-basic", "zero-a10g") else rng.choice((None, 3600, 86400)),
    }
    if stage in _ERRORS:
        runtime["errorMessage"] = _ERRORS[stage]
    if stage == "PAUSED":
        runtime["replicas"] = {"current": None, "requested": 1}
        return runtime
    if flavour == "zero-a10g" and rng.random() < 0.3:  # scaled by the Hub (black-forest-labs/FLUX.1-dev)
        runtime["replicas"] = {"current": rng.randint(1, 5), "requested": "auto"}
    elif rng.random() < 0.6:
        runtime["replicas"] = {"current": 1, "requested": 1}
        return runtime
    else:
        runtime["replicas"] = {"requested": 1}
    runtime["devMode"] = rng.random() < 0.02
    runtime["domains"] = [{"domain": f"{sub}.hf.space", "stage": "READY"}]
    if rng.random() < 0.02:  # a custom domain whose DNS check lapsed (enzostvs/deepsite)
        runtime["domains"].append({"domain": f"{sub.partition('-')[2] or sub}.example.org", "stage": "EXPIRED_CHALLENGE"})
    if sdk in ("gradio", "docker") and rng.random() < 0.3:
        runtime["pySpacesVersion"] = rng.choice(("0.42.1", "0.47.0", "0.48.2"))
    runtime["sha"] = sha
    return runtime


def _siblings(rng: random.Random, sdk: str, stage: str) -> list[dict[str, str]]:
    files = [".gitattributes", "README.md"]
    if stage != "NO_APP_FILE":
        files += _FILES[sdk]
    if rng.random() < 0.3:
        files += rng.sample(("examples/1.png", "utils.py", "packages.txt", "assets/logo.svg", "model.py"), 2)
    return [{"rfilename": f} for f in files]


def _card_data(rng: random.Random, name: str, sdk: str, license_: str | None, models: list[str],
               datasets: list[str], free_tags: list[str]) -> dict[str, Any]:
    card: dict[str, Any] = {
        "title": name.replace("-", " ").replace("_", " ").title() if rng.random() < 0.8 else name,
        "emoji": rng.choice(rv.EMOJIS), "colorFrom": rng.choice(rv.COLORS), "colorTo": rng.choice(rv.COLORS),
        # a Space moved to Docker whose card still says gradio
        "sdk": sdk if rng.random() < 0.98 else rng.choice(rv.SDKS),
    }
    if sdk in rv.SDK_VERSIONS:
        card["sdk_version"] = rng.choice(rv.SDK_VERSIONS[sdk])
    if sdk in rv.APP_FILES and rng.random() < 0.9:
        card["app_file"] = rv.APP_FILES[sdk]
    if sdk == "docker" and rng.random() < 0.5:
        card["app_port"] = 7860
    card["pinned"] = rng.random() < 0.15
    if license_:
        card["license"] = license_
    if rng.random() < 0.4:
        card["short_description"] = f"A demo of {name.replace('-', ' ')}"[:60]
    if models and rng.random() < 0.6:
        card["models"] = models[:2] if rng.random() < 0.8 else [*models[:1], "unlisted/model-in-card"]
    if datasets and rng.random() < 0.6:
        card["datasets"] = datasets
    if free_tags:
        card["tags"] = free_tags
    if rng.random() < 0.03:
        card["hf_oauth"] = True
    return card
