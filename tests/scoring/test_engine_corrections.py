"""Corrections through the engine: a time the commissaires set replaces the measured one, is
ranked by the rules like any other, and says so; a place settles a draw. Every correction is in
the result's audit trail, and a correction the engine cannot apply is skipped with the reason."""

from typing import Any

from tests.scoring.events import impulse
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import Arm, Correct, NextRider, SetStatus

MEET = """
[meet]
id = "m"
[[riders]]
bib = 1
name = "Ana"
[[riders]]
bib = 2
name = "Ben"
[[riders]]
bib = 3
name = "Cas"
[[events]]
id = "f"
discipline = "flying200"
start_order = [1, 2, 3]
qualify = 2
[[events]]
id = "km"
discipline = "time_trial"
distance_m = 500
start_order = [1, 2]
"""


def engine() -> ScoringEngine:
    return ScoringEngine(parse_meet(MEET), {"finish": 0, "100m": 100, "200m": 200})


def lines(scoring: ScoringEngine, event: str) -> list[tuple[Any, ...]]:
    return [
        (x["rank"], x["bib"], x.get("time"), x.get("flags", []), len(x.get("splits", [])))
        for x in scoring.results(event)["lines"]
    ]


def flying_200() -> ScoringEngine:
    """1 rides 10.724 (5.500 + 5.224); 2's finish photocell is missed, so 2's finish goes to
    nobody and 2 has no time; 3 rides 10.900."""
    scoring = engine()
    scoring.command(Arm(event="f"))
    timeline = [("200m", 0), ("100m", 5_500_000), ("finish", 10_724_600),
                ("200m", 30_000_000), ("100m", 35_400_000),
                ("200m", 60_000_000), ("100m", 65_500_000), ("finish", 70_900_000)]  # fmt: skip
    for line, t_us in timeline:
        scoring.feed(impulse(line, t_us))
    return scoring


def test_a_time_from_the_backup_timing_ranks_the_rider_and_says_so() -> None:
    scoring = flying_200()
    scoring.command(Correct(event="f", bib=2, time="10.800", reason="finish cell missed; hand"))
    # 10.724 < 10.800 < 10.900; 2's line has no splits (the measured 100 m no longer goes with
    # the time) and is marked; 2 qualifies (2 go on), 3 does not.
    assert lines(scoring, "f") == [
        (1, 1, "10.724", ["qualified"], 2),
        (2, 2, "10.800", ["qualified", "corrected"], 0),
        (3, 3, "10.900", [], 2),
    ]
    (entry,) = scoring.results("f")["audit"]
    assert (entry["type"], entry["bib"], entry["time"]) == ("correct", 2, "10.800")
    assert entry["reason"] == "finish cell missed; hand"
    # Withdrawn: 2 has no time again (the audit keeps both).
    scoring.command(Correct(event="f", bib=2, reason="the cell's impulse was found"))
    assert [line[1] for line in lines(scoring, "f")] == [1, 3]
    assert len(scoring.results("f")["audit"]) == 2


def test_a_corrected_time_equal_to_a_measured_one_is_a_draw_then_the_lots_part_them() -> None:
    scoring = flying_200()
    # No last 100 m to compare with a set time: a draw; 2 places share 1st, both qualify.
    scoring.command(Correct(event="f", bib=2, time="10.724", reason="hand timing"))
    assert lines(scoring, "f")[:2] == [
        (1, 1, "10.724", ["draw required", "qualified"], 2),
        (1, 2, "10.724", ["draw required", "qualified", "corrected"], 0),
    ]
    scoring.command(Correct(event="f", bib=2, place=1, reason="lots drawn"))
    assert lines(scoring, "f")[:2] == [
        (1, 2, "10.724", ["qualified", "corrected"], 0),
        (2, 1, "10.724", ["qualified"], 2),
    ]
    # Withdrawing 2's corrections withdraws both: 2 has no time again.
    scoring.command(Correct(event="f", bib=2, reason="wrong rider"))
    assert [line[1] for line in lines(scoring, "f")] == [1, 3]


def test_a_time_trial_total_set_by_the_commissaires() -> None:
    scoring = engine()
    scoring.command(Arm(event="km"))
    scoring.command(NextRider(event="km", bib=1))
    scoring.feed(impulse("start", 0))
    scoring.feed(impulse("finish", 14_000_000))
    scoring.feed(impulse("finish", 31_500_400))  # 500 m on 250 m: 2 crossings; 31.500
    scoring.command(NextRider(event="km", bib=2))  # the gate fails: no start impulse
    scoring.command(Correct(event="km", bib=2, time="31.400", reason="gate failed; camera"))
    assert lines(scoring, "km") == [
        (1, 2, "31.400", ["corrected"], 0),
        (2, 1, "31.500", [], 2),
    ]


def test_corrections_the_engine_cannot_apply_are_skipped_with_the_reason() -> None:
    """Bib 99 rides nowhere in the meet (riders 1-3): both commands are refused, change no
    line, and are kept in the event's audit trail marked refused, with the reason."""
    scoring = flying_200()
    before = scoring.results("f")["lines"]
    assert scoring.take_command(Correct(event="f", bib=99, time="10.000", reason="x")) == (
        "no rider with bib 99 in f (its riders: 1, 2, 3)"
    )
    assert scoring.take_command(SetStatus(event="f", bib=99, status="DSQ")) is not None
    assert any("no rider with bib 99" in reason for reason in scoring.skipped_commands)
    assert scoring.results("f")["lines"] == before
    audit = scoring.results("f")["audit"]
    assert [(entry["type"], entry["command"]["type"]) for entry in audit] == [
        ("refused", "correct"),
        ("refused", "status"),
    ]
    assert audit[0]["reason"] == "no rider with bib 99 in f (its riders: 1, 2, 3)"
