"""What people see of a sprint tournament: a race's match (the riders, the races won, "1-1",
which race: race 3 is the decider) and the tournament's bracket, on the terminal view, the UNT4
boards (their bytes, against docs/protocols/unt4.md), the web page and the overlay (headless
Chromium).

The payloads are the sprint scenario's (tests/scoring/scenarios/sprint.py) as the scoring
service publishes them (`velotime replay --offline`): 8 qualifiers, quarter-finals 1v8 (205 v
204), 2v7 (201 v 207), 3v6 (208 v 202), 4v5 (203 v 206), all best of three. The state at 1-1
is the final payloads taken back to when quarter-final 2's decider was armed: 201 won race 1,
207 race 2; the other quarter-finals were decided (their second races came before it), so the
semi-finals are not drawn yet.
"""

import copy
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from tests.scoreboards.browser import Browser, artifact, require_chromium
from tests.scoreboards.payloads import ONLINE, snapshot_of
from tests.scoreboards.unt4_board import Screen
from tests.scoreboards.web_helpers import running_scoreboard
from tests.scoring.live import offline_files
from tests.scoring.scenarios import sprint
from velotime.localvenue import LocalBroker
from velotime.protocols.unt4 import encode
from velotime.scoreboards.state import Snapshot
from velotime.scoreboards.terminal import render
from velotime.scoreboards.unt4 import Unt4Page
from velotime.scoreboards.view import board_view, slot_label

NOW_US = 1_795_266_000_000_000
START_US = NOW_US - 12_300_000  # the race clock: 12.3
DECIDER = "sprint-m-1-4-2-r3"
QF2 = ["sprint-m-1-4-2-r1", "sprint-m-1-4-2-r2"]
STANDINGS = f"standings/{sprint.COMPETITION}"

Payloads = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def tournament(tmp_path_factory: pytest.TempPathFactory) -> Payloads:
    """Every retained payload of the whole tournament, by key, as the scoring publishes them."""
    directory = tmp_path_factory.mktemp("sprint")
    files = offline_files(
        sprint.write_capture(directory), sprint.write_meet(directory), directory / "results"
    )
    return {key: json.loads(body) for key, body in files.items()}


def one_all(final: Payloads) -> Payloads:
    """The tournament when quarter-final 2's decider is armed: its standings (the match at 1-1,
    race 3 running; the rounds after the quarter-finals not drawn), QF2's two races' results and
    `current` on race 3, started 12.3 s ago."""
    standings = copy.deepcopy(final[STANDINGS])
    standings |= {"status": "running", "classification": []}
    match = standings["rounds"][0]["heats"][1]
    assert match["riders"] == [201, 207]
    match |= {"status": "running", "order": [], "wins": [1, 1]}
    match["races"][2] |= {"status": "running", "winner": None, "winner_last_200": None}
    for later in standings["rounds"][1:]:
        later["heats"] = []
    current = {"v": 1, "event": DECIDER, "name": "Sprint, 1/4, heat 2, race 3",
               "discipline": "sprint", "category": "Men Elite", "round": "1/4",
               "status": "running", "riders": [201, 207], "on_track": None,
               "start_us": START_US}  # fmt: skip
    return {
        **{f"results/{event}": final[f"results/{event}"] for event in QF2},
        STANDINGS: standings,
        "current": current,
    }


def latest(payloads: Payloads, key: str) -> Payloads:
    """The payloads with `key` published last (the latest result)."""
    return {k: v for k, v in payloads.items() if k != key} | {key: payloads[key]}


def snapshot(payloads: Payloads) -> Snapshot:
    return snapshot_of(payloads.items())


def terminal_text(state: Snapshot, width: int = 80) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(render(state, NOW_US, venue="vdrome", width=width))
    return console.export_text()


def cells(line: str) -> list[str]:
    return line.replace("│", " ").split()


# --- the view ---------------------------------------------------------------------------------


def test_the_decider_is_race_3_at_1_1(tournament: Payloads) -> None:
    """Quarter-final 2 (2nd v 7th qualifier: 201 v 207), 201 won race 1, 207 race 2: race 3 is
    the decider, at 1-1."""
    view = board_view(snapshot(one_all(tournament)))
    assert view is not None
    assert view.match is not None
    match = view.match
    assert (match.riders, match.wins, match.race, match.score) == ([201, 207], [1, 1], 3, "1-1")
    assert match.decider
    assert match.winner is None
    assert match.label == "1/4 heat 2 · 201 v 207 · 1-1 · race 3 (decider)"


