"""A team sprint heat from device bytes and the desk's commands
(tests/scoring/scenarios/team_sprint.py, where every figure is worked out by hand): gates on
both straights, a P3 loop and a photocell on each pursuit line, two missed transponder reads
(one covered by the follower's read, the finish by the photocell) and a half lap the photocell
missed. The replay gives those results, and the same bytes every time."""

import json
from pathlib import Path

from tests.scoring.scenarios import devices, team_sprint
from tests.scoring.scenarios.team_sprint import (
    EVENT,
    EXPECTED,
    EXPECTED_BOARD,
    EXPECTED_PROBLEMS,
)


def test_a_team_sprint_heat_replays_to_the_results_worked_out_by_hand(tmp_path: Path) -> None:
    capture = team_sprint.write_capture(tmp_path)
    meet = team_sprint.write_meet(tmp_path)
    results = json.loads(devices.replay_twice(tmp_path, capture, meet, EVENT, commands=3))
    assert results["status"] == "final"
    assert results["discipline"] == "team_sprint"
    assert results["lines"] == EXPECTED
    assert results["team_sprint"] == EXPECTED_BOARD
    assert results["problems"] == EXPECTED_PROBLEMS


def test_the_laps_add_up_to_the_teams_time() -> None:
    """Each team's lap splits, differences of truncated cumulative times, add up to its time
    exactly: 17.123 + 13.333 + 13.222 = 43.678; 17.200 + 13.454 + 13.358 = 44.012."""
    for line in EXPECTED:
        laps_ms = [round(float(split["lap"]) * 1000) for split in line["splits"]]
        assert sum(laps_ms) == line["time_us"] // 1000
