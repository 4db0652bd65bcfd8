"""hfhub's own signals (sent with ``crawler.signals.send_catch_log``)."""

# A listing page was parsed: its sequence number in the crawl, how many records it held (each will
# reach the item pipelines, which may write or drop it), and the URL of the page after it (None on
# the last page). Arguments: seq: int, count: int, next_url: str | None.
page_listed = object()

# A finished crawl is about to be published (its models next, then dataset_published): the tables
# published beside the models (the cards table) publish theirs now, so the index built after sees
# them. Sent once per crawl, by the process that publishes it; handlers are awaited and handle
# their own errors. Arguments: crawl_id: str.
crawl_publishing = object()

# A finished crawl's parts were published: the dataset on disk is complete and compacted. Sent from
# PublishCrawl's spider_closed handler (hfhub.extensions.publish), so handlers (the index builder) run after publishing.
# Arguments: dataset_dir: pathlib.Path, mode: str ("full" or "incremental"), models: int.
dataset_published = object()

# A leased request's callback (or errback) has returned all its output: ``outputs`` items and
# requests, each tagged with the request's lease (cluster mode only; see hfhub.cluster.leases).
# Arguments: lease: str, outputs: int.
request_handled = object()

# A request yielded by a leased request's callback is in the shared queue (or was a duplicate of one
# that is): one output of that lease done with. Sent by hfhub's cluster scheduler. Arguments: lease: str.
request_scheduled = object()

# Items are durably stored (in a written part file): how many, per lease. Sent by the Parquet writers
# for items that carry a lease. Arguments: leases: collections.Counter[str].
items_stored = object()

# Write out what the item pipelines hold in memory now, as part files (sent by the cluster coordinator
# when there is no work left in the queue, so held items do not keep the crawl from completing).
# Handlers are awaited. No arguments.
flush_buffers = object()
