"""A flying 200 m qualifying of 28 entrants, from device bytes and the desk's commands
(tests/scoring/scenarios/flying200.py, where every figure is worked out by hand): run-up laps
seen by the loops, two riders on the track, photocells armed for the timed pass, firing on every
pass, or absent. The replay gives those results, and the same bytes every time."""

import json
from pathlib import Path

import pytest

from tests.scoring.scenarios import devices, flying200
from tests.scoring.scenarios.flying200 import (
    DNS,
    DSQ,
    EVENT,
    EXPECTED,
    EXPECTED_TRANSPONDERS_ONLY,
    Photocells,
)


def replay_twice(tmp_path: Path, photocells: Photocells) -> bytes:
    capture = flying200.write_capture(tmp_path, photocells)
    meet = flying200.write_meet(tmp_path)
    return devices.replay_twice(tmp_path, capture, meet, EVENT, commands=5)


@pytest.mark.parametrize("photocells", ["armed", "every_pass"])
def test_photocells_time_the_effort_the_loops_name_the_rider(
    tmp_path: Path, photocells: Photocells
) -> None:
    results = json.loads(replay_twice(tmp_path, photocells))
    assert results["status"] == "final"
    assert results["lines"] == EXPECTED
    assert [(entry["bib"], entry["status"], entry["reason"]) for entry in results["audit"]] == [
        (DNS, "DNS", "not at the start"),
        (DSQ, "DSQ", "rode below the measuring line"),
    ]


def test_with_transponders_only_the_effort_is_the_fastest_pass(tmp_path: Path) -> None:
    results = json.loads(replay_twice(tmp_path, "none"))
    assert results["status"] == "final"
    # Not the first pass the loops see (a 21 s run-up pass) nor the last (the cool-down): the
    # timed 200 m, from the loops' own times.
    assert results["lines"] == EXPECTED_TRANSPONDERS_ONLY


def test_what_the_result_sheet_says() -> None:
    """The hand-worked expectations themselves, as a commissaire reads them."""
    ranked = [(line["rank"], line["bib"]) for line in EXPECTED if line["rank"] is not None]
    assert len(ranked) == 26
    assert ranked[6:8] == [(7, 122), (8, 119)]  # the tie broken on the last 100 m
    assert ranked[23:] == [(24, 105), (24, 112), (26, 101)]  # the draw for 24th, then 26th
    qualified = [line["bib"] for line in EXPECTED if "qualified" in line.get("flags", [])]
    assert len(qualified) == 23  # the draw straddling the cut of 24 qualifies neither
    for expected in (EXPECTED, EXPECTED_TRANSPONDERS_ONLY):
        for line in expected:
            if "splits" in line:  # the splits add up to the time, to the thousandth
                first, whole = line["splits"]
                total = float(first["lap"]) + float(whole["lap"])
                assert round(total * 1000) == line["time_us"] // 1000
