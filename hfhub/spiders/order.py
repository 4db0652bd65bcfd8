"""Which order a crawl lists the Hub in, and what that order lets it say about completeness.

The Hub pages ``/api/models`` with a keyset cursor: the next page is "the models after (sort value,
``_id``) of the last one", descending. Downloads, likes, trending scores and ``lastModified`` change
all the time, so a model whose value rises past the cursor while a listing is paged is never listed
in that pass (and one that falls is listed twice). Without ``sort`` the Hub lists by
``trendingScore``, which moves too. ``createdAt`` is the one sort key whose value a model never
changes once it exists (renames keep it; the ``_id`` tiebreak is fixed too), so a listing by it
cannot be overtaken: a **full crawl lists by createdAt whatever sort it was given**. The order of a
full crawl does not change its result (the dataset is a set of models), so this costs nothing.

``sort`` keeps its meaning where it does change the result: a top-N crawl (``limit``). Such a
listing cannot be proven complete: the summary says so. An incremental refresh lists by
``lastModified`` from the newest down to its cut-off; a model edited during it jumps above the
cursor and is missed by this refresh, but its new ``lastModified`` is later than the refresh's
start, which bounds the next refresh's watermark (``hfhub.storage.dataset.dataset_watermark``), so the next
refresh lists it.

What the Hub cannot be asked: how many models a listing holds (its list API reports no total).
So a full crawl's proof of completeness is (1) a listing by an order that does not move, (2) paged
to the page without a ``next`` link, (3) whose ``createdAt`` values really never rose from one
record to the next (``hfhub/listing/out_of_order``: a rise means the Hub did not keep the order,
and the crawl says it cannot be sure).
"""

from __future__ import annotations

from dataclasses import dataclass

from hfhub.spiders.args import ListingArgs

STABLE_SORT = "createdAt"
# What the Hub lists by when a request names no sort.
HUB_DEFAULT_SORT = "trendingScore"


@dataclass(frozen=True)
class ListingOrder:
    sort: str  # the sort the Hub is asked for (or lists by, for HUB_DEFAULT_SORT)
    send_sort: bool  # False: leave ``sort`` out of the request and get the Hub's default
    overridden: str | None = None  # the user's sort that a full crawl does not list by

    @property
    def stable(self) -> bool:
        return self.sort == STABLE_SORT


def listing_order(args: ListingArgs) -> ListingOrder:
    if args.mode == "incremental":
        return ListingOrder("lastModified", send_sort=True)
    if args.limit is None:
        overridden = args.sort if args.sort not in (None, STABLE_SORT) else None
        return ListingOrder(STABLE_SORT, send_sort=True, overridden=overridden)
    if args.sort is None:
        return ListingOrder(HUB_DEFAULT_SORT, send_sort=False)
    return ListingOrder(args.sort, send_sort=True)


def completeness(
    order: ListingOrder, args: ListingArgs, *, reached_end: bool, out_of_order: int, stopped_at_limit: bool,
) -> tuple[bool, str]:
    """(complete, why): what this listing can say about having seen every model it was asked for."""
    if not reached_end:
        return False, "no: the listing did not reach its last page"
    if args.mode == "incremental":
        return True, (
            "yes: listed by lastModified down to the cut-off; models edited during this refresh are "
            "listed by the next one"
        )
    if stopped_at_limit:
        if order.stable:
            return True, f"yes: the first {args.limit:,} models by createdAt, an order that does not move"
        return False, (
            f"not verifiable: the top {args.limit:,} by {order.sort}, which changes while the listing is "
            "paged, so a model can be missed or listed twice at a page boundary"
        )
    if not order.stable:  # a limit larger than what the listing held, in a moving order
        return False, f"not verifiable: listed by {order.sort}, which changes while the listing is paged"
    if out_of_order:
        return False, (
            f"not verifiable: {out_of_order:,} record(s) broke the createdAt order the listing relies on "
            "(see hfhub/listing/out_of_order); run the crawl again"
        )
    return True, "yes: listed by createdAt, an order that does not move, to the last page"
