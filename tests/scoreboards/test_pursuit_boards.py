"""What people see of a pursuit heat: the two sides side by side (the latest split, the laps to
go, CAUGHT / WON / FINISHED) and the gap at each half lap with who is ahead, on the terminal
view, the UNT4 boards (their bytes, against docs/protocols/unt4.md), the web page and the overlay
(headless Chromium).

The payloads are the pursuit scenario's (tests/scoring/scenarios/pursuit.py) as the scoring
service publishes them (`velotime replay --offline`). From its docstring: the home rider crosses
half lap n at 11.0 + 7.5 (n - 1) s, the back rider at 11.4 + 8.5 (n - 1) s, so the gap at half
lap n is 0.4 + (n - 1) s, home ahead; a half lap is 125 m of the 4000 m (32 half laps). Mid-race
is the qualifying heat taken back to half lap 8 (before the catch at home's 10th): home 1 (Ann
Red) at 11.0 + 52.5 = 63.5 s = 1:03.500, back 2 (Bea Green) at 11.4 + 59.5 = 70.9 s =
1:10.900, the gap 0.4 + 7 = +7.400, both at 1000 m with 12 laps to go.
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
from tests.scoreboards.unt4_board import Screen
from tests.scoreboards.web_helpers import running_scoreboard
from tests.scoring.live import offline_files
from tests.scoring.scenarios import pursuit
from velotime.localvenue import LocalBroker
from velotime.protocols.unt4 import encode
from velotime.scoreboards.state import Snapshot
from velotime.scoreboards.terminal import render
from velotime.scoreboards.unt4 import Unt4Page
from velotime.scoreboards.view import board_view

NOW_US = 1_795_266_000_000_000
START_US = NOW_US - 75_200_000  # the race clock: 1:15.2
HALF_LAP = 8

Payloads = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def heats(tmp_path_factory: pytest.TempPathFactory) -> Payloads:
    """The three heats' final results (ip-q, ip-f, tp-q), by event."""
    directory = tmp_path_factory.mktemp("pursuit")
    files = offline_files(
        pursuit.write_capture(directory), pursuit.write_meet(directory), directory / "results"
    )
    return {key.removeprefix("results/"): json.loads(body) for key, body in files.items()}


def mid_race(final: dict[str, Any], half_laps: int = HALF_LAP) -> dict[str, Any]:
    """The qualifying heat when both have ridden `half_laps` (before any catch): the board's
    splits and gaps up to there, nobody finished, no times yet."""
    result = copy.deepcopy(final) | {"status": "running", "lines": []}
    board = result["pursuit"]
    for side in board["sides"]:
        side["splits"] = side["splits"][:half_laps]
        side |= {"half_laps": half_laps, "laps_to_go": (32 - half_laps) / 2, "finished": False,
                 "caught": False, "time": None, "won": False}  # fmt: skip
    board["gaps"] = board["gaps"][:half_laps]
    board |= {"leader": board["gaps"][-1]["ahead"], "catch_half_lap": None, "finished": False}
    return result


def on_track(result: dict[str, Any]) -> Snapshot:
    current = {"v": 1, "event": result["event"], "name": result["name"],
               "discipline": result["discipline"], "category": result["category"],
               "round": result["round"], "status": "running",
               "riders": [side["entrant"] for side in result["pursuit"]["sides"]],
               "on_track": None, "start_us": START_US}  # fmt: skip
    return snapshot_of([("current", current), (f"results/{result['event']}", result)])


def latest(result: dict[str, Any]) -> Snapshot:
    return snapshot_of([(f"results/{result['event']}", result)])


def terminal_text(state: Snapshot, width: int = 80) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(render(state, NOW_US, venue="vdrome", width=width))
    return console.export_text()


# --- the view ---------------------------------------------------------------------------------


def test_mid_race_both_sides_and_the_gap(heats: Payloads) -> None:
    """Half lap 8: home 1 at 1:03.500, back 2 at 1:10.900, both at 1000 m with (32 - 8) / 2 =
    12 laps to go; the gap +7.400, 1 ahead."""
    view = board_view(on_track(mid_race(heats["ip-q"])))
    assert view is not None
    assert view.pursuit is not None
    home, back = view.pursuit.sides
    assert (home.side, home.entrant, home.latest, home.distance_m, home.laps_to_go) == (
        "home", 1, "1:03.500", 1000, "12")  # fmt: skip
    assert (back.side, back.entrant, back.latest, back.distance_m, back.laps_to_go) == (
        "back", 2, "1:10.900", 1000, "12")  # fmt: skip
    assert home.ahead
    assert not back.ahead
    assert (home.state, back.state) == ("", "")
    assert view.pursuit.gap_label == "+7.400 1 ahead at 1000 m"


