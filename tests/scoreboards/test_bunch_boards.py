"""What people see of a bunch race: the lap board (laps to go, the bell on the last lap) and the
live table (rank, bib, name, laps, laps gained or lost, points when the race has them) on the
terminal view (rendered, and read back through a terminal emulator), the UNT4 boards (their
bytes, against docs/protocols/unt4.md), the web page and overlay (headless Chromium), and the
omnium's standings; and the result sheet of a scratch race with a lap gained (its PDF's text).

The payloads are a scratch race of five riders over 20 laps as the scoring service publishes
it (docs/mqtt.md): the expected screens are worked out by hand from them.
"""

import io
import json
import sys
import time
from datetime import UTC
from pathlib import Path
from typing import Any

import msgspec
import pyte
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from tests.scoreboards.browser import Browser, artifact, require_chromium
from tests.scoreboards.payloads import ONLINE, snapshot_of
from tests.scoreboards.pdf_text import page_lines, pdf_pages
from tests.scoreboards.test_terminal import Terminal, publish
from tests.scoreboards.unt4_board import Screen
from tests.scoreboards.web_helpers import running_scoreboard
from tests.scoring.live import write_venue_config
from velotime.localvenue import LocalBroker
from velotime.protocols.unt4 import ClearAll, encode
from velotime.scoreboards.state import Snapshot
from velotime.scoreboards.terminal import render
from velotime.scoreboards.unt4 import Unt4Page
from velotime.scoreboards.web.pdf import sheet_pdf
from velotime.scoreboards.web.sheets import result_sheet_html
from velotime.wire.results import EventResult

NOW_US = 1_795_266_000_000_000
START_US = NOW_US - 302_400_000  # the race clock: 5:02.4


def board(laps_to_go: int, *, finished: bool = False) -> dict[str, Any]:
    """The lap board of a 20-lap race, `laps_to_go` to go (the bell: 1 to go)."""
    return {"distance": 20, "started": True, "leader_laps": 20 - laps_to_go,
            "laps_to_go": laps_to_go, "bell": laps_to_go == 1 and not finished,
            "finished": finished, "neutralised": 0}  # fmt: skip


def scratch(laps_to_go: int, status: str = "running", **extra: Any) -> dict[str, Any]:
    """Rider 5 has gained a lap (it leads: laps gained first, 3.2.020 bis), rider 11 lost one,
    rider 12 abandoned (DNF, unranked, last)."""
    ridden = 20 - laps_to_go
    return {
        "v": 1, "event": "scratch-m", "discipline": "scratch", "name": "Scratch race",
        "category": "Men Elite", "round": "", "status": status,
        "lines": [
            {"rank": 1, "bib": 5, "name": "Rider 5", "nation": "GER", "laps": ridden + 1,
             "laps_gained": 1},
            {"rank": 2, "bib": 7, "name": "Rider 7", "nation": "NZL", "laps": ridden},
            {"rank": 3, "bib": 2, "name": "Rider 2", "nation": "GBR", "laps": ridden},
            {"rank": 4, "bib": 11, "name": "Rider 11", "nation": "DEN", "laps": ridden - 1,
             "laps_gained": -1},
            {"rank": None, "bib": 12, "name": "Rider 12", "nation": "SUI", "status": "DNF",
             "laps": 6},
        ],
        "lap_board": board(laps_to_go, finished=laps_to_go == 0),
        "lap_changes": [{"bib": 5, "change": 1, "lap": 7}, {"bib": 11, "change": -1, "lap": 12}],
        "lap_proposals": [], "problems": [], "audit": [],
    } | extra  # fmt: skip


CURRENT = {"v": 1, "event": "scratch-m", "name": "Scratch race", "discipline": "scratch",
           "category": "Men Elite", "round": "", "status": "running", "riders": [2, 5, 7, 11, 12],
           "on_track": None, "start_us": START_US}  # fmt: skip


def on_track(result: dict[str, Any]) -> Snapshot:
    return snapshot_of([("current", CURRENT), ("results/scratch-m", result)])


def terminal_text(state: Snapshot, width: int = 80) -> str:
    console = Console(width=width, height=40, record=True, file=io.StringIO())
    console.print(render(state, NOW_US, venue="vdrome", width=width))
    return console.export_text()


