"""A points race of 24 riders over 80 laps and a tempo race of 8 over 12 from device bytes
(three P3 loops, the photo-finish camera) and the desk's and judges' commands
(tests/scoring/scenarios/points_race.py, where every figure is worked out by hand): the offline
replay gives those results, the same bytes every time; the live table moves with the sprints
the judges have not confirmed yet, flagged."""

import json
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.scoring.live import replayed_files
from tests.scoring.scenarios import points_race as scenario
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import Correct, SprintDecision
from velotime.wire.events import CommandData, decode_event

# Two races of 80 and 12 laps replayed: about 2 s of work, shared by the module's tests.
pytestmark = pytest.mark.slow


class Replayed(NamedTuple):
    files: dict[str, bytes]  # run "a"'s result files
    again: dict[str, bytes]  # run "b"'s
    events: Path  # the events the replay decoded


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Replayed:
    directory = tmp_path_factory.mktemp("points")
    files, events = replay(directory, "a")
    return Replayed(files, replay(directory, "b")[0], events)


def replay(tmp_path: Path, run: str) -> tuple[dict[str, bytes], Path]:
    capture = tmp_path / "points.capture.jsonl"
    if not capture.exists():
        scenario.write_capture(tmp_path)
        scenario.write_meet(tmp_path)
    return replayed_files(capture, tmp_path / "points.meet.toml", tmp_path / run)


def test_a_points_race_with_a_photo_finish_a_lap_gained_a_lap_lost_and_an_abandon(
    replayed: Replayed,
) -> None:
    files = replayed.files
    assert replayed.again == files  # byte-identical
    result: dict[str, Any] = json.loads(files[f"{scenario.POINTS}.json"])
    assert result["status"] == "final"
    assert result["discipline"] == "points_race"
    assert [scenario.line_of(line) for line in result["lines"]] == scenario.EXPECTED
    assert [line.get("lap_points") for line in result["lines"]][:1] == [20]
    assert result["sprints"] == scenario.EXPECTED_SPRINTS
    assert result["sprint_board"] == {
        "sprints": 8, "contested": 8, "sprints_to_go": 0, "next_sprint": None,
        "next_sprint_lap": None,
    }  # fmt: skip
    assert result["lap_changes"] == [
        {"bib": 7, "change": 1, "lap": 26},
        {"bib": 15, "change": -1, "lap": 53},
    ]
    assert result["problems"] == scenario.EXPECTED_PROBLEMS
    assert all("unconfirmed" not in line.get("flags", []) for line in result["lines"])
    audit = [(entry["type"], entry.get("number")) for entry in result["audit"]]
    assert audit.count(("sprint", 4)) == 1
    (refused,) = [entry for entry in result["audit"] if entry["type"] == "refused"]
    assert refused["command"]["number"] == 9
    assert "the race has 8 sprints" in refused["reason"]


def test_a_tempo_race_with_a_lap_gained_started_by_its_neutral_lap(replayed: Replayed) -> None:
    files = replayed.files
    result: dict[str, Any] = json.loads(files[f"{scenario.TEMPO}.json"])
    assert result["status"] == "final"
    assert result["discipline"] == "tempo"
    assert [scenario.tempo_line_of(line) for line in result["lines"]] == scenario.EXPECTED_TEMPO
    winners = [sprint["placings"][0] for sprint in result["sprints"]]
    assert winners == [[bib] for bib in scenario.EXPECTED_TEMPO_WINNERS]
    assert all(sprint["confirmed"] for sprint in result["sprints"])  # by the `final`
    assert result["lap_changes"] == [{"bib": 31, "change": 1, "lap": 6}]
    assert result["lap_board"]["finished"]


def results_at(events_path: Path, moments: list[int]) -> dict[int, dict[str, Any]]:
    """The points race's result after the last event before each moment (seconds after its
    start), the events the replay decoded fed one by one to the engine as the service does."""
    engine = ScoringEngine(
        parse_meet(scenario.meet_text()), {"finish": 0, "200m": 200, "100m": 100}, 250
    )
    left = sorted(moments)
    seen: dict[int, dict[str, Any]] = {}
    for raw in events_path.read_bytes().splitlines():
        event = decode_event(raw)
        data = event.data
        at_us = data.received_us if isinstance(data, CommandData) else getattr(data, "t_us", 0)
        at_us = at_us or getattr(data, "received_us", 0) or 0
        while left and at_us > scenario.S + left[0] * scenario.SECOND:
            seen[left.pop(0)] = engine.results(scenario.POINTS)
        engine.feed(event)
    return seen


