"""What people see of a team sprint heat: the two teams side by side as a pursuit's sides (the
latest half lap's time, the laps to go, FINISHED) and the gap at each half lap with who is
ahead, on the terminal view, the UNT4 boards, the web page and the overlay (headless Chromium).

The payloads are the team sprint scenario's (tests/scoring/scenarios/team_sprint.py) as the
scoring service publishes them (`velotime replay --offline`). From its docstring: team 10
(Netherlands, home straight) at half laps 9.876, 17.123, 23.777, 30.456, 37.000, 43.678; team
20 (Great Britain, back straight) at 9.900, 17.200, 23.890, 30.654, 37.111, 44.012: team 10
ahead all the way, by 0.024, 0.077, 0.113, 0.198, 0.111 and 0.334 at the finish; a half lap
is 125 m of the 750 m. Mid-race is the heat taken back to half lap 3 (1.5 laps to go), the
lines with their first lap's split only (250 m).
"""

import copy
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from tests.scoreboards.browser import Browser, artifact, require_chromium
from tests.scoreboards.payloads import ONLINE, snapshot_of
from tests.scoreboards.web_helpers import running_scoreboard
from tests.scoring.live import offline_files
from tests.scoring.scenarios import team_sprint
from velotime.localvenue import LocalBroker
from velotime.protocols.unt4 import encode
from velotime.scoreboards.state import Snapshot
from velotime.scoreboards.terminal import render
from velotime.scoreboards.unt4 import Unt4Page
from velotime.scoreboards.view import board_view

NOW_US = 1_795_266_000_000_000
START_US = NOW_US - 24_100_000  # the race clock: 24.1
EVENT = "team-sprint-m-round-1-1"


