"""Scope on every request, one URL parser (issue 16 items 1 and 2).

Real crawls (``python -m arshif crawl``) of the hostile publisher's ``/scope/`` pages
(samples/sites/hostile_scope.py): a 301 chain and a meta refresh to an "internal"
server on 127.0.0.1, one of them spelled ``[::ffff:127.0.0.1]``, and a reader
comment's ``http://127.0.0.1:PORT\\@127.0.0.14:FARM/`` link. The internal server must
never be asked for anything, and nothing it serves may reach the WARC files or the
archive; the refused targets are in the ``failures`` table, the redirects in the WARC.
Host names go through DNS: ``localhost`` resolves to loopback and is refused unless
the site allows it, also when the answer changes between check and connection.
"""

from __future__ import annotations

import ipaddress
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from twisted.internet import defer
from warcio.archiveiterator import ArchiveIterator

from crawler.middlewares.scope import ScopedResolver
from tests.conftest import REPO

FAST = {"AUTOTHROTTLE_ENABLED": "False", "ARSHIF_PACKAGE": "False", "DOWNLOAD_TIMEOUT": "5", "RETRY_TIMES": "1"}


def entry(name: str, base_url: str, domains: list[str], allow: list[str] | None = None) -> str:
    lines = ["[[site]]", f'name = "{name}"', f'base_url = "{base_url}"', f"allowed_domains = {domains!r}"]
    if allow is not None:
        lines.append(f"allow_private = {allow!r}")
    return "\n".join(lines).replace("'", '"') + "\n"


def crawl(tmp: Path, config: str, **settings: str) -> tuple[Path, str]:
    data = tmp / "data"
    data.mkdir(parents=True)
    (data / "sites.toml").write_text(config, encoding="utf-8")
    args = [arg for key, value in {**FAST, **settings}.items() for arg in ("--set", f"{key}={value}")]
    result = subprocess.run([sys.executable, "-m", "arshif", "crawl", "--config", str(data / "sites.toml"),
                             "--data", str(data), *args], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return data, result.stderr


def rows(data: Path, sql: str, *params) -> list[dict]:
    with sqlite3.connect(data / "archive.db") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]


def failures(data: Path, reason: str) -> dict[str, dict]:
    return {r["url"]: r for r in rows(data, "select * from failures where reason = ?", reason)}


def stat(stderr: str, key: str) -> int:
    match = re.search(rf"'{re.escape(key)}': (\d+)", stderr)
    return int(match.group(1)) if match else 0


def warc_records(data: Path) -> list[tuple[str, str, int | None, bytes]]:
    """(type, target URI, HTTP status, payload) of every record of the crawl."""
    records = []
    for path in sorted((data / "warc").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                response = record.rec_type == "response" and record.http_headers
                records.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI") or "",
                                int(record.http_headers.get_statuscode()) if response else None,
                                record.content_stream().read()))
    return records


def archive_dump(data: Path) -> str:
    with sqlite3.connect(data / "archive.db") as conn:
        return "\n".join(conn.iterdump())


@pytest.fixture(scope="module")
def hostile_farm():
    from samples.farm import running_farm

    with running_farm(0, hostile=True) as farm:
        yield farm


@pytest.fixture
def internal():
    from samples.sites.hostile_scope import InternalServer

    server = InternalServer()
    yield server
    server.server.shutdown()
    server.server.server_close()


# --- the hostile site's ways off the site -------------------------------------------------------

@pytest.fixture(scope="module")
def scope_crawl(hostile_farm, tmp_path_factory):
    from samples.sites.hostile import HOST

    base = f"http://{HOST}:{hostile_farm.port}/"
    config = entry("hostile", base + "scope/", [HOST], [HOST])
    data, stderr = crawl(tmp_path_factory.mktemp("scope"), config)
    return data, stderr, hostile_farm.hostile


def test_redirects_and_links_to_loopback_never_reach_the_internal_server(scope_crawl):
    from samples.sites.hostile_scope import internal

    _, _, site = scope_crawl
    served = {entry[3] for entry in site.request_log}
    assert {"/scope/", "/scope/redirect", "/scope/redirect/2", "/scope/refresh.html", "/scope/comments.html"} <= served
    assert internal(site).log == []


def test_refused_redirect_targets_are_recorded_with_their_chain(scope_crawl):
    from samples.sites.hostile_scope import internal

    data, stderr, site = scope_crawl
    port = internal(site).port
    refused = failures(data, "off_scope_redirect")
    metadata = refused[f"http://127.0.0.1:{port}/latest/meta-data/"]
    assert "/scope/redirect -> " in metadata["detail"] and "/scope/redirect/2 -> " in metadata["detail"]
    assert metadata["category"] == "policy" and metadata["site"] == "hostile"
    mapped = refused[f"http://[::ffff:127.0.0.1]:{port}/admin/"]
    assert "/scope/refresh.html -> " in mapped["detail"]
    assert stat(stderr, "arshif/failure/off_scope_redirect") == 2
    assert stat(stderr, "arshif/scope/refused/off_scope_redirect") == 2


