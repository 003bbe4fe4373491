"""The terminal view: the renderer on its own (rendered to text, no terminal), and
`velotime watch` as a user runs it, in a real pseudo-terminal read through a terminal emulator,
against a real Mosquitto holding the scoring service's retained state."""

import asyncio
import copy
import fcntl
import io
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiomqtt
import pyte
import pytest
from rich.console import Console

from tests.cli.helpers import assert_one_line_error, velotime, velotime_main
from tests.scoreboards.payloads import ONLINE, snapshot_of
from tests.scoring.live import write_venue_config
from tests.scoring.scenarios import flying200
from velotime.localvenue import LocalBroker, free_port
from velotime.scoreboards.state import Snapshot
from velotime.scoreboards.terminal import clock, indicator, render

NOW_US = 1_795_266_000_000_000
F200: dict[str, Any] = {
    "v": 1, "event": "sprint-q", "discipline": "flying200", "name": "Sprint qualifying",
    "category": "Men Elite", "round": "qualifying", "status": "running",
    "lines": [
        {"rank": 1, "bib": 128, "name": "Rider 128", "nation": "POL", "time": "9.724",
         "time_us": 9724000, "speed_kmh": "74.043", "flags": ["qualified"]},
        {"rank": 2, "bib": 127, "name": "Rider 127", "nation": "CAN", "time": "9.801",
         "time_us": 9801000, "speed_kmh": "73.461", "gap": "+0.077", "flags": ["qualified"]},
        {"rank": 3, "bib": 105, "name": "Rider 105", "nation": "FRA", "time": "10.847",
         "time_us": 10847000, "speed_kmh": "66.377", "gap": "+1.123",
         "flags": ["draw required"]},
        {"rank": 3, "bib": 112, "name": "Rider 112", "nation": "AUS", "time": "10.847",
         "time_us": 10847000, "speed_kmh": "66.377", "gap": "+1.123",
         "flags": ["draw required"]},
        {"rank": 5, "bib": 101, "name": "Rider 101", "nation": "GBR", "time": "11.020",
         "time_us": 11020000, "speed_kmh": "65.335", "gap": "+1.296", "flags": ["corrected"]},
        {"rank": None, "bib": 108, "name": "Rider 108", "nation": "POL", "status": "DNS"},
    ],
    "audit": [],
}  # fmt: skip
F200_CURRENT = {
    "v": 1, "event": "sprint-q", "name": "Sprint qualifying", "discipline": "flying200",
    "category": "Men Elite", "round": "qualifying", "status": "running",
    "riders": [101, 105, 108, 112, 127, 128], "on_track": None, "start_us": NOW_US - 12_345_678,
}  # fmt: skip
KEIRIN_FINAL: dict[str, Any] = {
    "v": 1, "event": "keirin-m-final-1-6", "discipline": "keirin", "name": "Keirin, final 1-6",
    "category": "Men Elite", "round": "final 1-6", "status": "provisional",
    "lines": [
        {"rank": 1, "bib": 3, "name": "Rider 3", "nation": "NED"},
        {"rank": 2, "bib": 1, "name": "Rider 1", "nation": "NED", "gap": "+0.002",
         "flags": ["photo required"]},
        {"rank": 3, "bib": 2, "name": "Rider 2", "nation": "NED", "gap": "+0.297",
         "flags": ["corrected"]},
        {"rank": 4, "bib": 4, "name": "Rider 4", "nation": "NED", "gap": "+0.495"},
    ],
    "winner_last_200": "9.404", "winner_last_200_kmh": "76.563", "audit": [],
}  # fmt: skip
KEIRIN_CURRENT = {
    "v": 1, "event": "keirin-m-final-1-6", "name": "Keirin, final 1-6", "discipline": "keirin",
    "category": "Men Elite", "round": "final 1-6", "status": "provisional",
    "riders": [1, 3, 4, 2], "on_track": None, "start_us": NOW_US - 50_000_000,
}  # fmt: skip
STANDINGS: dict[str, Any] = {
    "v": 1, "competition": "keirin-m", "discipline": "keirin", "name": "Keirin",
    "category": "Men Elite", "format": "10-14", "status": "running",
    "rounds": [
        {"name": "round 1", "heats": [
            {"event": "keirin-m-round-1-1", "status": "final", "riders": [1, 4, 5, 8, 9, 12],
             "order": [1, 4, 9, 8, 12, 5]},
            {"event": "keirin-m-round-1-2", "status": "final", "riders": [2, 3, 6, 7, 10, 11],
             "order": [3, 2, 7, 6, 11]}]},
        {"name": "final 1-6", "heats": [
            {"event": "keirin-m-final-1-6", "status": "provisional", "riders": [1, 3, 4, 2],
             "order": []}]},
        {"name": "final 7-12", "heats": [
            {"event": "keirin-m-final-7-12", "status": "running", "riders": [8, 6, 12, 11, 5],
             "order": []}]},
    ],
    "classification": [], "problems": [],
}  # fmt: skip


