"""Scrapy settings for arshif. Every ``ARSHIF_*``/``WARC_*`` setting is documented in README.md."""

BOT_NAME = "arshif"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- arshif ---------------------------------------------------------------
ARSHIF_DATA_DIR = "data"            # WARCs in DATA/warc, archive in DATA/archive.db
ARSHIF_SITES_CONFIG = "sites.toml"  # the site registry the spider reads
ARSHIF_CRAWL_ID = ""                # set per run by the CLI; recorded in warcinfo and the DB
ARSHIF_FOLLOW_LINKS = True          # follow in-scope links from HTML pages
ARSHIF_MAX_DEPTH = 4                # link hops from a seed/feed/sitemap entry
ARSHIF_EXTRACT_WORKERS = 0          # extraction processes; 0 = one per CPU core but one (the reactor's)
ARSHIF_EXTRACT_NICE = 10            # niceness of the extraction processes: the reactor comes first
ARSHIF_EXTRACT_TIMEOUT = 20.0       # s one page may take in an extraction process; over it: extraction_timeout
ARSHIF_ARCHIVE_ENABLED = True       # write the SQLite archive
ARSHIF_CONTACT_URL = "https://github.com/arshif/arshif"
# --- incremental crawls (crawler/incremental/) ---------------------------
ARSHIF_INCREMENTAL = True           # re-fetch only what is new or due; False (--full): everything in reach
ARSHIF_REVISIT_DAYS = 7             # re-check known articles published within this many days
ARSHIF_REVISIT_DEPTH = 0            # re-fetch known listing pages up to this many hops from a seed
ARSHIF_NOW = ""                     # reference time of the re-visit policy; "" = the wall clock
ARSHIF_RUN_TRIGGER = "cli"          # recorded in crawl_runs; the scheduler sets "schedule"
ARSHIF_PROGRESS = "auto"            # auto | bar | log | off
ARSHIF_PROGRESS_INTERVAL = 5.0      # seconds between progress log lines
# --- the hostile web (issue 7: crawler/failures.py, crawler/middlewares/, docs/failures.md) ---
ARSHIF_RETRY_AFTER_MAX = 300        # longest Retry-After (s) waited for; longer: given up (rate_limited)
ARSHIF_CRAWL_DELAY_MAX = 60         # longest robots.txt Crawl-delay (s) honoured as such
ARSHIF_TRAP_MAX_URLS = 500          # link URLs per site and URL shape before a non-article shape is held
ARSHIF_TRAP_HOLD = 1000             # held URLs kept per shape, released if the shape proves to be articles
ARSHIF_SITEMAP_MAX_DEPTH = 2        # sitemap indexes followed this deep (crawler/budget.py)
ARSHIF_DISCOVERY_MAX_FILES = 100    # sitemaps + feeds fetched per site beyond the configured ones
ARSHIF_DISCOVERY_MAX_URLS = 50_000  # URLs queued per site from sitemaps and feeds (each held in memory)
ARSHIF_JOB_DIR = ""                 # resumable job state (crawler/jobs.py); arshif crawl: DATA/jobs/<site-set>
ARSHIF_RESUME = False               # continue the unfinished job in ARSHIF_JOB_DIR (arshif crawl --resume)
ARSHIF_REPAIR_ON_START = True       # cut partial records off WARC files a killed crawl left (archive/repair.py)
# --- distributed crawls on scrapy-redis (crawler/distributed.py, docs/distributed.md) ---
ARSHIF_REDIS_URL = ""               # redis://host:6379/0 shares frontier + dupefilter; "" = one process
ARSHIF_REDIS_KEY = "arshif"         # Redis key prefix of one distributed crawl (KEY:requests, ...)
ARSHIF_REDIS_IDLE_CLOSE = 10.0      # s all workers must be idle, frontier empty, before one closes
ARSHIF_REDIS_PERSIST = False        # keep frontier + dupefilter after the last worker (resume later)

