"""The demo's session, without a broker or a process: its timeline recorded as the daemon would
record what the devices send (a capture), replayed offline with the meet, gives the results
worked out by hand from the designed times (tests/demo/expected.py). The live demo
(tests/cli/test_demo.py) gives the same through the real daemon."""

import json
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest

from tests.demo import expected
from velotime.capture import CONTROL_SOURCE, CaptureHeader, CaptureWriter
from velotime.cli import main as velotime
from velotime.daemon.sources import ControlDescription
from velotime.demo.script import (
    KEIRIN,
    KEIRIN_RIDERS,
    KILOMETRE,
    KILOMETRE_RIDERS,
    PHOTO_CAMERA_US,
    PHOTO_LOOP_US,
    POINTS,
    POINTS_LAPS,
    SPRINT,
    SPRINT_EVERY,
    SPRINT_RACES,
    TEAM_SPRINT,
    TRACK_M,
    build_session,
)
from velotime.demo.session import EVENTS
from velotime.demo.timeline import Camera, Desk, Impulse, Read, build_timeline
from velotime.demo.venue import DECODER_IDS, LINES, ROLES, TIMY_CHANNELS
from velotime.drivers.timy.session import Channel
from velotime.families.lynx.source import LynxDescription
from velotime.families.p3.source import P3Description
from velotime.families.timy.source import TimyDescription
from velotime.protocols import lynx, p3, timy

T0_US = int(datetime(2026, 11, 21, 23, 50, tzinfo=UTC).timestamp()) * 1_000_000  # past midnight
UTC_ZONE = ZoneInfo("UTC")


def write_capture(seed: int, path: Path, until_us: int | None = None) -> Path:
    """What the daemon records of the demo's session: each message when it is sent (`until_us`:
    those sent before this session offset only)."""
    session = build_session(seed)
    numbers = dict.fromkeys(DECODER_IDS, 0)
    chunks: list[tuple[int, str, bytes]] = []
    for action in build_timeline(session, T0_US, UTC_ZONE):
        if until_us is not None and action.at_us >= T0_US + until_us:
            break
        if isinstance(action, Read):
            numbers[action.line] += 1
            passing = p3.Passing(
                passing_number=numbers[action.line],
                transponder=action.transponder,
                rtc_time_us=action.t_us,
                decoder_id=DECODER_IDS[action.line],
            )
            chunks.append((action.at_us, f"p3-{action.line}", p3.encode(passing)))
        elif isinstance(action, Impulse):
            line = timy.Impulse(
                number=action.number, channel=action.channel, time_of_day_us=action.time_of_day_us
            )
            chunks.append((action.at_us + 2_000, "timy", timy.encode(line)))
        elif isinstance(action, Camera):
            chunks.append((action.at_us, "lynx", lynx.encode(action.record)))
        elif isinstance(action, Desk):
            chunks.append((action.at_us, CONTROL_SOURCE, msgspec.json.encode(action.command)))
    sources = {
        **{f"p3-{line}": P3Description(line=line, clock="decoder") for line in DECODER_IDS},
        "timy": TimyDescription(
            channels={
                key: Channel(line=str(c["line"]), dead_time_us=int(c["dead_time_ms"]) * 1000)
                for key, c in TIMY_CHANNELS.items()
            },
        ),
        "lynx": LynxDescription(),
        CONTROL_SOURCE: ControlDescription(),
    }
    header = CaptureHeader(
        venue="demo",
        sources={name: description.to_builtins() for name, description in sources.items()},
        started_us=T0_US - 1_000_000,
        lines=LINES,
        track_length_m=TRACK_M,
        roles=ROLES,
    )
    capture = CaptureWriter(path, header)
    for t_us, source, data in sorted(chunks, key=lambda chunk: chunk[0]):
        capture.write(t_us, source, data)
    capture.close()
    return path


