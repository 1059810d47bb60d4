"""Pages of the hostile publisher (samples/sites/hostile.py) that are built from its plain article.

``comment_heavy``: the article as a CMS with a page cache and a tag manager serves it. The
page opens with a cache comment before the doctype, and runs of adjacent comments (cache
and plugin markers in the head, empty ad slots and block delimiters before the body)
surround the article. A regex that skips leading comments with ``(?:<!--.*?-->\\s*)*``
backtracks over every way of grouping such a run (issue 15: 24 comments took over a
minute, a real page with 99 never finished).
"""

from __future__ import annotations

OPENING = "<!-- Page cached by W3 Total Cache: served from disk (enhanced) on 2023-05-14 08:12:40 -->\n"
HEAD_MARKERS = 60  # comments in one run in <head>
BODY_MARKERS = 40  # comments in one run before the article body


def comment_heavy(page: str) -> str:
    """``page`` (an article of the hostile publisher) with ~100 adjacent comments."""
    head_run = "\n".join(
        f"<!-- {name} {k} -->" for k in range(HEAD_MARKERS // 4)
        for name in ("Google Tag Manager", "End Google Tag Manager", "wp-head: plugin", "cache: fragment"))
    body_run = "\n".join(f"<!-- ad slot {k}: empty --> <!-- /wp:block {k} -->" for k in range(BODY_MARKERS // 2))
    page = page.replace("<head>\n", f"<head>\n{head_run}\n", 1)
    page = page.replace('<div class="body">', f'{body_run}\n<div class="body">', 1)
    return OPENING + page + "<!-- Performance optimized by W3 Total Cache -->\n"
