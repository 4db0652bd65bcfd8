"""Advancing the fake Hub's time: ``Corpus.advance(days)`` moves every live repo day by day.

Each kind keeps a day counter (``corpus.day``, 0 at start) and a clock (``corpus.clock_ms``: the start of
the next day, ``columns.EPOCH_END_MS`` = 2026-11-01T00:00:00Z at day 0, the end of the generated dates).
Day ``t`` moves every live repo from ``(seed, kind, index, t)`` alone, vectorised over the columns:

- a repo has a daily activity ``x``: its base rate (``downloads / 30`` at day 0; for Spaces, which have
  no downloads, ``1 + likes / 10`` visits) times a per-repo drift ``exp(g * age)`` (``g`` ~ N(0, 1 %) a
  day, the factor capped at e^±3) times day-to-day noise (lognormal, sigma 0.3). 30 % of repos are
  *flat*: no drift, no noise, no bursts, few commits. A *burst* (a repo that rises) starts on 0.2 % of
  the other repos a day (25 % of new ones on their first day): ``x = max(base, 30) * M`` with M
  log-uniform in 10..100, for 3..14 days, with three times the likes.
- models and datasets: the day's downloads are ``x`` rounded (stochastically); ``downloadsAllTime`` grows
  by them (it never decreases); ``downloads`` (the Hub's rolling 30-day count) is an exponential moving
  sum ``d * 29/30 + today``, rounded, so it follows the recent daily rate and can fall. Spaces keep no
  downloads.
- likes grow by ``x`` times the repo's like ratio (likes per all-time download at day 0, clipped to
  1e-5..1 %; 2 % of visits for Spaces), rounded; 0.3 % of liked repos lose one like a day.
- the trending score is a decaying sum of recent growth: ``s * 0.8 + likes gained + burst downloads above
  the base rate / 100``, floored.
- commits: a live repo gets a new commit with probability 0.2 % (flat), 1 % (others), 20 % (bursting),
  30 % (in its first week, for repos created after day 0); ``lastModified`` moves to a whole second within the day and the sha changes
  (the revision counter, as ``Corpus.touch``, which also moves counts: here the counts move as above).
- new repos: ``floor(initial size * 0.2 % + u)`` a day (u uniform per day), ``createdAt`` =
  ``lastModified`` = a whole second within the day, counts 0 (they ramp up from the rate of their
  generated record); deletions: 0.15 % a day of live repos without likes created before the day (never
  the datasets and Spaces other records name).

The day's events happen at ``day_start + s`` (s a whole second in 1..86399), ``day_start`` = the clock,
pushed after the newest ``lastModified``/``createdAt`` the corpus holds (a ``touch`` or ``add`` stamps wall
time, which is later than the simulated clock until it catches up): every event of a day is newer than
everything before it, so a crawl's ``lastModified`` watermark sees them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hfhub.fakehub import rand

if TYPE_CHECKING:
    from hfhub.fakehub.corpus import Corpus

DAY_MS = 86_400_000
FLAT_SHARE = 0.3
DRIFT_SIGMA, DRIFT_CAP, DRIFT_LOG_CAP = 0.01, 0.03, 3.0
NOISE_SIGMA = 0.3
BURST_P, BURST_P_NEW, BURST_FLOOR = 0.002, 0.25, 30.0
BURST_LIKES = 3.0
UNLIKE_P = 0.003
TREND_DECAY, TREND_BURST_SCALE = 0.8, 100.0
COMMIT_P_FLAT, COMMIT_P, COMMIT_P_BURST, COMMIT_P_NEW, NEW_DAYS = 0.002, 0.01, 0.2, 0.3, 7
ADD_RATE, DELETE_P = 0.002, 0.0015
SPACE_LIKE_RATIO = 0.02

# rand streams (the corpus's own columns use streams below 100, shas 50 + revision)
_S_FLAT, _S_GROWTH, _S_DAY_A, _S_DAY_B, _S_DAY_C = 8001, 8002, 8101, 8102, 8103
_S_BURST_M, _S_BURST_L, _S_SECOND, _S_ADD, _S_BIRTH = 8104, 8105, 8106, 8110, 8111
_16 = np.uint64(0xFFFF)
_32 = np.uint64(0xFFFFFFFF)


def _field16(word: np.ndarray, k: int) -> np.ndarray:
    """The k-th 16-bit field of 64 random bits, as a uniform in [0, 1)."""
    return ((word >> np.uint64(16 * k)) & _16).astype(np.float64) * (1.0 / 65536)


class Timeline:
    """The per-repo state the daily process carries (one entry per corpus index)."""

    def __init__(self) -> None:
        self.flat = np.zeros(0, dtype=bool)
        self.growth = np.zeros(0, dtype=np.float64)
        self.rate = np.zeros(0, dtype=np.float64)
        self.ratio = np.zeros(0, dtype=np.float64)
        self.born = np.zeros(0, dtype=np.int32)
        self.dl30 = np.zeros(0, dtype=np.float64)
        self.trend = np.zeros(0, dtype=np.float64)
        self.burst_left = np.zeros(0, dtype=np.int16)
        self.burst_mult = np.ones(0, dtype=np.float64)

    def extend(self, corpus: Corpus) -> None:
        """State for the indices the corpus grew by, from their columns as they are now."""
        start, stop = len(self.rate), corpus.size
        if stop <= start:
            return
        idx = np.arange(start, stop, dtype=np.int64)
        c, seed = corpus.cols, corpus.seed
        flat = rand.uniform(seed, _S_FLAT, idx) < FLAT_SHARE
        growth = np.where(flat, 0.0, np.clip(DRIFT_SIGMA * rand.normal(seed, _S_GROWTH, idx), -DRIFT_CAP, DRIFT_CAP))
        likes = c["likes"][start:stop].astype(np.float64)
        if corpus.kind == "spaces":
            rate = 1.0 + likes / 10
            ratio = np.full(len(idx), SPACE_LIKE_RATIO)
        else:
            rate = c["downloads"][start:stop] / 30.0
            ratio = np.clip((likes + 0.5) / (c["downloads_all"][start:stop] + 200.0), 1e-5, 0.01)
        new = {
            "flat": flat, "growth": growth, "rate": rate, "ratio": ratio,
            "born": np.full(len(idx), corpus.day, dtype=np.int32),
            "dl30": c["downloads"][start:stop].astype(np.float64),
            "trend": c["trending"][start:stop].astype(np.float64),
            "burst_left": np.zeros(len(idx), dtype=np.int16), "burst_mult": np.ones(len(idx)),
        }
        for name, arr in new.items():
            setattr(self, name, np.concatenate([getattr(self, name), arr]))

    def sync(self, corpus: Corpus) -> None:
        """Take over counts moved outside the timeline (``touch``, ``add``) as the state to go on from."""
        self.extend(corpus)
        c = corpus.cols
        moved = np.rint(self.dl30) != c["downloads"]
        self.dl30[moved] = c["downloads"][moved]
        moved = np.floor(self.trend) != c["trending"]
        self.trend[moved] = c["trending"][moved]


def advance(corpus: Corpus, days: int) -> dict[str, Any]:
    """Move the corpus ``days`` days on (one by one); what changed, for ``/_fake/advance``'s answer:
    ``day`` (the kind's day counter now), ``now`` (its clock: the start of the next day), ``touched``
    (repos there were before that got at least one commit and are still there), ``changed`` (those of
    them whose downloads, likes or trending score moved), ``added``/``added_ids`` (new repos still
    there), ``deleted``/``deleted_ids`` (repos there were before, now gone), ``live`` (repos now)."""
    if days < 0:
        raise ValueError(f"days must be >= 0, got {days}")
    with corpus.lock:
        if corpus.timeline is None:
            corpus.timeline = Timeline()
        tl = corpus.timeline
        tl.sync(corpus)
        first_day = corpus.day + 1
        adds = [_births(corpus, t) for t in range(first_day, first_day + days)]
        first_new = corpus.size
        if sum(adds):
            corpus._grow(sum(adds))
            corpus.alive[first_new:] = False  # born on their day
            tl.extend(corpus)
        touched = np.zeros(corpus.size, dtype=bool)
        changed = np.zeros(corpus.size, dtype=bool)
        deleted: list[int] = []
        next_new = first_new
        for t, n_new in zip(range(first_day, first_day + days), adds):
            born = np.arange(next_new, next_new + n_new, dtype=np.int64)
            next_new += n_new
            _day(corpus, tl, t, born, touched, changed, deleted)
        if days:
            corpus.version += 1
        live = corpus.alive.copy()
        live[first_new:] = False  # touched and changed count the repos there were before; added the others
        added = np.arange(first_new, corpus.size)
        added = added[corpus.alive[added]]
        gone = [i for i in deleted if i < first_new]  # not those born and deleted within the advance
        return {
            "day": corpus.day, "now": _iso(corpus.clock_ms),
            "touched": int((touched & live).sum()), "changed": int((changed & live).sum()),
            "added": len(added), "deleted": len(gone),
            "added_ids": [corpus.model_id(int(i)) for i in added],
            "deleted_ids": [corpus.model_id(i) for i in gone],
            "live": len(corpus),
        }


def _births(corpus: Corpus, t: int) -> int:
    u = rand.bits_int(corpus.seed, _S_ADD, t) / 2**64
    return int(corpus.initial_size * ADD_RATE + u)


def _seconds(corpus: Corpus, idx: np.ndarray, t: int) -> np.ndarray:
    """A whole second within day ``t`` (1..86399) per index, in ms."""
    u = rand.uniform(corpus.seed, _S_SECOND, idx + (t << 40))
    return (1 + (u * 86_399).astype(np.int64)) * 1000


def _day(corpus: Corpus, tl: Timeline, t: int, born: np.ndarray,
         touched: np.ndarray, changed: np.ndarray, deleted: list[int]) -> None:
    c, seed, alive = corpus.cols, corpus.seed, corpus.alive
    newest = max(int(c["modified_ms"].max(initial=0)), int(c["created_ms"].max(initial=0)))
    start_ms = max(corpus.clock_ms, (newest // 1000 + 1) * 1000)

    # births: created now, with nothing counted yet
    if len(born):
        at = start_ms + _seconds(corpus, born, t)
        c["created_ms"][born] = at
        c["modified_ms"][born] = at
        for col in ("downloads", "downloads_all", "likes", "trending"):
            c[col][born] = 0
        alive[born] = True
        tl.born[born] = t
        tl.dl30[born] = 0.0
        tl.trend[born] = 0.0
        rises = born[rand.uniform(seed, _S_BIRTH, born) < BURST_P_NEW]
        _start_bursts(corpus, tl, rises, t)

    size = corpus.size
    key = np.arange(size, dtype=np.uint64) + np.uint64(t << 40)
    wa = rand.bits(seed, _S_DAY_A, key)
    wb = rand.bits(seed, _S_DAY_B, key)
    wc = rand.bits(seed, _S_DAY_C, key)
    age = t - tl.born

    # bursts start (rises), then today's activity
    starts = np.flatnonzero(alive & (tl.burst_left == 0) & ~tl.flat & (age > 0) & (_field16(wa, 3) < BURST_P))
    _start_bursts(corpus, tl, starts, t)
    bursting = alive & (tl.burst_left > 0)
    base = tl.rate * np.exp(np.clip(tl.growth * age, -DRIFT_LOG_CAP, DRIFT_LOG_CAP))
    u1 = ((wb & _32).astype(np.float64) + 0.5) * (1.0 / 2**32)
    u2 = (wb >> np.uint64(32)).astype(np.float64) * (1.0 / 2**32)
    z = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
    x = np.where(tl.flat, base, base * np.exp(NOISE_SIGMA * z - NOISE_SIGMA**2 / 2))
    x = np.where(bursting, np.maximum(base, BURST_FLOOR) * tl.burst_mult, x)
    x[~alive] = 0.0

    before = (c["downloads"].copy(), c["likes"].copy(), c["trending"].copy())
    if corpus.kind != "spaces":
        daily = np.floor(x + _field16(wa, 0)).astype(np.int64)
        c["downloads_all"] += daily
        tl.dl30 = np.where(alive, tl.dl30 * (29 / 30) + daily, tl.dl30)
        c["downloads"][alive] = np.rint(tl.dl30[alive]).astype(np.int64)
    gain = np.floor(x * tl.ratio * np.where(bursting, BURST_LIKES, 1.0) + _field16(wa, 1)).astype(np.int64)
    unlike = (alive & (c["likes"] > 0) & (_field16(wa, 2) < UNLIKE_P)).astype(np.int64)
    c["likes"] += gain - unlike
    np.maximum(c["likes"], 0, out=c["likes"])
    excess = np.where(bursting, np.maximum(x - base, 0.0) / TREND_BURST_SCALE, 0.0)
    tl.trend = np.where(alive, tl.trend * TREND_DECAY + gain + excess, tl.trend)
    c["trending"][alive] = np.floor(tl.trend[alive]).astype(np.int64)
    tl.burst_left[bursting] -= 1
    changed |= (before[0] != c["downloads"]) | (before[1] != c["likes"]) | (before[2] != c["trending"])

    # commits: a new lastModified and sha
    p = np.where(tl.flat, COMMIT_P_FLAT, COMMIT_P)
    p = np.where(bursting, COMMIT_P_BURST, p)
    p = np.where((tl.born > 0) & (age > 0) & (age <= NEW_DAYS), COMMIT_P_NEW, p)
    commits = np.flatnonzero(alive & (age > 0) & (_field16(wc, 0) < p))
    if len(commits):
        at = start_ms + _seconds(corpus, commits, t)
        c["modified_ms"][commits] = np.maximum(at, c["modified_ms"][commits] + 1000)
        revisions = corpus.revisions
        for i in commits.tolist():
            revisions[i] = revisions.get(i, 0) + 1
        touched[commits] = True

    # deletions: rarely, of repos nobody likes
    protected = len(getattr(corpus, "_fixed", ()))
    gone = alive & (age > 0) & (c["likes"] == 0) & (_field16(wc, 1) < DELETE_P)
    gone[:protected] = False
    gone_idx = np.flatnonzero(gone)
    alive[gone_idx] = False
    deleted += gone_idx.tolist()

    corpus.day = t
    corpus.clock_ms = start_ms + DAY_MS


def _start_bursts(corpus: Corpus, tl: Timeline, idx: np.ndarray, t: int) -> None:
    if not len(idx):
        return
    key = idx + (t << 40)
    tl.burst_mult[idx] = 10.0 ** (1.0 + rand.uniform(corpus.seed, _S_BURST_M, key))
    tl.burst_left[idx] = 3 + (rand.uniform(corpus.seed, _S_BURST_L, key) * 12).astype(np.int16)


def _iso(ms: int) -> str:
    from hfhub.fakehub.records import iso  # noqa: PLC0415 (records imports corpus)

    return iso(ms)
