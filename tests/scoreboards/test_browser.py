"""The scoreboard page in real headless Chromium.

End to end: a real Mosquitto, `velotime score` and `velotime scoreboard` as processes, and the
flying 200 m scenario's capture replayed online into the broker (as the daemon publishes it).
The page, opened before the first event, ends up showing in its ranking exactly the lines that
are retained on results/<event>. Screenshots at 1920x1080 and on a phone are kept in
test-artifacts/scoreboards/ for a person to look at.

At 20 updates a second the page ends on the last state; it says LIVE, STALE or OFFLINE as the
scoring service and the stream come and go; payload text stays text.
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.scoreboards.browser import Browser, Page, artifact, require_chromium
from tests.scoreboards.http import get
from tests.scoreboards.payloads import ONLINE
from tests.scoreboards.web_helpers import running_scoreboard
from tests.scoring.live import (
    ScoreProcess,
    Watch,
    capture_event_ids,
    retained,
    run_velotime,
    wait_for_events,
    write_venue_config,
)
from tests.scoring.scenarios import flying200
from velotime.capture import read_capture
from velotime.localvenue import LocalBroker, free_port
from velotime.scoreboards.web import Meta

pytestmark = pytest.mark.timeout(90)

ROWS = """JSON.stringify(Array.from(document.querySelectorAll('#ranking tbody tr')).map(
  (tr) => [tr.dataset.bib, tr.querySelector('.c-rank').textContent,
           tr.querySelector('.c-time').textContent]))"""
BADGE = "document.getElementById('badge').textContent"

BIBS = """JSON.stringify(Array.from(document.querySelectorAll('#ranking tbody tr')).map(
  (tr) => tr.dataset.bib))"""
TEXT = "document.getElementById('{}').textContent"
OVERLAY_BIBS = """(() => {
  const bibs = Array.from(document.querySelectorAll('#ov-top li')).map((li) => li.dataset.bib);
  return bibs.length ? JSON.stringify(bibs) : null;
})()"""


@pytest.fixture
def chromium() -> str:
    return require_chromium()


def expected_rows(result: dict[str, Any]) -> list[list[str]]:
    """What the ranking shows of a result: bib, rank (or the status of an unranked rider) and
    the official time, in result order."""
    return [
        [
            str(line["bib"]),
            str(line["rank"]) if line.get("rank") is not None else line.get("status", ""),
            line.get("time", ""),
        ]
        for line in result["lines"]
    ]


async def dom_rows(page: Page) -> list[list[str]]:
    rows: list[list[str]] = json.loads(await page.evaluate(ROWS))
    return rows


class ScoreboardProcess:
    """`velotime scoreboard` as a user runs it."""

    def __init__(self, config: Path, log: Path) -> None:
        self.port = free_port()
        self.args = ["scoreboard", "--config", str(config), "--listen", f"127.0.0.1:{self.port}"]
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    async def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "velotime", *self.args],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        deadline = time.monotonic() + 15
        while True:
            try:
                if (await get(self.port, "/api/state")).status == 200:
                    return
            except OSError:
                pass
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, f"scoreboard not up: {self.log.read_text()}"
            await asyncio.sleep(0.05)

    def stop(self) -> tuple[int, float]:
        """SIGTERM, as systemd stops it: the exit code and how long it took."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=20)
        return code, time.monotonic() - started


