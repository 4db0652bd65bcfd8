"""The ``models`` spider: pages through ``GET {HF_ENDPOINT}/api/models`` into ``output/models``
(``hfhub.spiders.repos`` does the listing; ``-a cards=1`` fetches each model's README too)."""

from __future__ import annotations

from hfhub.records.kinds import MODELS
from hfhub.spiders.repos import RepoListingSpider


class ModelsSpider(RepoListingSpider):
    name = "models"
    kind = MODELS