def snapshot(
    *,
    connected: bool = True,
    live: bool = True,
    current: dict[str, Any] | None = None,
    results: dict[str, dict[str, Any]] | None = None,
    standings: dict[str, dict[str, Any]] | None = None,
) -> Snapshot:
    """A scoreboard snapshot, as `ScoreboardState.snapshot()` makes it from these retained
    payloads (the last result is the latest)."""
    payloads = [("current", current)] if current is not None else []
    payloads += [(f"results/{event}", result) for event, result in (results or {}).items()]
    payloads += [(f"standings/{key}", value) for key, value in (standings or {}).items()]
    return snapshot_of(payloads, connected=connected, live=live)


def text_of(state: Snapshot, width: int, height: int | None = None, **options: Any) -> str:
    console = Console(width=width, height=height or 100, record=True, file=io.StringIO())
    console.print(render(state, NOW_US, venue="vdrome", width=width, height=height, **options))
    return console.export_text()


def assert_in_order(text: str, *items: str) -> None:
    places = [text.find(item) for item in items]
    assert -1 not in places, [item for item in items if item not in text]
    assert places == sorted(places), places


def bibs(text: str) -> list[int]:
    """The bibs of the ranking's rows, top to bottom."""
    return [int(bib) for bib in re.findall(r"(?m)^ *(?:\d+ +)?(\d+) +Rider", text)]


def row(text: str, *cells: str) -> re.Match[str] | None:
    """A screen line with these cells in this order, separated by blanks only."""
    cells_re = r" +".join(map(re.escape, cells))
    return re.search(r"(?m)(?:^|[ │])" + cells_re + r"(?=[ │]|$)", text)


# --- the renderer -------------------------------------------------------------------------


def test_the_ranking_on_the_track_with_the_running_clock() -> None:
    text = text_of(snapshot(current=F200_CURRENT, results={"sprint-q": F200}), 120)
    assert row(text, "vdrome", "Sprint qualifying")
    assert row(text, "running", "12.3", "LIVE")
    assert "Men Elite · qualifying" in text
    assert row(text, "1", "128", "Rider 128", "POL", "9.724", "74.043", "Q")
    assert row(text, "2", "127", "Rider 127", "CAN", "9.801", "+0.077", "73.461", "Q")
    assert row(text, "3", "105", "Rider 105", "FRA", "10.847", "+1.123", "66.377", "draw")
    assert row(text, "3", "112", "Rider 112", "AUS", "10.847", "+1.123", "66.377", "draw")
    assert row(text, "5", "101", "Rider 101", "GBR", "11.020", "+1.296", "65.335", "corr")
    assert row(text, "108", "Rider 108", "POL", "DNS")
    assert_in_order(text, "Rider 128", "Rider 127", "Rider 105", "Rider 112", "Rider 101",
                    "Rider 108")  # fmt: skip
    assert clock(snapshot(current=F200_CURRENT, results={"sprint-q": F200}), NOW_US) == "12.3"


def test_on_80_columns_everything_fits_and_below_64_nation_and_speed_go() -> None:
    state = snapshot(current=F200_CURRENT, results={"sprint-q": F200})
    for width in (80, 60, 40):
        text = text_of(state, width)
        assert max(map(len, text.splitlines())) <= width
        assert row(text, "1", "128")
        assert bibs(text) == [128, 127, 105, 112, 101, 108]
    assert row(text_of(state, 80), "1", "128", "Rider 128", "POL", "9.724", "74.043")
    narrow = text_of(state, 60)
    assert row(narrow, "2", "127", "Rider 127", "9.801", "+0.077", "Q")
    assert "POL" not in narrow
    assert "74.043" not in narrow
    assert row(text_of(state, 40), "2", "127", "Rider 1…", "9.801", "Q")  # and no gap


