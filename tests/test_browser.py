"""A person's path through the published archive, in headless Chromium.

A real ``datasette`` server (subprocess, the arguments ``arshif serve`` uses) on the
crawled farm archive; Debian's ``chromium`` driven over the DevTools protocol
(tests/cdp.py): open the search page, type an Arabic word, submit, read the results,
click the first one, and check the article is laid out right-to-left. Screenshots go
to tests/screenshots/ (gitignored): look at them after a UI change.

Chromium comes from Debian (``apt-get install -y chromium``, which `make test` runs
when it is missing); when it is absent and cannot be installed, these tests skip
and say why.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from archive.web.plugin import serve_args
from arshif.demo import stop_process
from tests.cdp import Browser, find_chromium

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
QUERY = "مدرسه"  # typed without the taa marbuta: the farm writes مدرسة


def _install_chromium() -> str | None:
    """apt-get install chromium, when we are root on Debian; None if that fails."""
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return None
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
    ):
        result = subprocess.run(command, env=env, capture_output=True, timeout=900)
        if command[1] == "install" and result.returncode == 0:
            break
    return find_chromium()


@pytest.fixture(scope="session")
def chromium() -> str:
    binary = find_chromium() or _install_chromium()
    if not binary:
        pytest.skip(
            "headless Chromium not found (no `chromium` on PATH) and `apt-get install -y "
            "chromium` was not possible here; install Debian's chromium package to run it"
        )
    return binary


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(crawled, tmp_path_factory):
    port = _free_port()
    log_path = tmp_path_factory.mktemp("datasette") / "datasette.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "datasette", *serve_args(crawled.data_dir, port=port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + 30
    while True:
        try:
            with opener.open(f"{base}/-/metadata.json", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.close()
                raise RuntimeError(f"datasette did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.1)
    yield base
    stop_process(process)
    log.close()


async def computed(page, selector: str, prop: str) -> str:
    return await page.evaluate(
        f"getComputedStyle(document.querySelector({selector!r})).{prop}"
    )


# apt-get installing Chromium (when `make test` could not) may take minutes
@pytest.mark.timeout(900)
async def test_search_then_read_an_article_right_to_left(chromium, server, gold):
    async with Browser.launch(chromium) as browser:
        page = await browser.page()

        # 1. the search page, as a reader finds it
        await page.goto(f"{server}/-/search")
        await page.wait_for_selector("input[name=q]")
        assert await computed(page, ".arshif-search-page", "direction") == "rtl"
        await page.screenshot(SCREENSHOTS / "01-search-form.png")

        # 2. type an Arabic word and press Enter
        await page.type_into("input[name=q]", QUERY)
        async with page.expect_load():
            await page.press_enter()
        await page.wait_for_selector(".arshif-results li")
        assert await page.evaluate("new URL(location).searchParams.get('q')") == QUERY
        titles = await page.evaluate(
            "[...document.querySelectorAll('.arshif-results h2')].map(e => e.textContent.trim())"
        )
        expected = {g["title"] for g in gold if "مدرسة" in g["title"] + g["body"]}
        assert titles and set(titles) <= expected
        marks = await page.evaluate(
            "[...document.querySelectorAll('.arshif-results mark')].map(e => e.textContent)"
        )
        assert any("مدرسة" in mark for mark in marks)  # highlighted as written
        assert await computed(page, ".arshif-results li", "direction") == "rtl"
        assert await computed(page, ".arshif-results li", "textAlign") in ("start", "right")
        await page.screenshot(SCREENSHOTS / "02-search-results.png")

        # 3. click the first result
        first_title = titles[0]
        async with page.expect_load():
            await page.click(".arshif-results li a.arshif-hit-link")
        await page.wait_for_selector(".arshif-article-body p")
        assert (await page.evaluate("location.pathname")).startswith("/-/article/")
        assert await page.evaluate("document.querySelector('h1').textContent.trim()") == first_title

        # 4. the article reads right to left
        for selector in ("h1", ".arshif-article-body p", ".arshif-byline"):
            assert await computed(page, selector, "direction") == "rtl", selector
        assert await computed(page, ".arshif-article-body p", "textAlign") in ("start", "right")
        # the text hugs the right edge of its column, the way Arabic is set
        edges = await page.evaluate(
            """(() => { const body = document.querySelector('.arshif-article-body');
            const p = body.querySelector('p'); const r = document.createRange();
            r.selectNodeContents(p); const rects = [...r.getClientRects()];
            return [body.getBoundingClientRect().right, Math.max(...rects.map(x => x.right)),
                    body.getBoundingClientRect().left, Math.min(...rects.map(x => x.left))]; })()"""
        )
        assert abs(edges[0] - edges[1]) < 2 and edges[3] > edges[2] - 1
        # a sentence's final full stop sits to the left of its last letter
        order = await page.evaluate(
            """(() => { for (const p of document.querySelectorAll('.arshif-article-body p')) {
              const t = p.firstChild; if (!t || !t.data.endsWith('.')) continue;
              const at = i => { const r = document.createRange();
                r.setStart(t, i); r.setEnd(t, i + 1); return r.getBoundingClientRect(); };
              const n = t.data.length; return [at(n - 1).right, at(n - 2).left]; }
              return null; })()"""
        )
        assert order is not None and order[0] <= order[1] + 1, order
        # the text is drawn in the first Arabic typeface of our CSS stack installed here
        fonts = await used_fonts(page, ".arshif-article-body p")
        assert fonts, "no font used for the article text"
        installed = [f for f in ARABIC_FONTS if f in arabic_font_families()]
        if installed:
            assert fonts[0] == installed[0], (fonts, installed)
        # the original URL and the capture history are there
        original = await page.evaluate(
            "document.querySelector('.arshif-original a').getAttribute('href')"
        )
        assert original.startswith("http://127.0.0.1")
        assert await page.evaluate("document.querySelectorAll('.arshif-captures tbody tr').length") >= 1
        await page.screenshot(SCREENSHOTS / "03-article.png")

        # 5. the table with its facets (site, section, author, month)
        await page.goto(f"{server}/archive/articles?_search={QUERY}")
        await page.wait_for_selector(".facet-info")
        facet_names = await page.evaluate(
            "[...document.querySelectorAll('.facet-info')].map(e => e.getAttribute('data-column'))"
        )
        assert {"site", "section", "author", "published"} <= set(facet_names)
        await page.screenshot(SCREENSHOTS / "04-table-facets.png")
        assert not [line for line in page.console if "Error" in line], page.console


# The start of the font stack in archive/web/static/arshif.css (.arshif-article)
ARABIC_FONTS = ("Noto Naskh Arabic", "Noto Sans Arabic", "Amiri", "Scheherazade New")


def arabic_font_families() -> set[str]:
    """Font families fontconfig has for Arabic (Debian: fonts-noto-core has Naskh)."""
    if not shutil.which("fc-list"):
        return set()
    out = subprocess.run(["fc-list", ":lang=ar", "family"], capture_output=True, text=True).stdout
    return {name.strip() for line in out.splitlines() for name in line.split(",")}


async def used_fonts(page, selector: str) -> list[str]:
    """Families Chromium actually drew the element's text with (DevTools CSS domain)."""
    await page.send("DOM.enable")
    await page.send("CSS.enable")
    document = await page.send("DOM.getDocument")
    node = await page.send(
        "DOM.querySelector", nodeId=document["root"]["nodeId"], selector=selector
    )
    result = await page.send("CSS.getPlatformFontsForNode", nodeId=node["nodeId"])
    fonts = sorted(result.get("fonts", []), key=lambda f: -f.get("glyphCount", 0))
    return [f["familyName"] for f in fonts if f.get("glyphCount")]
