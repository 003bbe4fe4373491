"""A sprint tournament from the flying 200 m qualifying to the finals, from device bytes and the
desk's commands (tests/scoring/scenarios/sprint.py, where every figure is worked out by hand):
the replay gives those results, and the same bytes every time."""

import json
from pathlib import Path
from typing import Any

from tests.cli.helpers import velotime
from tests.scoring.scenarios import sprint
from tests.scoring.scenarios.devices import heat_order
from tests.scoring.scenarios.sprint import (
    BRONZE,
    COMPETITION,
    EXPECTED_CLASSIFICATION,
    EXPECTED_KMH,
    EXPECTED_QUALIFYING,
    EXPECTED_RACES,
    EXPECTED_ROUNDS,
    QUALIFYING,
    qf,
)


def replay(tmp_path: Path, run: str) -> dict[str, bytes]:
    capture = tmp_path / "sprint.capture.jsonl"
    if not capture.exists():
        sprint.write_capture(tmp_path)
        sprint.write_meet(tmp_path)
    out = tmp_path / run
    result = velotime(
        "replay", capture, "--offline", "--meet", tmp_path / "sprint.meet.toml", "--results", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "(0 unreadable)" in result.stderr
    return {
        path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*.*"))
    }


def test_a_sprint_tournament_from_the_qualifying_to_the_finals(tmp_path: Path) -> None:
    files = replay(tmp_path, "a")
    assert replay(tmp_path, "b") == files  # byte-identical
    results: dict[str, Any] = {
        name: json.loads(data) for name, data in files.items() if name.endswith(".json")
    }
    qualifying = results[f"{QUALIFYING}.json"]
    assert [(line["rank"], line["bib"], line["time"]) for line in qualifying["lines"]] == (
        EXPECTED_QUALIFYING
    )
    # Exactly the races ridden: no decider where a match stood 2-0.
    races = {name.removesuffix(".json") for name in results if name.startswith(f"{COMPETITION}-")}
    assert races == set(EXPECTED_RACES)
    for event, (lines, last_200) in EXPECTED_RACES.items():
        result = results[f"{event}.json"]
        assert result["status"] == "final", event
        assert result["discipline"] == "sprint"
        assert heat_order(result) == lines, event
        assert result["winner_last_200"] == last_200, event
    for event, kmh in EXPECTED_KMH.items():
        assert results[f"{event}.json"]["winner_last_200_kmh"] == kmh

    standings = results[f"standings/{COMPETITION}.json"]
    assert standings["status"] == "final"
    assert standings["discipline"] == "sprint"
    assert standings["format"] == "knockout 8"
    assert standings["qualifiers"] == [205, 201, 208, 203, 206, 202, 207, 204]
    assert standings["problems"] == []
    got = {
        r["name"]: [
            (heat["riders"], heat["order"], heat["wins"], [race["event"] for race in heat["races"]])
            for heat in r["heats"]
        ]
        for r in standings["rounds"]
    }
    assert got == EXPECTED_ROUNDS
    by_event = {
        race["event"]: (race["winner"], race["winner_last_200"])
        for r in standings["rounds"]
        for heat in r["heats"]
        for race in heat["races"]
    }
    assert by_event[qf(3, 1)] == (202, "10.890")  # the relegation's winner
    assert by_event[qf(2, 3)] == (201, "10.789")  # the decider
    assert [(line["rank"], line["bib"]) for line in standings["classification"]] == (
        EXPECTED_CLASSIFICATION
    )
    assert standings["classification"][0]["name"] == "Rider 205"


def test_a_re_ride_throws_the_first_attempt_away_and_says_so(tmp_path: Path) -> None:
    results = {
        name: json.loads(data)
        for name, data in replay(tmp_path, "a").items()
        if name.endswith(".json")
    }
    (abandon,) = [e for e in results[f"{BRONZE[0]}.json"]["audit"] if e["type"] == "abandon"]
    assert abandon["reason"] == "fall in lap 1"
    assert abandon["discarded"] == 2  # the two riders' first crossings of the stopped race
    (relegation,) = [e for e in results[f"{qf(3, 1)}.json"]["audit"] if e["type"] == "status"]
    assert (relegation["bib"], relegation["status"]) == (208, "REL")