def screen_of(state: Snapshot, columns: int = 80, rows: int = 30) -> pyte.Screen:
    """The view as a colour terminal shows it: rich's escape sequences through pyte."""
    out = io.StringIO()
    console = Console(width=columns, height=rows, file=out, force_terminal=True,
                      color_system="standard", legacy_windows=False)  # fmt: skip
    console.print(render(state, NOW_US, venue="vdrome", width=columns))
    screen = pyte.Screen(columns, rows)
    stream = pyte.Stream(screen)
    stream.feed(out.getvalue().replace("\n", "\r\n"))
    return screen


def cells(line: str) -> list[str]:
    return line.replace("│", " ").split()


# --- the terminal ---------------------------------------------------------------------------


def test_the_terminal_shows_laps_to_go_and_the_live_table() -> None:
    """12 laps to go: the lap board above the table; each line's laps and laps gained or lost
    ("+1" for 5, a lap up with 9 ridden; "-1" for 11); no time, gap or speed columns (a scratch
    race has none); 12's DNF where a time would be, unranked."""
    text = terminal_text(on_track(scratch(12)))
    lines = text.splitlines()
    assert any(cells(line) == ["12", "LAPS", "TO", "GO"] for line in lines), text
    header = next(line for line in lines if "Bib" in line)
    assert cells(header) == ["#", "Bib", "Name", "Nat", "Laps", "+/-", "Time"]
    rows = [cells(line) for line in lines if "Rider" in line]
    assert rows == [
        ["1", "5", "Rider", "5", "GER", "9", "+1"],
        ["2", "7", "Rider", "7", "NZL", "8"],
        ["3", "2", "Rider", "2", "GBR", "8"],
        ["4", "11", "Rider", "11", "DEN", "7", "-1"],
        ["12", "Rider", "12", "SUI", "6", "DNF"],
    ]
    assert "5:02.4" in text  # the race clock runs


def test_in_a_terminal_the_bell_is_a_red_banner_on_the_last_lap() -> None:
    """1 lap to go: "BELL - LAST LAP", white on red, read back from the emulated terminal's
    cells; at 2 to go the same place says "2 LAPS TO GO" in the normal colours."""
    screen = screen_of(on_track(scratch(1)))
    row = next(y for y, line in enumerate(screen.display) if "BELL - LAST LAP" in line)
    x = screen.display[row].index("BELL")
    assert screen.buffer[row][x].bg == "red"
    assert screen.buffer[row][x].bold
    assert not any("LAPS TO GO" in line for line in screen.display)

    screen = screen_of(on_track(scratch(2)))
    row = next(y for y, line in enumerate(screen.display) if "2 LAPS TO GO" in line)
    assert screen.buffer[row][screen.display[row].index("2 LAPS")].bg == "default"
    assert not any("BELL" in line for line in screen.display)


def test_points_show_as_soon_as_the_result_has_them() -> None:
    """A points race's lines carry `points` (docs/mqtt.md): the Pts column appears."""
    result = scratch(12)
    for line, points in zip(result["lines"], (25, 11, 8, 0, 3), strict=True):
        line["points"] = points
    try:
        state = on_track(result)
    except AssertionError:  # this wire has no points yet
        pytest.skip("the result lines have no `points` on this branch")
    rows = [cells(line) for line in terminal_text(state).splitlines() if "Rider" in line]
    assert rows[0] == ["1", "5", "Rider", "5", "GER", "9", "+1", "25"]
    assert rows[3] == ["4", "11", "Rider", "11", "DEN", "7", "-1", "0"]


