"""A Madison of 6 teams over 40 laps from device bytes (one P3 loop, every rider's own
transponder, the resting partners read too) and the desk's commands
(tests/scoring/scenarios/madison.py, where every figure is worked out by hand): the offline
replay gives that result, the same bytes every time, and the lap board along the way is the
one worked out for each moment."""

import json
from pathlib import Path
from typing import Any

import msgspec

from tests.scoring.live import replayed_files
from tests.scoring.scenarios import madison
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.events import CommandData, decode_event


def replay(tmp_path: Path, run: str) -> tuple[dict[str, bytes], Path]:
    capture = tmp_path / "madison.capture.jsonl"
    if not capture.exists():
        madison.write_capture(tmp_path)
        madison.write_meet(tmp_path)
    return replayed_files(capture, tmp_path / "madison.meet.toml", tmp_path / run)


def test_a_madison_with_a_lap_gained_and_a_tie_broken_by_the_final_sprint(
    tmp_path: Path,
) -> None:
    files, _ = replay(tmp_path, "a")
    assert replay(tmp_path, "b")[0] == files  # byte-identical
    result: dict[str, Any] = json.loads(files[f"{madison.EVENT}.json"])
    assert result["status"] == "final"
    assert result["discipline"] == "madison"
    assert [madison.line_of(line) for line in result["lines"]] == madison.EXPECTED
    assert [(line["name"], line["nation"]) for line in result["lines"][:2]] == [
        ("Team DEN", "DEN"),
        ("Team NED", "NED"),
    ]
    assert result["lap_changes"] == madison.EXPECTED_CHANGES
    assert result["lap_proposals"] == []
    assert result["problems"] == madison.EXPECTED_PROBLEMS
    assert result["lap_board"] == madison.board(40)
    assert [(e["type"], e.get("bib")) for e in result["audit"]] == [
        ("start", None),
        ("lap_change", madison.GAINS),
    ]


def test_the_madison_lap_board_at_chosen_moments(tmp_path: Path) -> None:
    """The replay's decoded events fed one by one to the engine as the scoring service does:
    the lap board and the proposals waiting at each moment of `madison.BOARDS` (worked out in
    the scenario's docstring); the result at the end is the replay's."""
    files, events_path = replay(tmp_path, "a")
    engine = ScoringEngine(parse_meet(madison.meet_text()), {"finish": 0}, 250)
    moments = sorted(madison.BOARDS)
    seen: dict[int, dict[str, Any]] = {}
    for raw in events_path.read_bytes().splitlines():
        event = decode_event(raw)
        data = event.data
        at_us = data.received_us if isinstance(data, CommandData) else getattr(data, "t_us", 0)
        while moments and at_us > madison.S + moments[0] * madison.SECOND // 10:
            seen[moments.pop(0)] = engine.results(madison.EVENT)
        engine.feed(event)
    assert sorted(seen) == sorted(madison.BOARDS)
    for moment, (board, proposals) in madison.BOARDS.items():
        assert seen[moment]["lap_board"] == board, moment
        assert seen[moment]["lap_proposals"] == proposals, moment
    # Live, after the first sprint: team 4 took it alone, 8.4 s before the bunch; the bunch's
    # three placings follow (5-3-2-1).
    points = {line["bib"]: line["points"] for line in seen[2500]["lines"]}
    assert points == {4: 5, 1: 3, 2: 2, 3: 1, 5: 0, 6: 0}
    final = msgspec.json.encode(engine.results(madison.EVENT))
    assert json.loads(final) == json.loads(files[f"{madison.EVENT}.json"])
