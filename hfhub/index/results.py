"""What a search finds: one result class per kind of index, with the columns it shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from hfhub.index.filters import SINGULAR
from hfhub.links import hub_url


@dataclass(frozen=True, kw_only=True)
class Result:
    """A repo found, of the index's kind; ``to_dict`` adds its ``type`` and Hub ``url``.

    ``score``, ``lexical``, ``dense`` and ``prior`` are in [0, 1] (``hfhub.index.ranking``);
    ``matched_on`` says which fields held which query terms (``hfhub.index.explain``)."""

    kind: ClassVar[str] = "models"
    id: str
    score: float
    lexical: float
    dense: float
    prior: float = 0.0
    matched_on: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"type": SINGULAR[self.kind], "url": self.url, **self.__dict__}

    @property
    def url(self) -> str:
        """The repo's page on the Hub (https://huggingface.co, whatever endpoint was crawled)."""
        return hub_url(self.kind, self.id)


@dataclass(frozen=True, kw_only=True)
class SearchResult(Result):
    """A model found."""

    pipeline_tag: str | None
    library_name: str | None
    author: str | None
    license: str | None
    num_parameters: int | None
    weights_bytes: int | None
    est_min_gpu_gb: int | None
    quantization: str | None
    downloads: int | None
    likes: int | None
    gated: bool | None
    languages: list[str] | None
    base_models: list[str] | None
    architectures: list[str] | None = None
    gguf_architecture: str | None = None
    tags: list[str] | None = None
    context_length: int | None = None
    est_kv_bytes_per_token: int | None = None
    trending_score: float | None = None


@dataclass(frozen=True, kw_only=True)
class DatasetResult(Result):
    kind: ClassVar[str] = "datasets"
    author: str | None
    pretty_name: str | None
    task_categories: list[str] | None
    languages: list[str] | None
    license: str | None
    size_category: str | None
    gated: bool | None
    downloads: int | None
    likes: int | None


@dataclass(frozen=True, kw_only=True)
class SpaceResult(Result):
    kind: ClassVar[str] = "spaces"
    author: str | None
    title: str | None
    short_description: str | None
    sdk: str | None
    license: str | None
    models: list[str] | None
    datasets: list[str] | None
    runtime_stage: str | None
    likes: int | None


RESULTS: dict[str, type[Result]] = {"models": SearchResult, "datasets": DatasetResult, "spaces": SpaceResult}
