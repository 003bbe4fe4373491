"""`velotime demo` as a user runs it, headless: a real process with a real broker, simulated
devices and the daemon. It must finish on its own in under 60 s, print the standings and leave
result files that hold the results worked out from the session's designed times
(tests/demo/expected.py; the points race's from its designed sprints and lap gain by the UCI
rules), and `velotime replay` of its capture must give the same files."""

import asyncio
import importlib.util
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.brokers import require_mosquitto
from tests.cli.helpers import velotime, velotime_main
from tests.demo import expected
from tests.scoreboards.http import get
from velotime.demo.script import EVENT_NAMES, SPRINT_RACES, TEAM_SPRINT, build_session
from velotime.demo.session import EVENTS, ZONE, DemoOptions
from velotime.demo.timeline import build_timeline
from velotime.localvenue import free_port, mosquitto_binary
from velotime.times import US_PER_SECOND

pytestmark = [pytest.mark.timeout(180), pytest.mark.integration]
SEED = 7
# The session's 30 minutes in under two seconds: its times come from the script, never from the
# clock, so the results are those of any speed (a loaded machine only plays it more slowly).
SPEEDUP = 1000
Demo = tuple[subprocess.CompletedProcess[str], Path, float]  # the run, its directory, seconds


def standings_rows(stdout: str, event: str) -> list[list[str]]:
    """The rows printed under an event's heading, as cells (columns are 2+ spaces apart)."""
    lines = stdout.splitlines()
    start = lines.index(f"{EVENT_NAMES[event]} (final)")
    rows = []
    for line in lines[start + 2 :]:
        if not re.match(r"\s+\d+\s", line):
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    if mosquitto_binary() is None and importlib.util.find_spec("amqtt") is None:
        require_mosquitto()  # skips, or fails under CI
    directory = tmp_path_factory.mktemp("demo")
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "velotime", "demo", "--seed", str(SEED), "--dir", str(directory),
         "--port", str(free_port()), "--speedup", str(SPEEDUP)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return result, directory, time.monotonic() - began


def test_the_demo_finishes_on_its_own_in_under_a_minute(
    demo: Demo,
) -> None:
    result, _, elapsed = demo
    assert result.returncode == 0, result.stdout + result.stderr
    # At the default speed, the session's designed length takes longer to play; the rest
    # (broker, daemon, the replay check) takes what it took here.
    timeline = build_timeline(build_session(SEED), 0, ZONE)
    session_s = max(action.at_us for action in timeline) / US_PER_SECOND
    assert elapsed + session_s * (1 / DemoOptions.speedup - 1 / SPEEDUP) < 60
    assert "byte for byte" in result.stdout  # its own replay check
    assert re.search(r"scoreboard\s+http://127\.0\.0\.1:\d+/", result.stdout)


def test_it_prints_the_standings_of_every_event(
    demo: Demo,
) -> None:
    result, _, _ = demo
    session = build_session(SEED)
    for event, lines in expected.results(session).items():
        rows = standings_rows(result.stdout, event)
        printed = [(int(row[0]), int(row[1]), row[2]) for row in rows]
        assert printed == [(line["rank"], line["bib"], line["name"]) for line in lines], event
        if event == "points":  # the points, and the lap gained
            assert [row[4:] for row in rows] == [
                [str(line["points"]), *(["+1"] if line.get("laps_gained") else [])]
                for line in lines
            ]
        elif event == "keirin-final" or event in SPRINT_RACES:  # the gaps to the winner
            assert [row[4] if len(row) > 4 else None for row in rows] == [
                line.get("gap") for line in lines
            ]
        elif event == TEAM_SPRINT:  # teams have no nation: the time comes next
            assert [row[3] for row in rows] == [line["time"] for line in lines]
        else:
            assert [row[4] for row in rows] == [line["time"] for line in lines]
    last_200, kmh = expected.keirin_last_200(session)
    assert f"winner's last 200 m: {last_200} ({kmh} km/h)" in result.stdout
    for race in session.sprint:
        last_200, kmh = expected.sprint_last_200(race)
        assert f"winner's last 200 m: {last_200} ({kmh} km/h)" in result.stdout
    riders, _, wins = expected.sprint_match(session)
    assert f"final: {riders[0]} v {riders[1]}  races won {wins[0]}-{wins[1]}" in result.stdout