async def test_the_page_ranks_a_replayed_flying_200_as_the_results_topic(
    tmp_path: Path, broker: LocalBroker, chromium: str
) -> None:
    capture, meet = flying200.write_capture(tmp_path), flying200.write_meet(tmp_path)
    header = read_capture(capture).header
    venue = f"f200-web-{uuid.uuid4().hex[:6]}"
    config = write_venue_config(
        tmp_path / "venue",
        venue,
        broker.url,
        header.lines or {"finish": 0.0},
        track_length_m=header.track_length_m or 250,
        meet=meet,  # the scoreboard shows the meet's name and riders
    )
    root = f"velotime/{venue}"
    status_topic = f"{root}/status/scoring"
    score = ScoreProcess(config, meet, tmp_path / "score.log")
    scoreboard = ScoreboardProcess(config, tmp_path / "scoreboard.log")
    expected_events = len(capture_event_ids([capture]))
    async with (
        Watch(broker.port, status_topic) as watch,
        Browser.launch(tmp_path / "chromium") as browser,
    ):
        score.start()
        try:
            await wait_for_events(watch, status_topic, score.pid, 0)
            await scoreboard.start()
            page = await browser.page(1920, 1080)
            await page.goto(scoreboard.url)
            await page.wait_for(f"{BADGE} === 'Live'", "the page to go live")
            # Before the first event: the next one's start list (startlists/sprint-q).
            assert await page.evaluate("document.getElementById('event-name').textContent") == (
                "Sprint qualifying"
            )
            assert await page.evaluate("document.getElementById('track-label').textContent") == (
                "Next"
            )
            assert json.loads(await page.evaluate(BIBS)) == [str(b) for b in flying200.START_ORDER]

            await run_velotime("replay", capture, "--config", config, "--venue", venue)
            await wait_for_events(watch, status_topic, score.pid, expected_events)
            found = await retained(broker.port, root)
            result = json.loads(found[f"results/{flying200.EVENT}"])
            assert result["status"] == "final"
            want = expected_rows(result)
            assert len(want) == 28

            async def shows_the_result() -> bool:
                return await dom_rows(page) == want

            deadline = asyncio.get_running_loop().time() + 10
            while not await shows_the_result():
                assert asyncio.get_running_loop().time() < deadline, (
                    f"the page shows {await dom_rows(page)}, the results topic {want}"
                )
                await asyncio.sleep(0.1)
            assert await page.evaluate(BADGE) == "Live"
            assert await page.evaluate("document.getElementById('event-name').textContent") == (
                "Sprint qualifying"
            )
            assert await page.evaluate("document.getElementById('event-status').textContent") == (
                "Final"
            )
            assert await page.evaluate("document.getElementById('meet').textContent") == (
                "Flying 200 m scenario"
            )
            # The JSON endpoint says what the topic says.
            api = await get(scoreboard.port, f"/api/results/{flying200.EVENT}")
            assert api.json() == result
            await asyncio.sleep(0.3)  # let the highlight settle before the pictures
            shot = await page.screenshot(artifact("flying200-1920x1080.png"))

            phone = await browser.page(390, 844, mobile=True)
            await phone.goto(scoreboard.url)
            await phone.wait_for(f"{BADGE} === 'Live'", "the phone page to go live")
            assert await dom_rows(phone) == want
            phone_shot = await phone.screenshot(artifact("flying200-phone-390x844.png"))

            overlay = await browser.page(1920, 1080)
            await overlay.send(
                "Emulation.setDefaultBackgroundColorOverride",
                {"color": {"r": 0, "g": 0, "b": 0, "a": 0}},
            )
            await overlay.goto(scoreboard.url + "overlay?top=8")
            top = await overlay.wait_for(OVERLAY_BIBS, "the overlay's top 8")
            assert json.loads(top) == [row[0] for row in want[:8]]
            overlay_shot = await overlay.screenshot(artifact("flying200-overlay.png"))
            print(f"\nscreenshots: {shot}\n             {phone_shot}\n             {overlay_shot}")
        finally:
            code, took = scoreboard.stop() if scoreboard.process else (0, 0.0)
            assert score.stop() == 0, score.log_text()
        assert code == 0, scoreboard.log.read_text()
        assert took < 5, f"the scoreboard took {took:.1f} s to stop"


