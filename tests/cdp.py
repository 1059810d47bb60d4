"""A small Chrome DevTools Protocol client for browser tests: headless Chromium
(Debian's ``chromium``) driven over its WebSocket with aiohttp, which arshif already
depends on, so no browser driver package or browser download is needed.

    async with Browser.launch() as browser:
        page = await browser.page()
        await page.goto("http://127.0.0.1:8001/-/search")
        await page.type_into("input[name=q]", "الحسكة")
        async with page.expect_load():
            await page.press_enter()
        await page.screenshot(path)
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from arshif.demo import stop_process

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--no-proxy-server",  # loopback only, whatever the environment says
    "--hide-scrollbars",
    "--lang=ar",
)


def find_chromium() -> str | None:
    """Path of a Chromium binary: $CHROMIUM, else the first on PATH."""
    if os.environ.get("CHROMIUM"):
        return shutil.which(os.environ["CHROMIUM"])
    for name in CHROMIUM_CANDIDATES:
        if path := shutil.which(name):
            return path
    return None


class CDPError(RuntimeError):
    pass


class Page:
    """One tab, through its own WebSocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, timeout: float):
        self.ws = ws
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._waiters: dict[str, list[asyncio.Future]] = {}
        self.console: list[str] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if "id" in data:
                future = self._pending.pop(data["id"], None)
                if future and not future.done():
                    if "error" in data:
                        future.set_exception(CDPError(f"{data['error']}"))
                    else:
                        future.set_result(data.get("result", {}))
                continue
            method = data.get("method", "")
            if method == "Runtime.consoleAPICalled":
                args = data["params"].get("args", [])
                self.console.append(" ".join(str(a.get("value", "")) for a in args))
            if method == "Runtime.exceptionThrown":
                self.console.append(str(data["params"]["exceptionDetails"].get("text")))
            for future in self._waiters.pop(method, []):
                if not future.done():
                    future.set_result(data.get("params", {}))

    async def send(self, method: str, **params: Any) -> dict:
        ident = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        await self.ws.send_str(json.dumps({"id": ident, "method": method, "params": params}))
        return await asyncio.wait_for(future, self.timeout)

    def _wait_for(self, event: str) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(event, []).append(future)
        return future

    @contextlib.asynccontextmanager
    async def expect_load(self):
        """Wait, after the block, for the next page load to finish."""
        loaded = self._wait_for("Page.loadEventFired")
        yield
        await asyncio.wait_for(loaded, self.timeout)

    async def goto(self, url: str) -> None:
        async with self.expect_load():
            result = await self.send("Page.navigate", url=url)
            if result.get("errorText"):
                raise CDPError(f"navigating to {url}: {result['errorText']}")

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise CDPError(f"{expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for_selector(self, selector: str, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or self.timeout)
        while not await self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
            if time.monotonic() > deadline:
                raise CDPError(f"no element matches {selector!r}")
            await asyncio.sleep(0.05)

    async def center_of(self, selector: str) -> tuple[float, float]:
        box = await self.evaluate(
            f"""(() => {{ const e = document.querySelector({json.dumps(selector)});
            if (!e) return null; e.scrollIntoView({{block: "center"}});
            const r = e.getBoundingClientRect();
            return [r.left + r.width / 2, r.top + r.height / 2]; }})()"""
        )
        if not box:
            raise CDPError(f"no element matches {selector!r}")
        return box[0], box[1]

    async def click(self, selector: str) -> None:
        """A real mouse click in the middle of the element."""
        x, y = await self.center_of(selector)
        for kind in ("mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1
            )

    async def type_into(self, selector: str, text: str) -> None:
        """Click the field, clear it, and type ``text`` as keyboard input."""
        await self.click(selector)
        await self.evaluate(f"document.querySelector({json.dumps(selector)}).select()")
        await self.send("Input.insertText", text=text)

    async def press_enter(self) -> None:
        for kind in ("keyDown", "keyUp"):
            await self.send(
                "Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter",
                windowsVirtualKeyCode=13, nativeVirtualKeyCode=13,
                **({"text": "\r"} if kind == "keyDown" else {}),
            )  # fmt: skip

    async def screenshot(self, path: Path, *, full_page: bool = True) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            metrics = await self.send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            width = max(1, int(size["width"]))
            # keep screenshots of very long pages readable and small
            height = max(1, min(int(size["height"]), 6000))
            params.update(
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            )
        result = await self.send("Page.captureScreenshot", **params)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(result["data"]))
        return path

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        await self.ws.close()


class Browser:
    """A headless Chromium process with a fresh profile, and its DevTools endpoint."""

    def __init__(self, process: subprocess.Popen, port: int, profile: str, timeout: float):
        self.process = process
        self.port = port
        self.profile = profile
        self.timeout = timeout
        self.session = aiohttp.ClientSession(trust_env=False)
        self.pages: list[Page] = []

    @classmethod
    @contextlib.asynccontextmanager
    async def launch(cls, binary: str | None = None, *, width: int = 1280, height: int = 900,
                     timeout: float = 30.0):
        binary = binary or find_chromium()
        if not binary:
            raise FileNotFoundError("no Chromium binary found")
        profile = tempfile.mkdtemp(prefix="arshif-chromium-")
        # stderr to a file: Chromium is chatty, and a pipe nobody reads would block it
        log = open(Path(profile).with_suffix(".log"), "wb")  # noqa: SIM115
        process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
             "--remote-debugging-address=127.0.0.1", f"--window-size={width},{height}",
             "about:blank"],
            stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        browser = None
        try:
            port = await cls._devtools_port(process, Path(profile), Path(log.name), timeout)
            browser = cls(process, port, profile, timeout)
            yield browser
        finally:
            if browser is not None:
                await browser.close()
            stop_process(process)
            log.close()
            Path(log.name).unlink(missing_ok=True)
            shutil.rmtree(profile, ignore_errors=True)

    @staticmethod
    async def _devtools_port(
        process: subprocess.Popen, profile: Path, log: Path, timeout: float
    ) -> int:
        # Chromium writes the port it chose to <profile>/DevToolsActivePort
        marker = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                stderr = log.read_text(errors="replace")
                raise CDPError(f"Chromium exited with {process.returncode}: {stderr[-2000:]}")
            if marker.exists():
                first = marker.read_text().splitlines()[:1]
                if first and first[0].isdigit():
                    return int(first[0])
            await asyncio.sleep(0.05)
        raise CDPError("Chromium did not open its DevTools port")

    async def page(self) -> Page:
        """A new tab, with page and runtime events enabled."""
        base = f"http://127.0.0.1:{self.port}"
        async with self.session.put(f"{base}/json/new?about:blank") as response:
            target = await response.json(content_type=None)
        ws = await self.session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0)
        page = Page(ws, self.timeout)
        await page.send("Page.enable")
        await page.send("Runtime.enable")
        self.pages.append(page)
        return page

    async def close(self) -> None:
        for page in self.pages:
            await page.close()
        await self.session.close()
