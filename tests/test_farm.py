"""The sample-site farm, tested through a real server on 127.0.0.11-17 (no mocks)."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import signal
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from samples.config import sites_config
from samples.farm import build_farm, running_farm
from samples.gold import GOLD_DIR, dumps, export_corpus, generate_gold, iter_gold
from samples.publishers import PUBLISHERS, split_articles
from samples.sites.nabd import REMOVED

ROOT = Path(__file__).resolve().parents[1]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def farm():
    with running_farm(port=0) as running:
        yield running


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One GET without following redirects or decoding."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = conn.getresponse()
        return response.status, response.msg, response.read()
    finally:
        conn.close()


def get(url: str) -> bytes:
    status, _, body = fetch(url)
    assert status == 200, url
    return body


def visible_text(body: bytes, encoding: str = "utf-8") -> str:
    doc = lxml.html.document_fromstring(body.decode(encoding))
    for node in doc.xpath("//script|//style"):
        node.drop_tree()
    return " ".join(doc.text_content().split())


def hrefs(body: bytes, base: str, encoding: str = "utf-8") -> list[str]:
    doc = lxml.html.document_fromstring(body.decode(encoding))
    return [urljoin(base, h) for h in doc.xpath("//a/@href")]


def urls_of(farm, name: str) -> set[str]:
    return {a.url(farm.port) for a in farm.site(name).articles}


def bases(farm, *names: str) -> list[str]:
    return [farm.site(name).publisher.base_url(farm.port) for name in names]


DEFAULT_COUNTS = {"furat": 25, "khabour": 20, "nabd": 20, "maraya": 16, "baladna": 16, "rafidain": 16}


def test_default_counts_and_split():
    assert split_articles(None) == DEFAULT_COUNTS
    assert split_articles(113) == split_articles(None)
    assert sum(split_articles(2001).values()) == 2001
    with pytest.raises(ValueError):
        split_articles(5)


def test_robots(farm):
    furat, khabour, nabd = bases(farm, "furat", "khabour", "nabd")
    assert f"Sitemap: {furat}sitemap_index.xml" in get(furat + "robots.txt").decode()
    robots2 = get(khabour + "robots.txt").decode()
    assert "Sitemap" not in robots2 and "Disallow: /admin/" in robots2
    robots3 = get(nabd + "robots.txt").decode()
    assert "Disallow: /search" in robots3 and f"Sitemap: {nabd}sitemap.xml" in robots3


def test_feeds_parse(farm):
    furat, nabd = bases(farm, "furat", "nabd")
    items = ET.fromstring(get(furat + "feed/")).findall("./channel/item")
    assert len(items) == 20
    assert {i.findtext("link") for i in items} <= urls_of(farm, "furat")
    entries = ET.fromstring(get(nabd + "atom.xml")).findall(f"{ATOM}entry")
    assert len(entries) == 20
    links = {e.find(f"{ATOM}link").get("href") for e in entries}
    assert links <= urls_of(farm, "nabd")
    assert all(e.findtext(f"{ATOM}published") for e in entries)


def test_sitemaps_list_every_article(farm):
    furat, nabd = bases(farm, "furat", "nabd")
    index = ET.fromstring(get(furat + "sitemap_index.xml"))
    sitemaps = [s.findtext(f"{SM}loc") for s in index.findall(f"{SM}sitemap")]
    assert f"{furat}news-sitemap.xml" in sitemaps and f"{furat}post-sitemap.xml" in sitemaps
    listed = set()
    for url in sitemaps:
        if "post-sitemap" in url:
            listed |= {u.findtext(f"{SM}loc") for u in ET.fromstring(get(url)).findall(f"{SM}url")}
    assert listed == urls_of(farm, "furat")
    news = ET.fromstring(get(furat + "news-sitemap.xml")).findall(f"{SM}url")
    assert len(news) == 25
    assert all(u.find(f".//{NEWS}publication_date").text.endswith("+03:00") for u in news)
    assert all(u.findtext(f".//{NEWS}title") for u in news)
    urlset = ET.fromstring(get(nabd + "sitemap.xml"))
    listed = {u.findtext(f"{SM}loc") for u in urlset.findall(f"{SM}url")}
    assert urls_of(farm, "nabd") <= listed
    assert all(u.findtext(f"{SM}lastmod") for u in urlset.findall(f"{SM}url") if "/news/" in u.findtext(f"{SM}loc"))


def test_khabour_is_windows_1256_declared_only_in_meta(farm):
    site = farm.site("khabour")
    eastern = next(a for a in site.articles if a.eastern)
    status, headers, body = fetch(eastern.url(farm.port))
    assert status == 200 and headers["Content-Type"] == "text/html"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("cp1256")
    assert 'content="text/html; charset=windows-1256"' in text
    assert "&#16" in text  # Eastern Arabic digits as character references
    assert re.search("[٠-٩]+ (كانون|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين)", visible_text(body, "cp1256"))
    assert "og:title" not in text and "ld+json" not in text


def test_nabd_gzip_validators_and_304(farm):
    article = farm.site("nabd").articles[0]
    url = article.url(farm.port)
    status, headers, plain = fetch(url)
    assert status == 200 and headers["Content-Encoding"] is None
    status, headers, packed = fetch(url, {"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed) == plain
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert etag and last_modified
    assert fetch(url, {"If-None-Match": etag})[0] == 304
    assert fetch(url, {"If-None-Match": etag, "Accept-Encoding": "gzip"})[0] == 304
    assert fetch(url, {"If-Modified-Since": last_modified})[0] == 304
    assert fetch(url, {"If-None-Match": 'W/"0000"'})[0] == 200
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200


def test_amp_twin_points_back(farm):
    article = farm.site("nabd").articles[2]
    url = article.url(farm.port)
    doc = lxml.html.document_fromstring(get(url).decode())
    amp = doc.xpath("//link[@rel='amphtml']/@href")[0]
    assert "/amp/news/" in amp
    twin = lxml.html.document_fromstring(get(amp).decode())
    assert twin.xpath("//link[@rel='canonical']/@href") == [url]
    assert doc.xpath("//link[@rel='canonical']/@href") == [url]


def test_404_and_301_links(farm):
    furat, nabd = bases(farm, "furat", "nabd")
    links = hrefs(get(nabd), nabd)
    assert nabd + REMOVED[1:] in links
    assert fetch(nabd + REMOVED[1:])[0] == 404
    short = next(u for u in links if re.search(r"/news/\d+$", u))
    status, headers, _ = fetch(short)
    assert status == 301 and headers["Location"] in urls_of(farm, "nabd")
    assert any("utm_source=" in u for u in links) and any("fbclid=" in u for u in links)
    tracked = next(u for u in links if "utm_source=" in u)
    assert get(tracked) == get(tracked.split("?")[0])
    assert any("/search?q=" in u for u in links)
    furat_article = farm.site("furat").articles[0]
    status, headers, _ = fetch(f"{furat}?p={furat_article.ident}")
    assert status == 301 and headers["Location"] == furat_article.url(farm.port)
    status, headers, _ = fetch(furat_article.url(farm.port).rstrip("/"))
    assert status == 301 and headers["Location"] == furat_article.url(farm.port)
    for base in farm.base_urls:
        assert fetch(base + "no/such/page.html")[0] == 404


def test_percent_encoded_tag_pages(farm):
    (furat,) = bases(farm, "furat")
    article = farm.site("furat").articles[0]
    page = get(article.url(farm.port))
    tag = next(u for u in hrefs(page, furat) if re.search("/tag/%D[89]", u))
    assert article.url(farm.port) in hrefs(get(tag), furat)
    # The same tag page answers in lower-case escapes too.
    assert fetch(re.sub("%[0-9A-F]{2}", lambda m: m.group().lower(), tag))[0] == 200


def test_every_article_reachable_from_home_by_links(farm):
    for site in farm.sites:
        base = site.publisher.base_url(farm.port)
        host = site.publisher.host
        encoding = "cp1256" if site.publisher.name == "khabour" else "utf-8"
        seen, queue = {base}, [base]
        while queue:
            url = queue.pop()
            status, headers, body = fetch(url)
            if status != 200 or "/amp/" in url or not headers["Content-Type"].startswith("text/html"):
                continue
            for link in hrefs(body, url, encoding):
                # Tracking parameters are a trap: some articles are linked only with them.
                link = re.sub(r"\?(utm_|fbclid=).*", "", link.split("#")[0])
                if urlsplit(link).hostname == host and "/search" not in link and link not in seen:
                    seen.add(link)
                    queue.append(link)
        assert urls_of(farm, site.publisher.name) <= seen


def test_request_counts(farm):
    before = farm.request_counts[("127.0.0.12", "/robots.txt")]
    get(bases(farm, "khabour")[0] + "robots.txt")
    assert farm.request_counts[("127.0.0.12", "/robots.txt")] == before + 1
    assert farm.requests_to("127.0.0.12", "/robots") >= 1


def test_determinism():
    assert build_farm().fingerprint() == build_farm().fingerprint()
    # Another process with another hash seed renders the same bytes.
    code = "from samples.farm import build_farm; print(build_farm(300, port=9000).fingerprint())"
    other = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"})
    assert other.stdout.strip() == build_farm(300, port=9000).fingerprint()
    assert build_farm(300, port=9000).fingerprint() == build_farm(300, port=9000).fingerprint()
    assert build_farm(300).fingerprint() != build_farm(301).fingerprint()


def test_large_farm_builds_quickly():
    started = time.perf_counter()
    big = build_farm(2000)
    elapsed = time.perf_counter() - started
    print(f"build_farm(2000): {elapsed:.2f} s, {sum(len(s.build.pages) for s in big.sites)} pages")
    assert big.article_count == 2000
    assert len({a.url(8400) for a in big.articles}) == 2000
    assert elapsed < 20
    years = {a.published.year for a in big.articles}
    assert years == {2021, 2022, 2023}
    sizes = [len(big.lookup(a.publisher.host, a.path).body) for a in big.articles]
    assert min(sizes) > 18_000 and max(sizes) < 60_000


def test_gold_files_match_generator():
    generated = generate_gold()
    on_disk = {p.name.removesuffix(".gold.json"): p for p in GOLD_DIR.glob("*.gold.json")}
    assert set(on_disk) == set(generated), "run: python -m samples.gold"
    for name, record in generated.items():
        assert on_disk[name].read_text(encoding="utf-8") == dumps(record), name
    assert len(generated) == sum(p.default_count for p in PUBLISHERS)


def test_gold_against_served_pages(farm):
    records = list(iter_gold(farm.port))
    assert len(records) == sum(DEFAULT_COUNTS.values())
    assert len({r["title"] for r in records}) == len(records)
    assert sum(r["author"] is None for r in records) >= 3
    for record in records:
        encoding = "cp1256" if "khabour" in record["publisher"] else "utf-8"
        text = visible_text(get(record["url"]), encoding)
        assert record["title"] in text
        for sentence in record["must_contain"] + [record["body_starts_with"], record["body_ends_with"]]:
            assert sentence in text, (record["page"], sentence)
        for boilerplate in record["must_not_contain"]:
            assert boilerplate in text, (record["page"], boilerplate)
            assert boilerplate not in record["body"]
        for name in (record["author"] or "").split("، "):
            assert name in text, (record["page"], name)  # co-authors are joined with "، "
        assert 250 <= len(record["body"].split()) <= 700
        assert 3 <= len(record["must_contain"]) <= 5


def test_export_corpus(tmp_path, farm):
    names = export_corpus(tmp_path, port=farm.port)
    assert len(names) == sum(DEFAULT_COUNTS.values())
    record = json.loads((tmp_path / f"{names[0]}.gold.json").read_text(encoding="utf-8"))
    assert (tmp_path / record["page"]).read_bytes() == get(record["url"])


def test_sites_config(farm):
    config = tomllib.loads(sites_config(farm.port))
    sites = {s["name"]: s for s in config["site"]}
    assert set(sites) == set(DEFAULT_COUNTS)
    assert sites["furat"]["feeds"] == [bases(farm, "furat")[0] + "feed/"]
    assert sites["nabd"]["allowed_domains"] == ["127.0.0.13"]
    assert "feeds" not in sites["khabour"] and "sitemaps" not in sites["khabour"]
    pattern = re.compile(sites["khabour"]["article_pattern"])
    assert all(pattern.search(u) for u in urls_of(farm, "khabour"))
    for listing in ("section.php?id=3", "section.php?id=3&page=2", "print.php?id=3004", "index.php"):
        assert not pattern.search(bases(farm, "khabour")[0] + listing)


def test_cli_serving_line_and_clean_stop():
    code = "from samples.cli import serve_command; serve_command(0, 30)"
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        match = re.fullmatch(
            r"arshif farm: serving 30 articles on port (\d+): http://127\.0\.0\.11:(\d+)/ "
            r"http://127\.0\.0\.12:\2/ http://127\.0\.0\.13:\2/ http://127\.0\.0\.15:\2/ "
            r"http://127\.0\.0\.16:\2/ http://127\.0\.0\.17:\2/\n", line)
        assert match, line
        port = int(match[1])
        assert b"Sitemap:" in get(f"http://127.0.0.11:{port}/robots.txt")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