def test_a_long_ranking_on_a_short_terminal_says_how_many_more() -> None:
    lines = [
        {"rank": n, "bib": 100 + n, "name": f"Rider {100 + n}", "nation": "NED",
         "time": f"10.{n:03d}", "time_us": 10_000_000 + n * 1000}
        for n in range(1, 29)
    ]  # fmt: skip
    state = snapshot(current=F200_CURRENT, results={"sprint-q": {**F200, "lines": lines}})
    text = text_of(state, 80, 20)
    assert len(text.rstrip("\n").splitlines()) <= 20
    assert row(text, "1", "101", "Rider 101")
    assert "… 15 more" in text  # header 4, table head 2, 13 lines and this one
    assert row(text, "13", "113", "Rider 113")
    assert "Rider 114" not in text


def test_a_time_trial_shows_the_rider_on_the_track() -> None:
    kilo = {"v": 1, "event": "kilo", "discipline": "time_trial", "name": "1 km time trial",
            "category": "Men Elite", "round": "final", "status": "running",
            "lines": [{"rank": 1, "bib": 7, "name": "Ana Ek", "nation": "SWE", "time": "1:00.981",
                       "time_us": 60981000, "speed_kmh": "59.035"},
                      {"rank": None, "bib": 9, "name": "Bo Li", "nation": "CHN",
                       "splits": [{"distance_m": 250, "cumulative": "18.101", "lap": "18.101"}]}],
            "audit": []}  # fmt: skip
    current = {"v": 1, "event": "kilo", "name": "1 km time trial", "discipline": "time_trial",
               "category": "Men Elite", "round": "final", "status": "running",
               "riders": [7, 9], "on_track": 9, "start_us": NOW_US - 21_000_000}  # fmt: skip
    state = snapshot(current=current, results={"kilo": kilo})
    text = text_of(state, 80)
    assert "Men Elite · final · on track: 9 Bo Li" in text
    assert row(text, "running", "21.0", "LIVE")
    assert row(text, "1", "7", "Ana Ek", "SWE", "1:00.981", "59.035")
    assert row(text, "9", "Bo Li", "CHN")
    output = io.StringIO()
    console = Console(width=80, force_terminal=True, color_system="standard", file=output)
    console.print(render(state, NOW_US, width=80))
    (line,) = [x for x in output.getvalue().splitlines() if "CHN" in x]
    assert "\x1b[7m" in line  # the rider on the track, in reverse video


def test_nothing_on_the_track_and_no_result_yet() -> None:
    text = text_of(snapshot(connected=False, current={"v": 1, "event": None}), 80)
    assert "waiting for results" in text
    assert row(text, "vdrome", "OFFLINE")
    assert "no connection to the broker" in text


def test_live_stale_offline() -> None:
    results = {"sprint-q": F200}
    assert indicator(snapshot(results=results)) == "LIVE"
    assert indicator(snapshot(live=False, results=results)) == "STALE"
    assert indicator(snapshot(connected=False, results=results)) == "OFFLINE"
    stale = text_of(snapshot(live=False, results=results), 80)
    assert row(stale, "running", "STALE")  # the latest result: no clock
    assert "the scoring service is not online" in stale
    offline = text_of(snapshot(connected=False, results=results), 80, message="connection refused")
    assert row(offline, "running", "OFFLINE")
    assert "connection refused" in offline
    # The last ranking stays on the screen, marked: the latest result, no clock.
    assert row(offline, "1", "128", "Rider 128", "POL", "9.724")
    assert "latest result" in offline


def test_while_live_the_header_names_sources_offline_or_missing_passings() -> None:
    def source(online: bool, missing: int) -> dict[str, Any]:
        return {
            "online": online, "detail": "connected" if online else "connection lost",
            "endpoint": "tcp://10.0.0.5:5403", "connections": 1, "since_us": NOW_US,
            "missing": missing, "open_gaps": 1 if missing else 0,
        }  # fmt: skip

    statuses = [
        ("status/sources/p3-finish", source(online=True, missing=3)),
        ("status/sources/p3-200m", source(online=False, missing=0)),
        ("status/sources/timy", source(online=True, missing=0)),  # all well: not named
        ("status/sources/lynx-files", {"online": True}),  # velotime import-lif's
    ]
    payloads = [("results/sprint-q", F200), *statuses]
    text = text_of(snapshot_of(payloads), 100)
    assert row(text, "p3-200m offline · p3-finish: 3 passings missing")
    assert "timy" not in text
    assert "lynx-files" not in text
    stale = text_of(snapshot_of(payloads, live=False), 100)  # the stale note comes first
    assert "the scoring service is not online" in stale
    assert "p3-finish" not in stale


