"""The listing spiders' common part: page through ``GET {HF_ENDPOINT}/api/<kind>`` and yield the
repos a page at a time (``ModelPage``, ``DatasetPage``, ``SpacePage``). ``models``, ``datasets`` and
``spaces`` (``hfhub/spiders/{models,datasets,spaces}.py``) are this spider with a ``kind``
(``hfhub.records.kinds``): the endpoint, the properties expanded, the table and its folder. Each
page's per-repo work (decode, map, validate, enrich, to Arrow: ``hfhub.crawl.pagework.build_page``)
is one call to the page pool (``hfhub.crawl.pagepool``).

Two modes (``-a mode=…``): ``full`` lists every repo (the published table is replaced by the
result); ``incremental`` lists by ``lastModified``, newest first, and stops past the table's
watermark minus ``HFHUB_INCREMENTAL_MARGIN`` seconds (the result is merged into the table).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import scrapy
from scrapy import signals
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import CloseSpider
from scrapy.settings import SETTINGS_PRIORITIES

from hfhub.cards.publishing import cards_of_crawl
from hfhub.cards.table import known_card_shas
from hfhub.cluster.leases import settles_lease
from hfhub.configs.table import known_config_shas
from hfhub.crawl import crawlstate
from hfhub.crawl.crawlsession import crawl_session
from hfhub.crawl.hubapi import listing_url, next_page_url, origin, same_origin
from hfhub.crawl.pagepool import PagePool, PagePoolBroken
from hfhub.crawl.pagework import PageOrder, build_page, parse_time
from hfhub.items import RepoPage
from hfhub.paths import kind_default_paths
from hfhub.records.kinds import MODELS, RepoKind
from hfhub.records.modelpage import PAGE_CLASSES
from hfhub.signals import page_listed
from hfhub.spiders.args import parse_listing_args
from hfhub.spiders.cards import CardRequests
from hfhub.spiders.configs import ConfigRequests
from hfhub.spiders.order import completeness, listing_order
from hfhub.storage.dataset import read_dataset_state
from hfhub.storage.versions import dataset_path, inprogress_dir

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

LISTING_ARGS = ("limit", "author", "search", "filter", "pipeline_tag", "sort", "mode", "cards", "configs")


class RepoListingSpider(CardRequests, ConfigRequests, scrapy.Spider):
    """A listing of one kind of repo; subclasses name the spider and set ``kind`` and the arguments
    the endpoint takes (``listing_args``)."""

    kind: RepoKind = MODELS
    listing_args: tuple[str, ...] = LISTING_ARGS
    expand: tuple[str, ...]  # the properties asked for (from_crawler: HFHUB_EXPAND_<KIND>)
    allowed_domains: list[str]  # the endpoint's host (from_crawler): Scrapy's OffsiteMiddleware keeps redirects on it

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        # scrapyd adds its own arguments (_job, _version); anything else unknown is a typo.
        unknown = sorted(k for k in kwargs if k not in self.listing_args and not k.startswith("_"))
        if unknown:
            raise ValueError(
                f"unknown spider argument(s) {', '.join(unknown)}; accepted: {', '.join(self.listing_args)}"
            )
        self.args = parse_listing_args(**{k: kwargs.pop(k) for k in self.listing_args if k in kwargs})
        if self.args.sort is not None and self.args.sort not in self.kind.sort_keys:
            raise ValueError(f"sort must be one of {', '.join(self.kind.sort_keys)} for {self.kind.name}; "
                             f"got {self.args.sort!r}")
        super().__init__(name, **kwargs)
        self.mode = self.args.mode
        # a full crawl lists by createdAt, an order that does not move while it is paged (spiders/order.py)
        self.order = listing_order(self.args)
        self.reached_end = False  # this process parsed the listing's last page (or its cut-off)
        self.stopped_at_limit = False
        self.followed_urls: set[str] = set()  # next-page links this process followed
        self.cards_repair: str | None = None  # asking again for missing cards: None, "running", "done"
        self.cards_answered: set[int] = set()  # card_key of each card request this process got an answer to
        self.known_cards: set[int] | None = None  # with cards=1: (id, sha) pairs already in the cards table
        self.configs_repair: str | None = None  # the same three, for configs=1 (hfhub.spiders.configs)
        self.configs_answered: set[int] = set()
        self.known_configs: set[int] | None = None
        self.configs_rejections_logged: set[str] = set()
        self.next_page_seq = 0  # listing pages this process received (each keeps its number for retries)
        self.page_orders: dict[int, PageOrder] = {}  # alone: how each page built so far kept the order
        self.stop_before: datetime | None = None  # incremental: records older than this are known

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """The crawl's kind, for every component (``HFHUB_REPO_KIND``), and its table's own folders
        (``output/datasets``, …) where the folder settings still hold the models' defaults
        (``output/models``, ``output/cards``): a folder given anywhere (project settings, a
        script's ``Settings``, ``-s``, scrapyd) is kept."""
        super().update_settings(settings)
        settings.set("HFHUB_REPO_KIND", cls.kind.name, priority="spider")
        models_defaults = kind_default_paths("models")
        for name, value in kind_default_paths(cls.kind.name).items():
            if settings.get(name) == models_defaults[name] and value != models_defaults[name]:
                settings.set(name, value, priority=max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["spider"]))

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.expand = cls.kind.expand_properties(crawler.settings.get(cls.kind.expand_setting))
        spider.session = crawl_session(crawler)
        # Scrapy's OffsiteMiddleware then drops redirects to any other host
        spider.allowed_domains = [origin(crawler.settings["HF_ENDPOINT"])[1]]
        # (in a cluster, every worker must list the same thing from the same place)
        spider.session.agree_on_args({
            **spider.args.as_dict(), "endpoint": crawler.settings["HF_ENDPOINT"],
            "page_size": crawler.settings.getint("HFHUB_PAGE_SIZE"),
        })
        if spider.args.cards and not crawler.settings["HFHUB_CARDS_DIR"]:
            raise ValueError("cards=1 needs HFHUB_CARDS_DIR, the folder of the cards table")
        if spider.args.configs and not crawler.settings["HFHUB_CONFIGS_DIR"]:
            raise ValueError("configs=1 needs HFHUB_CONFIGS_DIR, the folder of the configs table")
        if spider.mode == "incremental":
            spider.stop_before = spider.incremental_cutoff()
        if spider.args.cards and not spider.session.shared:
            crawler.signals.connect(spider.ask_for_missing_cards, signal=signals.spider_idle)
        if spider.args.configs and not spider.session.shared:
            crawler.signals.connect(spider.ask_for_missing_configs, signal=signals.spider_idle)
        if spider.order.overridden:
            spider.logger.info(
                "a full crawl lists by createdAt, not by sort=%(sort)s: %(sort)s changes while the listing is "
                "paged, so %(kind)s would be missed; the table holds the same %(kind)s in any order (sort "
                "chooses which %(kind)s a limit keeps)", {"sort": spider.order.overridden, "kind": cls.kind.name},
            )
        return spider

    def incremental_cutoff(self) -> datetime:
        dataset_dir = Path(self.settings["HFHUB_DATASET_DIR"])
        state = read_dataset_state(dataset_dir)
        watermark = parse_time(state.get("watermark")) if state else None
        if watermark is None:
            raise ValueError(
                f"mode=incremental needs a published dataset with a watermark in {dataset_dir}; "
                f"run a full crawl first (scrapy crawl {self.kind.name})"
            )
        return watermark - timedelta(seconds=self.settings.getfloat("HFHUB_INCREMENTAL_MARGIN"))

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.crawler.stats.set_value("hfhub/listing/sort", self.order.sort)
        self.page_pool = PagePool.from_crawler(self.crawler)
        if self.args.cards:
            self.known_cards = known_card_shas(
                *cards_of_crawl(dataset_path(self.settings["HFHUB_CARDS_DIR"]), self.session.crawl_id))
        if self.args.configs:
            self.known_configs = known_config_shas(
                *cards_of_crawl(dataset_path(self.settings["HFHUB_CONFIGS_DIR"]), self.session.crawl_id))
        checkpoint = self.resume_checkpoint()
        if checkpoint.listing_done:
            self.logger.info("the listing of this crawl is already written; publishing it")
            self.reached_end = True
            return
        self.next_page_seq = checkpoint.pages
        if checkpoint.next_url and not same_origin(checkpoint.next_url, self.settings["HF_ENDPOINT"]):
            raise CloseSpider(f"the checkpoint's next page {checkpoint.next_url[:200]!r} is not on HF_ENDPOINT")
        # In a cluster every worker sends the first page; the shared dupefilter lets one through.
        yield self.listing_request(checkpoint.next_url or self.first_page_url(), listed_before=checkpoint.models)

    def resume_checkpoint(self) -> crawlstate.Checkpoint:
        if not (self.session.checkpoints and self.session.resumed):
            return crawlstate.Checkpoint()
        dataset_dir = dataset_path(self.settings["HFHUB_DATASET_DIR"])
        return crawlstate.read_checkpoint(inprogress_dir(dataset_dir, self.session.crawl_id))

    def first_page_url(self) -> str:
        page_size = self.settings.getint("HFHUB_PAGE_SIZE")
        if self.args.limit is not None:
            page_size = min(page_size, self.args.limit)
        return listing_url(
            self.settings["HF_ENDPOINT"],
            self.kind.name,
            expand=self.expand,
            limit=page_size,
            author=self.args.author,
            search=self.args.search,
            filters=self.args.filters,
            pipeline_tag=self.args.pipeline_tag,
            sort=self.order.sort if self.order.send_sort else None,
        )

    def listing_request(self, url: str, listed_before: int | None, epoch: str | None = None,
                        order_last: datetime | None = None) -> scrapy.Request:
        # Pages form a chain (each names the next), so a page is never a duplicate of another:
        # alone, a crawl sends them unfiltered. In a cluster the shared dupefilter makes sure that
        # the listing runs once (a retry is a copy marked dont_filter by Scrapy, so it still passes),
        # except for a listing started again after its next page was lost (its ``epoch``, carried
        # along its chain: its pages may be marked seen already; hfhub.cluster.coordinator).
        # Listing pages go before card requests, so the listing never waits behind thousands of cards.
        # The meta says how many models the pages before held (for -a limit; None when the next page
        # is requested before they are counted, see follows_before_building) and the sort value the
        # page before ended with (for the order check in a cluster), whoever parsed it.
        return scrapy.Request(
            url, callback=self.parse, errback=self.page_failed, dont_filter=epoch is not None or not self.session.shared,
            priority=10, meta={"hfhub_run": self.session.run_token, "hfhub_listed_before": listed_before,
                               "hfhub_listing_epoch": epoch, "hfhub_order_last": order_last,
                               "download_maxsize": self.settings.getint("HFHUB_LISTING_MAX_BYTES")},
        )

    @property
    def follows_before_building(self) -> bool:
        """Whether the next page is requested before this page's models are built. The listing is a
        chain, so a full crawl's throughput is one page per (download + build) unless they overlap:
        alone and without ``limit`` or an incremental cut-off, the Link header alone says where the
        listing goes on. With either, the records decide whether it goes on; in a cluster, the
        shared cursor counts the models before it."""
        return not self.session.shared and self.args.limit is None and self.stop_before is None

    @settles_lease
    async def parse(self, response: Response) -> AsyncIterator[RepoPage | scrapy.Request]:
        meta = response.meta
        if meta.get("hfhub_run") != self.session.run_token:
            self.crawler.stats.inc_value("hfhub/stale_requests_skipped")
            return
        listed_before = meta.get("hfhub_listed_before") or 0
        early = self.follows_before_building
        # this page's place in the listing (the checkpoint's order), kept by a retry of it
        seq = meta.get("hfhub_seq")
        if seq is None:
            seq = meta["hfhub_seq"] = self.next_page_seq
            self.next_page_seq += 1
        next_url = next_page_url(response.headers.get("Link"))
        if early and next_url is not None and not meta.get("hfhub_next_requested"):
            if problem := self.bad_next_url(next_url):
                self.fail_listing(response.url, problem)
            meta["hfhub_next_requested"] = True  # (a retry of this page must not request it again)
            yield self.listing_request(next_url, listed_before=None, epoch=meta.get("hfhub_listing_epoch"))
        try:
            page = await self.page_pool.run(
                build_page, response.body, datetime.now(UTC),
                None if self.args.limit is None else self.args.limit - listed_before, self.stop_before,
                self.known_cards is not None, self.order.sort if self.order.stable else None,
                self.settings.getint("HFHUB_PAGE_SIZE"), self.kind.name, self.known_configs is not None,
            )
        except PagePoolBroken as exc:
            self.page_process_failed(exc)
        if isinstance(page, str):
            yield self.retry_or_fail(response, reason=page)
            return
        self.crawler.stats.inc_value("hfhub/pages")
        if page.invalid_utf8:
            self.crawler.stats.inc_value("hfhub/pages_invalid_utf8")
        if page.reached_cutoff:
            self.logger.info("incremental: reached %(kind)s unchanged since %(t)s",
                             {"kind": self.kind.name, "t": self.stop_before})
        if page.order is not None:
            self.check_order(seq, page.order, meta.get("hfhub_order_last"), response.url)
        if not early:
            next_url = next_url if page.listing_continues else None
            if next_url is not None and (problem := self.bad_next_url(next_url)):
                self.fail_listing(response.url, problem)
        self.crawler.signals.send_catch_log(signal=page_listed, seq=seq, count=page.kept, next_url=next_url)
        if next_url is None:
            self.reached_end = True
            self.stopped_at_limit = page.reached_limit
            self.session.listing_finished()
        elif not early:  # the next page first: it downloads while this page goes through the pipelines
            self.session.listing_advanced(listed_before + page.kept, next_url)
            order_last = page.order.last if page.order is not None else None
            yield self.listing_request(next_url, listed_before + page.kept, meta.get("hfhub_listing_epoch"),
                                       order_last)
        self.crawler.stats.inc_value(f"hfhub/{self.kind.name}_listed", page.kept)
        yield PAGE_CLASSES[self.kind.name](page.table, listed=page.kept, report=page.report, listing_page=seq)
        for model_id, sha in page.cards:
            for request in self.card_request(model_id, sha):
                yield request
        for model_id, sha, weights_bytes in page.configs:
            for request in self.config_request(model_id, sha, weights_bytes):
                yield request

    def bad_next_url(self, url: str) -> str | None:
        """Why the listing must not follow this next-page link, if it must not: it leaves the
        endpoint (another host, scheme or port; a file: or data: URL), or it repeats one already
        followed (a cursor that would page forever; in a cluster, where pages are fetched again when
        their lease comes back, the shared dupefilter drops such a link instead)."""
        if not same_origin(url, self.settings["HF_ENDPOINT"]):
            return f"the next-page link leaves HF_ENDPOINT ({url[:200]!r})"
        if self.session.shared:
            return None
        if url in self.followed_urls:
            return f"the next-page link repeats one already followed ({url[:200]!r}): the cursor does not advance"
        self.followed_urls.add(url)
        return None

    def check_order(self, seq: int, order: PageOrder, before: datetime | None, url: str) -> None:
        """Count the records that broke the descending order a full crawl's completeness rests on.
        Across a page boundary: alone, against the pages on either side of ``seq`` built so far (they
        may be built in any order); in a cluster, against ``before``, the last sort value of the
        page before as its request carried it."""
        breaks = order.breaks
        if not self.session.shared:
            neighbour = self.page_orders.get(seq - 1)
            before = neighbour.last if neighbour is not None else None
            after = self.page_orders.get(seq + 1)
            if after is not None and after.first is not None and order.last is not None and after.first > order.last:
                breaks += 1
            self.page_orders[seq] = order
        if before is not None and order.first is not None and order.first > before:
            breaks += 1
        if breaks:
            if not self.crawler.stats.get_value("hfhub/listing/out_of_order"):
                self.logger.warning(
                    "the Hub's listing broke its %(sort)s order on %(url)s: the crawl cannot prove it saw every %(kind)s",
                    {"sort": self.order.sort, "url": url, "kind": self.kind.singular},
                )
            self.crawler.stats.inc_value("hfhub/listing/out_of_order", breaks)

    def listing_reached_end(self, reason: str) -> bool:
        """This process parsed the listing's last page, or (in a cluster, where another worker may
        have) the cluster saw the crawl complete."""
        return self.reached_end or (self.session.shared and reason == "finished")

    def closed(self, reason: str) -> None:
        stats = self.crawler.stats
        reached_end = self.listing_reached_end(reason)
        complete, why = completeness(
            self.order, self.args, reached_end=reached_end, stopped_at_limit=self.stopped_at_limit,
            out_of_order=stats.get_value("hfhub/listing/out_of_order", 0),
        )
        stats.set_value("hfhub/listing/complete", complete)
        stats.set_value("hfhub/listing/completeness", why)
        if not complete and reached_end:
            self.logger.warning("listing complete? %(why)s", {"why": why})

    def retry_or_fail(self, response: Response, reason: str) -> scrapy.Request:
        assert response.request is not None
        retry = get_retry_request(response.request, spider=self, reason=reason)
        if retry is None:
            self.fail_listing(response.url, reason)
        return retry

    def page_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.fail_listing(request.url, failure.getErrorMessage() or repr(failure.value))

    def page_process_failed(self, exc: PagePoolBroken) -> NoReturn:
        """A page process died with pages in it: the crawl closes without publishing (once; every
        page in flight ends here). Its parts stay for a resumed run, which lists those pages again."""
        if not self.crawler.stats.get_value("hfhub/page_process_failed"):
            self.logger.error("%(error)s; closing the crawl (its parts stay for a resumed run)", {"error": exc})
        self.crawler.stats.inc_value("hfhub/page_process_failed")
        raise CloseSpider("page_process_failed")

    def fail_listing(self, url: str, reason: str) -> NoReturn:
        """A page that stays broken after the retries ends the listing: later pages are reachable
        only through its cursor. The crawl closes as failed, so its partial result is not published;
        a run with the same JOBDIR resumes from the last written page."""
        self.crawler.stats.inc_value("hfhub/pages_failed")
        self.logger.error("listing page failed for good (%(reason)s): %(url)s", {"reason": reason, "url": url})
        raise CloseSpider("listing_page_failed")
