"""An elimination race through the scoring engine, on the finish loop only: the schedule from
the meet file's override, the commissaires' decisions in their place among the passings, a
lapped rider due at the next sprint, the final's order corrected, and the commands refused with
their reason. Expected values by hand in each docstring."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.scoring.events import command, passing
from tests.scoring.scenarios.devices import riders_toml
from velotime.scoring.engine import ScoringEngine
from velotime.scoring.meet import parse_meet
from velotime.wire.commands import (
    Arm,
    Correct,
    Eliminate,
    GreenFlag,
    LapChangeDecision,
    Start,
)

T0 = 1_795_250_000_000_000
S = 1_000_000
RIDERS = [1, 2, 3, 4]


def engine(laps: str = "") -> ScoringEngine:
    riders = riders_toml({bib: (f"Rider {bib}", "NED", 9000 + bib) for bib in RIDERS})
    meet = parse_meet(
        f'[meet]\nid = "t"\n{riders}'
        f'[[events]]\nid = "e"\ndiscipline = "elimination"\nriders = {RIDERS}\n{laps}'
        f'[[events]]\nid = "s"\ndiscipline = "scratch"\nriders = {RIDERS}\nlaps = 10\n'
    )
    scoring = ScoringEngine(meet, {"finish": 0}, 250)
    scoring.command(Arm(event="e"), T0 - 60 * S)
    return scoring


def lap(scoring: ScoringEngine, p: int, riders: list[int]) -> None:
    """The bunch's passage p (16 s laps): rider b 0.3 (b - 1) s behind rider 1."""
    for bib in riders:
        scoring.feed(passing("finish", T0 + 16 * S * p + (bib - 1) * 300_000, 9000 + bib))


def elimination(scoring: ScoringEngine) -> dict[str, Any]:
    result: dict[str, Any] = scoring.results("e")["elimination"]
    return result


def test_sprint_every_overrides_the_interval_and_each_sprint_waits_for_the_commissaires() -> None:
    """`sprint_every = 1`: a sprint every lap, not the 250 m track's 2.
    Lap 1: 4 last, proposed, still in until `eliminate 1 4`; the board: 3 sprints to go, 2
    laps (distance 3) and the bell is the last lap's only (a sprint every lap). A green flag at
    sprint 2 (3 last): nobody out, distance 4. Sprint 3 at lap 3: 3 last, out; the final at
    lap 4 places 1 then 2: places 1, 2, 3 (sprint 3), 4 (sprint 1)."""
    scoring = engine("sprint_every = 1\n")
    lap(scoring, 0, RIDERS)
    scoring.feed(command(Start(event="e"), T0 + S))
    lap(scoring, 1, RIDERS)
    assert elimination(scoring)["pending"][0]["proposed"] == [4]
    assert elimination(scoring)["still_in"] == RIDERS
    scoring.feed(command(Eliminate(event="e", sprint=1, bib=4), T0 + 20 * S))
    board = scoring.results("e")["lap_board"]
    assert (board["distance"], board["laps_to_go"], board["bell"]) == (3, 2, False)
    lap(scoring, 2, [1, 2, 3])
    scoring.feed(command(GreenFlag(event="e", sprint=2), T0 + 36 * S))
    assert elimination(scoring)["still_in"] == [1, 2, 3]
    board = scoring.results("e")["lap_board"]
    assert (board["distance"], board["laps_to_go"], board["bell"]) == (4, 2, False)
    lap(scoring, 3, [1, 2, 3])
    scoring.feed(command(Eliminate(event="e", sprint=3, bib=3), T0 + 52 * S))
    assert scoring.results("e")["lap_board"]["bell"]  # the last lap
    lap(scoring, 4, [1, 2])
    result = scoring.results("e")
    lines = [(line["rank"], line["bib"], line["eliminated_at"]) for line in result["lines"]]
    assert lines == [(1, 1, 4), (2, 2, 4), (3, 3, 3), (4, 4, 1)]
    assert result["lap_board"]["finished"]


def test_a_lapped_rider_goes_out_at_the_next_sprint_instead_of_the_last() -> None:
    """A 250 m track: a sprint every 2 laps. Rider 4 is lapped (the commissaires' -1 at lap 1,
    no bunch to propose it from); at lap 2, 3 is last over the line, but 4 is due: the
    proposal is [4]; `eliminate 1 4` puts 4 out, lapped, and 3 stays."""
    scoring = engine()
    lap(scoring, 0, RIDERS)
    scoring.feed(command(Start(event="e"), T0 + S))
    lap(scoring, 1, [1, 2, 3])
    lapped = LapChangeDecision(event="e", bib=4, change=-1, reason="caught")
    scoring.feed(command(lapped, T0 + 20 * S))
    lap(scoring, 2, [1, 2, 3])
    assert elimination(scoring)["due"] == [4]
    assert elimination(scoring)["pending"][0]["proposed"] == [4]
    scoring.feed(command(Eliminate(event="e", sprint=1, bib=4), T0 + 40 * S))
    assert elimination(scoring)["still_in"] == [1, 2, 3]
    (line_4,) = [line for line in scoring.results("e")["lines"] if line["bib"] == 4]
    assert (line_4["rank"], line_4["eliminated_at"], line_4["out_by"]) == (4, 1, "lapped")