def test_a_keirin_heat_its_riders_the_last_200_and_the_standings_beside() -> None:
    state = snapshot(
        current=KEIRIN_CURRENT,
        results={"keirin-m-final-1-6": KEIRIN_FINAL},
        standings={"keirin-m": STANDINGS},
    )
    text = text_of(state, 130, 40)
    assert row(text, "Start list", "1 3 4 2")
    assert "Last 200 m 9.404 (76.563 km/h)" in text
    assert row(text, "1", "3", "Rider 3", "NED")
    assert row(text, "2", "1", "Rider 1", "NED", "+0.002", "photo")
    assert row(text, "3", "2", "Rider 2", "NED", "+0.297", "corr")
    assert row(text, "provisional", "LIVE")  # no clock once the result is in
    # The standings panel, beside the ranking: each round's heats, their order once made.
    assert re.search(r"(?m)^ +2 +1 +Rider 1 .* photo +│ +heat 1 +1 4 9 8 12 5 +│$", text)
    standings = text[text.index("╭─ Keirin") :]
    order = ("round 1", "heat 2", "3 2 7 6 11", "final 1-6", "▶ heat", "final 7-12", "8 6 12")
    assert_in_order(standings, *order)
    # 80 columns: below the ranking when there is room, else left out.
    below = text_of(state, 80, 40)
    assert_in_order(below, "Rider 4", "╭─ Keirin", "round 1", "▶ heat")
    assert max(map(len, below.splitlines())) <= 80
    assert "round 1" not in text_of(state, 80, 20)


def test_the_latest_keirin_result_with_the_classification() -> None:
    classification = [
        {"rank": 1, "bib": 3, "name": "Rider 3", "nation": "NED"},
        {"rank": 2, "bib": 1, "name": "Rider 1", "nation": "NED"},
        {"rank": None, "bib": 10, "name": "Rider 10", "status": "DNF"},
    ]
    final = {**STANDINGS, "status": "final", "classification": classification}
    heat = {**KEIRIN_FINAL, "status": "final"}
    state = snapshot(
        current={"v": 1, "event": None},
        results={"keirin-m-final-1-6": heat},
        standings={"keirin-m": final},
    )
    text = text_of(state, 130, 40)
    assert "Men Elite · final 1-6 · latest result" in text
    assert row(text, "final", "LIVE")
    assert row(text, "Start list", "1 3 4 2")  # its start list, from the standings
    assert_in_order(text, "classification", "3 Rider 3", "1 Rider 1", "10 Rider 10  DNF")


# --- `velotime watch` in a real terminal --------------------------------------------------


class Terminal:
    """A program on a pseudo-terminal of `columns` x `rows`, its screen kept by a VT100
    emulator (pyte) from everything the program writes."""

    def __init__(self, argv: list[str], columns: int, rows: int) -> None:
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        env = {key: value for key, value in os.environ.items()
               if key not in ("COLUMNS", "LINES")}  # fmt: skip
        env["TERM"] = "xterm-256color"
        pid, fd = pty.fork()
        if pid == 0:  # the child: the terminal is its controlling terminal, as in a shell
            try:
                size = struct.pack("HHHH", rows, columns, 0, 0)
                fcntl.ioctl(0, termios.TIOCSWINSZ, size)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.returncode: int | None = None
        os.set_blocking(fd, False)
        asyncio.get_running_loop().add_reader(fd, self._read)

    def _read(self) -> None:
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # EIO: the program is gone
            data = b""
        if data:
            self.stream.feed(data)
        else:
            asyncio.get_running_loop().remove_reader(self.fd)

    @property
    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    async def wait_for(self, condition: Callable[[str], object], what: str) -> str:
        deadline = time.monotonic() + 10
        while not condition(self.text):
            if time.monotonic() > deadline or self.poll() is not None:
                raise AssertionError(f"no {what} on the screen:\n{self.text}")
            await asyncio.sleep(0.05)
        return self.text

    def type(self, data: bytes) -> None:
        os.write(self.fd, data)

    async def exit_code(self) -> int:
        deadline = time.monotonic() + 10
        while (code := self.poll()) is None:
            assert time.monotonic() < deadline, f"still running:\n{self.text}"
            await asyncio.sleep(0.05)
        return code

    def close(self) -> None:
        asyncio.get_running_loop().remove_reader(self.fd)
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def flying200_result(tmp_path: Path) -> dict[str, Any]:
    """The scenario's result, as the scoring service publishes it (the same bytes as the
    offline replay writes: tests/scoring/test_scenarios_live.py)."""
    capture, meet = flying200.write_capture(tmp_path), flying200.write_meet(tmp_path)
    done = velotime("replay", capture, "--offline", "--meet", meet, "--results", tmp_path / "res",
                    "--output", tmp_path / "events.jsonl")  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads((tmp_path / "res" / "sprint-q.json").read_bytes())
    return result


