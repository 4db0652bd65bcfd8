"""Derived fields of a dataset or a Space: pure functions over a validated item.

The same scores as a model's (``scores``: fixed formulas, docs/fields.md), and the line of words the
search index is built from. A Space has no download count, so its popularity is its likes alone, on
the same saturating scale (10⁵ likes = 100).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import chain

from hfhub.records.dataset import DatasetItem
from hfhub.records.enrichment import scores
from hfhub.records.enrichment.metadata import LANGUAGE_NAMES
from hfhub.records.space import SpaceItem

# words of a description or summary that go into search_text: enough to say what the repo is
DESCRIPTION_WORDS = 60
# prefixed tags whose values search_text already holds (or that say nothing of what the repo is)
_SKIP_TAG_PREFIXES = ("arxiv:", "region:", "license:", "doi:", "task_categories:", "task_ids:", "modality:",
                      "format:", "size_categories:", "language:", "library:")


def _language_words(codes: Sequence[str] | None) -> list[str]:
    return [w for code in codes or () for w in (code.lower(), LANGUAGE_NAMES.get(code.lower(), ""))]


def _line(parts: Iterable[Iterable[str]]) -> str:
    unique = dict.fromkeys(chain.from_iterable(parts))  # first occurrences, in order
    unique.pop("", None)
    return " ".join(unique)


def _plain_tags(tags: Sequence[str] | None) -> list[str]:
    return [t for t in tags or () if not t.startswith(_SKIP_TAG_PREFIXES)]


def enrich_dataset(item: DatasetItem) -> DatasetItem:
    item.popularity_score = scores.popularity_score(item.downloads, item.likes)
    item.days_since_modified = scores.days_since(item.last_modified, item.crawled_at)
    item.recency_score = scores.recency_score(item.days_since_modified)
    item.search_text = _line((
        scores.words(" ".join((item.id, item.pretty_name or "", *(item.task_categories or ()),
                               *(item.task_ids or ()), *(item.modalities or ())))),
        _language_words(item.languages),
        scores.words(" ".join((item.license or "", item.size_category or "", *(item.formats or ()),
                               *_plain_tags(item.tags)))),
        scores.words(item.description)[:DESCRIPTION_WORDS],
    ))
    return item


def space_popularity_score(likes: int | None) -> float:
    """Likes alone, on the models' likes scale: log10(1 + likes) / 5, capped at 1, times 100."""
    return round(100 * min(1.0, math.log10(1 + (likes or 0)) / scores.LIKES_SATURATION_LOG10), 3)


def enrich_space(item: SpaceItem) -> SpaceItem:
    item.popularity_score = space_popularity_score(item.likes)
    item.days_since_modified = scores.days_since(item.last_modified, item.crawled_at)
    item.recency_score = scores.recency_score(item.days_since_modified)
    item.search_text = _line((
        scores.words(" ".join((item.id, item.title or "", item.sdk or "", item.license or ""))),
        scores.words(item.short_description),
        scores.words(" ".join((*(m.rpartition("/")[2] for m in item.models or ()),
                               *(d.rpartition("/")[2] for d in item.datasets or ()), *_plain_tags(item.tags)))),
    ))
    return item
