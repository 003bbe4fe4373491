"""An elimination race of 12 riders to the last two from device bytes (three P3 loops, the
FinishLynx camera) and the commissaires' commands (tests/scoring/scenarios/elimination.py, where
every figure is worked out by hand): the offline replay gives that result, the same bytes every
time, and the lap board, who is still in and the sprint awaiting the commissaires, as the
scoring service publishes them along the way, are the ones worked out for each moment."""

import json
from datetime import UTC
from pathlib import Path
from typing import Any

import msgspec

from tests.scoring.live import replayed_files
from tests.scoring.scenarios import elimination
from velotime.scoreboards.web.sheets import result_sheet_html
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import Eliminate, GreenFlag
from velotime.wire.events import CommandData, PhotoFinishData, decode_event
from velotime.wire.results import EventResult

SCENARIO = elimination


def replay(tmp_path: Path, run: str) -> tuple[dict[str, bytes], Path]:
    capture = tmp_path / "elimination.capture.jsonl"
    if not capture.exists():
        elimination.write_capture(tmp_path)
        elimination.write_meet(tmp_path)
    return replayed_files(capture, tmp_path / "elimination.meet.toml", tmp_path / run)


def test_an_elimination_race_to_the_last_two(tmp_path: Path) -> None:
    """Green flag, an abandon, the camera's last place, the commissaires' own elimination and
    a missed read: the places and how each rider went out are the docstring's."""
    files, _ = replay(tmp_path, "a")
    assert replay(tmp_path, "b")[0] == files  # byte-identical
    result: dict[str, Any] = json.loads(files[f"{elimination.EVENT}.json"])
    assert result["status"] == "final"
    assert result["discipline"] == "elimination"
    assert [elimination.line_of(line) for line in result["lines"]] == elimination.EXPECTED
    assert result["problems"] == elimination.EXPECTED_PROBLEMS
    assert result["lap_board"] == elimination.board(24, 0)
    assert result["elimination"] == {
        "still_in": [], "due": [], "sprints_to_go": 0, "next_sprint": None,
        "next_sprint_lap": None, "pending": [],
    }  # fmt: skip
    audit = [(entry["type"], entry.get("sprint")) for entry in result["audit"]]
    assert audit == [
        ("start", None), ("eliminate", 1), ("green_flag", 2), ("eliminate", 3),
        ("status", None), *[("eliminate", n) for n in range(4, 12)],
    ]  # fmt: skip
    # The result sheet gives the elimination order and what each decision did.
    payload = msgspec.json.decode(files[f"{elimination.EVENT}.json"], type=EventResult)
    sheet = result_sheet_html(payload, meet="m", venue="v", zone=UTC, generated_us=elimination.S)
    for words in ("Elimination race", "Sprint 5: 8 Rider 8 (last)",
                  "Sprint 6: 3 Rider 3 (commissaires)", "Sprint 4: 10 Rider 10 (abandoned)",
                  "green flag at sprint 2: nobody out", "out at sprint 6"):  # fmt: skip
        assert words in sheet, words


def test_the_race_as_it_is_ridden(tmp_path: Path) -> None:
    """The events the replay decoded, fed one by one to the engine as the scoring service
    does: at each moment of `elimination.BOARDS`, the lap board, who is still in, the sprints
    to go and the sprint awaiting the commissaires with its proposal; at 164 s the loops alone
    judge the close last place (8 and 9 photo required), at 166 s the camera's block does; at
    the end the replay's result, byte for byte."""
    files, events_path = replay(tmp_path, "a")
    engine = ScoringEngine(
        parse_meet(elimination.meet_text()), {"finish": 0, "200m": 200, "100m": 100}, 250
    )
    moments = sorted(elimination.BOARDS)
    seen: dict[int, dict[str, Any]] = {}
    for raw in events_path.read_bytes().splitlines():
        event = decode_event(raw)
        data = event.data
        # Commands and the camera's entries when they came; timing when it happened.
        received = isinstance(data, CommandData | PhotoFinishData)
        at_us = (data.received_us if received else getattr(data, "t_us", 0)) or 0
        while moments and at_us > elimination.S + moments[0] * elimination.SECOND:
            seen[moments.pop(0)] = engine.results(elimination.EVENT)
        engine.feed(event)
    assert sorted(seen) == sorted(elimination.BOARDS)
    for moment, (board, still_in, to_go, pending) in elimination.BOARDS.items():
        result = seen[moment]
        assert result["lap_board"] == board, moment
        assert result["elimination"]["still_in"] == still_in, moment
        assert result["elimination"]["sprints_to_go"] == to_go, moment
        waiting = [(p["sprint"], p["proposed"]) for p in result["elimination"]["pending"]]
        assert waiting == ([pending] if pending else []), moment
    assert seen[164]["elimination"]["pending"][0]["photo_required"] == [8, 9]
    assert seen[166]["elimination"]["pending"][0]["photo_required"] == []
    final = engine.results(elimination.EVENT)
    assert json.dumps(final, sort_keys=True) == json.dumps(
        json.loads(files[f"{elimination.EVENT}.json"]), sort_keys=True
    )


def test_the_commissaires_word_is_refused_with_its_reason(tmp_path: Path) -> None:
    """A sprint not ridden yet (at 37 s the leader has ridden 2 laps: sprint 3 is at lap 6), a
    sprint before one already decided, a rider already out and the final by `eliminate` (at
    381 s, sprints 1 to 11 decided, the final ridden at lap 24) are refused, each with a reason
    a commissaire understands (worked out from the race's state at that moment)."""
    _, events_path = replay(tmp_path, "a")
    engine = ScoringEngine(
        parse_meet(elimination.meet_text()), {"finish": 0, "200m": 200, "100m": 100}, 250
    )
    event_id = elimination.EVENT
    refusals: dict[str, str | None] = {}
    for raw in events_path.read_bytes().splitlines():
        event = decode_event(raw)
        data = event.data
        at_us = data.received_us if isinstance(data, CommandData) else getattr(data, "t_us", 0)
        if at_us is not None and at_us > elimination.S + 37 * elimination.SECOND and not refusals:
            refusals["not ridden"] = engine.take_command(GreenFlag(event=event_id, sprint=3))
        late = at_us is not None and at_us > elimination.S + 390 * elimination.SECOND
        if late and "final" not in refusals:
            take = engine.take_command
            refusals["final"] = take(Eliminate(event=event_id, sprint=12, bib=1))
            refusals["gone"] = take(Eliminate(event=event_id, sprint=11, bib=12))
            refusals["decided"] = take(GreenFlag(event=event_id, sprint=10))
        engine.feed(event)
    assert refusals["decided"] == (
        f"{event_id}: sprint 11 is decided already: sprint 10 before it can no longer change"
    )
    assert refusals["not ridden"] == (
        f"{event_id}: sprint 3 is contested at lap 6; the leader has ridden 2"
    )
    assert refusals["final"] == (
        f"{event_id}: sprint 12 is the final, placed by its order across the line "
        "(correct --place 1 or 2 to change it)"
    )
    assert refusals["gone"] == f"{event_id}: bib 12 is no longer in the race (out at sprint 1)"