@pytest.fixture(scope="module")
def final(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    directory = tmp_path_factory.mktemp("team-sprint")
    files = offline_files(
        team_sprint.write_capture(directory),
        team_sprint.write_meet(directory),
        directory / "results",
    )
    result: dict[str, Any] = json.loads(files[f"results/{EVENT}"])
    return result


def mid_race(final: dict[str, Any], half_laps: int = 3) -> dict[str, Any]:
    """The heat when both teams have ridden `half_laps`: their points up to there; the lines
    with the laps ridden, no time."""
    result = copy.deepcopy(final) | {"status": "running", "problems": []}
    for team in result["team_sprint"]["teams"]:
        team["points"] = team["points"][:half_laps]
    for line in result["lines"]:
        for key in ("time", "time_us", "speed_kmh", "gap"):
            line.pop(key, None)
        line["splits"] = line["splits"][: half_laps // 2]
    return result


def on_track(result: dict[str, Any]) -> Snapshot:
    current = {"v": 1, "event": EVENT, "name": result["name"], "discipline": "team_sprint",
               "category": result["category"], "round": result["round"], "status": "running",
               "riders": [10, 20], "on_track": None, "start_us": START_US}  # fmt: skip
    return snapshot_of([("current", current), (f"results/{EVENT}", result)])


def latest(result: dict[str, Any]) -> Snapshot:
    return snapshot_of([(f"results/{EVENT}", result)])


def test_the_two_teams_side_by_side_and_the_gap(final: dict[str, Any]) -> None:
    """Mid-race: 10 at 23.777 and 20 at 23.890 at 3 x 125 = 375 m, 1.5 laps to go, 23.777 -
    23.890 = -0.113: 10 ahead by +0.113. At the end: 43.678 and 44.012, both FINISHED, +0.334
    at 750 m."""
    view = board_view(on_track(mid_race(final)))
    assert view is not None
    assert view.pursuit is not None
    home, back = view.pursuit.sides
    assert (home.side, home.entrant, home.name, home.latest, home.distance_m) == (
        "home", 10, "Netherlands", "23.777", 375)  # fmt: skip
    assert (back.side, back.entrant, back.name, back.latest, back.distance_m) == (
        "back", 20, "Great Britain", "23.890", 375)  # fmt: skip
    assert (home.laps_to_go, home.state, home.ahead, back.ahead) == ("1.5", "", True, False)
    assert view.pursuit.gap_label == "+0.113 10 ahead at 375 m"

    view = board_view(latest(final))
    assert view is not None
    assert view.pursuit is not None
    home, back = view.pursuit.sides
    assert (home.shown_time, home.state, back.shown_time, back.state) == (
        "43.678", "FINISHED", "44.012", "FINISHED")  # fmt: skip
    assert view.pursuit.gap_label == "+0.334 10 ahead at 750 m"


def test_the_terminal_shows_both_teams(final: dict[str, Any]) -> None:
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(render(on_track(mid_race(final)), NOW_US, venue="vdrome", width=80))
    rows = [line.split() for line in console.export_text().splitlines()]
    assert ["Home", "10", "Netherlands", "23.777", "@375", "m", "1.5", "laps", "to", "go"] in rows
    assert ["Back", "20", "Great", "Britain", "23.890", "@375", "m", "1.5", "laps", "to",
            "go"] in rows  # fmt: skip
    assert ["Gap", "+0.113", "10", "ahead", "at", "375", "m"] in rows


SOH, STX, EOT, ERL, ERP, DLE = b"\x01", b"\x02", b"\x04", b"\x0b", b"\x0c", b"\x10"


def row_message(row: int, text: str) -> bytes:
    return SOH + STX + DLE + b"00" + f"{row:02d}".encode() + text.encode("ascii") + ERL + EOT


def test_unt4_bytes_for_a_team_sprint_mid_race(final: dict[str, Any]) -> None:
    """4 x 32: the title (running: no tag, "Team sprint, first round, heat 1" is 32 long);
    row 1 "10 Netherlands" then 23.777 ending at column 32 (25 + 1 + 6); row 2 team 20,
    behind: "+0.113 23.890" (13), the name in 18; row 3 the 1.5 laps to go and the clock."""
    page = Unt4Page(4, 32)
    sent = b"".join(encode(r) for r in page.update(on_track(mid_race(final)), NOW_US))
    assert sent == (
        SOH + STX + ERP + EOT
        + row_message(0, "Team sprint, first round, heat 1")
        + row_message(1, "10 Netherlands".ljust(25) + " 23.777")
        + row_message(2, "20 Great Britain".ljust(18) + " +0.113 23.890")
        + row_message(3, "1.5 LAPS TO GO".ljust(27) + " 24.1")
    )  # fmt: skip


SIDES = """JSON.stringify(Array.from(document.querySelectorAll('#pursuit .pursuit-side')).map(
  (side) => [side.dataset.entrant, side.querySelector('.pursuit-name').textContent,
             side.querySelector('.pursuit-time').textContent,
             side.querySelector('.pursuit-state').textContent]))"""
HALF_LAPS = """JSON.stringify(Array.from(document.querySelectorAll(
  '#pursuit-table tbody tr')).map((tr) => Array.from(tr.children).map((td) => td.textContent)))"""
OVERLAY = """JSON.stringify(Array.from(document.querySelectorAll('#ov-pursuit .ov-pursuit-side'))
  .map((row) => [row.dataset.entrant, row.querySelector('.ov-time').textContent]))"""


@pytest.mark.timeout(60)
async def test_the_page_and_the_overlay_show_a_team_sprint_side_by_side(
    tmp_path: Path, broker: LocalBroker, final: dict[str, Any]
) -> None:
    """The finished heat: both teams side by side with their times, Finished, the gap +0.334;
    the half laps, the latest first: half lap n at 125 n m, both teams' times, the gap (team
    10's time less team 20's, sign dropped) and 10 ahead. The overlay: both teams' times."""
    require_chromium()
    async with (
        running_scoreboard(broker) as web,
        Browser.launch(tmp_path / "chromium") as browser,
    ):
        await web.put("status/scoring", ONLINE)
        await web.put("results/" + EVENT, final)
        page = await browser.page(1920, 1080)
        await page.goto(web.url)
        gap = "document.querySelector('#pursuit .pursuit-gap')?.textContent"
        await page.wait_for(f"{gap} === '+0.33410 Netherlands ahead at 750 m'", "the gap")
        assert json.loads(await page.evaluate(SIDES)) == [
            ["10", "Netherlands", "43.678", "Finished"],
            ["20", "Great Britain", "44.012", "Finished"],
        ]
        assert json.loads(await page.evaluate(HALF_LAPS)) == [
            ["6", "750", "43.678", "44.012", "+0.334", "10"],
            ["5", "625", "37.000", "37.111", "+0.111", "10"],
            ["4", "500", "30.456", "30.654", "+0.198", "10"],
            ["3", "375", "23.777", "23.890", "+0.113", "10"],
            ["2", "250", "17.123", "17.200", "+0.077", "10"],
            ["1", "125", "9.876", "9.900", "+0.024", "10"],
        ]
        await page.screenshot(artifact("team-sprint-1920x1080.png"))

        overlay = await browser.page(1920, 1080)
        await web.put("current", {"v": 1, "event": EVENT, "name": final["name"],
                                  "discipline": "team_sprint", "category": "", "round": "",
                                  "status": "running", "riders": [10, 20], "on_track": None,
                                  "start_us": time.time_ns() // 1000})  # fmt: skip
        await overlay.goto(web.url + "overlay")
        want = json.dumps([["10", "43.678"], ["20", "44.012"]], separators=(",", ":"))
        await overlay.wait_for(f"{OVERLAY} === '{want}'", "the overlay's two teams")
        await overlay.screenshot(artifact("team-sprint-overlay.png"))