def test_the_live_table_counts_the_sprints_not_yet_confirmed(replayed: Replayed) -> None:
    """Worked out from the scenario's docstring: at S + 170 s sprint 1 (1, 2, 3, 4: 5-3-2-1) is
    proposed, not confirmed: the table has it, those four flagged "unconfirmed", and the next
    sprint is 2 at lap 20. At S + 645 s sprint 4's loops have 10 and 11 10 ms apart (photo
    required), no camera yet: 10 first; at S + 655 s the camera's 11, 10, 12, 13 stands. At
    S + 1130 s the loops' sprint 7 is 5, 18, 19, 1, and 3 not read."""
    seen = results_at(replayed.events, [170, 645, 655, 1130])
    at_170 = seen[170]
    lines = {line["bib"]: line for line in at_170["lines"]}
    assert [lines[bib]["points"] for bib in (1, 2, 3, 4, 5)] == [5, 3, 2, 1, 0]
    assert lines[1]["flags"] == ["unconfirmed"]
    assert "flags" not in lines[5]
    assert at_170["sprint_board"] == {
        "sprints": 8, "contested": 1, "sprints_to_go": 7, "next_sprint": 2,
        "next_sprint_lap": 20,
    }  # fmt: skip
    assert [s["confirmed"] for s in at_170["sprints"]] == [False]
    sprint_4 = seen[645]["sprints"][3]
    assert sprint_4["placings"] == [[10], [11], [12], [13]]
    assert sprint_4["photo_required"] == [10, 11]
    assert seen[655]["sprints"][3]["placings"] == [[11], [10], [12], [13]]
    assert seen[655]["sprints"][3]["photo_required"] == []
    sprint_7 = seen[1130]["sprints"][6]
    assert sprint_7["placings"] == [[5], [18], [19], [1]]
    assert any(text.startswith("not read: 3:") for text in sprint_7["attention"])


def test_the_judges_word_on_a_sprint_is_answered_or_refused_with_the_reason(
    replayed: Replayed,
) -> None:
    """At S + 170 s sprint 1 (lap 10) is contested, sprint 2 (lap 20) not yet; the points race
    judges 4 places, the race has 24 riders, bibs 1 to 24 (the scenario's docstring)."""
    events_path = replayed.events
    engine = ScoringEngine(
        parse_meet(scenario.meet_text()), {"finish": 0, "200m": 200, "100m": 100}, 250
    )
    for raw in events_path.read_bytes().splitlines():
        event = decode_event(raw)
        data = event.data
        at_us = data.received_us if isinstance(data, CommandData) else getattr(data, "t_us", 0)
        if at_us and at_us > scenario.S + 170 * scenario.SECOND:
            break
        engine.feed(event)
    race = scenario.POINTS

    def word(number: int, placings: list[list[int]], reason: str = "video") -> str | None:
        return engine.take_command(
            SprintDecision(event=race, number=number, placings=placings, reason=reason)
        )

    assert word(2, []) == f"{race}: sprint 2 (lap 20) is not contested yet: nothing to judge"
    assert word(9, []) == f"{race}: sprint 9: the race has 8 sprints"
    assert word(1, [[1], [2], [1]]) == f"{race}: sprint 1: a bib is placed twice by the judges"
    assert word(1, [[1], [2], [3], [4], [5]]) == (
        f"{race}: sprint 1: the judges place 5 riders in more places than the 4 this sprint judges"
    )
    assert word(1, [[1], [99], [2], [3]]) == f"{race}: sprint 1: bib(s) [99] not in the race"
    correct = Correct(event=race, bib=3, place=1, reason="photo")
    assert engine.take_command(correct) == (
        f"{race}: the places come from the points: correct a sprint (velotime ctl sprint) or "
        "a lap change (velotime ctl lap-change)"
    )
    # The judges' placings: 2 and 1 level first (a dead heat), 4 third, 3 fourth.
    assert word(1, [[2, 1], [4], [3]]) is None
    lines = {line["bib"]: line for line in engine.results(race)["lines"]}
    assert [lines[bib]["points"] for bib in (1, 2, 4, 3)] == [5, 5, 2, 1]
    assert "flags" not in lines[1]  # confirmed by the judges
    sprint_1 = engine.results(race)["sprints"][0]
    assert sprint_1["confirmed"]
    assert sprint_1["placings"] == [[2, 1], [4], [3]]


def test_the_judges_may_place_only_the_front_of_the_final_sprint(replayed: Replayed) -> None:
    """At S + 1300 s the final sprint (lap 80) is crossed by all, not yet confirmed (the
    scenario's docstring: its order across the line is `FINAL_ORDER`, 8, 4, 1, 9 first). The
    judges give only its four, 4 and 8 the other way round: the others follow in the loops'
    order, so every rider keeps a final sprint place (2 5th, 15 23rd); 4 takes the 10 points,
    8 the 6: 4 1 + 5 + 10 = 16, 8 3 + 6 = 9 (the module docstring's sums, the final sprint's 10
    and 6 swapped)."""
    engine = ScoringEngine(
        parse_meet(scenario.meet_text()), {"finish": 0, "200m": 200, "100m": 100}, 250
    )
    for raw in replayed.events.read_bytes().splitlines():
        event = decode_event(raw)
        data = event.data
        at_us = data.received_us if isinstance(data, CommandData) else getattr(data, "t_us", 0)
        if at_us and at_us > scenario.S + 1300 * scenario.SECOND:
            break
        engine.feed(event)
    race = scenario.POINTS
    decision = SprintDecision(event=race, number=8, placings=[[4], [8], [1], [9]], reason="video")
    assert engine.take_command(decision) is None
    result = engine.results(race)
    rest = [bib for bib in scenario.FINAL_ORDER if bib not in (4, 8, 1, 9)]
    assert result["sprints"][7]["placings"] == [[4], [8], [1], [9], *([bib] for bib in rest)]
    lines = {line["bib"]: line for line in result["lines"]}
    assert [lines[bib]["final_sprint_place"] for bib in (4, 8, 2, 15)] == [1, 2, 5, 23]
    assert [lines[bib]["points"] for bib in (4, 8)] == [16, 9]
