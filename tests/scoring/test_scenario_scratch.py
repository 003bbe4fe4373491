"""A scratch race of 12 riders over 20 laps from device bytes (three P3 loops) and the desk's
commands (tests/scoring/scenarios/scratch.py, where every figure is worked out by hand): the
offline replay gives that result, the same bytes every time, and the lap board the scoring
service publishes along the way is the one worked out for each moment."""

import json
from datetime import UTC
from pathlib import Path
from typing import Any

import msgspec

from tests.scoring.live import replayed_files
from tests.scoring.scenarios import scratch
from velotime.scoreboards.web.sheets import result_sheet_html
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.events import CommandData, decode_event
from velotime.wire.results import EventResult


def replay(tmp_path: Path, run: str) -> tuple[dict[str, bytes], Path]:
    capture = tmp_path / "scratch.capture.jsonl"
    if not capture.exists():
        scratch.write_capture(tmp_path)
        (tmp_path / "meet.toml").write_text(scratch.meet_text())
    return replayed_files(capture, tmp_path / "meet.toml", tmp_path / run)


def test_a_scratch_race_with_missed_reads_a_lap_gained_a_lapped_rider_and_an_abandon(
    tmp_path: Path,
) -> None:
    files, _ = replay(tmp_path, "a")
    assert replay(tmp_path, "b")[0] == files  # byte-identical
    result: dict[str, Any] = json.loads(files[f"{scratch.EVENT}.json"])
    assert result["status"] == "final"
    assert result["discipline"] == "scratch"
    assert [scratch.line_of(line) for line in result["lines"]] == scratch.EXPECTED
    assert result["lap_changes"] == scratch.EXPECTED_CHANGES
    assert result["lap_proposals"] == []
    assert result["problems"] == scratch.EXPECTED_PROBLEMS
    assert result["lap_board"] == {"distance": 20, **scratch.BOARDS[346][0]}
    audit = [(entry["type"], entry.get("bib")) for entry in result["audit"]]
    assert audit == [
        ("start", None),
        ("lap_change", 5),
        ("status", 12),
        ("lap_change", 11),
        ("neutralise", None),
    ]
    rows = files[f"{scratch.EVENT}.csv"].decode().splitlines()
    assert [row.split(",")[:2] for row in rows[1:3]] == [["1", "5"], ["2", "7"]]
    # The result sheet says what each of the desk's commands did.
    payload = msgspec.json.decode(files[f"{scratch.EVENT}.json"], type=EventResult)
    sheet = result_sheet_html(payload, meet="m", venue="v", zone=UTC, generated_us=scratch.S)
    for words in ("Scratch race", "lap gained confirmed", "lap lost confirmed",
                  "race neutralised for 1 lap", "status DNF"):  # fmt: skip
        assert words in sheet, words


def test_the_lap_board_at_chosen_moments(tmp_path: Path) -> None:
    """The events the replay decoded from the bytes, fed one by one to the engine as the
    scoring service does: the lap board and the proposals waiting after the last event up to
    each moment of `scratch.BOARDS`; the result at the end is the replay's, byte for byte."""
    files, events_path = replay(tmp_path, "a")
    engine = ScoringEngine(
        parse_meet(scratch.meet_text()), {"finish": 0, "200m": 200, "100m": 100}, 250
    )
    moments = sorted(scratch.BOARDS)
    seen: dict[int, dict[str, Any]] = {}
    for raw in events_path.read_bytes().splitlines():
        event = decode_event(raw)
        data = event.data
        at_us = data.received_us if isinstance(data, CommandData) else getattr(data, "t_us", 0)
        while moments and at_us > scratch.S + moments[0] * scratch.SECOND:
            seen[moments.pop(0)] = engine.results(scratch.EVENT)
        engine.feed(event)
    for moment, (board, proposals) in scratch.BOARDS.items():
        if moment in seen:
            assert seen[moment]["lap_board"] == {"distance": 20, **board}, moment
            assert seen[moment]["lap_proposals"] == proposals, moment
    assert sorted(seen) == sorted(scratch.BOARDS)
    # 125 s: the proposal is visible and not applied.
    (line_5,) = [line for line in seen[125]["lines"] if line["bib"] == 5]
    assert line_5.get("laps_gained", 0) == 0
    final = msgspec.json.encode(engine.results(scratch.EVENT))
    assert json.loads(final) == json.loads(files[f"{scratch.EVENT}.json"])