def test_the_redirects_stay_in_the_warc_and_nothing_internal_gets_in(scope_crawl):
    from samples.sites.hostile_scope import INTERNAL_MARKER, internal

    data, _, site = scope_crawl
    port = internal(site).port
    records = warc_records(data)
    responses = {(uri.split("/", 3)[-1], status) for kind, uri, status, _ in records if kind == "response"}
    assert {("scope/redirect", 301), ("scope/redirect/2", 301), ("scope/refresh.html", 200)} <= responses
    assert not [uri for _, uri, _, _ in records if f":{port}/" in uri and "@" not in uri]
    assert not [uri for _, uri, _, _ in records if "//127.0.0.1:" in uri or "[::ffff:" in uri]
    assert all(INTERNAL_MARKER.encode() not in payload for *_, payload in records)
    dump = archive_dump(data)
    assert INTERNAL_MARKER not in dump and "s3cr3t" not in dump
    assert rows(data, "select url from captures where url like ?", f"%:{port}/%") == []


def test_a_backslash_userinfo_link_is_not_followed(scope_crawl):
    from samples.sites.hostile_scope import internal

    data, _, site = scope_crawl
    assert len(rows(data, "select id from captures where url like '%/scope/comments.html'")) == 1
    # the link's host reads as the site's own to urlsplit; a request for it goes to 127.0.0.1
    assert [path for path, _ in internal(site).log if "@" in path] == []
    assert [entry for entry in site.request_log if "/scope/x" in entry[3]] == []


# --- literal addresses and DNS -------------------------------------------------------------------

def test_loopback_site_without_allow_private_fetches_nothing(hostile_farm, tmp_path):
    from samples.publishers import BY_NAME

    nabd = BY_NAME["nabd"]
    before = hostile_farm.requests_to(nabd.host)
    data, stderr = crawl(tmp_path, entry("nabd", nabd.base_url(hostile_farm.port), [nabd.host]))
    assert hostile_farm.requests_to(nabd.host) == before
    refused = failures(data, "private_address")
    home = refused[nabd.base_url(hostile_farm.port)]
    assert home["detail"] == f"{nabd.host}, a loopback address, not in allow_private"
    assert f"{nabd.base_url(hostile_farm.port)}robots.txt" in refused
    assert stat(stderr, "arshif/scope/refused/private_address") == len(refused)


def test_a_feed_the_entry_lists_on_another_host_is_fetched(hostile_farm, tmp_path):
    from samples.publishers import BY_NAME

    nabd, furat = BY_NAME["nabd"], BY_NAME["furat"]
    feed = furat.base_url(hostile_farm.port) + "feed/"
    config = entry("nabd", nabd.base_url(hostile_farm.port), [nabd.host], [nabd.host, furat.host])
    before = hostile_farm.request_counts[(furat.host, "/feed/")]
    data, _ = crawl(tmp_path, config.replace("[[site]]\n", "[[site]]\n" + f'feeds = ["{feed}"]\n'),
                    ARSHIF_MAX_DEPTH="0")
    assert hostile_farm.request_counts[(furat.host, "/feed/")] == before + 1
    assert failures(data, "offsite") == {} and failures(data, "private_address") == {}
    assert hostile_farm.requests_to(furat.host) == hostile_farm.requests_to(furat.host, "/feed/") + \
        hostile_farm.requests_to(furat.host, "/robots.txt")  # its entries are furat's, not followed


def test_a_name_resolving_to_loopback_is_refused(internal, tmp_path):
    data, _ = crawl(tmp_path, entry("inside", f"http://localhost:{internal.port}/", ["localhost"]))
    assert internal.log == []
    home = failures(data, "private_address")[f"http://localhost:{internal.port}/"]
    assert home["detail"] == "localhost resolves to 127.0.0.1, a loopback address, not in allow_private"


def test_allow_private_lets_a_name_on_loopback_be_crawled(internal, tmp_path):
    data, _ = crawl(tmp_path, entry("inside", f"http://localhost:{internal.port}/", ["localhost"], ["127.0.0.0/8"]))
    assert ("/", f"localhost:{internal.port}") in internal.log
    assert failures(data, "private_address") == {}


class RebindingResolver(ScopedResolver):
    """``rebind.test`` answers 127.0.0.15 (allowed), then 127.0.0.1, then 127.0.0.15 ...: DNS rebinding."""

    answers = ("127.0.0.15", "127.0.0.1")
    asked = 0

    def getHostByName(self, name, timeout=()):
        if name != "rebind.test":
            return super().getHostByName(name, timeout)
        RebindingResolver.asked += 1
        return defer.succeed(self.answers[(self.asked - 1) % 2]).addCallback(self._check, name)