OMNIUM: dict[str, Any] = {
    "v": 1, "competition": "omnium-m", "discipline": "omnium", "name": "Omnium",
    "category": "Men Elite", "format": "uci", "status": "running",
    "races": [
        {"name": "scratch", "event": "scratch-m", "kind": "scratch", "status": "final",
         "counted": True},
        {"name": "tempo", "event": "tempo-m", "kind": "tempo", "status": "scheduled",
         "counted": False},
    ],
    "lines": [
        {"rank": 1, "bib": 5, "name": "Rider 5", "nation": "GER", "total": 40, "status": "",
         "races": [{"place": 1, "points": 40, "status": "", "laps": 0}, None]},
        {"rank": 2, "bib": 7, "name": "Rider 7", "nation": "NZL", "total": 38, "status": "",
         "races": [{"place": 2, "points": 38, "status": "", "laps": 0}, None]},
        {"rank": None, "bib": 12, "name": "Rider 12", "nation": "SUI", "total": 0,
         "status": "DNF", "races": [{"place": None, "points": 0, "status": "DNF", "laps": 0},
                                    None]},
    ],
    "problems": [],
}  # fmt: skip


def test_the_omnium_standings_beside_its_race() -> None:
    """The scratch race is the omnium's first race: its standings (40 for first, 38 for second,
    uci-rules.md §2.10; 12 out, DNF) beside the race on a wide terminal; the tempo race, not
    counted yet, has no column."""
    state = snapshot_of([("current", CURRENT), ("results/scratch-m", scratch(0, "final")),
                         ("standings/omnium-m", OMNIUM)])  # fmt: skip
    text = terminal_text(state, 140)
    assert "Omnium · running" in text
    rows = [cells(line[140 - 40 :]) for line in text.splitlines()]  # the panel: 40 columns
    assert ["#", "Bib", "▶S", "Tot"] in rows, rows
    assert ["1", "5", "40", "40"] in rows
    assert ["2", "7", "38", "38"] in rows
    assert ["12", "DNF", "DNF"] in rows


# --- UNT4 -----------------------------------------------------------------------------------


SOH, STX, EOT, ERL, ERP, DLE = b"\x01", b"\x02", b"\x04", b"\x0b", b"\x0c", b"\x10"


def row_message(row: int, text: str) -> bytes:
    """docs/protocols/unt4.md: SOH STX DLE <column, 2 digits> <row, 2 digits> text ERL EOT."""
    return SOH + STX + DLE + b"00" + f"{row:02d}".encode() + text.encode("ascii") + ERL + EOT


def test_unt4_bytes_for_laps_to_go_and_the_bell() -> None:
    """A 4 x 32 board: cleared (SOH STX ERP EOT), then the title with no status tag (running),
    row 1 the lap board on the left and the clock on the right (5:02.4, 32 columns wide), the
    first two lines: rank (2 wide), bib (3), name, nation, laps gained (2), and nothing where a
    time would be: the name takes 32 - 2 - 1 - 3 - 1 - 4 - 3 = 18 columns, so "Rider 5" is
    followed by 11 blanks and the one before the nation. On the last lap only row 1 changes:
    the bell."""
    page = Unt4Page(4, 32)
    sent = b"".join(encode(record) for record in page.update(on_track(scratch(12)), NOW_US))
    assert sent == (
        SOH + STX + ERP + EOT
        + row_message(0, "Scratch race")
        + row_message(1, "12 LAPS TO GO" + " " * 13 + "5:02.4")
        + row_message(2, "1    5 " + "Rider 5".ljust(18) + " GER +1")
        + row_message(3, "2    7 " + "Rider 7".ljust(18) + " NZL")
    )  # fmt: skip
    assert len("12 LAPS TO GO" + " " * 13 + "5:02.4") == 32

    bell = scratch(1)
    bell["lines"] = scratch(12)["lines"]  # the same lines: only the lap board changes
    sent = b"".join(encode(record) for record in page.update(on_track(bell), NOW_US))
    assert sent == row_message(1, "BELL - LAST LAP" + " " * 11 + "5:02.4")


bunch_lines = st.lists(
    st.fixed_dictionaries(
        {"bib": st.integers(0, 10**6), "rank": st.none() | st.integers(1, 1000),
         "laps": st.integers(0, 10**4)},
        optional={"name": st.text(max_size=40), "nation": st.text(max_size=5),
                  "laps_gained": st.integers(-99, 99),
                  "status": st.sampled_from(["DNS", "DNF", "DSQ"])},
    ),
    max_size=30,
)  # fmt: skip


