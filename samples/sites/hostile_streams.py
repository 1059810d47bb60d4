"""The hostile publisher's slow and endless answers: trickled, huge, hanging responses.

A mixin of ``HostileSite`` (samples/sites/hostile.py), which provides ``switches`` and
``chrome``; each method answers one request with aiohttp's streaming response.
"""

from __future__ import annotations

import asyncio
import time

from aiohttp import web

HTML_UTF8 = "text/html; charset=utf-8"


class SlowResponses:
    async def _stream(self, request: web.BaseRequest, body: bytes, headers: dict[str, str], *, pieces: int,
                      seconds: float) -> web.StreamResponse:
        response = web.StreamResponse(headers=headers)
        response.content_length = len(body)
        await response.prepare(request)
        step = max(1, len(body) // pieces + 1)
        for offset in range(0, len(body), step):
            await response.write(body[offset:offset + step])
            await asyncio.sleep(seconds / pieces)
        await response.write_eof()
        return response

    async def _huge(self, request: web.BaseRequest, *, declared: bool) -> web.StreamResponse:
        total = self.switches.huge_mb * 1024 * 1024
        response = web.StreamResponse(headers={"Content-Type": HTML_UTF8})
        if declared:
            response.content_length = total
        else:
            response.enable_chunked_encoding()
        await response.prepare(request)
        block = ("<p>" + "سطر طويل من النص المكرر في صفحة ضخمة " * 40 + "</p>\n").encode()
        block = block * max(1, 65536 // len(block))
        sent = 0
        try:
            while sent < total:
                chunk = block[: total - sent]
                await response.write(chunk)
                sent += len(chunk)
            await response.write_eof()
        except (ConnectionError, RuntimeError, asyncio.CancelledError):
            pass  # the crawler hung up, as it should
        return response

    async def _hang(self, request: web.BaseRequest) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": HTML_UTF8})
        response.content_length = 100_000
        await response.prepare(request)
        await response.write(b"<!DOCTYPE html><html><head><title>")
        deadline = time.monotonic() + self.switches.hang_seconds
        while time.monotonic() < deadline and not _closing(request):
            await asyncio.sleep(0.2)
        return response

    async def _trickle(self, request: web.BaseRequest) -> web.StreamResponse:
        page = self.chrome("صفحة بطيئة جداً", "<p>" + "حرف " * 20000 + "</p>").encode()
        response = web.StreamResponse(headers={"Content-Type": HTML_UTF8})
        response.content_length = len(page)
        await response.prepare(request)
        try:
            for k in range(len(page)):
                if _closing(request):
                    break
                await response.write(page[k:k + 1])
                await asyncio.sleep(self.switches.trickle_interval)
        except (ConnectionError, RuntimeError):
            pass
        return response


def _closing(request: web.BaseRequest) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()
