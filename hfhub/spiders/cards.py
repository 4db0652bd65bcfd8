"""The card requests of the ``models`` and ``datasets`` spiders (``-a cards=1``): a repo's README, once per revision.

A card is asked for at the revision the listing gave (``/resolve/<sha>/README.md``), unless the cards
table already holds it; a repo without a README (404) gets a row all the same, so it is never asked
for again. A crawl alone ends by asking once more for the cards its written models lack and got no
answer for (``hfhub.cards.repair``: a kill loses queued and buffered cards).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.exceptions import DontCloseSpider, DownloadCancelledError
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from hfhub.cards import CardRejected, parse_card
from hfhub.cards.publishing import cards_of_crawl
from hfhub.cards.repair import missing_cards
from hfhub.cards.table import card_key
from hfhub.cluster.leases import settles_lease
from hfhub.items import CardItem
from hfhub.signals import flush_buffers
from hfhub.storage.versions import dataset_path, inprogress_dir

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from hfhub.records.kinds import RepoKind

# what may appear in a card URL: a repo id and a 40-hex commit (ids are validated later, in the
# pipeline; a card request must not be built from a malformed one)
_CARD_PATH = re.compile(r"^(?:[A-Za-z0-9][\w.-]{0,95}/)?[\w.-]{1,96}@[0-9a-f]{40}$", re.ASCII)



class CardRequests:
    """Mixed into the listing spiders (``hfhub.spiders.repos``): card requests, their callbacks and
    the closing repair."""

    kind: RepoKind
    crawler: Crawler
    session: Any
    logger: Any
    reached_end: bool
    known_cards: set[int] | None
    cards_repair: str | None
    cards_answered: set[int]

    # --- model cards (cards=1) ---
    def ask_for_missing_cards(self) -> None:
        """Once the listing is over and nothing is left to do: ask once more for the cards the
        crawl's written models lack (``hfhub.cards.repair``: a kill loses queued and buffered cards)."""
        if not self.reached_end or self.cards_repair == "done":
            return
        if self.cards_repair is None:
            self.cards_repair = "running"
            deferred_from_coro(self._repair_cards())
        raise DontCloseSpider

    async def _repair_cards(self) -> None:
        try:
            await self.crawler.signals.send_catch_log_async(signal=flush_buffers)
            parts_dir = inprogress_dir(dataset_path(self.crawler.settings["HFHUB_DATASET_DIR"]), self.session.crawl_id)
            cards_dirs = cards_of_crawl(dataset_path(self.crawler.settings["HFHUB_CARDS_DIR"]), self.session.crawl_id)
            missing = await maybe_deferred_to_future(deferToThread(missing_cards, parts_dir, cards_dirs))
            # what this process asked for and got an answer to is not lost, whatever the answer was
            missing = [(m, sha) for m, sha in missing if card_key(m, sha) not in self.cards_answered]
            self.known_cards = set()  # the table said what is missing; ask for each of them
            if missing:
                self.logger.info("asking again for %(n)d card(s) this crawl's models lack", {"n": len(missing)})
                self.crawler.stats.set_value("hfhub/cards/asked_again", len(missing))
            assert self.crawler.engine is not None
            for model_id, sha in missing:
                for request in self.card_request(model_id, sha):
                    self.crawler.engine.crawl(request)
        finally:
            self.cards_repair = "done"

    # --- card requests ----------------------------------------------------------------------------
    def card_request(self, model_id: Any, sha: Any) -> Iterator[scrapy.Request]:
        """The card of this revision, unless the cards table already holds it. The URL names the
        commit (``/resolve/<sha>/README.md``), so a card is fetched once per revision."""
        if not isinstance(model_id, str) or not isinstance(sha, str) or not _CARD_PATH.match(f"{model_id}@{sha}"):
            return
        if card_key(model_id, sha) in self.known_cards:  # type: ignore[operator]
            self.crawler.stats.inc_value("hfhub/cards/unchanged")
            return
        # Alone, a card request is never a duplicate (cards are asked for once per revision, above);
        # a JOBDIR's seen-requests file would drop the card requests of pages listed again after a kill.
        yield scrapy.Request(
            f"{self.kind.repo_url(self.crawler.settings['HF_ENDPOINT'], model_id)}/resolve/{sha}/README.md",
            callback=self.parse_card, errback=self.card_failed, dont_filter=not self.session.shared,
            meta={"model_id": model_id, "sha": sha, "download_maxsize": self.crawler.settings.getint("HFHUB_CARD_MAX_DOWNLOAD")},
        )

    @settles_lease
    def parse_card(self, response: Response) -> Iterator[CardItem]:
        self.cards_answered.add(card_key(response.meta["model_id"], response.meta["sha"]))
        card = parse_card(response.body, max_bytes=self.crawler.settings.getint("HFHUB_CARD_MAX_BYTES"))
        if isinstance(card, CardRejected):
            self.crawler.stats.inc_value(f"hfhub/cards/rejected/{card.reason}")
        else:
            self.crawler.stats.inc_value("hfhub/cards/fetched")
        yield CardItem(response.meta["model_id"], response.meta["sha"], datetime.now(UTC), card)

    @settles_lease
    def card_failed(self, failure: Failure) -> Iterator[CardItem]:
        """A repo without a card (404) gets a row without one, so its revision is not asked for
        again; other failures (after the retries, or a card over the size limit) are counted and
        the card is tried again in the next crawl."""
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        self.cards_answered.add(card_key(meta["model_id"], meta["sha"]))
        if failure.check(HttpError) and failure.value.response.status == 404:
            self.crawler.stats.inc_value("hfhub/cards/missing")
            yield CardItem(meta["model_id"], meta["sha"], datetime.now(UTC), None)
            return
        reason = "too_large" if failure.check(DownloadCancelledError) else "failed"
        self.crawler.stats.inc_value(f"hfhub/cards/{reason}")
        self.logger.warning("card not fetched (%(reason)s): %(url)s", {"reason": reason, "url": request.url})
