"""The ``datasets`` spider: pages through ``GET {HF_ENDPOINT}/api/datasets`` into ``output/datasets``
(``hfhub.spiders.repos`` does the listing; ``-a cards=1`` fetches each dataset's README into
``output/dataset_cards``)."""

from __future__ import annotations

from hfhub.records.kinds import DATASETS
from hfhub.spiders.repos import RepoListingSpider


class DatasetsSpider(RepoListingSpider):
    name = "datasets"
    kind = DATASETS
    # /api/datasets has no pipeline_tag (its tasks are task_categories:… tags: -a filter=…)
    listing_args = ("limit", "author", "search", "filter", "sort", "mode", "cards")
