"""A crash in the omnium's scratch race's last kilometre (3.2.251 ter), from device bytes.

The omnium's scratch race of tests/scoring/scenarios/omnium_races.py (12 riders, 10 laps of a
250 m track: the last kilometre is the last 4 laps; rider 5 gains a lap, confirmed at
S + 130 s), but riders 4, 6 and 10 come down in the last lap: read at the bell (passage 9,
144 s) and never again. The desk says so at S + 150 s (`status crashed`, `velotime ctl status
EVENT BIB crash-last-km`).

Worked out by hand: across the line (laps gained first, 3.2.178): 5, then 7, 2, 1, 9, 3, 8,
11, 12 (the bunch's sprint less 4, 6, 10): places 1 to 9. The three crashed share the next
free place, 10th (9 finished + 1), and its points, 42 - 2 x 10 = 22 (3.2.250, 3.2.251 ter).
Points: 5 40, 7 38, 2 36, 1 34, 9 32, 3 30, 8 28, 11 26, 12 24, 4 6 10 22 each.
The scratch's own result (3.2.182): the nine ranked, then 4, 6, 10 unranked, "crashed".

Refused, with the reason: the same decision at S + 50 s (lap 3: 7 laps, 1750 m, to go), and
in the tempo race (no scratch race).
"""

from pathlib import Path

from tests.scoring.scenarios import devices, omnium, omnium_races, scratch
from tests.scoring.scenarios.devices import command
from tests.scoring.scenarios.points_race import loop_reads
from tests.scoring.test_scenario_omnium import replayed_events, rows
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire import commands
from velotime.wire.results import OmniumStandings, Status

SECOND = omnium_races.SECOND
SCRATCH, TEMPO = omnium_races.SCRATCH, omnium_races.TEMPO
S = omnium_races.S
CRASHED = (4, 6, 10)


def crash(at_s: int, bib: int, event: str = SCRATCH) -> tuple[int, commands.Command]:
    return (
        S + at_s * SECOND,
        commands.SetStatus(event=event, bib=bib, status="crashed", reason="down in the last lap"),
    )


def write_capture(directory: Path) -> Path:
    passages = omnium_races.scratch_passages()
    for bib in CRASHED:  # the neutral lap's passage is added by loop_reads: 0..9 is the bell
        passages[bib] = passages[bib][:10]
    end = S + omnium_races.head_us(10)
    desk: list[tuple[int, commands.Command]] = [
        (S - 120 * SECOND, commands.Arm(event=SCRATCH)),
        (S + 1 * SECOND, commands.Start(event=SCRATCH)),
        crash(50, 4),
        crash(60, 4, TEMPO),
        (S + 130 * SECOND, commands.LapChangeDecision(event=SCRATCH, bib=5, change=1)),
        *[crash(150, bib) for bib in CRASHED],
        (end + 60 * SECOND, commands.Provisional(event=SCRATCH)),
    ]
    return devices.write_loop_capture(
        directory / "crash.capture.jsonl",
        scratch.DECODERS,
        sorted(loop_reads(S, passages, CRASHED)),
        scratch.TRANSPONDER,
        [command(t, value) for t, value in sorted(desk, key=lambda c: c[0])],
        opened_us=S - 300 * SECOND,
    )


def test_riders_down_in_the_scratch_races_last_km_share_the_next_free_place(
    tmp_path: Path,
) -> None:
    text = omnium_races.meet_text()
    engine = ScoringEngine(parse_meet(text), {"finish": 0, "200m": 200, "100m": 100}, 250)
    for event in replayed_events(tmp_path, text, write_capture(tmp_path)):
        engine.feed(event)
    reasons = [(r.command, r.reason) for r in engine.refused]
    assert [c for c, _ in reasons] == [crash(50, 4)[1], crash(60, 4, TEMPO)[1]]
    assert "7 laps (1750 m) to go" in reasons[0][1]
    assert "3.2.251 ter" in reasons[0][1]
    assert f"{TEMPO} is a tempo" in reasons[1][1]

    result = engine.results(SCRATCH)
    assert result["status"] == "provisional"
    lines = [(line.get("rank"), line["bib"], line.get("status", "")) for line in result["lines"]]
    assert lines == [
        *[(rank, bib, "") for rank, bib in enumerate([5, 7, 2, 1, 9, 3, 8, 11, 12], 1)],
        *[(None, bib, Status.CRASHED.value) for bib in CRASHED],
    ]

    (published,) = [p.message for p in engine.snapshot() if p.key == f"standings/{omnium.OMNIUM}"]
    assert isinstance(published, OmniumStandings)
    assert rows(published) == omnium_races.standings(
        "1 5 40, 2 7 38, 3 2 36, 4 1 34, 5 9 32, 6 3 30, "
        "7 8 28, 8 11 26, 9 12 24, 10 4 22, 10 6 22, 10 10 22"
    )
    for line in published.lines:
        if line.bib in CRASHED:
            score = line.races[0]
            assert score is not None
            assert (score.place, score.points, score.status) == (10, 22, "crashed")
