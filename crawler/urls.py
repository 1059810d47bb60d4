"""URL canonicalisation: one URL per document, whatever the link said.

Tracking parameters (``utm_*``, ``fbclid`` ...) and fragments never change
what a news server returns, so they are removed before a URL is requested or
stored; the remaining query keeps its order because some CMSs (``?id=``
pages) are sensitive to it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAM_RE = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|ref_src|amp_js_v|usqp)$",
    re.IGNORECASE,
)


def canonicalize_url(url: str) -> str:
    """Drop tracking parameters and the fragment; lower-case scheme and host."""
    parts = urlsplit(url.strip())
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAM_RE.match(key)
    ]
    netloc = parts.netloc.lower()
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(query), ""))