def test_the_designed_session_is_what_the_demo_promises() -> None:
    session = build_session(7)
    assert len(session.flying200) >= 18
    assert len(session.kilometre) == KILOMETRE_RIDERS == 8
    assert len(session.keirin.riders) == KEIRIN_RIDERS == 6
    assert build_session(7) == session  # the seed decides everything
    assert build_session(8) != session
    # A photo finish the loops get wrong: the camera decides.
    winner, second = session.keirin.order[:2]
    race = session.keirin
    assert race.camera_time_us[second] - race.camera_time_us[winner] < 30_000
    assert (race.camera_time_us[second] + race.loop_lag_us[second]) < (
        race.camera_time_us[winner] + race.loop_lag_us[winner]
    )
    # The sprint final between the qualifying's two fastest: one race each (positions swapped
    # in race 2, 3.2.037), then the decider; the camera's races closer than the loops can
    # part (0.03 s), the loops' race by more.
    fastest = [ride.bib for ride in sorted(session.flying200, key=lambda ride: ride.time_us)]
    first, second = fastest[:2]
    races = session.sprint
    assert [race.riders for race in races] == [(first, second), (second, first), (first, second)]
    assert [race.winner for race in races] == [first, second, first]
    assert [race.camera for race in races] == [True, False, True]
    for sprint_race in races:
        loser, winner = sprint_race.loser, sprint_race.winner
        margin_us = sprint_race.finish_us[loser] - sprint_race.finish_us[winner]
        assert (margin_us < 30_000) == sprint_race.camera, sprint_race.event
    # The team sprint: two teams of three different riders.
    teams = session.team_sprint.teams
    assert len({bib for team in teams for bib in team.riders}) == 6


def test_the_points_race_is_ridden_at_a_bunch_s_pace_on_the_venue_clock() -> None:
    """The lap counter takes a lap under 10 s (90 km/h on 250 m) for a double read: every lap
    of the points race, on the decoders' (venue) clock, is 14 s or more (64 km/h at most,
    the breakaway's last lap into the final sprint), however fast the demo plays it. The
    bunch rides 21 passages for the 20 laps (one neutralised), the breakaway 22 (a lap up);
    the photo-finish sprint's first two are closer than the loops can part (30 ms) and the
    camera has them the other way round."""
    race = build_session(7).points
    passages = race.passages_us()
    for bib, times in passages.items():
        laps = [after - before for before, after in pairwise(times)]
        assert min(laps) >= 14_000_000, bib
        assert len(laps) == POINTS_LAPS + 1 + (bib == race.breakaway)
    loops = sorted(PHOTO_LOOP_US, key=PHOTO_LOOP_US.__getitem__)
    camera = list(PHOTO_CAMERA_US)
    assert loops[:2] == camera[:2][::-1]
    assert PHOTO_LOOP_US[loops[1]] - PHOTO_LOOP_US[loops[0]] < 30_000
    assert SPRINT_EVERY * 4 == POINTS_LAPS


def replay(seed: int, directory: Path) -> Path:
    """The session's capture replayed offline with its meet: the result files' directory."""
    session = build_session(seed)
    capture = write_capture(seed, directory / "demo.capture.jsonl")
    meet = directory / "meet.toml"
    meet.write_text(session.meet_text(), encoding="utf-8")
    results = directory / "results"
    status = velotime(
        ["replay", str(capture), "--meet", str(meet), "--offline", "--quiet",
         "--output", str(directory / "events.jsonl"), "--results", str(results)]
    )  # fmt: skip
    assert status == 0
    return results


