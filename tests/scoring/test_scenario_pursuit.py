"""Pursuit heats from device bytes and the desk's commands (tests/scoring/scenarios/pursuit.py,
where every figure is worked out by hand): Timy gates and photocells on both pursuit lines, a
P3 loop on each. An individual pursuit qualifying heat with a catch ridden on, a final with a
false start and a catch that ends it, a team pursuit with a rider dropped. The replay gives
those results, and the same bytes every time."""

from typing import Any

import pytest

from tests.scoring.scenarios import pursuit
from tests.scoring.scenarios.devices import replay_twice
from tests.scoring.scenarios.pursuit import COMMANDS, FINAL, QUALIFYING, TEAMS_EVENT


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    directory = tmp_path_factory.mktemp("pursuit")
    capture = pursuit.write_capture(directory)
    meet = pursuit.write_meet(directory)
    return {
        event: pursuit.decoded(replay_twice(directory / event, capture, meet, event, COMMANDS))
        for event in (QUALIFYING, FINAL, TEAMS_EVENT)
    }


def table(result: dict[str, Any], *keys: str) -> list[tuple[Any, ...]]:
    return [tuple(line.get(key) for key in keys) for line in result["lines"]]


def test_qualifying_both_ride_the_distance_the_caught_one_too(
    results: dict[str, dict[str, Any]],
) -> None:
    """1: 4:03.500 (59.137 km/h); 2: 274.9007 truncated to 4:34.900, +31.400 (52.382 km/h).
    Laps: 1's first 18.500 (half lap 2), then 15.000; 2's 19.900, then 17.000. The gap at half
    lap n, 0.4 + (n - 1), home ahead; the catch seen at half lap 10; the impulses after the
    finish are the riders' slowing down (the loops name them): no problem."""
    result = results[QUALIFYING]
    assert result["status"] == "final"
    assert table(result, "rank", "bib", "time", "speed_kmh", "gap") == [
        (1, 1, "4:03.500", "59.137", None),
        (2, 2, "4:34.900", "52.382", "+31.400"),
    ]
    home, back = (line["splits"] for line in result["lines"])
    assert [(s["distance_m"], s["cumulative"], s["lap"]) for s in home[:2]] == [
        (250, "18.500", "18.500"), (500, "33.500", "15.000")
    ]  # fmt: skip
    assert home[-1] == {"distance_m": 4000, "cumulative": "4:03.500", "lap": "15.000"}
    assert back[-1] == {"distance_m": 4000, "cumulative": "4:34.900", "lap": "17.000"}
    assert sum(round(float(s["lap"].split(":")[-1]) * 1000) for s in back) == 274_900
    board = result["pursuit"]
    assert [(g["half_lap"], g["ahead"], g["gap"]) for g in board["gaps"]] == [
        (n, 1, f"+{0.4 + (n - 1):.3f}") for n in range(1, 33)
    ]
    assert board["catch_half_lap"] == 10
    assert [(s["half_laps"], s["caught"], s["time"]) for s in board["sides"]] == [
        (32, False, "4:03.500"), (32, True, "4:34.900")
    ]  # fmt: skip
    assert result["problems"] == []


def test_the_final_after_a_false_start_ends_at_the_catch(
    results: dict[str, dict[str, Any]],
) -> None:
    """4's false start is recalled (one false start, counted); the crossings before the
    second gates are void. 3 catches 4 at half lap 10 (78.5 s): 3 wins, 4 is caught; no
    times. The board stops there: 3 has 10 half laps, 4 has 8 (70.9 s)."""
    result = results[FINAL]
    assert table(result, "rank", "bib", "time") == [(1, 3, None), (2, 4, None)]
    board = result["pursuit"]
    assert [
        (s["entrant"], s["half_laps"], s["won"], s["caught"], s["false_starts"])
        for s in board["sides"]
    ] == [(3, 10, True, False, 0), (4, 8, False, True, 1)]
    assert (board["catch_half_lap"], board["finished"]) == (10, True)
    assert board["sides"][1]["splits"][-1]["cumulative"] == "1:10.900"
    assert board["gaps"][-1] == {"half_lap": 8, "ahead": 3, "gap": "+7.400"}
    assert result["problems"] == []


def test_the_team_pursuit_is_timed_on_the_third_rider_after_a_rider_dropped(
    results: dict[str, dict[str, Any]],
) -> None:
    """Italy 3:53.440 (233.440987 truncated; 61.686 km/h), Denmark 3:59.940 (+6.500,
    60.015). 14 is dropped (loops from half lap 21, then the desk's DNF); Italy rides on three.
    Gaps 0.3 + 0.2 (n - 1); last laps 14.400 and 14.800."""
    result = results[TEAMS_EVENT]
    assert table(result, "rank", "bib", "name", "time", "speed_kmh", "gap") == [
        (1, 1, "Italy", "3:53.440", "61.686", None),
        (2, 2, "Denmark", "3:59.940", "60.015", "+6.500"),
    ]
    assert [line["splits"][-1]["lap"] for line in result["lines"]] == ["14.400", "14.800"]
    board = result["pursuit"]
    assert [(s["riders"], s["dropped"]) for s in board["sides"]] == [
        ([11, 12, 13], [14]), ([21, 22, 23, 24], [])
    ]  # fmt: skip
    assert [g["gap"] for g in board["gaps"]] == [f"+{0.3 + 0.2 * n:.3f}" for n in range(32)]
    assert result["problems"] == []
