"""A kilometre time trial of 8 entrants from device bytes and the desk's commands
(tests/scoring/scenarios/kilometre.py, where every figure is worked out by hand): Timy start gate
and finish photocell, a P3 loop on the finish, a restart, a DNF, a DNS, a tie broken on the last
lap and a lap the photocell missed. The replay gives those results, and the same bytes every
time."""

import json
from pathlib import Path

from tests.scoring.scenarios import devices, kilometre
from tests.scoring.scenarios.kilometre import (
    DNF,
    DNS,
    EVENT,
    EXPECTED,
    INTRUDED,
    RESTART,
    RIDES,
)


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


def test_without_the_desk_naming_riders_the_transponders_tell_who_rides(tmp_path: Path) -> None:
    """The same session with no next_rider at all (5 commands: arm, DNF, DNS, provisional,
    final). Each gate impulse's rider is the one rider whose transponder the loop reads after
    it (the read as the wheel leaves the gate, then every lap) before the next start; 1's,
    then 2's, slower lap after the finish comes long before the next gate. 2's false start
    and restart are two starts the transponders give to 2: only the second counts, as when the
    desk names 2 twice. So the results are those worked out by hand for the desk's session."""
    capture = kilometre.write_capture(tmp_path, desk_names=False)
    meet = kilometre.write_meet(tmp_path)
    results = json.loads(devices.replay_twice(tmp_path, capture, meet, EVENT, commands=5))
    assert results["lines"] == EXPECTED
    assert results["problems"] == []
    assert [entry["type"] for entry in results["audit"]] == ["status", "status"]


def test_two_riders_on_the_track_leave_the_start_to_nobody_and_say_so(tmp_path: Path) -> None:
    """No desk naming, and 6 crosses the line (beam and loop) 30 s into 5's ride. The loop has
    read 5 and 6 after that gate impulse: the rider is not known, so the start is nobody's,
    and the problems say which start and why. 5 has no line (never named); 6 is ranked from
    6's own start, 5th at 1:01.500 (+1.945, as by hand); everyone else as worked out by hand.
    5's gate opened at slot 5 of 15:00 local (14:00 UTC) + 5 x 3 min + 60.0123 s =
    14:16:00.0123 UTC, the 6th start (1, 2, 2 again, 3, 4, 5)."""
    capture = kilometre.write_capture(tmp_path, desk_names=False, intruder=True)
    meet = kilometre.write_meet(tmp_path)
    results = json.loads(devices.replay_twice(tmp_path, capture, meet, EVENT, commands=5))
    sixth = next(line for line in EXPECTED if line["bib"] == 6)
    assert results["lines"] == [
        {**line, "rank": 5} if line is sixth else line
        for line in EXPECTED
        if line["bib"] != INTRUDED
    ]
    assert results["problems"] == [
        "start 6 (gate impulse 14:16:00.012 UTC): more than one rider on the track: bib 5, "
        "bib 6; nobody's start: name the rider with next_rider before the start, or set the "
        "time with correct --time"
    ]
