"""The hostile publisher's ways off the site (issue 16): redirects and links to loopback.

An "internal" server on 127.0.0.1, on a port of its own, stands in for what a
crawler must never reach: a cloud metadata service, an admin panel, a database's
HTTP port. It starts with the first ``/scope/`` request, logs every request it
gets in ``internal_log`` and answers pages that say ``INTERNAL_MARKER``.

- ``/scope/``: links to the three cases below, and to nothing else;
- ``/scope/redirect``: 301 -> ``/scope/redirect/2`` -> 301 -> ``http://127.0.0.1:PORT/latest/meta-data/``;
- ``/scope/refresh.html``: a 200 page whose ``<meta http-equiv="refresh">`` leads to
  ``http://[::ffff:127.0.0.1]:PORT/admin/`` (127.0.0.1 written as an IPv4-mapped IPv6 address);
- ``/scope/comments.html``: a reader comment linking to
  ``http://127.0.0.1:PORT\\@127.0.0.14:FARM/scope/x``: ``urlsplit`` reads its host as
  127.0.0.14, the site's own, while a request for it goes to 127.0.0.1:PORT.

None of them is an article. Reached through the hostile home page, or alone with a
site entry whose ``base_url`` is ``http://127.0.0.14:FARM/scope/``.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiohttp import web

INTERNAL_HOST = "127.0.0.1"
INTERNAL_MARKER = "INTERNAL-ONLY-7f3a: not for the crawler"
PATHS = ("/scope/",)  # linked from the hostile home page
HTML = {"Content-Type": "text/html; charset=utf-8"}


class InternalServer:
    """A plain HTTP server on 127.0.0.1 in a daemon thread; ``log`` holds (path, Host) of each request."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str]] = []
        log = self.log

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                log.append((self.path, self.headers.get("Host", "")))
                body = f"<html><body><h1>{INTERNAL_MARKER}</h1><p>token=s3cr3t</p></body></html>".encode()
                self.send_response(200)
                self.send_header("Content-Type", HTML["Content-Type"])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((INTERNAL_HOST, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, name="hostile-internal", daemon=True).start()


def internal(site: Any) -> InternalServer:
    """The hostile site's internal server, started on first use."""
    server = site.__dict__.get("internal_server")
    if server is None:
        server = site.internal_server = InternalServer()
    return server


def _page(title: str, body: str, head: str = "") -> web.Response:
    html = (f'<!DOCTYPE html>\n<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title>'
            f"{head}</head>\n<body>\n{body}\n</body></html>\n")
    return web.Response(body=html.encode("utf-8"), headers=HTML)


def answer(site: Any, path: str) -> web.Response:
    """The response of the hostile site ``site`` to ``path`` (under ``/scope/``)."""
    port = internal(site).port
    if path == "/scope/redirect":
        return web.Response(status=301, headers={**HTML, "Location": "/scope/redirect/2"})
    if path == "/scope/redirect/2":
        return web.Response(status=301, headers={**HTML, "Location": f"http://{INTERNAL_HOST}:{port}/latest/meta-data/"})
    if path == "/scope/refresh.html":
        target = f"http://[::ffff:{INTERNAL_HOST}]:{port}/admin/"
        return _page("انتقلنا", "<p>انتقل الموقع إلى عنوان جديد.</p>",
                     head=f'<meta http-equiv="refresh" content="0; url={target}">')
    if path == "/scope/comments.html":
        host = site.base.split("//", 1)[1].rstrip("/")
        link = f"http://{INTERNAL_HOST}:{port}\\@{host}/scope/x"
        return _page("تعليقات القراء", '<h1>تعليقات القراء</h1>\n<div class="comments">'
                     f'<p class="comment">شكراً على التقرير. المصدر هنا: <a href="{link}">رابط</a></p></div>')
    links = "".join(f'<li><a href="{p}">{p}</a></li>'
                    for p in ("/scope/redirect", "/scope/refresh.html", "/scope/comments.html"))
    return _page("روابط", f"<ul>{links}</ul>")
