"""Third pipeline: notice models seen twice in one crawl.

The Hub's cursor pages can repeat a model when data changes mid-crawl (a model whose downloads grow
moves up a downloads-sorted listing). Which of the two records is newer is only known for certain
once both are on disk, so this pipeline does not drop anything: it counts repeats
(``hfhub/duplicates``) and marks the crawl as needing compaction; when the crawl is published,
``hfhub.storage.dataset.drop_superseded_rows`` keeps the newest row per id (by ``last_modified``, then
``crawled_at``).

Memory: one 64-bit hash per id in a Python set — about 70 bytes an id (69.5 MB measured with
tracemalloc for one million ids), so 140 MB at two million. The hash is Python's own of the id
string (64-bit SipHash, salted per process: the set lives in one process only), added a page at a
time in C. A hash collision only makes two ids look alike here; compaction compares the real ids,
so it cannot lose a model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hfhub.items import RepoPage
from hfhub.records.kinds import kind_of_item

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector



class DeduplicateModelPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.seen: set[int] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    @property
    def duplicates_seen(self) -> bool:
        return bool(self.stats.get_value("hfhub/duplicates"))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, RepoPage):
            ids = item.ids
        elif kind_of_item(item) is not None:
            ids = [item.id]
        else:
            return item  # other item kinds (cards) pass through
        seen = self.seen
        before = len(seen)
        seen.update(map(hash, ids))
        repeats = len(ids) - (len(seen) - before)  # ids seen before, on earlier pages or this one
        if repeats:
            self.stats.inc_value("hfhub/duplicates", repeats)
        return item
