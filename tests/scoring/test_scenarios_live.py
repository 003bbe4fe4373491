"""Each scenario capture scored through the live path (`velotime replay` online -> a real
Mosquitto -> a real `velotime score`): what it leaves retained on the broker, results and
standings alike, is byte for byte what the offline replay writes, which the scenario tests check
against the results worked out by hand."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.scoring.live import live_publications, offline_files
from tests.scoring.scenarios import (
    elimination,
    flying200,
    keirin,
    kilometre,
    madison,
    omnium,
    omnium_races,
    points_race,
    pursuit,
    scratch,
    sprint,
    team_sprint,
)
from velotime.localvenue import LocalBroker

pytestmark = pytest.mark.timeout(120)


def write_keirin_meet(directory: Path) -> Path:
    path = directory / "keirin.meet.toml"
    path.write_text(keirin.meet_text())
    return path


def write_scratch_meet(directory: Path) -> Path:
    path = directory / "scratch.meet.toml"
    path.write_text(scratch.meet_text())
    return path


SCENARIOS: dict[str, tuple[Callable[[Path], Path], Callable[[Path], Path]]] = {
    "flying200": (flying200.write_capture, flying200.write_meet),
    "kilometre": (kilometre.write_capture, kilometre.write_meet),
    "keirin": (keirin.write_capture, write_keirin_meet),
    "scratch": (scratch.write_capture, write_scratch_meet),
    "madison": (madison.write_capture, madison.write_meet),
    "elimination": (elimination.write_capture, elimination.write_meet),
    "points_race": (points_race.write_capture, points_race.write_meet),
    # Three pursuit heats (individual and team) on the pursuit lines: the roles come live.
    "pursuit": (pursuit.write_capture, pursuit.write_meet),
    "team_sprint": (team_sprint.write_capture, team_sprint.write_meet),
    # An omnium of the points race alone: its standings, live passing by passing.
    "omnium_points": (omnium.write_points_capture, omnium.write_points_meet),
    # The four races of an omnium, one capture: each race's results and the standings.
    "omnium_races": (omnium_races.write_capture, omnium_races.write_meet),
    # A sprint tournament: the qualifying, every race, the standings drawn race by race.
    "sprint": (sprint.write_capture, sprint.write_meet),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
async def test_the_live_path_leaves_the_offline_results_retained(
    scenario: str, tmp_path: Path, broker: LocalBroker
) -> None:
    write_capture, write_meet = SCENARIOS[scenario]
    capture, meet = write_capture(tmp_path), write_meet(tmp_path)
    live = await live_publications([capture], meet, broker, tmp_path / "live")
    offline = offline_files(capture, meet, tmp_path / "offline")
    assert offline  # every scenario has results
    # The start lists are retained too; result files are results and standings only.
    results = {key for key in live if key != "current" and not key.startswith("startlists/")}
    assert {key: live[key] + b"\n" for key in results} == offline
    assert {key.partition("/")[2] for key in live if key.startswith("startlists/")} >= {
        key.partition("/")[2] for key in offline if key.startswith("results/")
    }  # every event run had its start list
    assert all(json.loads(payload)["status"] == "final" for payload in offline.values())
    assert json.loads(live["current"])["event"] is None  # all final: nothing on the track