def test_its_result_files_hold_the_designed_results(
    demo: Demo,
) -> None:
    _, directory, _ = demo
    session = build_session(SEED)
    for event, lines in expected.results(session).items():
        result = json.loads((directory / "results" / f"{event}.json").read_text(encoding="utf-8"))
        assert result["status"] == "final"
        assert result["lines"] == lines, event
    keirin = json.loads((directory / "results" / "keirin-final.json").read_text(encoding="utf-8"))
    assert (keirin["winner_last_200"], keirin["winner_last_200_kmh"]) == (
        expected.keirin_last_200(session)
    )


def test_its_points_race_has_a_lap_gain_a_neutralised_lap_and_a_photo_finish(
    demo: Demo,
) -> None:
    """The points race as designed (velotime.demo.script.PointsRace), through the daemon: the
    breakaway's lap gain confirmed (+1 at the bunch's lap 16, as the desk confirmed it), 20
    laps counted for the bunch from 21 passages (one neutralised after the crash), sprint 2
    in the camera's order (the loops had the camera's second first), and the breakaway the
    winner: 5 (sprint 3) + 6 (2nd in the final sprint) + 20 (the lap) = 31 points."""
    _, directory, _ = demo
    session = build_session(SEED)
    race = session.points
    result = json.loads((directory / "results" / "points.json").read_text(encoding="utf-8"))
    assert result["lines"][0]["bib"] == race.breakaway
    assert result["lines"][0]["points"] == 31
    assert result["lap_changes"] == [{"bib": race.breakaway, "change": 1, "lap": 16}]
    assert result["lap_proposals"] == []
    assert {line["laps"] for line in result["lines"] if line["bib"] != race.breakaway} == {20}
    neutralised = [entry for entry in result["audit"] if entry["type"] == "neutralise"]
    assert [(entry["laps"], entry["reason"]) for entry in neutralised] == [(1, "a crash")]
    first, second = race.riders[1], race.riders[2]  # the camera's first two; the loops' 2, 1
    assert result["sprints"][1]["placings"][:2] == [[first], [second]]
    assert result["sprints"] == expected.points_sprints(session)
    assert "a lap gained, confirmed:" in demo[0].stdout
    assert "neutralised for 1 lap(s): a crash" in demo[0].stdout


def test_a_replay_of_its_capture_gives_the_same_result_files(demo: Demo, tmp_path: Path) -> None:
    _, directory, _ = demo
    (capture,) = (directory / "venue" / "state" / "captures").glob("*.capture.jsonl")
    replayed = tmp_path / "replayed"
    result = velotime(
        "replay", capture, "--meet", directory / "venue" / "meet.toml", "--offline",
        "--output", tmp_path / "events.jsonl", "--results", replayed,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    live = directory / "results"

    def files(root: Path) -> list[str]:
        return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())

    names = files(live)
    assert names == sorted(
        [f"{event}.{kind}" for event in EVENTS for kind in ("csv", "json")]
        + ["standings/sprint.json"]
    )
    assert files(replayed) == names
    for name in names:
        assert (replayed / name).read_bytes() == (live / name).read_bytes(), name


async def test_keep_running_keeps_the_scoreboard_up_until_ctrl_c(tmp_path: Path) -> None:
    if mosquitto_binary() is None and importlib.util.find_spec("amqtt") is None:
        require_mosquitto()
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "velotime", "demo", "--seed", "11", "--speedup", str(SPEEDUP),
        "--keep-running", "--dir", str(tmp_path / "demo"), "--port", str(port),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    assert process.stdout is not None
    seen: list[str] = []
    async with asyncio.timeout(90):
        while not (seen and "stays up until Ctrl-C" in seen[-1]):
            line = (await process.stdout.readline()).decode()
            assert line, "".join(seen)  # it must not end on its own
            seen.append(line)
    # The session is over and everything is still up: the scoreboard serves its results.
    state = (await get(port, "/api/state")).json()
    assert set(state["results"]) == set(EVENTS)
    assert process.returncode is None
    process.send_signal(signal.SIGINT)
    rest, _ = await asyncio.wait_for(process.communicate(), 30)
    code = await process.wait()
    assert code == 0, "".join(seen) + rest.decode()
    assert "byte for byte" in rest.decode()


@pytest.mark.parametrize("speedup", ["0", "-2", "fast"])
def test_a_speedup_is_a_positive_number(speedup: str) -> None:
    result = velotime_main("demo", "--speedup", speedup)
    assert result.returncode == 2
    assert "--speedup" in result.stderr