def test_a_race_of_a_decided_match_shows_the_match_as_it_ended(tournament: Payloads) -> None:
    """The gold final's race 2, the latest result: 205 won both races (2-0), the match is 205's;
    race 2 of three is no decider. Its winner's last 200 m: 10.000, 720 / 10.000 = 72.000 km/h."""
    view = board_view(snapshot(latest(tournament, "results/sprint-m-final-r2")))
    assert view is not None
    assert view.match is not None
    assert view.event == "sprint-m-final-r2"
    assert view.match.label == "final · 205 v 201 · 2-0 · race 2"
    assert view.match.winner == 205
    assert view.note == "Last 200 m 10.000 (72.000 km/h)"


def test_no_match_for_an_event_of_no_tournament(tournament: Payloads) -> None:
    """The qualifying (a flying 200 m) is no race of a match."""
    view = board_view(snapshot({"results/sprint-q": tournament["results/sprint-q"],
                                STANDINGS: tournament[STANDINGS]}))  # fmt: skip
    assert view is not None
    assert view.match is None


def test_slot_labels() -> None:
    assert [slot_label(s) for s in ("q5", "1/8:3", "1/2:1:2", "1/16:2:3", "odd")] == [
        "Q5", "W 1/8 #3", "2nd 1/2 #1", "3rd 1/16 #2", "odd"]  # fmt: skip


# --- the terminal -----------------------------------------------------------------------------


def test_the_terminal_shows_the_match_and_the_tournament_at_1_1(tournament: Payloads) -> None:
    """Above the (empty) finish order, the match line; below it the tournament: the decided
    quarter-finals with their races won (205 2-0, 208 v 202 0-2, 203 v 206 0-2), the match on the
    track marked ▶ at 1-1, and the rounds not drawn yet with where their riders come from: the
    semi-finals QF1's winner v QF4's, QF2's v QF3's; the bronze final the semi-finals' losers;
    the final their winners."""
    text = terminal_text(snapshot(one_all(tournament)))
    lines = text.splitlines()
    assert any(
        cells(line) == ["Match", "1/4", "heat", "2", "·", "201", "v", "207", "·", "1-1", "·",
                        "race", "3", "(decider)"] for line in lines
    ), text  # fmt: skip
    rows = [cells(line) for line in lines]
    assert ["heat", "1", "205", "v", "204", "2-0"] in rows, text
    assert ["▶", "heat", "2", "201", "v", "207", "1-1"] in rows, text
    assert ["heat", "3", "208", "v", "202", "0-2"] in rows
    assert ["heat", "1", "W", "1/4", "#1", "v", "W", "1/4", "#4"] in rows
    assert ["heat", "2", "W", "1/4", "#2", "v", "W", "1/4", "#3"] in rows
    assert ["heat", "2nd", "1/2", "#1", "v", "2nd", "1/2", "#2"] in rows
    assert ["heat", "W", "1/2", "#1", "v", "W", "1/2", "#2"] in rows
    assert "12.3" in text  # the race clock runs


def test_the_terminal_shows_the_final_tournament_beside_its_last_race(
    tournament: Payloads,
) -> None:
    """On a wide terminal, the tournament beside the gold final's race 2: every match with its
    races won (QF2 201 v 207 2-1 after the decider; the final 205 v 201 2-0) and the final
    classification (205, 201, 202, 206, then the quarter-finals' losers by qualifying time)."""
    state = snapshot(latest(tournament, "results/sprint-m-final-r2"))
    text = terminal_text(state, 140)
    rows = [cells(line[140 - 40 :]) for line in text.splitlines()]
    assert ["heat", "2", "201", "v", "207", "2-1"] in rows, text
    assert ["▶", "heat", "205", "v", "201", "2-0"] in rows, text
    classification = [row for row in rows if len(row) == 4 and row[2] == "Rider"]
    assert [row[1] for row in classification] == ["205", "201", "202", "206", "208", "203",
                                                  "207", "204"]  # fmt: skip


# --- UNT4 -------------------------------------------------------------------------------------


SOH, STX, EOT, ERL, ERP, DLE = b"\x01", b"\x02", b"\x04", b"\x0b", b"\x0c", b"\x10"


def row_message(row: int, text: str) -> bytes:
    """docs/protocols/unt4.md: SOH STX DLE <column, 2 digits> <row, 2 digits> text ERL EOT."""
    return SOH + STX + DLE + b"00" + f"{row:02d}".encode() + text.encode("ascii") + ERL + EOT


