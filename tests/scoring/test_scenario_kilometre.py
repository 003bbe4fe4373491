"""A kilometre time trial of 8 entrants from device bytes and the desk's commands
(tests/scoring/scenarios/kilometre.py, where every figure is worked out by hand): Timy start gate
and finish photocell, a P3 loop on the finish, a restart, a DNF, a DNS, a tie broken on the last
lap and a lap the photocell missed. The replay gives those results, and the same bytes every
time."""

import json
from pathlib import Path

from tests.scoring.scenarios import devices, kilometre
from tests.scoring.scenarios.kilometre import DNF, DNS, EVENT, EXPECTED, RESTART, RIDES


def test_a_kilometre_replays_to_the_results_worked_out_by_hand(tmp_path: Path) -> None:
    capture = kilometre.write_capture(tmp_path)
    meet = kilometre.write_meet(tmp_path)
    results = json.loads(devices.replay_twice(tmp_path, capture, meet, EVENT, commands=13))
    assert results["status"] == "final"
    assert results["lines"] == EXPECTED
    assert results["problems"] == []
    # The desk named 2 twice (the restart) and set DNF and DNS, with their reasons.
    named = [entry["bib"] for entry in results["audit"] if entry["type"] == "next_rider"]
    assert named == [1, RESTART, RESTART, DNF, 4, 5, 6, 7]
    decided = [(e["bib"], e["status"], e["reason"]) for e in results["audit"] if "status" in e]
    assert decided == [(DNF, "DNF", "abandoned"), (DNS, "DNS", "not at the start")]


def test_laps_add_up_to_the_time_where_laps_truncated_alone_would_not() -> None:
    """1's raw laps truncated one by one: 18.4567 + 14.0562 + 13.8269 + 14.0817 -> 18.456 +
    14.056 + 13.826 + 14.081 = 60.419, not the official 60.421. The result's laps, differences
    of truncated cumulative times, add up to it."""
    cumulative = RIDES[1]
    raw_laps = [b - a for a, b in zip([0, *cumulative], cumulative, strict=False)]
    assert sum(lap // 1000 for lap in raw_laps) == 60_419
    (line,) = [line for line in EXPECTED if line["bib"] == 1]
    assert line["time_us"] == 60_421_000
    laps_ms = [round(float(split["lap"]) * 1000) for split in line["splits"]]
    assert sum(laps_ms) == 60_421
    for expected in EXPECTED:  # every ranked line, as the result file shows it
        if "splits" in expected:
            assert sum(round(float(s["lap"]) * 1000) for s in expected["splits"]) == (
                expected["time_us"] // 1000
            )