@given(st.integers(2, 100), st.integers(16, 100), bunch_lines, st.integers(0, 400),
       st.integers(0, 9), st.booleans())  # fmt: skip
def test_any_bunch_race_fits_any_board_and_row_1_is_its_lap_board(
    rows: int, columns: int, lines: list[dict[str, Any]], to_go: int, neutralised: int,
    finished: bool,
) -> None:  # fmt: skip
    """Whatever the lines and the lap board, every row fits the board in printable ASCII, and
    row 1 begins with what the lap board says (FINISH; BELL on the last lap; else the laps to
    go, after the neutralisation's laps while one runs), cut at the board's width."""
    result = scratch(to_go) | {"lines": lines}
    result["lap_board"] |= {"neutralised": neutralised, "finished": finished,
                            "bell": to_go == 1 and not finished}  # fmt: skip
    page = Unt4Page(rows, columns)
    screen = Screen(rows, columns)  # asserts that every row fits
    for record in page.update(on_track(result), NOW_US):
        screen.apply(record)
    assert page.bad_states == 0
    shown = screen.lines()
    assert all(line.isascii() and line.isprintable() for line in shown)
    plural = "" if to_go == 1 else "S"
    said = ("FINISH" if finished else "BELL - LAST LAP" if to_go == 1 else
            f"NEUTRALISED ({neutralised}) - {to_go} LAP{plural} TO GO" if neutralised else
            f"{to_go} LAP{plural} TO GO")  # fmt: skip
    clock_room = columns - len("5:02.4") - 1
    assert shown[1].startswith(said[:clock_room].rstrip())


def test_unt4_bytes_for_an_omniums_standings() -> None:
    """A 4 x 32 board given `standings = "omnium-m"` shows the omnium, not the race on the
    track: cleared (SOH STX ERP EOT), the title "Omnium" with no tag (running), then a row per
    rider: rank (2 wide), bib (3: "12" is the widest), name, nation (3), total (3: "DNF" is the
    widest). The name takes 32 - 2 - 1 - 3 - 1 - 3 - 1 - 3 - 1 = 17 columns. Rider 12 is out
    of the omnium: no rank, DNF where the total goes. When the points race goes live only the
    title changes: "Omnium", 27 columns, then "LIVE"."""
    page = Unt4Page(4, 32, standings="omnium-m")
    state = snapshot_of([("current", CURRENT), ("results/scratch-m", scratch(3)),
                         ("standings/omnium-m", OMNIUM)])  # fmt: skip
    sent = b"".join(encode(record) for record in page.update(state, NOW_US))
    assert sent == (
        SOH + STX + ERP + EOT
        + row_message(0, "Omnium")
        + row_message(1, "1    5 " + "Rider 5".ljust(17) + " GER  40")
        + row_message(2, "2    7 " + "Rider 7".ljust(17) + " NZL  38")
        + row_message(3, "    12 " + "Rider 12".ljust(17) + " SUI DNF")
    )  # fmt: skip
    assert len("1    5 " + "Rider 5".ljust(17) + " GER  40") == 32
    assert page.next_tick_us(NOW_US) is None  # no clock on a standings board

    live = snapshot_of([("current", CURRENT), ("results/scratch-m", scratch(2)),
                        ("standings/omnium-m", OMNIUM | {"status": "live"})])  # fmt: skip
    sent = b"".join(encode(record) for record in page.update(live, NOW_US))
    assert sent == row_message(0, "Omnium".ljust(27) + " LIVE")


def test_a_standings_board_is_blank_until_its_omnium_has_standings() -> None:
    """Another omnium's standings are not this board's: nothing to show, a blank board."""
    page = Unt4Page(3, 24, standings="omnium-w")
    state = snapshot_of([("current", CURRENT), ("standings/omnium-m", OMNIUM)])
    assert page.update(state, NOW_US) == [ClearAll()]


omnium_lines: st.SearchStrategy[list[dict[str, Any]]] = st.lists(
    st.fixed_dictionaries(
        {"bib": st.integers(0, 10**6), "rank": st.none() | st.integers(1, 1000),
         "total": st.integers(-10**4, 10**4), "races": st.just([]),
         "status": st.sampled_from(["", "DNF", "DSQ"])},
        optional={"name": st.text(max_size=40), "nation": st.text(max_size=5)},
    ),
    max_size=30,
)  # fmt: skip