def test_a_catch_ends_the_final(heats: Payloads) -> None:
    """The final: 3 catches 4 at 3's 10th half lap (78.5 s = 1:18.500, at 1250 m); 4 stopped at
    its 8th (70.9 s = 1:10.900). The last gap both rode is half lap 8's: 0.4 + 7 = +7.400, 3
    ahead. 3 WON, 4 CAUGHT; no times."""
    view = board_view(latest(heats["ip-f"]))
    assert view is not None
    assert view.pursuit is not None
    home, back = view.pursuit.sides
    assert (home.entrant, home.latest, home.distance_m, home.state) == (3, "1:18.500", 1250, "WON")
    assert (back.entrant, back.latest, back.distance_m, back.state) == (
        4, "1:10.900", 1000, "CAUGHT")  # fmt: skip
    assert home.time == back.time == ""
    assert view.pursuit.gap_label == "+7.400 3 ahead at 1000 m"


def test_a_team_pursuit_finished_with_a_rider_dropped(heats: Payloads) -> None:
    """Team 1 (Italy) 3:53.440, team 2 (Denmark) 3:59.940: +6.500 at 4000 m, 1 ahead; rider 14
    dropped from team 1. A qualifying heat: FINISHED, nobody WON."""
    view = board_view(latest(heats["tp-q"]))
    assert view is not None
    assert view.pursuit is not None
    italy, denmark = view.pursuit.sides
    assert (italy.shown_time, italy.state, italy.dropped) == ("3:53.440", "FINISHED", [14])
    assert (denmark.shown_time, denmark.state, denmark.dropped) == ("3:59.940", "FINISHED", [])
    assert view.pursuit.gap_label == "+6.500 1 ahead at 4000 m"


# --- the terminal -----------------------------------------------------------------------------


def test_the_terminal_shows_both_sides_and_the_gap(heats: Payloads) -> None:
    """A line per side (home first), then the gap; in the final, WON and CAUGHT."""
    text = terminal_text(on_track(mid_race(heats["ip-q"])))
    rows = [line.split() for line in text.splitlines()]
    assert ["Home", "1", "Ann", "Red", "1:03.500", "@1000", "m", "12", "laps", "to", "go"] in rows
    assert ["Back", "2", "Bea", "Green", "1:10.900", "@1000", "m", "12", "laps", "to", "go"] in rows
    assert ["Gap", "+7.400", "1", "ahead", "at", "1000", "m"] in rows
    assert "1:15.2" in text  # the race clock

    rows = [line.split() for line in terminal_text(latest(heats["ip-f"])).splitlines()]
    assert ["Home", "3", "Cat", "Red", "1:18.500", "@1250", "m", "11", "laps", "to", "go",
            "WON"] in rows  # fmt: skip
    assert ["Back", "4", "Dee", "Green", "1:10.900", "@1000", "m", "12", "laps", "to", "go",
            "CAUGHT"] in rows  # fmt: skip


# --- UNT4 -------------------------------------------------------------------------------------


SOH, STX, EOT, ERL, ERP, DLE = b"\x01", b"\x02", b"\x04", b"\x0b", b"\x0c", b"\x10"


def row_message(row: int, text: str) -> bytes:
    """docs/protocols/unt4.md: SOH STX DLE <column, 2 digits> <row, 2 digits> text ERL EOT."""
    return SOH + STX + DLE + b"00" + f"{row:02d}".encode() + text.encode("ascii") + ERL + EOT