def test_dns_rebinding_is_refused_at_the_connection(internal, tmp_path):
    # one request at a time: checked on one answer, connecting on the next
    config = entry("rebind", f"http://rebind.test:{internal.port}/", ["rebind.test"], ["127.0.0.15"])
    data, stderr = crawl(tmp_path, config, TWISTED_DNS_RESOLVER="tests.test_scope.RebindingResolver",
                         CONCURRENT_REQUESTS="1")
    assert internal.log == []
    # the middleware let an answer of 127.0.0.15 through; the connection's 127.0.0.1 was refused
    assert stat(stderr, "arshif/scope/refused_at_connect") >= 1
    assert "DNS answer refused: rebind.test resolves to 127.0.0.1" in stderr
    home = f"http://rebind.test:{internal.port}/"
    assert {r["reason"] for r in rows(data, "select reason from failures where url = ?", home)} <= {
        "dns_error", "private_address"}


# --- one URL parser ------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "host"), [
    ("http://127.0.0.11:8400/news/1.html", "127.0.0.11"),
    ("https://Example.ORG./a", "example.org"),
    ("http://مثال.com/خبر", "xn--mgbh0fb.com"),  # an international name, as requested (punycode)
    ("http://[::ffff:127.0.0.1]:81/", "::ffff:127.0.0.1"),
    ("http://169.254.169.254\\@example.org/", ""),  # urlsplit: example.org; requested: 169.254.169.254
    ("http://example.org\\@169.254.169.254/", ""),
    ("http://user:pw@example.org/", ""),
    ("http://example.org%2f@127.0.0.1/", ""),
    ("http://ｅxample.org/", ""),  # full-width: IDNA maps it to example.org
    ("http://①②⑦.0.0.1/", ""),
    ("http://a b.org/", ""),
    ("http://example.org:99999/", ""),
    ("not a url", ""),
])
def test_url_host_reads_the_url_as_it_will_be_requested(url, host):
    from crawler.urls import url_host

    assert url_host(url) == host


def test_in_scope_uses_the_requested_host():
    from crawler.sites import site_from_dict

    site = site_from_dict({"name": "x", "base_url": "https://مثال.com/", "allowed_domains": ["مثال.com"]}, "t")
    assert site.allowed_domains == ("xn--mgbh0fb.com",)
    assert site.in_scope("https://www.مثال.com/news/1")
    assert not site.in_scope("http://127.0.0.1:8080\\@www.xn--mgbh0fb.com/")
    assert not site.in_scope("http://user@xn--mgbh0fb.com/")


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("169.254.169.254", "link-local"), ("100.64.0.1", "shared (CGNAT)"), ("0.0.0.0", "unspecified"),
    ("224.0.0.1", "multicast"), ("255.255.255.255", "reserved"), ("::1", "loopback"), ("::", "unspecified"),
    ("fe80::1", "link-local"), ("fd12::1", "unique-local"), ("ff02::1", "multicast"),
    ("::ffff:127.0.0.1", "IPv4-mapped"), ("::ffff:8.8.8.8", "IPv4-mapped"), ("::127.0.0.1", "IPv4-mapped"),
    ("2002:7f00:1::1", "loopback"), ("64:ff9b::a00:1", "private"),
    ("8.8.8.8", None), ("2001:4860:4860::8888", None), ("2002:808:808::1", None),
])
def test_address_kind(address, kind):
    from crawler.urls import address_kind

    assert address_kind(ipaddress.ip_address(address)) == kind


def test_allow_private_in_the_sites_config():
    from crawler.sites import SiteConfigError, site_from_dict

    site = site_from_dict({"name": "x", "base_url": "http://10.0.0.5/", "allow_private": ["10.0.0.0/24", "::1"]}, "t")
    assert site.allow_private == ("10.0.0.0/24", "::1") and "allow_private" in site.to_dict()
    assert site.allows_address(ipaddress.ip_address("10.0.0.9"))
    assert not site.allows_address(ipaddress.ip_address("10.0.1.9"))
    assert not site.allows_address(ipaddress.ip_address("::10.0.0.9"))  # another family, not the same address
    for bad in (["10.0.0.300"], "10.0.0.5", [5]):
        with pytest.raises(SiteConfigError, match="allow_private"):
            site_from_dict({"name": "x", "base_url": "http://10.0.0.5/", "allow_private": bad}, "t")


def test_the_farm_config_allows_its_own_addresses():
    import tomllib

    from samples.config import sites_config

    for site in tomllib.loads(sites_config(8400, hostile=True))["site"]:
        assert site["allow_private"] == site["allowed_domains"]


def test_add_site_allows_the_private_address_a_site_lives_on():
    from arshif.onboard import _private_addresses
    from arshif.onboard_report import Report
    from arshif.site_entry import render_entry, site_entry

    assert _private_addresses("http://127.0.0.13:8400/", "http://localhost:8400/x") == [("127.0.0.13", "loopback"),
                                                                                      ("127.0.0.1", "loopback")]
    report = Report("local", "http://127.0.0.13:8400/", "t", "ar", ["127.0.0.13"], allow_private=["127.0.0.13"])
    entry = site_entry(report, "today")
    assert entry["allow_private"] == ["127.0.0.13"]
    assert 'allow_private = ["127.0.0.13"]' in render_entry(entry)
