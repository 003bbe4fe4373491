"""The UNT4 output driver over real links: a pseudo-terminal as the board's serial port, and a
board on TCP that goes away and comes back."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from tests.scoreboards.payloads import ONLINE
from tests.scoreboards.test_unt4 import F200, KEIRIN, KILO, START_US, current_of
from tests.scoreboards.unt4_board import TIMEOUT_S, Board, Screen, board_pty, read_pty_until
from velotime.drivers.endpoints import SerialEndpoint, TcpEndpoint
from velotime.protocols.unt4 import ClearAll, Text
from velotime.scoreboards.state import ScoreboardState
from velotime.scoreboards.unt4 import Unt4Page
from velotime.scoreboards.unt4_output import Unt4Output


async def live_state(*messages: tuple[str, object]) -> ScoreboardState:
    """A state as `mirror` leaves it: connected, the scoring service online, these payloads."""
    state = ScoreboardState()
    await state.set_connected(True)
    await state.update("status/scoring", json.dumps(ONLINE).encode())
    for key, payload in messages:
        await state.update(key, json.dumps(payload).encode())
    return state


@contextlib.asynccontextmanager
async def running(output: Unt4Output) -> AsyncIterator[asyncio.Event]:
    stop = asyncio.Event()
    task = asyncio.create_task(output.run(stop))
    try:
        yield stop
    finally:
        stop.set()
        async with asyncio.timeout(TIMEOUT_S):
            await task


async def test_the_page_arrives_over_a_serial_line_as_the_expected_frames() -> None:
    with board_pty() as (master, path):
        await _page_over_a_serial_line(master, path)


async def _page_over_a_serial_line(master: int, path: str) -> None:
    state = await live_state(("results/f200", F200), ("current", {"v": 1, "event": None}))
    output = Unt4Output("finish", SerialEndpoint(path, 115200), state, Unt4Page(3, 24))
    screen = Screen(3, 24)
    async with running(output):
        await read_pty_until(master, screen, lambda: len(screen.received) >= 4)
        assert screen.received == [
            ClearAll(),
            Text(0, 0, "Sprint qualifying   PROV", erase_line=True),
            Text(0, 1, "1  101 A. MARTIN  10.724", erase_line=True),
            Text(0, 2, "2  103 C. NOVAK   10.800", erase_line=True),
        ]
        # A new result: only its rows are sent.
        await state.update("results/f200", json.dumps({**F200, "status": "final"}).encode())
        await read_pty_until(master, screen, lambda: len(screen.received) >= 5)
        assert screen.received[4:] == [Text(0, 0, "Sprint qualifying  FINAL", erase_line=True)]
        # The next event: cleared and drawn whole.
        await state.update("results/k1", json.dumps(KEIRIN).encode())
        await read_pty_until(master, screen, lambda: screen.lines()[0].startswith("Keirin"))
        assert ClearAll() in screen.received[5:]
        assert screen.lines() == ["Keirin final       FINAL", "1    3 Emma SILVA    POR",
                                  "Last 200 m 10.215"]  # fmt: skip


async def test_the_clock_runs_on_the_board_in_tenths() -> None:
    with board_pty() as (master, path):
        await _clock_over_a_serial_line(master, path)


async def _clock_over_a_serial_line(master: int, path: str) -> None:
    current = current_of("kilo", "1 km time trial", "time_trial", on_track=105,
                         start_us=START_US)  # fmt: skip
    state = await live_state(("results/kilo", KILO), ("current", current))
    now = [START_US + 12_345_678]
    output = Unt4Output(
        "finish", SerialEndpoint(path, 115200), state, Unt4Page(4, 24), clock=lambda: now[0]
    )
    screen = Screen(4, 24)
    async with running(output) as stop:
        await read_pty_until(master, screen, lambda: screen.lines()[1].endswith("12.3"))
        now[0] = START_US + 12_400_000  # the driver wakes at the tenth by itself
        await read_pty_until(master, screen, lambda: screen.lines()[1].endswith("12.4"))
        assert screen.received[-1] == Text(0, 1, "105                 12.4", erase_line=True)
        # A clean stop leaves the board marked offline, its clock stopped.
        stop.set()
        await read_pty_until(master, screen, lambda: "OFFLINE" in screen.lines()[0])
    assert screen.lines()[:2] == ["1 km time trial  OFFLINE", "105"]


EXPECTED = ["Sprint qualifying   PROV", "1  101 A. MARTIN  10.724", "2  103 C. NOVAK   10.800"]


async def test_a_board_that_goes_away_and_comes_back_gets_the_whole_page_again() -> None:
    board = Board()
    await board.start()
    state = await live_state(("results/f200", F200))
    output = Unt4Output(
        "infield",
        TcpEndpoint("127.0.0.1", board.port),
        state,
        Unt4Page(3, 24),
        reconnect_min_s=0.05,
        reconnect_max_s=0.1,
    )
    try:
        async with running(output):
            await board.wait_for(lambda: board.shows(EXPECTED))
            first = list(board.screens[0].received)
            await board.unplug()
            await board.wait_for(lambda: board.shows(EXPECTED, connection=1))
            assert board.screens[1].received == first  # cleared and drawn whole, as at first
            assert output.connections == 2
    finally:
        await board.stop()


async def test_a_board_that_is_off_at_first_is_drawn_once_it_is_on() -> None:
    board = Board()  # not listening yet
    state = await live_state(("results/f200", F200))
    output = Unt4Output(
        "infield", TcpEndpoint("127.0.0.1", board.port), state, Unt4Page(3, 24),
        reconnect_min_s=0.05, reconnect_max_s=0.1,
    )  # fmt: skip
    try:
        async with running(output):
            await asyncio.sleep(0.2)  # a few refused connects
            assert output.connections == 0
            await board.start()
            await board.wait_for(lambda: board.shows(EXPECTED))
    finally:
        await board.stop()


async def test_malformed_state_from_the_broker_never_stops_the_board() -> None:
    with board_pty() as (master, path):
        await _malformed_over_a_serial_line(master, path)


async def _malformed_over_a_serial_line(master: int, path: str) -> None:
    state = await live_state(("results/f200", F200))
    output = Unt4Output("finish", SerialEndpoint(path, 115200), state, Unt4Page(3, 24))
    screen = Screen(3, 24)
    bad: list[tuple[str, Any]] = [
        ("current", {"event": 5, "start_us": "x"}),
        ("results/f200", {"lines": [{"name": "no bib"}, "x", {"bib": 101, "rank": "1st"}]}),
        ("results/f200", {"lines": 7, "status": None}),
    ]
    async with running(output):
        await read_pty_until(master, screen, lambda: screen.lines() == EXPECTED)
        for key, payload in bad:
            await state.update(key, json.dumps(payload).encode())
            await asyncio.sleep(0.05)
        await state.update("results/f200", json.dumps(F200).encode())
        await read_pty_until(master, screen, lambda: screen.lines() == EXPECTED)
    assert output.connections == 1
