"""A scratch race through the scoring engine: the desk's lap-board commands in their place
among the passings, and the commands refused with their reason. Expected values by hand."""

from tests.scoring.events import command, passing
from tests.scoring.scenarios.devices import riders_toml
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import (
    Arm,
    Correct,
    Final,
    LapChangeDecision,
    Neutralise,
    Reopen,
    SetLaps,
    Start,
)

T0 = 1_795_250_000_000_000
S = 1_000_000
RIDERS = [1, 2, 3]


def engine() -> ScoringEngine:
    riders = riders_toml({bib: (f"Rider {bib}", "NED", 9000 + bib) for bib in [*RIDERS, 9]})
    meet = parse_meet(
        f'[meet]\nid = "t"\n{riders}'
        f'[[events]]\nid = "s"\ndiscipline = "scratch"\nriders = {RIDERS}\nlaps = 10\n'
        '[[events]]\nid = "f"\ndiscipline = "flying200"\nstart_order = [1, 2]\n'
    )
    return ScoringEngine(meet, {"finish": 0, "200m": 200}, 250)


def lap(engine: ScoringEngine, at_us: int, riders: list[int] = RIDERS) -> None:
    for bib in riders:
        engine.feed(passing("finish", at_us + (bib - 1) * 300_000, 9000 + bib))


def test_the_lap_boards_commands_apply_where_they_came_among_the_passings() -> None:
    """Three riders on 16 s laps, `start` 1 s after their passage at T0 (lap 0). The finish
    loop (the only one) misses rider 2 on lap 2: after lap 3 the loops give 3, 2, 3. The
    commissaires set rider 2's laps to 3 at 50 s: 3, 3, 3; after lap 4 (64 s), 4 each. The
    race is neutralised for 1 lap at 70 s: the passages at 80 s are not counted: still 4 each,
    10 - 4 = 6 to go, no neutral lap left to ride."""
    scoring = engine()
    scoring.command(Arm(event="s"), T0 - 60 * S)
    lap(scoring, T0)
    scoring.feed(command(Start(event="s"), T0 + S))
    lap(scoring, T0 + 16 * S)
    lap(scoring, T0 + 32 * S, [1, 3])
    lap(scoring, T0 + 48 * S)
    assert {line["bib"]: line["laps"] for line in scoring.results("s")["lines"]} == {
        1: 3, 2: 2, 3: 3,
    }  # fmt: skip
    scoring.feed(command(SetLaps(event="s", bib=2, laps=3, reason="loop fault"), T0 + 50 * S))
    lap(scoring, T0 + 64 * S)
    scoring.feed(command(Neutralise(event="s", laps=1, reason="crash"), T0 + 70 * S))
    board = scoring.results("s")["lap_board"]
    assert (board["laps_to_go"], board["neutralised"]) == (6, 1)
    lap(scoring, T0 + 80 * S)
    result = scoring.results("s")
    assert {line["bib"]: line["laps"] for line in result["lines"]} == {1: 4, 2: 4, 3: 4}
    assert (result["lap_board"]["laps_to_go"], result["lap_board"]["neutralised"]) == (6, 0)
    assert [entry["type"] for entry in result["audit"]] == ["start", "laps", "neutralise"]
    assert result["lap_proposals"] == []  # all on one lap: nothing to propose


def test_commands_a_scratch_race_cannot_take_are_refused_with_the_reason() -> None:
    scoring = engine()
    scoring.command(Arm(event="s"), T0)
    scoring.command(SetLaps(event="s", bib=9, laps=3, reason="x"), T0)
    scoring.command(Correct(event="s", bib=1, time="10.000", reason="x"), T0)
    scoring.command(Correct(event="s", bib=1, place=4, reason="x"), T0)
    scoring.command(Neutralise(event="f", laps=1), T0)
    scoring.command(LapChangeDecision(event="s", bib=1, change=-1, dismiss=True), T0)
    assert scoring.skipped_commands == [
        "no rider with bib 9 in s (its riders: 1, 2, 3)",
        "s: a scratch race has no times to correct (bib 1)",
        "s: place 4 in a race of 3 riders: a place is 1 to 3",
        "f is a flying200: it has no lap board (a bunch race has)",
    ]
    # Nothing to set aside: said in the result's problems.
    assert scoring.results("s")["problems"] == ["bib 1: no -1 lap proposal to set aside"]


def test_a_reopened_scratch_race_counts_its_laps_again_as_before() -> None:
    """Final lets the race's evidence go, packed; a reopening (a protest) unpacks it, the
    commissaires' count and the neutralisation included: the same laps and board as before."""
    scoring = engine()
    scoring.command(Arm(event="s"), T0 - 60 * S)
    lap(scoring, T0)
    scoring.feed(command(Start(event="s"), T0 + S))
    lap(scoring, T0 + 16 * S)
    lap(scoring, T0 + 32 * S, [1, 3])
    scoring.feed(command(SetLaps(event="s", bib=2, laps=2, reason="loop fault"), T0 + 40 * S))
    scoring.feed(command(Neutralise(event="s", laps=1, reason="crash"), T0 + 41 * S))
    lap(scoring, T0 + 48 * S)
    before = scoring.results("s")
    assert {line["bib"]: line["laps"] for line in before["lines"]} == {1: 2, 2: 2, 3: 2}
    scoring.command(Final(event="s"), T0 + 60 * S)
    scoring.command(Reopen(event="s", reason="protest"), T0 + 70 * S)
    after = scoring.results("s")
    assert after["status"] == "provisional"
    assert after["lines"] == before["lines"]
    assert after["lap_board"] == before["lap_board"]


def test_a_command_received_before_the_passings_read_before_it_applies_after_them() -> None:
    """The decoders' clock ahead of the daemon's (as in `velotime demo`, whose devices run
    50 times faster than the daemon's clock): the `start` comes after the passage at T0 but is
    received at T0 - 100 s, the `neutralise` after the passages at 32 s but received at
    T0 - 50 s. Each applies where it came among the passings, as if received with the latest
    of them: laps from the passage at T0, the lap to 48 s neutralised (ridden, not counted).
    After 32 s: 2 laps each, the neutralised lap still to ride; after 64 s: 3 laps (16, 32,
    64 s), 7 to go."""
    scoring = engine()
    scoring.command(Arm(event="s"), T0 - 200 * S)
    lap(scoring, T0)
    scoring.feed(command(Start(event="s"), T0 - 100 * S))
    lap(scoring, T0 + 16 * S)
    lap(scoring, T0 + 32 * S)
    scoring.feed(command(Neutralise(event="s", laps=1, reason="crash"), T0 - 50 * S))
    result = scoring.results("s")
    assert {line["bib"]: line["laps"] for line in result["lines"]} == {1: 2, 2: 2, 3: 2}
    assert result["lap_board"]["neutralised"] == 1
    lap(scoring, T0 + 48 * S)
    lap(scoring, T0 + 64 * S)
    result = scoring.results("s")
    assert {line["bib"]: line["laps"] for line in result["lines"]} == {1: 3, 2: 3, 3: 3}
    assert (result["lap_board"]["laps_to_go"], result["lap_board"]["neutralised"]) == (7, 0)
