"""hfhub's own signals (sent with ``crawler.signals.send_catch_log``)."""

# A listing page was parsed: its sequence number in the crawl, how many records it held (each will
# reach the item pipelines, which may write or drop it), and the URL of the page after it (None on
# the last page). Arguments: seq: int, count: int, next_url: str | None.
page_listed = object()

# A finished crawl's parts were published: the dataset on disk is complete and compacted. Sent from
# the Parquet pipeline's spider_closed handler, so handlers (the index builder) run after publishing.
# Arguments: dataset_dir: pathlib.Path, mode: str ("full" or "incremental"), models: int.
dataset_published = object()