def test_unt4_bytes_for_the_decider_at_1_1(tournament: Payloads) -> None:
    """A 4 x 32 board: cleared, the race's name (running: no tag), row 1 the match: "201 v 207
    RACE 3" (16 columns), then 32 - 16 - 4 = 12 blanks and " 1-1" ending at column 32; row 2
    the clock at the right (12.3: 28 blanks before it); no finish order yet. When 201 wins
    the decider (provisional): the title takes its 27 columns, a blank and "PROV"; the match row
    says 2-1; the finish order's first line on the last row: rank (2), bib (3), the name in
    32 - 2 - 1 - 3 - 1 - 4 = 21 columns, the nation (no time in a sprint race)."""
    page = Unt4Page(4, 32)
    state = one_all(tournament)
    sent = b"".join(encode(record) for record in page.update(snapshot(state), NOW_US))
    assert sent == (
        SOH + STX + ERP + EOT
        + row_message(0, "Sprint, 1/4, heat 2, race 3")
        + row_message(1, "201 v 207 RACE 3" + " " * 12 + " 1-1")
        + row_message(2, " " * 28 + "12.3")
    )  # fmt: skip

    decided = copy.deepcopy(state)
    match = decided[STANDINGS]["rounds"][0]["heats"][1]
    match |= {"status": "final", "order": [201, 207], "wins": [2, 1]}
    decided[f"results/{DECIDER}"] = tournament[f"results/{DECIDER}"] | {"status": "provisional"}
    sent = b"".join(encode(record) for record in page.update(snapshot(decided), NOW_US))
    assert sent == (
        row_message(0, "Sprint, 1/4, heat 2, race 3 PROV")
        + row_message(1, "201 v 207 RACE 3" + " " * 12 + " 2-1")
        + row_message(3, "1  201 " + "Rider 201".ljust(21) + " NED")
    )  # fmt: skip


# --- the web page and the overlay -------------------------------------------------------------


MATCH = """JSON.stringify(Array.from(document.querySelectorAll('#match .match-side')).map(
  (side) => [side.dataset.bib, side.querySelector('.match-name').textContent,
             side.querySelector('.match-wins').textContent,
             side.classList.contains('is-winner')]))"""
BRACKET = """JSON.stringify(Array.from(document.querySelectorAll('.bracket .round')).map(
  (round) => [round.querySelector('h4').textContent, Array.from(
    round.querySelectorAll('.bracket-match')).map((card) => Array.from(
      card.querySelectorAll('.bracket-rider')).map((row) => row.classList.contains('is-slot') ?
        row.textContent : (row.classList.contains('is-winner') ? '*' : '') + row.dataset.bib +
        ':' + row.querySelector('.bracket-wins').textContent))]))"""
SHOWN_MATCH = "document.querySelector('.bracket-match.is-shown')?.dataset.event"
OVERLAY_MATCH = """JSON.stringify(Array.from(document.querySelectorAll('#ov-match .ov-match-side'))
  .map((row) => [row.dataset.bib, row.querySelector('.ov-wins').textContent]))"""