# --- WARC capture ---------------------------------------------------------
WARC_ENABLED = True
WARC_DIR = ""                       # default: ARSHIF_DATA_DIR/warc
WARC_PREFIX = "arshif"
WARC_MAX_SIZE = 1024 * 1024 * 1024  # rotate files at 1 GiB, as Heritrix does
WARC_OPERATOR = ""
WARC_DESCRIPTION = ""
WARC_REVISITS = True                # unchanged re-fetches become revisit records
ARSHIF_PACKAGE = True               # arshif crawl: CDXJ index + WACZ of the crawl at the end

EXTENSIONS = {
    "crawler.jobs.JobJournal": 80,  # resumable frontier journal, when ARSHIF_JOB_DIR is set
    "crawler.failures.FailureLog": 90,  # failures table (before WarcCapture: counts body bytes)
    "crawler.warc.WarcCapture": 100,
    "crawler.progress.ProgressReporter": 500,
    "crawler.incremental.extension.IncrementalCrawl": 600,  # crawl_runs, re-checks at idle
}
DOWNLOADER_MIDDLEWARES = {
    # every request, redirect targets included: the site's hosts, public addresses (issue 16);
    # before RobotsTxtMiddleware (100), so an off-scope host does not get its robots.txt fetched
    "crawler.middlewares.scope.ScopeMiddleware": 50,
    # after RedirectMiddleware (600) for requests: sees 3xx/304 before it does
    "crawler.incremental.middlewares.IncrementalDownloaderMiddleware": 650,
    "crawler.middlewares.safety.RedirectLoopMiddleware": 610,  # before RedirectMiddleware (600)
    "crawler.middlewares.safety.BinaryBodyMiddleware": 585,  # after decompression (590)
    "crawler.middlewares.politeness.PolitenessMiddleware": 560,  # Crawl-delay, Retry-After; before Retry (550)
}
SPIDER_MIDDLEWARES = {
    "crawler.warc.DiscoveryPathMiddleware": 50,  # request.meta["discovery_path"]
    "crawler.incremental.middlewares.IncrementalSpiderMiddleware": 950,  # re-visit policy, before the scheduler
    "crawler.middlewares.traps.TrapGuardMiddleware": 940,  # calendars, facets, endless variants
    "crawler.jobs.JobJournalMiddleware": 10,  # resumed frontier first; marks callbacks done
}
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 300,
    "pipelines.checks.ContentChecksPipeline": 350,  # empty, soft-404, charset, broken HTML
    "crawler.warc.WarcMetadataPipeline": 750,  # metadata record, before the capture is stored
    "pipelines.store.ArchivePipeline": 800,
    "crawler.incremental.pipeline.VersionsPipeline": 850,  # versions, unchanged, removed
}

# --- politeness -----------------------------------------------------------
USER_AGENT = f"arshif/0.1 (+{ARSHIF_CONTACT_URL})"  # rebuilt from ARSHIF_CONTACT_URL by the add-on below
ADDONS = {
    "crawler.middlewares.politeness.ContactUserAgent": 0,
    "crawler.distributed.RedisAddon": 10,  # scrapy-redis frontier when ARSHIF_REDIS_URL is set
}
DUPEFILTER_CLASS = "crawler.jobs.JournalDupeFilter"  # RFPDupeFilter + a resumed job's fingerprints
ROBOTSTXT_OBEY = True
# checks every DNS answer, the one a download connects to included (crawler/middlewares/scope.py)
TWISTED_DNS_RESOLVER = "crawler.middlewares.scope.ScopedResolver"
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 8
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for *every* response's output (default
# 100: ~1/3 of the reactor's CPU on a fast site); a page yields one item and a few requests.
CONCURRENT_ITEMS = 16
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy's remote control runs Python sent to a local HTTP port; a crawl of evidence has no use for it
REMOTE_CONTROL_ENABLED = False

LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 0  # ProgressReporter prints the periodic stats line
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
