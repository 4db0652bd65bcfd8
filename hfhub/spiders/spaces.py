"""The ``spaces`` spider: pages through ``GET {HF_ENDPOINT}/api/spaces`` into ``output/spaces``
(``hfhub.spiders.repos`` does the listing)."""

from __future__ import annotations

from hfhub.records.kinds import SPACES
from hfhub.spiders.repos import RepoListingSpider


class SpacesSpider(RepoListingSpider):
    name = "spaces"
    kind = SPACES
    # /api/spaces has no pipeline_tag and no sort by downloads; a Space's README is its app's page,
    # not a card hfhub fetches
    listing_args = ("limit", "author", "search", "filter", "sort", "mode")
