"""Real headless Chromium for the scoreboard tests, driven over the DevTools protocol on a pipe
(`--remote-debugging-pipe`: JSON messages ending in NUL on fds 3 and 4), so no websocket
library and no debugging port are needed.

    async with Browser.launch(tmp_path) as browser:
        page = await browser.page(1920, 1080)
        await page.goto(url)
        rows = await page.wait_for("document.querySelectorAll('tr').length > 3 && ...")
        await page.screenshot(path)
"""

import asyncio
import base64
import itertools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "scoreboards"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 20.0


def chromium_binary() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """Chromium; skip without it, except under CI (which installs it)."""
    binary = chromium_binary()
    if binary is None:
        message = "no headless Chromium (apt-get install chromium) for the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run installs it, so CI must have it")
        pytest.skip(message)
    return binary


def artifact(name: str) -> Path:
    """Where a test keeps what a person should look at (git-ignored test-artifacts/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


class DevToolsError(Exception):
    pass


class Browser:
    def __init__(self, process: subprocess.Popen[bytes], commands: int, replies: int) -> None:
        self.process = process
        self._commands = commands
        self._replies = replies
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._events: dict[tuple[str | None, str], list[asyncio.Future[dict[str, Any]]]] = {}
        self._reader: asyncio.Task[None] | None = None

    @classmethod
    def launch(cls, directory: Path) -> "Browser":
        binary = require_chromium()
        directory.mkdir(parents=True, exist_ok=True)
        commands_r, commands_w = os.pipe()
        replies_r, replies_w = os.pipe()
        flags = [
            "--headless",
            "--no-sandbox",  # the tests may run as root, in a container
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--remote-debugging-pipe",
            f"--user-data-dir={directory / 'profile'}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--hide-scrollbars",
            "--mute-audio",
            "--force-color-profile=srgb",
            "--font-render-hinting=none",
            "about:blank",
        ]
        # The protocol's pipe must be fds 3 (commands in) and 4 (replies out) in Chromium (bash:
        # dash takes single-digit fds only).
        shell = f'exec "$0" "$@" 3<&{commands_r} 4>&{replies_w}'
        with (directory / "chromium.log").open("ab") as log:
            process = subprocess.Popen(
                ["bash", "-c", shell, binary, *flags],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(commands_r, replies_w),
            )
        os.close(commands_r)
        os.close(replies_w)
        return cls(process, commands_w, replies_r)

    async def __aenter__(self) -> "Browser":
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=256 * 1024 * 1024)  # screenshots are big
        await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(self._replies, "rb")
        )
        self._reader = asyncio.create_task(self._read(reader))
        await self.send("Target.getTargets")  # the browser answers: it is up
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            async with asyncio.timeout(5):
                await self.send("Browser.close")
        except (TimeoutError, DevToolsError, ConnectionError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        os.close(self._commands)
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                raw = await reader.readuntil(b"\0")
                message = json.loads(raw[:-1])
                if "id" in message:
                    future = self._waiting.pop(message["id"], None)
                    if future is not None and not future.done():
                        future.set_result(message)
                    continue
                key = (message.get("sessionId"), message.get("method", ""))
                for waiter in self._events.pop(key, []):
                    if not waiter.done():
                        waiter.set_result(message.get("params", {}))
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            for future in self._waiting.values():
                if not future.done():
                    future.set_exception(DevToolsError(f"Chromium went away: {exc}"))

    async def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        number = next(self._ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[number] = future
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        async with asyncio.timeout(TIMEOUT_S):
            reply = await future
        if "error" in reply:
            raise DevToolsError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    def expect(self, method: str, session: str | None) -> "asyncio.Future[dict[str, Any]]":
        """A future for the next event `method` (subscribe before causing it)."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._events.setdefault((session, method), []).append(future)
        return future

    async def page(self, width: int, height: int, *, mobile: bool = False) -> "Page":
        target = await self.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        page = Page(self, attached["sessionId"], target["targetId"])
        await page.send("Page.enable")
        await page.send("Runtime.enable")
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            {
                "width": width,
                "height": height,
                "deviceScaleFactor": 2 if mobile else 1,
                "mobile": mobile,
            },
        )
        return page


class Page:
    def __init__(self, browser: Browser, session: str, target: str) -> None:
        self.browser = browser
        self.session = session
        self.target = target

    async def close(self) -> None:
        """Close the tab (and its stream: a browser opens at most six connections to a server)."""
        await self.browser.send("Target.closeTarget", {"targetId": self.target})

    async def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return await self.browser.send(method, params, self.session)

    async def goto(self, url: str) -> None:
        loaded = self.browser.expect("Page.loadEventFired", self.session)
        result = await self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise DevToolsError(f"{url}: {result['errorText']}")
        async with asyncio.timeout(TIMEOUT_S):
            await loaded

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, what: str, timeout_s: float = TIMEOUT_S) -> Any:
        """Poll `expression` until it is truthy; its value."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
            await asyncio.sleep(0.05)

    async def screenshot(self, path: Path) -> Path:
        shot = await self.send("Page.captureScreenshot", {"format": "png"})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path