@pytest.mark.timeout(60)
async def test_the_page_and_the_overlay_show_the_match_and_the_bracket(
    tmp_path: Path, broker: LocalBroker, tournament: Payloads
) -> None:
    """At 1-1: the page shows the match (201 and 207 side by side, each with one race won,
    "Race 3 · Decider") and the bracket (rounds as columns: the quarter-finals with their races
    won, the match on the track marked, the later rounds' slots); the overlay the match with
    the races won. After the tournament: the bracket's every match with its winner (*)."""
    require_chromium()
    state = one_all(tournament)
    async with (
        running_scoreboard(broker) as web,
        Browser.launch(tmp_path / "chromium") as browser,
    ):
        await web.put("status/scoring", ONLINE)
        for key, payload in state.items():
            if key != "current":
                await web.put(key, payload)
        await web.put("current", state["current"] | {"start_us": time.time_ns() // 1000})
        page = await browser.page(1920, 1080)
        await page.goto(web.url)
        score = "document.querySelector('#match .match-score')?.textContent"
        await page.wait_for(f"{score} === '1-1'", "the match at 1-1")
        assert json.loads(await page.evaluate(MATCH)) == [
            ["201", "Rider 201", "1", False], ["207", "Rider 207", "1", False]]  # fmt: skip
        race = "document.querySelector('#match .match-race').textContent"
        assert await page.evaluate(race) == "Race 3 \u00b7 Decider"
        await page.wait_for(f"{SHOWN_MATCH} === 'sprint-m-1-4-2'", "the bracket")
        assert json.loads(await page.evaluate(BRACKET)) == [
            ["1/4", [["*205:2", "204:0"], ["201:1", "207:1"], ["208:0", "*202:2"],
                     ["203:0", "*206:2"]]],
            ["1/2", [["W 1/4 #1", "W 1/4 #4"], ["W 1/4 #2", "W 1/4 #3"]]],
            ["bronze final", [["2nd 1/2 #1", "2nd 1/2 #2"]]],
            ["final", [["W 1/2 #1", "W 1/2 #2"]]],
        ]  # fmt: skip
        await page.screenshot(artifact("sprint-decider-1920x1080.png"))

        overlay = await browser.page(1920, 1080)
        await overlay.goto(web.url + "overlay")
        want = json.dumps([["201", "1"], ["207", "1"]], separators=(",", ":"))
        await overlay.wait_for(f"{OVERLAY_MATCH} === '{want}'", "the overlay's match")
        race = "document.querySelector('#ov-match .ov-match-race').textContent"
        assert await overlay.evaluate(race) == "Race 3 \u00b7 Decider"
        await overlay.screenshot(artifact("sprint-decider-overlay.png"))

        # The whole tournament ridden: every match decided.
        await web.put("current", {"v": 1, "event": None})
        for key, payload in tournament.items():
            await web.put(key, payload)
        await web.put("results/sprint-m-final-r2", tournament["results/sprint-m-final-r2"])
        await page.wait_for(f"{SHOWN_MATCH} === 'sprint-m-final'", "the final's race shown")
        assert json.loads(await page.evaluate(BRACKET)) == [
            ["1/4", [["*205:2", "204:0"], ["*201:2", "207:1"], ["208:0", "*202:2"],
                     ["203:0", "*206:2"]]],
            ["1/2", [["*205:2", "206:0"], ["*201:2", "202:0"]]],
            ["bronze final", [["206:0", "*202:2"]]],
            ["final", [["*205:2", "201:0"]]],
        ]  # fmt: skip
        assert json.loads(await page.evaluate(MATCH)) == [
            ["205", "Rider 205", "2", True], ["201", "Rider 201", "0", False]]  # fmt: skip
        await page.screenshot(artifact("sprint-final-1920x1080.png"))


@given(st.integers(2, 100), st.integers(16, 100),
       st.lists(st.integers(0, 10**6), min_size=2, max_size=3, unique=True),
       st.sampled_from([1, 3]), st.integers(1, 3), st.booleans())  # fmt: skip
def test_any_match_fits_any_board(
    rows: int, columns: int, riders: list[int], best_of: int, race: int, on_track: bool
) -> None:
    """Whatever the match (two riders, or a repechage's three; best of one or three), every row
    fits the board in printable ASCII, and row 1 (even on a board of two rows, before the
    clock) starts with the riders in slot order, cut at the board's width."""
    best_of = 1 if len(riders) == 3 else best_of  # three riders: a repechage, one race
    race = min(race, best_of)
    races = [{"event": f"m-r{n}", "status": "final" if n < race else "running", "winner": None,
              "winner_last_200": None} for n in range(1, race + 1)]  # fmt: skip
    standings = {"v": 1, "competition": "sp", "discipline": "sprint", "name": "Sprint",
                 "category": "", "format": "", "status": "running", "classification": [],
                 "problems": [], "rounds": [{"name": "1/8", "best_of": best_of, "heats": [
                     {"event": "m", "status": "running", "riders": riders, "order": [],
                      "wins": [0] * len(riders), "races": races}]}]}  # fmt: skip
    event = f"m-r{race}"
    current = {"v": 1, "event": event, "name": "Sprint", "discipline": "sprint", "category": "",
               "round": "1/8", "status": "running", "riders": riders, "on_track": None,
               "start_us": START_US}  # fmt: skip
    payloads: list[tuple[str, Any]] = [("standings/sp", standings)]
    if on_track:
        payloads.append(("current", current))
    else:
        payloads.append((f"results/{event}", {
            "v": 1, "event": event, "discipline": "sprint", "name": "Sprint", "category": "",
            "round": "1/8", "status": "provisional", "audit": [],
            "lines": [{"rank": n, "bib": bib} for n, bib in enumerate(riders, 1)]}))  # fmt: skip
    page = Unt4Page(rows, columns)
    screen = Screen(rows, columns)  # asserts that every row fits
    for record in page.update(snapshot_of(payloads), NOW_US):
        screen.apply(record)
    assert page.bad_states == 0
    shown = screen.lines()
    assert all(line.isascii() and line.isprintable() for line in shown)
    said = " v ".join(map(str, riders)) + (f" RACE {race}" if best_of > 1 else "")
    room = columns - len("0-0") - 1 if best_of > 1 else columns  # the score at the right
    assert shown[1].startswith(said[:room].rstrip()), shown
