"""arshif's Scrapy components for a hostile web (issue 7), one module per concern.

- ``politeness``: User-Agent with a contact URL, robots.txt Crawl-delay, Retry-After.
- ``safety``: redirect loops and binary bodies labelled text/html.
- ``traps``: caps on URL shapes that never lead to articles (calendars, facets).
- ``scope``: every request, redirect targets included, stays on the site's hosts and
  on public addresses (a DNS resolver that checks what the download connects to).

Every case they catch is recorded through ``crawler.failures.record_failure``.
"""