def test_the_final_s_order_is_corrected_by_a_place() -> None:
    """`sprint_every = 1` for 3 riders: a sprint every lap. Lap 1: 3 out. Lap 2, the final: 1
    crosses before 2; the commissaires put 2 first (`correct --place 1`): 2, 1, 3. A place for
    3, out at sprint 1, is refused."""
    riders = [1, 2, 3]
    riders_text = riders_toml({bib: (f"Rider {bib}", "NED", 9000 + bib) for bib in riders})
    scoring = ScoringEngine(
        parse_meet(
            f'[meet]\nid = "t"\n{riders_text}'
            f'[[events]]\nid = "e"\ndiscipline = "elimination"\nriders = {riders}\n'
            "sprint_every = 1\n"
        ),
        {"finish": 0},
        250,
    )
    scoring.command(Arm(event="e"), T0 - 60 * S)
    lap(scoring, 0, riders)
    scoring.feed(command(Start(event="e"), T0 + S))
    lap(scoring, 1, riders)
    scoring.feed(command(Eliminate(event="e", sprint=1, bib=3), T0 + 20 * S))
    lap(scoring, 2, [1, 2])
    assert [line["bib"] for line in scoring.results("e")["lines"]] == [1, 2, 3]
    scoring.feed(command(Correct(event="e", bib=2, place=1, reason="photo"), T0 + 40 * S))
    lines = scoring.results("e")["lines"]
    assert [(line["rank"], line["bib"]) for line in lines] == [(1, 2), (2, 1), (3, 3)]
    assert scoring.take_command(Correct(event="e", bib=3, place=1, reason="x"), T0 + 50 * S) == (
        "e: bib 3 is not in the final (out at sprint 1): its place follows from the sprint it "
        "went out at"
    )


def test_commands_an_elimination_race_cannot_take_are_refused_with_the_reason() -> None:
    scoring = engine()
    scoring.command(Arm(event="s"), T0)
    scoring.command(GreenFlag(event="s", sprint=1), T0)
    scoring.command(Arm(event="e"), T0)
    scoring.command(Correct(event="e", bib=1, time="10.000", reason="x"), T0)
    scoring.command(Correct(event="e", bib=1, place=3, reason="x"), T0)
    scoring.command(Eliminate(event="e", sprint=1, bib=2), T0)
    assert scoring.skipped_commands == [
        "s is a scratch: it has no elimination sprints",
        "e: an elimination race has no times to correct (bib 1)",
        "e: place 3: a correction places the final's riders, 1 or 2; the others' places "
        "follow from the sprints they went out at (eliminate)",
        "e: sprint 1 is contested at lap 2; the leader has ridden 0",
    ]


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_whatever_the_commissaires_decide_the_places_follow_the_order_out(
    data: st.DataObject,
) -> None:
    """N riders, a sprint every lap (`sprint_every = 1`); at each sprint the commissaires put out
    any rider still in, or give a green flag (at most 2); the last two sprint for the places in
    the order they cross. By the rules (3.2.223 bis, 3.2.224): the places are 1 to N once each,
    the k-th rider out is N - k + 1th, each line says the sprint its rider went out at, and the
    board says finished after N - 1 sprints and the green flags."""
    riders = data.draw(st.sampled_from([3, 4, 5, 6]))
    bibs = list(range(1, riders + 1))
    scoring = ScoringEngine(
        parse_meet(
            '[meet]\nid = "t"\n'
            + riders_toml({bib: (f"Rider {bib}", "NED", 9000 + bib) for bib in bibs})
            + f'[[events]]\nid = "e"\ndiscipline = "elimination"\nriders = {bibs}\n'
            "sprint_every = 1\n"
        ),
        {"finish": 0},
        250,
    )
    scoring.command(Arm(event="e"), T0 - 60 * S)
    still_in = list(bibs)
    lap(scoring, 0, still_in)
    scoring.feed(command(Start(event="e"), T0 + S))
    out: list[tuple[int, int]] = []  # (bib, sprint)
    greens = 0
    sprint = 0
    while len(still_in) > 2:
        sprint += 1
        lap(scoring, sprint, still_in)
        if greens < 2 and data.draw(st.booleans()):
            greens += 1
            decision: Eliminate | GreenFlag = GreenFlag(event="e", sprint=sprint)
        else:
            bib = data.draw(st.sampled_from(still_in))
            decision = Eliminate(event="e", sprint=sprint, bib=bib)
            still_in.remove(bib)
            out.append((bib, sprint))
        assert scoring.take_command(decision, T0 + 16 * S * sprint + 8 * S) is None
    lap(scoring, sprint + 1, still_in)
    result = scoring.results("e")
    places = {line["bib"]: (line["rank"], line["eliminated_at"]) for line in result["lines"]}
    assert sorted(rank for rank, _ in places.values()) == bibs
    for k, (bib, at) in enumerate(out, 1):
        assert places[bib] == (riders - k + 1, at)
    first, second = still_in  # lap() crosses them in bib order: the lower bib first
    assert places[first] == (1, sprint + 1)
    assert places[second] == (2, sprint + 1)
    assert result["lap_board"]["finished"]
    assert result["lap_board"]["leader_laps"] == riders - 1 + greens
