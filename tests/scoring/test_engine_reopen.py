"""`reopen`: a final result made provisional again (a protest upheld), audited with its reason;
refused, with the reason, where there is nothing to reopen or where reopening would leave a
keirin round's draw standing on a result that may change."""

from pathlib import Path

from tests.scoring.scenarios import keirin
from tests.scoring.scenarios.keirin import COMPETITION, FINAL_7_12, R1H1
from tests.scoring.test_engine_corrections import flying_200, lines
from velotime.replay.replayer import Replayer
from velotime.replay.sinks import JsonLinesSink
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import Correct, Final, Provisional, Reopen
from velotime.wire.results import Standings


def test_a_reopened_result_takes_a_correction_and_keeps_its_timing() -> None:
    """tests/scoring/test_engine_corrections.py's flying 200 m: 1 rides 10.724, 2's finish is
    missed (no time), 3 rides 10.900; 2 qualify. Made final, its evidence is let go; reopened,
    the timing of 1 and 3 still stands, and the hand time of 2 (10.800) ranks 2 between them:
    2 now qualifies, 3 no longer does."""
    scoring = flying_200()
    before = lines(scoring, "f")
    scoring.command(Final(event="f"))
    hand_time = Correct(event="f", bib=2, time="10.800", reason="finish cell missed; hand")
    assert scoring.take_command(hand_time) == (
        "f is final: reopen it first (velotime ctl reopen f --reason ...)"
    )
    assert scoring.take_command(Reopen(event="f", reason="protest upheld"), 5) is None
    assert scoring.results("f")["status"] == "provisional"
    assert lines(scoring, "f") == before  # the same result, worked out again from the evidence
    assert scoring.take_command(hand_time, 6) is None
    assert lines(scoring, "f") == [
        (1, 1, "10.724", ["qualified"], 2),
        (2, 2, "10.800", ["qualified", "corrected"], 0),
        (3, 3, "10.900", [], 2),
    ]
    audit = scoring.results("f")["audit"]
    assert [(entry["type"], entry.get("at_us")) for entry in audit] == [
        ("refused", None),  # the correction sent while final (no time given here)
        ("reopen", 5),
        ("correct", 6),
    ]
    assert audit[1]["reason"] == "protest upheld"
    scoring.command(Final(event="f"))
    assert scoring.results("f")["status"] == "final"


def test_only_a_final_result_is_reopened() -> None:
    scoring = flying_200()
    reason = scoring.take_command(Reopen(event="f", reason="protest"))
    assert reason == "f is not final (it is running): there is nothing to reopen"
    scoring.command(Provisional(event="f"))
    assert scoring.take_command(Reopen(event="f", reason="protest")) == (
        "f is not final (it is provisional): there is nothing to reopen"
    )


def replayed_keirin(tmp_path: Path) -> ScoringEngine:
    """tests/scoring/scenarios/keirin.py's competition, replayed to its end: every heat final."""
    capture = keirin.write_capture(tmp_path)
    replayer = Replayer(JsonLinesSink(None), parse_meet(keirin.meet_text()))
    for chunk in replayer.file_chunks(capture, None):
        replayer.feed(chunk, output=False)
    assert replayer.engine is not None
    return replayer.engine


def test_a_keirin_heat_whose_round_drew_the_next_is_not_reopened(tmp_path: Path) -> None:
    """Round 1 drew the finals 1-6 and 7-12 (their start lists follow from its places): a
    round 1 heat is refused. A final heat drew nothing: it reopens, the competition's
    standings are running again, and final again with it."""
    scoring = replayed_keirin(tmp_path)
    reason = scoring.take_command(Reopen(event=R1H1, reason="protest"))
    assert reason == (
        f"{R1H1} is final and its round already drew the next heats (keirin-m-final-1-6, "
        f"{FINAL_7_12}): reopening it would leave that draw standing; a protest that changes "
        "who goes on must be settled before those heats are drawn"
    )
    assert scoring.results(R1H1)["status"] == "final"
    assert scoring.take_command(Reopen(event=FINAL_7_12, reason="protest upheld")) is None
    assert standings_status(scoring) == "running"
    scoring.command(Final(event=FINAL_7_12))
    assert standings_status(scoring) == "final"


def standings_status(scoring: ScoringEngine) -> str:
    (standings,) = [p.message for p in scoring.snapshot() if p.key == f"standings/{COMPETITION}"]
    assert isinstance(standings, Standings)
    return standings.status