async def publish(port: int, root: str, payloads: dict[str, dict[str, Any]]) -> None:
    """Retained, as the scoring service publishes: by key below the venue."""
    async with aiomqtt.Client("127.0.0.1", port) as client:
        for key, payload in payloads.items():
            await client.publish(f"{root}/{key}", json.dumps(payload).encode(), qos=1, retain=True)


@pytest.mark.timeout(30)
async def test_velotime_watch_in_a_terminal_shows_the_ranking_live(
    tmp_path: Path, broker: LocalBroker
) -> None:
    final = flying200_result(tmp_path / "scenario")
    # Mid-session: the first riders in, the desk has not yet ruled on the rest.
    running = copy.deepcopy(final) | {"status": "running", "audit": []}
    running["lines"] = final["lines"][:3]
    root = "velotime/vd"
    current = F200_CURRENT | {"start_us": time.time_ns() // 1000}
    online = ONLINE
    await publish(
        broker.port,
        root,
        {"results/sprint-q": running, "current": current, "status/scoring": online},
    )
    config = write_venue_config(tmp_path / "venue", "vd", broker.url, {"finish": 0})
    argv = [sys.executable, "-m", "velotime", "watch", "--config", str(config)]
    terminal = Terminal(argv, 120, 40)
    try:
        # (Retained messages arrive one by one: the scoring service's status comes last.)
        screen = await terminal.wait_for(lambda s: "Rider 126" in s and "LIVE" in s, "ranking")
        assert row(screen, "1", "128", "Rider 128", "POL", "9.724", "74.043", "Q")
        assert row(screen, "2", "127", "Rider 127", "CAN", "9.801", "+0.077", "73.461", "Q")
        assert row(screen, "3", "126", "Rider 126", "NZL", "9.855", "+0.131", "73.059", "Q")
        assert_in_order(screen, "Sprint qualifying", "Rider 128", "Rider 127", "Rider 126")
        assert re.search(r"running +\d+\.\d +LIVE", screen), screen
        # The clock runs by itself.
        ticking = re.compile(r"running +(\d+\.\d)")
        first = ticking.findall(screen)
        await terminal.wait_for(lambda s: ticking.findall(s) != first, "running clock")

        # The final result: everyone, the draw and the desk's decisions.
        await publish(broker.port, root, {"results/sprint-q": final})
        screen = await terminal.wait_for(lambda s: "DSQ" in s, "updated ranking")
        assert re.search(r"final +LIVE", screen), screen
        assert row(screen, "24", "105", "Rider 105", "FRA", "10.847", "+1.123", "66.377", "draw")
        assert row(screen, "24", "112", "Rider 112", "AUS", "10.847", "+1.123", "66.377", "draw")
        assert row(screen, "26", "101", "Rider 101", "GBR", "11.020", "+1.296", "65.335")
        assert row(screen, "108", "Rider 108", "POL", "DNS")
        assert bibs(screen) == [line["bib"] for line in final["lines"]]

        # The scoring service goes away: stale; then the broker: offline. The ranking stays.
        await publish(broker.port, root, {"status/scoring": {"online": False}})
        await terminal.wait_for(lambda s: "STALE" in s, "STALE")
        broker.stop()
        screen = await terminal.wait_for(lambda s: "OFFLINE" in s, "OFFLINE")
        assert row(screen, "1", "128", "Rider 128", "POL", "9.724", "74.043", "Q")
        assert row(screen, "108", "Rider 108", "POL", "DNS")

        terminal.type(b"\x03")  # Ctrl-C, through the terminal's line discipline
        assert await terminal.exit_code() == 0
    finally:
        terminal.close()


def test_watch_refuses_a_bad_venue_and_a_missing_terminal(tmp_path: Path) -> None:
    config = write_venue_config(tmp_path, "vd", "mqtt://127.0.0.1:1", {"finish": 0})
    done = velotime("watch", "--config", config, "--venue", "Bad/Venue")
    assert done.returncode == 2
    assert done.stderr == (
        "velotime watch: --venue: lowercase letters, digits, '-' and '_' only, got 'Bad/Venue'\n"
    )
    done = velotime("watch", "--config", config)  # stdout is a pipe
    assert done.returncode == 2
    assert done.stderr == (
        "velotime watch: standard output is not a terminal (for a log: --once)\n"
    )
    assert velotime("watch", "--config", tmp_path / "missing.toml").returncode == 2


# -- `velotime watch --once`: the state once, for a log -------------------------------------------


def test_watch_once_prints_the_state_as_plain_text_and_exits(
    tmp_path: Path, broker: LocalBroker
) -> None:
    final = flying200_result(tmp_path / "scenario")
    root = "velotime/vd"
    asyncio.run(publish(broker.port, root, {"results/sprint-q": final, "status/scoring": ONLINE}))
    config = write_venue_config(tmp_path / "venue", "vd", broker.url, {"finish": 0})
    started = time.monotonic()
    done = velotime_main("watch", "--config", config, "--once")
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    text = done.stdout
    assert "\x1b" not in text  # no colours, no cursor movement: a log can take it
    assert "LIVE" in text
    assert row(text, "1", "128", "Rider 128", "POL", "9.724", "74.043", "Q")
    assert row(text, "108", "Rider 108", "POL", "DNS")
    assert bibs(text) == [line["bib"] for line in final["lines"]]
    # Done once the retained messages stopped coming (0.5 s of quiet), not at the 5 s timeout.
    assert took < 4, took


# A second process publishing a retained status every 0.1 s: the retained messages never stop.
_CHATTER = """
import asyncio, sys, aiomqtt
async def main():
    async with aiomqtt.Client("127.0.0.1", int(sys.argv[1])) as client:
        while True:
            await client.publish(sys.argv[2], sys.argv[3].encode(), qos=1, retain=True)
            print("published", flush=True)
            await asyncio.sleep(0.1)
asyncio.run(main())
"""


def test_watch_once_says_when_results_were_still_arriving_at_its_timeout(
    tmp_path: Path, broker: LocalBroker
) -> None:
    chatter = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _CHATTER,
            str(broker.port),
            "velotime/vd/status/scoring",
            json.dumps(ONLINE),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert chatter.stdout is not None
        chatter.stdout.readline()  # publishing already when watch subscribes
        config = write_venue_config(tmp_path / "venue", "vd", broker.url, {"finish": 0})
        done = velotime_main("watch", "--config", config, "--once", "--timeout", "1.5")
    finally:
        chatter.kill()
        chatter.wait()
    assert done.returncode == 0  # what there is is printed, and said to be partial
    assert done.stderr == (
        "velotime watch: results still arriving after 1.5 s (--timeout): the state below may "
        "be incomplete\n"
    )
    assert "LIVE" in done.stdout


def test_watch_once_without_a_broker_is_one_line_and_exit_1(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    config = write_venue_config(tmp_path, "vd", f"mqtt://127.0.0.1:{port}", {"finish": 0})
    done = velotime_main("watch", "--config", config, "--once", "--timeout", "2")
    assert_one_line_error(
        done, f"velotime watch: cannot reach the broker at mqtt://127.0.0.1:{port}: ", status=1
    )


def test_a_time_under_check_shows_unranked_with_its_flag() -> None:
    """A flying 200 m of 0.006 s (outside the plausible window): no rank, its time and
    speed as measured, flagged "check" as the other flags show."""
    checked = {"rank": None, "bib": 103, "name": "Rider 103", "nation": "AUS", "time": "0.006",
               "time_us": 6000, "speed_kmh": "120000.000", "flags": ["check"]}  # fmt: skip
    result = {**F200, "lines": [*F200["lines"][:5], checked, F200["lines"][5]]}
    text = text_of(snapshot(current=F200_CURRENT, results={"sprint-q": result}), 120)
    # (the absurd speed does not fit its column: it is cut, "12000…")
    (line,) = [line for line in text.splitlines() if "Rider 103" in line]
    assert row(line, "103", "Rider 103", "AUS", "0.006")
    assert line.rstrip(" │").endswith("check")
    assert_in_order(text, "Rider 101", "Rider 103", "Rider 108")