def read(results: Path, name: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads((results / f"{name}.json").read_text(encoding="utf-8"))
    return value


@pytest.mark.parametrize("seed", [7, 2026])
def test_a_replay_of_the_session_scores_the_designed_results(tmp_path: Path, seed: int) -> None:
    session = build_session(seed)
    results = replay(seed, tmp_path)
    for event, lines in expected.results(session).items():
        result = json.loads((results / f"{event}.json").read_text(encoding="utf-8"))
        assert result["status"] == "final"
        assert result["lines"] == lines, event
    keirin = json.loads((results / f"{KEIRIN}.json").read_text(encoding="utf-8"))
    last_200, kmh = expected.keirin_last_200(session)
    assert (keirin["winner_last_200"], keirin["winner_last_200_kmh"]) == (last_200, kmh)
    km = json.loads((results / f"{KILOMETRE}.json").read_text(encoding="utf-8"))
    assert km["problems"] == []
    assert {path.stem for path in results.glob("*.json")} == set(EVENTS)
    for race in session.sprint:
        result = read(results, race.event)
        last_200, kmh = expected.sprint_last_200(race)
        assert (result["winner_last_200"], result["winner_last_200_kmh"]) == (last_200, kmh)
    assert read(results, TEAM_SPRINT)["problems"] == []
    standings = read(results, f"standings/{SPRINT}")
    riders, order, wins = expected.sprint_match(session)
    ((match,),) = [round_["heats"] for round_ in standings["rounds"]]
    assert (match["riders"], match["order"], match["wins"]) == (riders, order, wins)
    assert [race["event"] for race in match["races"]] == list(SPRINT_RACES)
    assert [line["bib"] for line in standings["classification"]] == order
    assert standings["status"] == "final"
    points = json.loads((results / f"{POINTS}.json").read_text(encoding="utf-8"))
    assert points["sprints"] == expected.points_sprints(session)
    assert points["lap_changes"] == [{"bib": session.points.breakaway, "change": 1, "lap": 16}]
    assert points["problems"] == []


def test_the_sprint_final_and_the_team_sprint_of_seed_7_by_hand(tmp_path: Path) -> None:
    """Seed 7's designed times (`build_session(7)`), worked by hand.

    **Sprint final.** The qualifying's two fastest: 2 Ben BAKER 9.9414 -> 9.941, 18 Rosa
    GARCÍA 9.9505 -> 9.950. Best of three, 2 on the inside in races 1 and 3, 18 in race 2.

    - race 1, the camera: 2 at 56.4628 s, 18 at 56.4737: 2 wins, gap 0.0109 -> +0.010. Last
      200 m: 10.617039 before the camera's line -> 10.617, 720 / 10.617 = 67.8157.. -> 67.815.
    - race 2, the loops (no camera): 18 read at 55.2035 + 0.001831 = 55.205331, 2 at 55.3221 +
      0.002978 = 55.325078: 18 wins, gap 0.119747 -> +0.119. Last 200 m: the 200 m read
      10.691693 before the camera's line, the finish read 0.001831 after it: 10.693524 ->
      10.693, 720 / 10.693 = 67.3337.. -> 67.333. One race each: race 3 is ridden.
    - race 3, the camera: 2 at 55.3047, 18 at 55.3263: 2 wins, gap 0.0216 -> +0.021. Last
      200 m 10.406582 -> 10.406, 720 / 10.406 = 69.1908.. -> 69.190.

    2 wins the match 2-1: 1st 2, 2nd 18.

    **Team sprint.** 21 Red team (15, 2, 20) from the home gate, 22 Green team (1, 16, 10) from
    the back gate, one release. Each team's leader's wheel on its own line after each lap:

    - 22: 17.3418, 30.7277, 44.2214 -> 17.341, 30.727, 44.221; laps 17.341, 13.386, 13.494;
      2700 / 44.221 = 61.0565.. -> 61.056 km/h.
    - 21: 17.5930, 30.9487, 44.7250 -> 17.593, 30.948, 44.725; laps 17.593, 13.355, 13.777;
      2700 / 44.725 = 60.3689.. -> 60.368 km/h; 44.725 - 44.221 = +0.504.
    """
    results = replay(7, tmp_path)
    races = {
        race: [
            (line["rank"], line["bib"], line.get("gap")) for line in read(results, race)["lines"]
        ]
        for race in SPRINT_RACES
    }
    assert races == {
        SPRINT_RACES[0]: [(1, 2, None), (2, 18, "+0.010")],
        SPRINT_RACES[1]: [(1, 18, None), (2, 2, "+0.119")],
        SPRINT_RACES[2]: [(1, 2, None), (2, 18, "+0.021")],
    }
    last_200 = {
        race: (read(results, race)["winner_last_200"], read(results, race)["winner_last_200_kmh"])
        for race in SPRINT_RACES
    }
    assert last_200 == {
        SPRINT_RACES[0]: ("10.617", "67.815"),
        SPRINT_RACES[1]: ("10.693", "67.333"),
        SPRINT_RACES[2]: ("10.406", "69.190"),
    }
    (match,) = read(results, f"standings/{SPRINT}")["rounds"][0]["heats"]
    assert (match["riders"], match["wins"], match["order"]) == ([2, 18], [2, 1], [2, 18])
    teams = [
        (line["rank"], line["bib"], line["time"], line["speed_kmh"], line.get("gap"),
         [(split["cumulative"], split["lap"]) for split in line["splits"]])
        for line in read(results, TEAM_SPRINT)["lines"]
    ]  # fmt: skip
    assert teams == [
        (1, 22, "44.221", "61.056", None,
         [("17.341", "17.341"), ("30.727", "13.386"), ("44.221", "13.494")]),
        (2, 21, "44.725", "60.368", "+0.504",
         [("17.593", "17.593"), ("30.948", "13.355"), ("44.725", "13.777")]),
    ]  # fmt: skip