@given(st.integers(2, 100), st.integers(16, 100), omnium_lines,
       st.sampled_from(["running", "live", "final"]), st.text(max_size=60))  # fmt: skip
def test_any_standings_fit_any_board_a_rider_a_row(
    rows: int, columns: int, lines: list[dict[str, Any]], status: str, name: str
) -> None:
    """Whatever the riders, every row fits the board in printable ASCII; the riders take the
    rows below the title in their order, as many as the board has, each row with its bib; the
    rows left over are blank."""
    lines = [{"name": "", "nation": ""} | line for line in lines]
    standings = OMNIUM | {"status": status, "name": name, "lines": lines}
    page = Unt4Page(rows, columns, standings="omnium-m")
    screen = Screen(rows, columns)  # asserts that every row fits
    for record in page.update(snapshot_of([("standings/omnium-m", standings)]), NOW_US):
        screen.apply(record)
    assert page.bad_states == 0
    shown = screen.lines()
    assert all(line.isascii() and line.isprintable() for line in shown)
    riders = lines[: rows - 1]
    for row, line in zip(shown[1:], riders, strict=False):
        assert f" {line['bib']} " in f"{row} "
    assert shown[1 + len(riders) :] == [""] * (rows - 1 - len(riders))


# --- the result sheet -----------------------------------------------------------------------


@pytest.mark.slow
def test_the_result_sheet_of_a_scratch_race_with_a_lap_gained() -> None:
    """The PDF says, for each rider, the laps ridden and the laps gained or lost (5: 21, +1;
    11: 19, -1), the lap board at the finish, and the laps gained and lost the commissaires
    confirmed, with the bunch's lap (5 at lap 7, 11 at lap 12); the audit says what the
    commands did."""
    payload = scratch(0, "final")
    payload["audit"] = [
        {"type": "lap_change", "event": "scratch-m", "bib": 5, "change": 1, "dismiss": False,
         "reason": "lapped the bunch", "at_us": NOW_US - 200_000_000},
    ]  # fmt: skip
    result = msgspec.json.decode(json.dumps(payload).encode(), type=EventResult)
    html = result_sheet_html(result, meet="Meet", venue="Velodrome", zone=UTC,
                             generated_us=NOW_US)  # fmt: skip
    lines = page_lines(pdf_pages(sheet_pdf(html))[0])
    text = "\n".join(lines)
    assert "RANK BIB NAME NATION LAPS LAPS +/- NOTES" in lines, text  # headings in capitals
    assert "1 5 Rider 5 GER 21 +1" in lines
    assert "2 7 Rider 7 NZL 20" in lines
    assert "4 11 Rider 11 DEN 19 -1" in lines
    assert "Lap board: finished: 20 laps" in lines
    assert "5 Rider 5 lap gained (+1) 7 confirmed" in lines
    assert "11 Rider 11 lap lost (-1) 12 confirmed" in lines
    assert "12:56:40 5 lap gained confirmed lapped the bunch" in lines  # NOW_US - 200 s, UTC


# --- the web page and the overlay -----------------------------------------------------------

LAP_BOARD = "document.getElementById('lap-board')"
TABLE = """JSON.stringify(Array.from(document.querySelectorAll('#ranking tbody tr')).map(
  (tr) => Array.from(tr.querySelectorAll('td')).filter(
    (td) => getComputedStyle(td).display !== 'none').map((td) => td.textContent)))"""
HEADINGS = """JSON.stringify(Array.from(document.querySelectorAll('#ranking thead th')).filter(
  (th) => getComputedStyle(th).display !== 'none').map((th) => th.textContent))"""


