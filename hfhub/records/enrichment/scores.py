"""Scores with fixed, stated formulas (no randomness, no dependence on the rest of the crawl), and
the text the search index is built from."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import chain

from hfhub.records.enrichment.metadata import LANGUAGE_NAMES

# Popularity on a fixed scale, so a score means the same in every crawl and every subset:
# 70 % from downloads (saturating at 10⁷ a month), 30 % from likes (saturating at 10⁵).
DOWNLOADS_SATURATION_LOG10 = 7.0
LIKES_SATURATION_LOG10 = 5.0
# Recency halves every year without a change.
RECENCY_HALF_LIFE_DAYS = 365.0

# Parameter-count classes that make "small" or "tiny" in a query meet models of that size.
SIZE_CLASSES = ((100e6, "tiny"), (2e9, "small"), (15e9, "medium"), (100e9, "large"))
_SPLIT = re.compile(r"[/_\-.\s:]+")
_SKIP_TAG_PREFIXES = ("base_model:", "arxiv:", "region:", "license:", "dataset:", "doi:", "endpoints_compatible")


def popularity_score(downloads: int | None, likes: int | None) -> float:
    d = min(1.0, math.log10(1 + (downloads or 0)) / DOWNLOADS_SATURATION_LOG10)
    lk = min(1.0, math.log10(1 + (likes or 0)) / LIKES_SATURATION_LOG10)
    return round(100 * (0.7 * d + 0.3 * lk), 3)


def days_since(moment: datetime | None, now: datetime | None) -> float | None:
    if moment is None or now is None:
        return None
    return round(max(0.0, (now - moment).total_seconds() / 86400), 3)


def recency_score(days: float | None) -> float | None:
    return None if days is None else round(0.5 ** (days / RECENCY_HALF_LIFE_DAYS), 6)


def size_words(num_parameters: int | None) -> list[str]:
    """``8030000000`` → ``["8b", "medium"]``: the count as people write it and its size class."""
    if not num_parameters:
        return []
    if num_parameters >= 1e9:
        count = f"{num_parameters / 1e9:.1f}".rstrip("0").rstrip(".") + "b"
    else:
        count = f"{round(num_parameters / 1e6)}m"
    size = next((name for limit, name in SIZE_CLASSES if num_parameters < limit), "huge")
    return [count, size]


def words(text: str | None) -> list[str]:
    """Lower-cased words, split at whitespace and ``/ _ - . :``. (The same as splitting with
    ``_SPLIT``, checked over every Unicode character; five C-level replaces and a whitespace split
    take a third of the regular expression's time, and this runs for every word of every model.)"""
    if not text:
        return []
    return text.lower().replace("/", " ").replace("_", " ").replace("-", " ").replace(".", " ").replace(":", " ").split()


def search_text(
    *,
    model_id: str,
    pipeline_tag: str | None,
    library: str | None,
    architectures: Sequence[str] | None,
    model_type: str | None,
    languages: Sequence[str] | None,
    license_id: str | None,
    tags: Sequence[str] | None,
    datasets: Sequence[str] | None,
    quantization: str | None,
    num_parameters: int | None,
    card_summary: str | None = None,
) -> str:
    """One line of words describing the model, for the TF-IDF/embedding index."""
    # Neighbouring free-text fields are joined and split once (the same words, in the same order, as
    # splitting each: a space is a separator); language names and size words are kept whole.
    parts: list[Iterable[str]] = [
        words(" ".join((model_id, pipeline_tag or "", library or "", *(architectures or ()), model_type or ""))),
        [w for code in languages or () for w in (code.lower(), LANGUAGE_NAMES.get(code.lower(), ""))],
        words(" ".join((
            license_id or "",
            *(t for t in tags or () if not t.startswith(_SKIP_TAG_PREFIXES)),
            *(d.rpartition("/")[2] for d in datasets or ()),
            quantization or "",
        ))),
        size_words(num_parameters),
        words(card_summary),
    ]
    unique = dict.fromkeys(chain.from_iterable(parts))  # first occurrences, in order
    unique.pop("", None)
    return " ".join(unique)