@pytest.mark.slow
async def test_at_20_updates_a_second_the_page_ends_on_the_last_state(
    tmp_path: Path, broker: LocalBroker, chromium: str
) -> None:
    hostile = '<img src=x onerror="document.title=1">'
    meta = Meta(venue="Test velodrome", meet="Test meet", riders={101: (hostile, "NED")})
    async with (
        running_scoreboard(broker, meta) as web,
        Browser.launch(tmp_path / "chromium") as browser,
    ):
        await web.put("status/scoring", ONLINE)
        current = {"v": 1, "event": "burst", "name": "Burst", "discipline": "flying200",
                   "category": "", "round": "", "status": "running", "riders": [101, 102],
                   "on_track": None,
                   "start_us": time.time_ns() // 1000 - 5_000_000}  # fmt: skip
        await web.put("current", current)
        page = await browser.page(1920, 1080)
        await page.goto(web.url)
        await page.wait_for(f"{BADGE} === 'Live'", "the page to go live")
        # The start list, before any time; a name is text, never markup.
        await page.wait_for("document.querySelectorAll('#ranking tbody tr').length === 2", "rows")
        assert (
            await page.evaluate(
                "document.querySelector('#ranking tbody tr .rider-name').textContent"
            )
            == hostile
        )
        assert await page.evaluate("document.querySelectorAll('img').length") == 0
        # The race clock runs in the browser from current.start_us.
        clock = await page.evaluate("document.getElementById('clock').textContent")
        assert clock.startswith(("5.", "6.")), clock

        updates = 60
        loop = asyncio.get_running_loop()
        started = loop.time()
        last: dict[str, Any] = {}
        for n in range(updates):
            await asyncio.sleep(max(0.0, started + n * 0.05 - loop.time()))
            bibs = [101 + (n + i) % 28 for i in range(28)]
            last = {"v": 1, "event": "burst", "discipline": "flying200", "name": "Burst",
                    "category": "", "round": "", "status": "running", "audit": [], "lines": [
                        {"rank": rank, "bib": bib, "name": f"Rider {bib}", "nation": "NED",
                         "time": f"9.{n:03d}", "time_us": 9_000_000 + n * 1000 + rank}
                        for rank, bib in enumerate(bibs, start=1)]}  # fmt: skip
            await web.publish("results/burst", last)
        finished = loop.time()
        await web.settled("results/burst", last)
        want = expected_rows(last)
        version = web.state.version
        while await dom_rows(page) != want:
            assert loop.time() - finished < 3, "the page did not end on the last state"
            await asyncio.sleep(0.05)
        assert int(await page.evaluate("document.body.dataset.version")) == version
        assert await page.evaluate("document.getElementById('latest-time').textContent") == (
            f"9.{updates - 1:03d}"
        )
        await page.screenshot(artifact("burst-1920x1080.png"))

        # The scoring service goes away: STALE, with the reason on the page.
        await web.put("status/scoring", {"online": False})
        await page.wait_for(f"{BADGE} === 'Stale'", "the page to say STALE")
        banner = await page.evaluate("document.getElementById('banner').textContent")
        assert "Scoring is offline" in banner
        await web.put("status/scoring", ONLINE)
        await page.wait_for(f"{BADGE} === 'Live'", "the page to be live again")


async def test_the_page_says_offline_when_the_stream_is_down(
    tmp_path: Path, broker: LocalBroker, chromium: str
) -> None:
    async with Browser.launch(tmp_path / "chromium") as browser:
        async with running_scoreboard(broker) as web:
            await web.put("status/scoring", ONLINE)
            result = {"v": 1, "event": "f200", "name": "F200", "discipline": "flying200",
                      "category": "", "round": "", "status": "final", "audit": [],
                      "lines": [{"rank": 1, "bib": 7, "time": "9.999"}]}  # fmt: skip
            await web.put("results/f200", result)
            page = await browser.page(1280, 720)
            await page.goto(web.url)
            await page.wait_for(f"{BADGE} === 'Live'", "the page to go live")
        # running_scoreboard stopped the server: the stream ends and cannot come back.
        await page.wait_for(f"{BADGE} === 'Offline'", "the page to say OFFLINE", timeout_s=10)
        assert await dom_rows(page) == [["7", "1", "9.999"]]  # the last state, marked
        banner = await page.evaluate("document.getElementById('banner').textContent")
        assert "Connection to the scoreboard lost" in banner
        await page.screenshot(artifact("offline-1280x720.png"))


def start_list(event: str, name: str, programme: int, bibs: list[int]) -> dict[str, Any]:
    return {"v": 1, "event": event, "discipline": "time_trial", "name": name,
            "category": "Women Elite", "round": "", "heat": "", "competition": "",
            "programme": programme, "riders": [
                {"bib": b, "name": f"Rider {b}", "nation": "NED"} for b in bibs]}  # fmt: skip


async def test_the_first_screen_comes_from_api_state_and_event_pins_a_screen(
    tmp_path: Path, broker: LocalBroker, chromium: str
) -> None:
    """With the stream held back (the browser never gets an answer on api/events), the page
    still shows the next event's start list at once, from api/state: the lowest `programme`
    of the start lists, no event being on the track. `?event=` shows that event instead,
    whatever is on the track, first its start list, then its result."""
    async with (
        running_scoreboard(broker) as web,
        Browser.launch(tmp_path / "chromium") as browser,
    ):
        await web.put("status/scoring", ONLINE)
        await web.put("startlists/km", start_list("km", "Kilometre", 2, [5, 3]))
        await web.put("startlists/f200", start_list("f200", "Flying 200 m", 1, [9, 4, 7]))

        held = await browser.page(1280, 720)
        await held.send("Fetch.enable", {"patterns": [{"urlPattern": "*api/events*"}]})
        await held.goto(web.url)
        await held.wait_for(f"{TEXT.format('event-name')} === 'Flying 200 m'", "the next event")
        assert json.loads(await held.evaluate(BIBS)) == ["9", "4", "7"]
        assert await held.evaluate(TEXT.format("track-label")) == "Next"
        assert await held.evaluate(TEXT.format("ranking-title")) == "Start list"
        assert await held.evaluate(BADGE) == "Connecting"  # no message came on the stream
        await held.screenshot(artifact("first-screen-from-api-state.png"))

        pinned_held = await browser.page(1280, 720)
        await pinned_held.send("Fetch.enable", {"patterns": [{"urlPattern": "*api/events*"}]})
        await pinned_held.goto(web.url + "?event=km")
        await pinned_held.wait_for(f"{TEXT.format('event-name')} === 'Kilometre'", "km pinned")
        assert json.loads(await pinned_held.evaluate(BIBS)) == ["5", "3"]
        assert await pinned_held.evaluate(TEXT.format("track-label")) == "Start list"
        for page in (held, pinned_held):
            await page.close()

        # Live: f200 on the track; the pinned screen stays on km, then shows its result.
        current = {"v": 1, "event": "f200", "name": "Flying 200 m", "discipline": "time_trial",
                   "category": "", "round": "", "status": "running", "riders": [9, 4, 7],
                   "on_track": None, "start_us": None}  # fmt: skip
        await web.put("current", current)
        board = await browser.page(1280, 720)
        await board.goto(web.url)
        pinned = await browser.page(1280, 720)
        await pinned.goto(web.url + "?event=km")
        for page in (board, pinned):
            await page.wait_for(f"{BADGE} === 'Live'", "the page to go live")
        assert await board.evaluate(TEXT.format("event-name")) == "Flying 200 m"
        assert await board.evaluate(TEXT.format("track-label")) == "On track"
        assert await pinned.evaluate(TEXT.format("event-name")) == "Kilometre"
        assert json.loads(await pinned.evaluate(BIBS)) == ["5", "3"]
        result = {"v": 1, "event": "km", "name": "Kilometre", "discipline": "time_trial",
                  "category": "Women Elite", "round": "", "status": "final", "audit": [],
                  "lines": [{"rank": 1, "bib": 3, "time": "1:05.123"},
                            {"rank": 2, "bib": 5, "time": "1:05.999"}]}  # fmt: skip
        await web.put("results/km", result)
        want = json.dumps(expected_rows(result), separators=(",", ":"))
        await pinned.wait_for(f"{ROWS} === '{want}'", "km's result")
        assert await pinned.evaluate(TEXT.format("track-label")) == "Result"
        assert await board.evaluate(TEXT.format("event-name")) == "Flying 200 m"
