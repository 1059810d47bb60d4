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
ARSHIF_EXTRACT_WORKERS = 0          # extraction processes; 0 = one per CPU core
ARSHIF_ARCHIVE_ENABLED = True       # write the SQLite archive
ARSHIF_CONTACT_URL = "https://github.com/arshif/arshif"
ARSHIF_PROGRESS = "auto"            # auto | bar | log | off
ARSHIF_PROGRESS_INTERVAL = 5.0      # seconds between progress log lines

# --- WARC capture ---------------------------------------------------------
WARC_ENABLED = True
WARC_DIR = ""                       # default: ARSHIF_DATA_DIR/warc
WARC_PREFIX = "arshif"
WARC_MAX_SIZE = 1024 * 1024 * 1024  # rotate files at 1 GiB, as Heritrix does
WARC_OPERATOR = ""
WARC_DESCRIPTION = ""

EXTENSIONS = {
    "crawler.warc.WarcCapture": 100,
    "crawler.progress.ProgressReporter": 500,
}
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 300,
    "pipelines.store.ArchivePipeline": 800,
}

# --- politeness -----------------------------------------------------------
USER_AGENT = f"arshif/0.1 (+{ARSHIF_CONTACT_URL})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 8
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

LOG_LEVEL = "INFO"
LOGSTATS_INTERVAL = 0  # ProgressReporter prints the periodic stats line
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