def test_unt4_bytes_for_a_pursuit_mid_race(heats: Payloads) -> None:
    """A 4 x 32 board: the title (running: no tag); row 1 home: "1 Ann Red" then its time
    ending at column 32 (23 + 1 + 8); row 2 back, behind: the gap before its time ("+7.400
    1:10.900", 15 columns; the name in 16); row 3 the laps to go of the side ahead and the
    clock. At half lap 9 only the two time rows and the gap change."""
    page = Unt4Page(4, 32)
    sent = b"".join(encode(r) for r in page.update(on_track(mid_race(heats["ip-q"])), NOW_US))
    assert sent == (
        SOH + STX + ERP + EOT
        + row_message(0, "Individual pursuit")
        + row_message(1, "1 Ann Red".ljust(23) + " 1:03.500")
        + row_message(2, "2 Bea Green".ljust(16) + " +7.400 1:10.900")
        + row_message(3, "12 LAPS TO GO".ljust(25) + " 1:15.2")
    )  # fmt: skip
    # Half lap 9: home 11.0 + 60.0 = 71.000, back 11.4 + 68.0 = 79.400, gap +8.400; 11.5 to go.
    sent = b"".join(encode(r) for r in page.update(on_track(mid_race(heats["ip-q"], 9)), NOW_US))
    assert sent == (
        row_message(1, "1 Ann Red".ljust(23) + " 1:11.000")
        + row_message(2, "2 Bea Green".ljust(16) + " +8.400 1:19.400")
        + row_message(3, "11.5 LAPS TO GO".ljust(25) + " 1:15.2")
    )  # fmt: skip


def test_unt4_a_two_row_board_shows_just_the_two_sides(heats: Payloads) -> None:
    """2 x 16: no title; each row the bib, the family name and the time (8): "Red" fits the
    16 - 8 - 1 - 2 = 5 columns; the gap does not fit beside the back rider's time. In the final,
    4 is CAUGHT."""
    page = Unt4Page(2, 16)
    sent = b"".join(encode(r) for r in page.update(on_track(mid_race(heats["ip-q"])), NOW_US))
    assert sent == (
        SOH + STX + ERP + EOT
        + row_message(0, "1 Red   1:03.500") + row_message(1, "2 Green 1:10.900")
    )  # fmt: skip
    sent = b"".join(encode(r) for r in page.update(latest(heats["ip-f"]), NOW_US))
    assert sent == (
        SOH + STX + ERP + EOT
        + row_message(0, "3 Red   1:18.500") + row_message(1, "4 Green   CAUGHT")
    )  # fmt: skip


@pytest.mark.parametrize("event", ["ip-q", "ip-f", "tp-q"])
def test_any_pursuit_fits_any_board(heats: Payloads, event: str) -> None:
    """Every size from 2 x 16 up: every row fits in printable ASCII, none goes wrong."""
    for half_laps in (1, 8, 32):
        for state in (on_track(mid_race(heats["ip-q"], half_laps)), latest(heats[event])):
            for rows in (2, 3, 4, 6):
                for columns in (16, 20, 24, 32, 40):
                    page = Unt4Page(rows, columns)
                    screen = Screen(rows, columns)  # asserts that every row fits
                    for record in page.update(state, NOW_US):
                        screen.apply(record)
                    assert page.bad_states == 0
                    assert all(line.isascii() and line.isprintable() for line in screen.lines())


# --- the web page and the overlay -------------------------------------------------------------


SIDES = """JSON.stringify(Array.from(document.querySelectorAll('#pursuit .pursuit-side')).map(
  (side) => [side.dataset.entrant, side.querySelector('.pursuit-time').textContent,
             side.querySelector('.pursuit-at').textContent,
             side.querySelector('.pursuit-togo').textContent,
             side.querySelector('.pursuit-state').textContent,
             side.classList.contains('is-ahead')]))"""
GAP = "document.querySelector('#pursuit .pursuit-gap')?.textContent"
SIDE_BY_SIDE = """(() => {
  const [home, back] = Array.from(document.querySelectorAll('#pursuit .pursuit-side')).map(
    (side) => side.getBoundingClientRect());
  return home.top === back.top && home.right <= back.left;
})()"""
HALF_LAPS = """JSON.stringify(Array.from(document.querySelectorAll(
  '#pursuit-table tbody tr')).map((tr) => Array.from(tr.children).map((td) => td.textContent)))"""
OVERLAY = """JSON.stringify(Array.from(document.querySelectorAll('#ov-pursuit .ov-pursuit-side'))
  .map((row) => [row.dataset.entrant, row.querySelector('.ov-time').textContent,
                 row.querySelector('.ov-state').textContent]))"""


