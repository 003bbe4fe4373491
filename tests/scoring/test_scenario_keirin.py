"""A keirin competition from round 1 to the finals 1-6 and 7-12, from device bytes and the
desk's commands (tests/scoring/scenarios/keirin.py, where every figure is worked out by hand):
the replay gives those results, and the same bytes every time."""

import json
from pathlib import Path
from typing import Any

from tests.cli.helpers import velotime
from tests.scoring.scenarios import keirin
from tests.scoring.scenarios.devices import heat_order
from tests.scoring.scenarios.keirin import (
    COMPETITION,
    EXPECTED_CLASSIFICATION,
    EXPECTED_GAPS,
    EXPECTED_HEATS,
    EXPECTED_LAST_200,
    EXPECTED_START_LISTS,
    FINAL_7_12,
    R1H2,
)


def replay(tmp_path: Path, run: str) -> dict[str, bytes]:
    capture = tmp_path / "keirin.capture.jsonl"
    if not capture.exists():
        keirin.write_capture(tmp_path)
        (tmp_path / "meet.toml").write_text(keirin.meet_text())
    out = tmp_path / run
    result = velotime(
        "replay", capture, "--offline", "--meet", tmp_path / "meet.toml", "--results", out,
        "--output", tmp_path / f"{run}.events.jsonl",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "(0 unreadable)" in result.stderr
    return {
        path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*.*"))
    }


def test_a_keirin_competition_from_round_1_to_the_finals(tmp_path: Path) -> None:
    files = replay(tmp_path, "a")
    assert replay(tmp_path, "b") == files  # byte-identical
    results: dict[str, Any] = {
        name: json.loads(data) for name, data in files.items() if name.endswith(".json")
    }
    # Each heat's CSV, in the result's order.
    heat_csv = files[f"{FINAL_7_12}.csv"].decode().splitlines()
    assert [row.split(",")[:2] for row in heat_csv[1:]] == [["1", "6"], ["2", "8"], ["3", "12"],
                                                           ["4", "11"], ["5", "5"]]  # fmt: skip

    for event, expected in EXPECTED_HEATS.items():
        result = results[f"{event}.json"]
        assert result["status"] == "final"
        assert heat_order(result) == expected, event
        assert [line.get("gap") for line in result["lines"]] == EXPECTED_GAPS[event], event
    for event, (last_200, kmh) in EXPECTED_LAST_200.items():
        result = results[f"{event}.json"]
        assert (result["winner_last_200"], result["winner_last_200_kmh"]) == (last_200, kmh)

    standings = results[f"standings/{COMPETITION}.json"]
    assert standings["status"] == "final"
    assert standings["format"] == "10-14"
    heats = {heat["event"]: heat for r in standings["rounds"] for heat in r["heats"]}
    assert {event: heat["riders"] for event, heat in heats.items()} == EXPECTED_START_LISTS
    assert [
        (line["rank"], line["bib"], line.get("status", "")) for line in standings["classification"]
    ] == EXPECTED_CLASSIFICATION
    assert standings["problems"] == []


def test_the_audit_trail_keeps_every_decision_and_correction(tmp_path: Path) -> None:
    files = replay(tmp_path, "a")
    results = {name: json.loads(data) for name, data in files.items() if name.endswith(".json")}
    (correction,) = [
        entry for entry in results[f"{FINAL_7_12}.json"]["audit"] if entry["type"] == "correct"
    ]
    assert (correction["bib"], correction["place"]) == (6, 1)
    assert correction["reason"] == "video: 6 ahead of 8"
    assert isinstance(correction["at_us"], int)  # when the desk sent it
    abandon = [e for e in results[f"{R1H2}.json"]["audit"] if e["type"] == "abandon"]
    assert abandon[0]["reason"] == "crash in lap 1"
    assert abandon[0]["discarded"] == 6  # the six first-lap crossings of the stopped race
