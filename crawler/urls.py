"""URL canonicalisation: one URL per document, whatever the link said.

Tracking parameters (``utm_*``, ``fbclid`` ...) and fragments never change
what a news server returns, so they are removed before a URL is requested or
stored; the remaining query keeps its order because some CMSs (``?id=``
pages) are sensitive to it.

``url_host`` is the one reader of a URL's host (scope checks, download slots):
it reads the URL as ``scrapy.Request`` will send it, and ``address_kind`` says
why an address is not on the public internet (issue 16).
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import safe_url_string

TRACKING_PARAM_RE = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|ref_src|amp_js_v|usqp)$",
    re.IGNORECASE,
)


# Session ids make every visit a new set of URLs (issue 7); replytocom is WordPress's
# one-URL-per-comment trap. "sid" is also a section id on many Arabic CMSs: only a long
# mixed letters-and-digits token counts as a session there.
SESSION_PARAM_RE = re.compile(
    r"^(phpsessid|jsessionid|aspsessionid\w*|sessionid|session_id|sessid|oscsid|zenid|cfid|cftoken"
    r"|replytocom)$",
    re.IGNORECASE,
)
_SESSION_TOKEN_RE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[0-9A-Za-z]{16,}$")
_PATH_SESSION_RE = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#;]*", re.IGNORECASE)


def is_session_param(key: str, value: str) -> bool:
    return bool(SESSION_PARAM_RE.match(key)) or (key.lower() == "sid" and bool(_SESSION_TOKEN_RE.match(value)))


# A crawl canonicalises every link of every page, and a site's menus repeat the same
# links on each: caching saves ~5% of the crawl's CPU (issue 8). The menus fit in 4,096
# entries; 32,768 per cache made the crawl process 36 MB larger at 20,000 articles
# (324 -> 287 MB peak, 1.54x -> 1.36x that of a 2,000-article crawl) for no speed.
@functools.lru_cache(maxsize=1 << 12)
def canonicalize_url(url: str) -> str:
    """Drop tracking parameters, session ids and the fragment; lower-case scheme and host."""
    parts = urlsplit(url.strip())
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAM_RE.match(key) and not is_session_param(key, value)
    ]
    netloc = parts.netloc.lower()
    path = _PATH_SESSION_RE.sub("", parts.path) or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(query), ""))


_HOST_RE = re.compile(r"[a-z0-9_.-]+")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.lru_cache(maxsize=1 << 12)
def url_host(url: str) -> str:
    """The host a request for ``url`` goes to, lower-case, without a trailing dot.

    The URL is read as ``scrapy.Request`` sends it (w3lib's ``safe_url_string``):
    ``urlsplit`` alone reads ``http://169.254.169.254\\@example.org/`` as host
    example.org, while the request goes to 169.254.169.254. "" when the URL has no
    host, is not a URL, or its authority holds a backslash, userinfo (``user@``),
    or non-ASCII that is not an international domain name (``ｅxample.org``).
    """
    try:
        raw = urlsplit(url.strip())
        parts = urlsplit(safe_url_string(url))
        host, _port = parts.hostname or "", parts.port
    except (ValueError, UnicodeError):
        return ""
    if "\\" in raw.netloc or "@" in raw.netloc or "@" in parts.netloc:
        return ""
    if not raw.netloc.isascii() and not _is_idn(raw.hostname or "", host):
        return ""
    host = host.rstrip(".")
    if _HOST_RE.fullmatch(host) or (":" in host and parse_address(host) is not None):
        return host
    return ""


def _is_idn(written: str, requested: str) -> bool:
    """True when ``requested`` (punycode) spells exactly the international name ``written``."""
    try:
        spelled = requested.encode("ascii").decode("idna")
    except UnicodeError:
        return False
    return unicodedata.normalize("NFC", written.lower()) == spelled


# Every request asks about its host's address, and a crawl has few hosts.
@functools.lru_cache(maxsize=1 << 10)
def parse_address(host: str) -> IPAddress | None:
    """The IP address a host is written as (``127.0.0.1``, ``::ffff:127.0.0.1``); None for a name."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@functools.lru_cache(maxsize=1 << 10)
def address_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` is no public internet address ("loopback", "private" ...); None when it is one.

    IPv6 forms of IPv4 addresses (``::ffff:127.0.0.1``, ``::127.0.0.1``) are refused
    whatever they carry; 6to4 and NAT64 addresses are judged by the IPv4 address inside.
    """
    if ip.version == 6:
        if ip.is_unspecified or ip.is_loopback:
            return "unspecified" if ip.is_unspecified else "loopback"
        if ip.ipv4_mapped is not None or int(ip) >> 32 == 0:
            return "IPv4-mapped"
        inner = ip.sixtofour or (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
        if inner is not None:
            return address_kind(inner)
    for kind, test in (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback),
                       ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
                       ("shared (CGNAT)", ip.version == 4 and ip in _CGNAT), ("reserved", ip.is_reserved),
                       ("unique-local" if ip.version == 6 else "private", ip.is_private),
                       ("special-purpose", not ip.is_global)):
        if test:
            return kind
    return None