@pytest.mark.timeout(60)
async def test_the_page_and_the_overlay_show_a_pursuit_side_by_side(
    tmp_path: Path, broker: LocalBroker, heats: Payloads
) -> None:
    """Mid-race: the two sides side by side (time, distance and last lap, laps to go, 1 ahead),
    the gap +7.400 "1 Ann Red ahead at 1000 m", and under the ranking the gap at every half lap,
    the latest first: half lap n at 125 n m, home 11.0 + 7.5 (n - 1), back 11.4 + 8.5 (n - 1),
    gap 0.4 + (n - 1). The overlay shows both sides. The final: Won and Caught."""
    require_chromium()
    running = mid_race(heats["ip-q"])
    async with (
        running_scoreboard(broker) as web,
        Browser.launch(tmp_path / "chromium") as browser,
    ):
        await web.put("status/scoring", ONLINE)
        await web.put(
            "current",
            {"v": 1, "event": "ip-q", "name": running["name"], "discipline": "individual_pursuit",
             "category": running["category"], "round": running["round"], "status": "running",
             "riders": [1, 2], "on_track": None, "start_us": time.time_ns() // 1000},
        )  # fmt: skip
        await web.put("results/ip-q", running)
        page = await browser.page(1920, 1080)
        await page.goto(web.url)
        await page.wait_for(f"{GAP} === '+7.4001 Ann Red ahead at 1000 m'", "the gap")
        assert json.loads(await page.evaluate(SIDES)) == [
            ["1", "1:03.500", "1000 m \u00b7 lap 15.000", "12 laps to go", "", True],
            ["2", "1:10.900", "1000 m \u00b7 lap 17.000", "12 laps to go", "", False],
        ]
        half_laps = json.loads(await page.evaluate(HALF_LAPS))
        assert len(half_laps) == 8
        assert half_laps[0] == ["8", "1000", "1:03.500", "1:10.900", "+7.400", "1"]
        assert half_laps[-1] == ["1", "125", "11.000", "11.400", "+0.400", "1"]
        assert await page.evaluate(SIDE_BY_SIDE) is True
        await page.screenshot(artifact("pursuit-mid-race-1920x1080.png"))
        phone = await browser.page(390, 844, mobile=True)
        await phone.goto(web.url)
        await phone.wait_for(f"{GAP} === '+7.4001 Ann Red ahead at 1000 m'", "the phone's gap")
        assert await phone.evaluate(SIDE_BY_SIDE) is True  # even on a phone
        await phone.screenshot(artifact("pursuit-mid-race-phone-390x844.png"))
        await phone.close()

        overlay = await browser.page(1920, 1080)
        await overlay.goto(web.url + "overlay")
        want = json.dumps([["1", "1:03.500", ""], ["2", "1:10.900", ""]], separators=(",", ":"))
        await overlay.wait_for(f"{OVERLAY} === '{want}'", "the overlay's two sides")
        gap = "document.querySelector('#ov-pursuit .ov-gap-value').textContent"
        assert await overlay.evaluate(gap) == "+7.400"

        await web.put("current", {"v": 1, "event": None})
        await web.put("results/ip-f", heats["ip-f"])
        await page.wait_for(f"{GAP} === '+7.4003 Cat Red ahead at 1000 m'", "the final")
        assert json.loads(await page.evaluate(SIDES)) == [
            ["3", "1:18.500", "1250 m \u00b7 lap 15.000", "", "Won", True],
            ["4", "1:10.900", "1000 m \u00b7 lap 17.000", "", "Caught", False],
        ]
        await page.screenshot(artifact("pursuit-caught-1920x1080.png"))
        want = json.dumps([["3", "1:18.500", "Won"], ["4", "1:10.900", "Caught"]],
                          separators=(",", ":"))  # fmt: skip
        await overlay.wait_for(f"{OVERLAY} === '{want}'", "the overlay's catch")
        await overlay.screenshot(artifact("pursuit-caught-overlay.png"))

        await web.put("results/tp-q", heats["tp-q"])
        team = "document.querySelector('#pursuit .pursuit-team')?.textContent"
        await page.wait_for(f"{team} === 'Riding 11 12 13 \u00b7 dropped 14'", "team 1's riders")
        await page.screenshot(artifact("team-pursuit-1920x1080.png"))
