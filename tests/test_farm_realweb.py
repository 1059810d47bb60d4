"""The farm's real-web publishers (maraya, baladna, rafidain): each trap is on the pages
their gold says, as a reader and a parser see them. Also: samples/ has no import cycles."""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from pathlib import Path

import lxml.html
import pytest

from samples.farm import build_farm
from samples.gold import generate_gold
from samples.sites import baladna, rafidain, maraya
from samples.sites import realweb as rw

ROOT = Path(__file__).resolve().parents[1]
REALWEB = ("maraya", "baladna", "rafidain")
ALL_TRAPS = {value for name, value in vars(rw).items() if name.isupper() and isinstance(value, str)}


@pytest.fixture(scope="module")
def farm():
    return build_farm()


@pytest.fixture(scope="module")
def gold(farm):
    return {name: record for name, record in generate_gold(farm=farm).items() if name.split("-")[0] in REALWEB}


def served(farm, record) -> str:
    name = record["page"].split("-")[0]
    site = farm.site(name)
    article = next(a for a in site.articles if a.url(farm.port) == record["url"])
    return farm.lookup(site.publisher.host, article.path).body.decode("utf-8")


def test_samples_has_no_import_cycles():
    graph: dict[str, set[str]] = {}
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
               for p in (ROOT / "samples").rglob("*.py")}
    for module, path in modules.items():
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # also imports in functions
            if isinstance(node, ast.ImportFrom) and node.module:
                deps |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names}
        graph[module] = {d for d in deps if d in modules and d != module}

    def reaches(start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                stack.extend(graph[node])
        return False

    cycles = sorted((a, b) for a in graph for b in graph[a] if reaches(b, a))
    assert cycles == []


def test_every_trap_on_several_pages_of_each_kind(gold):
    counts = Counter(trap for record in gold.values() for trap in record["traps"])
    assert set(counts) == ALL_TRAPS
    assert min(counts.values()) >= 2, counts
    per_site = Counter(name.split("-")[0] for name in gold)
    assert all(15 <= per_site[name] <= 20 for name in REALWEB)
    assert sum(len(r["author"].split("، ")) > 1 for r in gold.values() if r["author"]) >= 6


def test_comment_run_pages_open_with_a_comment_and_carry_dozens(farm, gold):
    for record in gold.values():
        html = served(farm, record)
        run = re.search(r"(?:<!--[^<>]{0,200}-->\s*){24}", html)
        if rw.COMMENT_RUN in record["traps"]:
            assert html.startswith("<!--") and run, record["page"]
        else:
            assert html.startswith("<!DOCTYPE") and not run, record["page"]


def test_reader_order_cookie_lead_body_byline_credits(farm, gold):
    for record in gold.values():
        html, traps = served(farm, record), record["traps"]
        text = " ".join(lxml.html.document_fromstring(html).text_content().split())
        first, last = text.index(record["body_starts_with"]), text.index(record["body_ends_with"])
        board = next(s for s in record["must_not_contain"] if "التحرير:" in s)
        assert text.index(board) > last
        cookie = [s for s in record["must_not_contain"] if "الارتباط" in s]
        assert bool(cookie) == (rw.COOKIE_BANNER in traps)
        assert all(text.index(c) < first for c in cookie)
        byline = record["must_not_contain"][0] if record["author"] else None
        if byline:
            assert (text.index(byline) > last) == (rw.BYLINE_BELOW in traps), record["page"]
            assert re.match(r"(كتب|كتبت|بقلم|إعداد|تقرير):? ", byline)
        if rw.LEAD_BLOCK in traps:
            assert record["must_contain"][0] == record["body_starts_with"]
            doc = lxml.html.document_fromstring(html)
            (lead,) = doc.xpath("//*[contains(concat(' ', @class, ' '), ' article-summary ')"
                                " or contains(concat(' ', @class, ' '), ' intro ')]/p")
            assert lead.text == record["body_starts_with"]


def ld_scripts(html: str) -> list:
    doc = lxml.html.document_fromstring(html)
    out = []
    for script in doc.xpath("//script[@type='application/ld+json']"):
        text = script.text.strip()
        if text.startswith("//<![CDATA["):
            text = text.removeprefix("//<![CDATA[").removesuffix("//]]>")
        out.append(json.loads(text))
    return out


def test_jsonld_wrappings_and_what_they_say_about_authors(farm, gold):
    shapes = Counter()
    for record in gold.values():
        html = served(farm, record)
        (data,) = ld_scripts(html)
        site = record["page"].split("-")[0]
        assert (rw.CDATA_JSONLD in record["traps"]) == ("//<![CDATA[" in html)
        if site == "rafidain":
            author = data["author"]
            shapes[type(author).__name__] += 1
            if isinstance(author, list):
                names = [a["name"] for a in author]
            else:
                names = [author["name"] if isinstance(author, dict) else author]
            assert "، ".join(names) == record["author"]
        if site == "maraya":
            graph = {node.get("@id"): node for node in data["@graph"]}
            article = data["@graph"][0]
            refs = article["author"] if isinstance(article["author"], list) else [article["author"]]
            names = [graph[ref["@id"]]["name"] for ref in refs]
            expected = record["author"].split("، ") if rw.MULTI_AUTHOR in record["traps"] else [maraya.DESK]
            assert names == expected
        if site == "baladna":
            assert "author" not in json.dumps(data)
    assert set(shapes) == {"list", "str", "dict"}


def test_author_metas_never_hold_the_writer(farm, gold):
    for record in gold.values():
        doc = lxml.html.document_fromstring(served(farm, record))
        article_author = doc.xpath("//meta[@property='article:author']/@content")
        creators = doc.xpath("//meta[@name='DC.creator' or @name='dcterms.creator']/@content")
        assert bool(article_author) == (rw.SOCIAL_AUTHOR_META in record["traps"])
        assert all(a.startswith("https://www.facebook.com/") for a in article_author)
        assert bool(creators) == (rw.DC_CREATOR in record["traps"])
        assert set(creators) <= {baladna.DEVELOPER, rafidain.DEVELOPER}
        assert not set(creators) & set((record["author"] or "").split("، "))


def test_widget_body_containers(farm, gold):
    hints = {"maraya": "elementor-widget-container", "baladna": "views-field-body", "rafidain": "panel-body"}
    for record in gold.values():
        doc = lxml.html.document_fromstring(served(farm, record))
        site = record["page"].split("-")[0]
        holder = doc.xpath(f"//*[contains(@class,'{hints[site]}')]")
        assert bool(holder) == (rw.WIDGET_BODY in record["traps"]), record["page"]
        if holder:
            text = " ".join(holder[0].text_content().split())
            assert all(s in text for s in record["must_contain"][1:])


def test_portal_and_drupal_navigation(farm):
    site = build_farm(800).site("rafidain")  # enough articles for sections of several pages
    sections = [page.body.decode() for path, page in site.build.pages.items() if path.startswith("/Section.aspx")]
    assert all("__VIEWSTATE" in html for html in sections)
    assert any("__doPostBack('ctl00$ContentPlaceHolder1$gvNews','Page$2')" in html for html in sections)
    assert "/Archive.aspx?Page=2" in site.build.pages and "/Section.aspx?SecID=1&Page=2" not in site.build.pages
    drupal = farm.site("baladna")
    article = drupal.articles[0]
    alias = drupal.lookup(f"/node/{article.ident}")
    assert alias.status == 301 and alias.location == article.url(farm.port)
    assert drupal.lookup("/?page=1").status == 200  # the second page: Drupal pagers count from 0
    assert drupal.lookup("/?page=9").status == 200  # unknown query: the first page again, as Drupal does