@pytest.mark.timeout(60)
async def test_the_page_and_the_overlay_show_laps_to_go_the_bell_and_the_table(
    tmp_path: Path, broker: LocalBroker
) -> None:
    """The page, 1920x1080: "12 laps to go" under the race clock, the table with laps and
    laps gained or lost (no time, gap or speed columns); on the last lap "Bell — last lap",
    marked as the bell (red, flashing); the overlay shows the same lap board. The omnium's
    standings list its riders with the scratch race's points and the total, on the page and,
    with `standings=`, on the overlay."""
    require_chromium()
    async with (
        running_scoreboard(broker) as web,
        Browser.launch(tmp_path / "chromium") as browser,
    ):
        await web.put("status/scoring", ONLINE)
        # The browser runs the clock against the server's: a race started 5 minutes ago.
        await web.put("current", CURRENT | {"start_us": time.time_ns() // 1000 - 302_400_000})
        await web.put("results/scratch-m", scratch(12))
        page = await browser.page(1920, 1080)
        await page.goto(web.url)
        await page.wait_for(f"{LAP_BOARD}.textContent === '12 laps to go'", "laps to go")
        assert json.loads(await page.evaluate(HEADINGS)) == [
            "#", "Bib", "Rider", "Nat.", "Laps", "+/\u2212"]  # fmt: skip
        rows = json.loads(await page.evaluate(TABLE))
        assert [[row[0], row[1], row[4], row[5]] for row in rows] == [
            ["1", "5", "9", "+1"], ["2", "7", "8", ""], ["3", "2", "8", ""],
            ["4", "11", "7", "\u22121"], ["DNF", "12", "6", ""]]  # fmt: skip
        assert await page.evaluate(f"{LAP_BOARD}.classList.contains('is-bell')") is False

        await web.put("results/scratch-m", scratch(1))
        await page.wait_for(f"{LAP_BOARD}.textContent === 'Bell \u2014 last lap'", "the bell")
        assert await page.evaluate(f"{LAP_BOARD}.classList.contains('is-bell')") is True
        colour = await page.evaluate(f"getComputedStyle({LAP_BOARD}).backgroundColor")
        assert colour == "rgb(239, 68, 68)"  # --offline, the page's red
        await page.screenshot(artifact("scratch-bell-1920x1080.png"))

        await web.put("standings/omnium-m", OMNIUM)
        omnium = """JSON.stringify(Array.from(document.querySelectorAll(
          '#standings-body table.omnium tr')).map((tr) => Array.from(tr.children).map(
          (td) => td.textContent)))"""
        await page.wait_for(f"{omnium} !== '[]'", "the omnium's standings")
        assert json.loads(await page.evaluate(omnium)) == [
            ["#", "Bib", "Rider", "scratch", "Total"],
            ["1", "5", "Rider 5", "40", "40"],
            ["2", "7", "Rider 7", "38", "38"],
            ["DNF", "12", "Rider 12", "DNF", "DNF"],
        ]

        overlay = await browser.page(1920, 1080)
        await overlay.goto(web.url + "overlay")
        laps = "document.getElementById('ov-laps')"
        await overlay.wait_for(f"{laps}.textContent === 'Bell \u2014 last lap'", "overlay bell")
        assert await overlay.evaluate(f"{laps}.classList.contains('is-bell')") is True
        gained = """JSON.stringify(Array.from(document.querySelectorAll('#ov-top li')).map(
          (li) => li.querySelector('.ov-gap').textContent))"""
        assert json.loads(await overlay.evaluate(gained)) == ["+1", "", "", "\u22121", ""]
        await overlay.screenshot(artifact("scratch-bell-overlay.png"))

        totals = await browser.page(1920, 1080)
        await totals.goto(web.url + "overlay?standings=omnium-m")
        shown = """JSON.stringify(Array.from(document.querySelectorAll('#ov-top li')).map(
          (li) => [li.dataset.bib, li.querySelector('.ov-time').textContent]))"""
        want = json.dumps([["5", "40"], ["7", "38"], ["12", "DNF"]], separators=(",", ":"))
        await totals.wait_for(f"{shown} === '{want}'", "the omnium's totals on the overlay")


def decoded_or_skip(payload: dict[str, Any]) -> EventResult:
    """The payload as the boards read it; skipped where this branch's wire lacks its keys (the
    points and elimination races' lines come with their helpers' work)."""
    try:
        return msgspec.json.decode(json.dumps(payload).encode(), type=EventResult)
    except msgspec.ValidationError as exc:
        pytest.skip(f"the wire has no such keys yet: {exc}")


def test_a_points_race_sheet_gives_the_points_sprint_by_sprint() -> None:
    """Two sprints of 5-3-2-1 (uci-rules.md §2.6): 5 won the first (5) and was 2nd in the second
    (3), 8 points; 7 was 2nd then 1st: 3 + 5 = 8. The sheet's columns S1, S2 and Points."""
    payload = scratch(0, "final", discipline="points_race")
    payload["lines"] = payload["lines"][:2]
    payload["lines"][0] |= {"points": 28, "sprint_points": [5, 3]}  # + 20 for the lap gained
    payload["lines"][1] |= {"points": 8, "sprint_points": [3, 5]}
    html = result_sheet_html(decoded_or_skip(payload), meet="M", venue="V", zone=UTC,
                             generated_us=NOW_US)  # fmt: skip
    assert '<th class="num">S1</th><th class="num">S2</th><th class="num">Points</th>' in html
    assert (
        '<td class="num">21</td><td class="num">+1</td><td class="num">5</td>'
        '<td class="num">3</td><td class="num time">28</td>'
    ) in html


def test_an_elimination_race_sheet_gives_the_elimination_order() -> None:
    """Rider 11 went out at sprint 1 (last over the line), 12 at sprint 2 (abandoned); 5, 7
    and 2 rode the final (its number, 3): the order lists 11, then 12, then the final's."""
    payload = scratch(0, "final", discipline="elimination")
    outs = {5: (3, "final"), 7: (3, "final"), 2: (3, "final"), 11: (1, "last"),
            12: (2, "abandoned")}  # fmt: skip
    for line in payload["lines"]:
        line["eliminated_at"], line["out_by"] = outs[line["bib"]]
    html = result_sheet_html(decoded_or_skip(payload), meet="M", venue="V", zone=UTC,
                             generated_us=NOW_US)  # fmt: skip
    order = html[html.index("<h2>Elimination order</h2>") :]
    places = [order.index(item) for item in ("Sprint 1: 11 Rider 11 (last)",
              "Sprint 2: 12 Rider 12 (abandoned)", "Sprint 3: 2 Rider 2 (final)")]  # fmt: skip
    assert places == sorted(places)


@pytest.mark.timeout(30)
async def test_velotime_watch_in_a_terminal_rings_the_bell(
    tmp_path: Path, broker: LocalBroker
) -> None:
    """`velotime watch` in a real pseudo-terminal, the screen kept by pyte: 2 laps to go, then
    the scoring service publishes the last lap: the bell, white on red, where laps to go were;
    the table's laps follow (5: 19 then 20 ridden, +1)."""
    root = "velotime/vd"
    current = CURRENT | {"start_us": time.time_ns() // 1000}
    await publish(broker.port, root, {"results/scratch-m": scratch(2), "current": current,
                                      "status/scoring": ONLINE})  # fmt: skip
    config = write_venue_config(tmp_path / "venue", "vd", broker.url, {"finish": 0})
    terminal = Terminal([sys.executable, "-m", "velotime", "watch", "--config", str(config)],
                        100, 30)  # fmt: skip
    try:
        screen = await terminal.wait_for(lambda s: "2 LAPS TO GO" in s and "LIVE" in s, "laps")
        assert any(cells(line) == ["1", "5", "Rider", "5", "GER", "19", "+1"]
                   for line in screen.splitlines()), screen  # fmt: skip
        await publish(broker.port, root, {"results/scratch-m": scratch(1)})
        screen = await terminal.wait_for(lambda s: "BELL - LAST LAP" in s, "the bell")
        assert "LAPS TO GO" not in screen
        assert any(cells(line) == ["1", "5", "Rider", "5", "GER", "20", "+1"]
                   for line in screen.splitlines()), screen  # fmt: skip
        y = next(y for y, line in enumerate(terminal.screen.display) if "BELL" in line)
        x = terminal.screen.display[y].index("BELL")
        assert terminal.screen.buffer[y][x].bg == "red"
        terminal.type(b"\x03")  # Ctrl-C
        assert await terminal.exit_code() == 0
    finally:
        terminal.close()
