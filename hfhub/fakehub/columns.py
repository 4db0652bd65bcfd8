"""Vectorised generation of the corpus's scalar columns (sort and filter keys).

Each column is a numpy array indexed by model index; element ``i`` depends only on
``(seed, i)`` (see ``rand``), so generating ``[start, stop)`` later gives the same values
as generating everything at once.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from hfhub.fakehub import rand, vocab

LEGACY_CREATED_MS = int(datetime(2022, 3, 2, 23, 29, 4, tzinfo=UTC).timestamp() * 1000)
EPOCH_START_MS = int(datetime(2022, 3, 3, tzinfo=UTC).timestamp() * 1000)
EPOCH_END_MS = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000)

N_STEMS = len(vocab.STEMS)
N_VERSIONS = len(vocab.VERSIONS)
N_QUALIFIERS = len(vocab.NAME_QUALIFIERS)
N_SIZES = len(vocab.SIZE_TAGS)

# Relations to a base model, as in the Hub's `base_model:<relation>:<id>` tags.
RELATIONS: tuple[str | None, ...] = (None, "finetune", "quantized", "adapter", "merge")

_PROFILE_CUM = np.cumsum([p.weight for p in vocab.PROFILES]) / sum(p.weight for p in vocab.PROFILES)
_LIB_INDEX = {name: k for k, name in enumerate(vocab.LIBRARIES)}


def _pick(u: np.ndarray, weights: list[float]) -> np.ndarray:
    cum = np.cumsum(weights) / sum(weights)
    return np.minimum(np.searchsorted(cum, u, side="right"), len(weights) - 1)


def generate(seed: int, idx: np.ndarray, n_authors: int) -> dict[str, np.ndarray]:
    """All scalar columns for the model indices ``idx``."""
    u = lambda stream: rand.uniform(seed, stream, idx)  # noqa: E731
    n = len(idx)
    profile = np.minimum(np.searchsorted(_PROFILE_CUM, u(1), side="right"), len(vocab.PROFILES) - 1)
    library = np.full(n, -1, dtype=np.int16)
    lib_u = u(2)
    for p_idx, prof in enumerate(vocab.PROFILES):
        sel = profile == p_idx
        choice = _pick(lib_u[sel], [w for _, w in prof.libraries])
        names = [lib for lib, _ in prof.libraries]
        library[sel] = np.array([_LIB_INDEX[x] if x else -1 for x in names], dtype=np.int16)[choice]
    cols: dict[str, np.ndarray] = {
        "profile": profile.astype(np.int16),
        "library": library,
        "author": _authors(u(3), u(4), u(5), n_authors),
        "params": _params(seed, idx, profile),
    }
    cols["relation"] = _relations(u(6), profile, library)
    cols.update(_times(u(7), u(8), u(9)))
    cols.update(_popularity(seed, idx, cols["created_ms"]))
    cols["stem"] = (u(20) * N_STEMS).astype(np.int16)
    cols["version"] = (u(21) ** 2 * N_VERSIONS).astype(np.int16)
    cols["qualifier"] = (u(22) * N_QUALIFIERS).astype(np.int16)
    return cols


def _authors(u_kind: np.ndarray, u_org: np.ndarray, u_user: np.ndarray, n_authors: int) -> np.ndarray:
    """Heavy-tailed owners: big orgs, then users on a Zipf-like (log-uniform) curve."""
    n_orgs = len(vocab.BIG_ORGS)
    n_users = max(n_authors - n_orgs, 1)
    org = np.floor(n_orgs * u_org**1.6)
    skewed = np.floor(n_users * u_user**2.5)
    flat = np.floor(u_user * n_users)
    user = np.where(u_kind < 0.45, skewed, flat) + n_orgs
    return np.where(u_kind < 0.08, org, np.minimum(user, n_authors - 1)).astype(np.int32)


def _params(seed: int, idx: np.ndarray, profile: np.ndarray) -> np.ndarray:
    lo = np.array([p.params_range[0] for p in vocab.PROFILES])[profile]
    hi = np.array([p.params_range[1] for p in vocab.PROFILES])[profile]
    llm = np.array([p.llm for p in vocab.PROFILES])[profile]
    logu = np.exp(np.log(lo) + rand.uniform(seed, 10, idx) * (np.log(hi) - np.log(lo)))
    sizes = np.array(vocab.LLM_SIZES_B) * 1e9
    cluster = sizes[(rand.uniform(seed, 11, idx) * len(sizes)).astype(int)]
    cluster = cluster * (1.0 + 0.04 * rand.normal(seed, 12, idx))
    clustered = llm & (rand.uniform(seed, 13, idx) < 0.7)
    return np.where(clustered, cluster, logu).astype(np.int64)


def _relations(u: np.ndarray, profile: np.ndarray, library: np.ndarray) -> np.ndarray:
    lib = lambda name: library == _LIB_INDEX[name]  # noqa: E731
    rel = np.where(u < 0.3, 1, 0)
    rel = np.where(lib("transformers") & (u > 0.9), 2, rel)  # GPTQ/AWQ/... quantizations
    rel = np.where(lib("transformers") & (u > 0.86) & (u <= 0.9), 4, rel)
    rel = np.where(lib("gguf") | lib("mlx"), np.where(u < 0.85, 2, 0), rel)
    rel = np.where(lib("peft"), 3, rel)
    rel = np.where(lib("diffusers"), np.where(u < 0.45, 3, 0), rel)
    rel = np.where(lib("timm") | lib("stable-baselines3") | lib("ml-agents"), 0, rel)
    return rel.astype(np.int8)


def _times(u_legacy: np.ndarray, u_created: np.ndarray, u_mod: np.ndarray) -> dict[str, np.ndarray]:
    # The Hub grows fast, so creation dates skew recent; repos imported before the Hub
    # stored creation dates all share one legacy createdAt.
    span = EPOCH_END_MS - EPOCH_START_MS
    created = EPOCH_START_MS + (span * np.sqrt(u_created)).astype(np.int64)
    legacy = u_legacy < 0.08
    created = np.where(legacy, LEGACY_CREATED_MS, created) // 1000 * 1000
    modified = created + ((EPOCH_END_MS - created) * u_mod**3).astype(np.int64)
    # Half the legacy repos were last changed before the Hub back-filled their createdAt, so their
    # lastModified is earlier than their createdAt (real: sshleifer/distilbart-cnn-12-6, 2021-06-14).
    before = legacy & (u_mod < 0.5)
    modified = np.where(before, LEGACY_CREATED_MS - (u_mod * 2 * 3 * 365 * 86_400_000).astype(np.int64), modified)
    return {"created_ms": created, "modified_ms": modified // 1000 * 1000}


def _popularity(seed: int, idx: np.ndarray, created: np.ndarray) -> dict[str, np.ndarray]:
    """Heavy tails with many zeros; likes follow downloads loosely; trending favours new repos."""
    u_zero = rand.uniform(seed, 30, idx)
    logd = 2.5 + 2.6 * rand.normal(seed, 31, idx)
    downloads = np.where(u_zero < 0.38, 0, np.floor(np.exp(np.clip(logd, 0, 19.5))))
    alltime = downloads * (1.0 + np.exp(1.2 * rand.normal(seed, 32, idx) + 0.8))
    alltime = alltime + np.floor(np.exp(np.clip(2.0 + 2.0 * rand.normal(seed, 33, idx), 0, 12)))
    logl = 0.45 * np.log1p(downloads) + 1.1 * rand.normal(seed, 34, idx) - 1.0
    likes = np.where(rand.uniform(seed, 35, idx) < 0.5, 0, np.floor(np.exp(np.clip(logl, 0, 11))))
    age_days = (EPOCH_END_MS - created) / 86_400_000
    fresh = np.exp(-age_days / 20.0)
    trending = np.floor(likes * fresh * 4 * rand.uniform(seed, 36, idx))
    return {
        "downloads": downloads.astype(np.int64),
        "downloads_all": alltime.astype(np.int64),
        "likes": likes.astype(np.int64),
        "trending": trending.astype(np.int64),
    }
