"""A Madison through the scoring engine: how the partners' passages make a team's laps, and the
desk's commands naming a team by its number or a rider's bib. Expected values by hand."""

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
    Final,
    LapChangeDecision,
    SetLaps,
    SetStatus,
    SprintDecision,
    Start,
)
from velotime.wire.events import Event, PhotoFinishData

T0 = 1_795_250_000_000_000
S = 1_000_000
TEAMS = {1: (11, 12), 2: (21, 22), 3: (31, 32)}


def engine(laps: int = 4, sprint_every: int = 2) -> ScoringEngine:
    bibs = [bib for pair in TEAMS.values() for bib in pair]
    riders = riders_toml({bib: (f"Rider {bib}", "NED", 9000 + bib) for bib in [*bibs, 9]})
    teams = "".join(
        f"[[events.teams]]\nnumber = {number}\nriders = {list(pair)}\n"
        for number, pair in TEAMS.items()
    )
    meet = parse_meet(
        f'[meet]\nid = "t"\n{riders}'
        f'[[events]]\nid = "md"\ndiscipline = "madison"\nlaps = {laps}\n'
        f"sprint_every = {sprint_every}\n{teams}"
    )
    return ScoringEngine(meet, {"finish": 0}, 250)


def read(scoring: ScoringEngine, at_s: float, bib: int) -> None:
    scoring.feed(passing("finish", T0 + round(at_s * S), 9000 + bib))


def ride(scoring: ScoringEngine, laps: range) -> None:
    """The racing partners 11, 21, 31 on laps `laps`, at 16p + 0.3(k - 1) s; `start` at 1 s,
    after lap 0 (the flying start)."""
    for p in laps:
        for at_s, bib in [(0.0, 11), (0.3, 21), (0.6, 31)]:
            read(scoring, 16 * p + at_s, bib)
        if p == 0:
            scoring.feed(command(Start(event="md"), T0 + S))


def camera(phase: str, at_s: float, bib: int | None = None, place: int | None = None) -> Event:
    """The photo-finish camera's line: a result row (`bib`, `place`, its finish at `at_s`) or
    the block's end ("complete", arriving at `at_s`)."""
    at_us = T0 + round(at_s * S)
    if phase == "result":
        data = PhotoFinishData(phase=phase, bib=str(bib), place=place, t_us=at_us)
    else:
        data = PhotoFinishData(phase=phase, received_us=at_us)
    return Event(id=f"lynx:{phase}:{bib}:{at_us}", src="lynx", kind="photofinish", data=data)


def lines_of(result: dict[str, Any]) -> list[tuple[int, int, int, list[int]]]:
    """(rank, team, points, sprint points) of each line."""
    return [
        (line["rank"], line["bib"], line["points"], line["sprint_points"])
        for line in result["lines"]
    ]


def test_a_partners_passage_within_10_s_of_the_teams_lap_is_the_same_lap() -> None:
    """Racing partners on 16 s laps (team k at 16p + 0.3(k - 1) s), `start` at 1 s. Team 1's
    resting partner 12 crosses at 21.0 s, 5.0 s after team 1's lap 1 (16.0 s): the same lap,
    not counted; 12 then races and crosses at 32.0 s (16.0 s after the team's lap 1): lap 2.
    Team 2's resting partner 22 crosses at 29.0 s, 12.7 s after team 2's lap 1 (16.3 s): more
    than the shortest lap (250 m / 25 m/s = 10 s), so it is team 2's lap 2, and its racing
    partner 21 at 32.3 s, 3.3 s later, is the one not counted: the count is right (2 laps
    each), the lap's time the resting partner's (the limit the scorer's docstring names)."""
    scoring = engine()
    scoring.command(Arm(event="md"), T0 - 60 * S)
    for at_s, bib in [(0.0, 11), (0.3, 21), (0.6, 31)]:
        read(scoring, at_s, bib)
    scoring.feed(command(Start(event="md"), T0 + S))
    for at_s, bib in [(16.0, 11), (16.3, 21), (16.6, 31), (21.0, 12), (29.0, 22),
                      (32.0, 12), (32.3, 21), (32.6, 31)]:  # fmt: skip
        read(scoring, at_s, bib)
    result = scoring.results("md")
    assert {line["bib"]: line["laps"] for line in result["lines"]} == {1: 2, 2: 2, 3: 2}
    assert result["lap_board"]["leader_laps"] == 2
    assert result["problems"] == [
        "team 1: 1 crossing(s) of the partner on the team's lap, not counted",
        "team 2: 1 crossing(s) of the partner on the team's lap, not counted",
    ]


def test_commands_name_a_team_by_its_number_or_a_riders_bib() -> None:
    """Two laps ridden (racing partners 11, 21, 31 at 16p + 0.3(k - 1) s). The commissaires
    give team 3 a lap by rider 31's bib (+20: its line shows 20 points, 1 lap gained, at the
    leader's lap 1), take team 2 out by rider 21's bib (DNF: not ranked); team 1, 0 points, is
    2nd. A place correction is refused (a Madison's places are its points), and so is a bib of
    the meet that rides no team of the race. A team then taken as not started (DNS) loses
    its lap: a team that did not start has no lap change."""
    scoring = engine()
    scoring.command(Arm(event="md"), T0 - 60 * S)
    ride(scoring, range(2))
    scoring.feed(command(LapChangeDecision(event="md", bib=31, change=1), T0 + 20 * S))
    scoring.feed(command(SetStatus(event="md", bib=21, status="DNF"), T0 + 21 * S))
    scoring.command(Correct(event="md", bib=11, place=1, reason="x"), T0 + 22 * S)
    scoring.command(SetLaps(event="md", bib=9, laps=3, reason="x"), T0 + 22 * S)
    assert scoring.skipped_commands == [
        "md: the places come from the points: correct a sprint (velotime ctl sprint) or a lap "
        "change (velotime ctl lap-change)",
        "no rider with bib 9 in md (its riders: 1, 2, 3, 11, 12, 21, 22, 31, 32)",
    ]
    result = scoring.results("md")
    lines = [
        (line["rank"], line["bib"], line["points"], line.get("laps_gained", 0),
         line.get("status", ""))
        for line in result["lines"]
    ]  # fmt: skip
    assert lines == [(1, 3, 20, 1, ""), (2, 1, 0, 0, ""), (None, 2, 0, 0, "DNF")]
    assert result["lap_changes"] == [{"bib": 3, "change": 1, "lap": 1}]
    # Team 3 did not start after all (DNS by rider 32's bib): its lap is no longer counted.
    scoring.feed(command(SetStatus(event="md", bib=32, status="DNS"), T0 + 23 * S))
    after = [
        (line["rank"], line["bib"], line["points"], line.get("status", ""))
        for line in scoring.results("md")["lines"]
    ]
    assert after == [(1, 1, 0, ""), (None, 2, 0, "DNF"), (None, 3, 0, "DNS")]


@settings(max_examples=40, deadline=None)
@given(
    lap_us=st.integers(12 * S, 19 * S),
    laps=st.integers(2, 10),
    first_rest_us=st.integers(S + 1, 30 * S),
    rest_gaps_us=st.lists(st.integers(1, 25 * S), max_size=12),
)
def test_the_resting_partner_never_adds_or_takes_a_lap(
    lap_us: int, laps: int, first_rest_us: int, rest_gaps_us: list[int]
) -> None:
    """The racing partner (11) on laps of 12 to 19 s (under twice the shortest lap, 10 s: the
    scorer's docstring), the resting partner (12) crossing the line anywhere, slower than the
    race (its own laps longer than the racing lap): when the racing partner completes lap
    `laps`, the team has `laps` laps, and every other passage is counted as the partner's. (A
    40-lap race with one sprint at the end: neither the finish nor a sprint comes into it.)"""
    scoring = engine(laps=40, sprint_every=40)
    scoring.command(Arm(event="md"), T0 - 60 * S)
    racing = [T0 + k * lap_us for k in range(laps + 1)]
    resting = [racing[0] + first_rest_us]
    for gap in rest_gaps_us:
        resting.append(resting[-1] + lap_us + gap)
    reads = sorted([(t, 11) for t in racing] + [(t, 12) for t in resting if t <= racing[-1]])
    for i, (t_us, bib) in enumerate(reads):
        scoring.feed(passing("finish", t_us, 9000 + bib))
        if i == 0:
            scoring.feed(command(Start(event="md"), T0 + S))
    result = scoring.results("md")
    (team_1,) = [line for line in result["lines"] if line["bib"] == 1]
    assert team_1["laps"] == laps
    partners = len(reads) - (laps + 1)
    expected = [f"team 1: {partners} crossing(s) of the partner on the team's lap, not counted"]
    assert result["problems"] == (expected if partners else [])


def test_a_madison_sprint_decided_by_the_camera_from_rider_bibs() -> None:
    """4 laps, a sprint every 2: sprint 1 at lap 2 (5-3-2-1), the final at lap 4 (10-6-4-2).
    Racing partners 11, 21, 31 at 16p + 0.3(k - 1) s, `start` at 1 s; on lap 2 team 2's other
    rider 22 races. Sprint 1's loops: 31 at 32.000 s, 22 at 32.010, 11 at 32.020 (teams 3, 2,
    1), 10 ms apart, under the loops' 30 ms: the loops order them 3, 2, 1 with a photo required
    for all three. The camera's block (finish 32.000 s, complete at 40 s) names riders: 22 1st,
    11 2nd, 31 3rd, and 21 4th (team 2's relieved partner in the picture): teams 2, 1, 3 (5, 3,
    2 points), the second row of team 2 left out and said in the problems. Lap 3 by 11, 21,
    31 again (more than 10 s after each team's lap 2). The final from the loops, 0.3 s apart:
    1, 2, 3 (10, 6, 4). Totals: team 1 3 + 10 = 13, team 2 5 + 6 = 11, team 3 2 + 4 = 6."""
    scoring = engine()
    scoring.command(Arm(event="md"), T0 - 60 * S)
    ride(scoring, range(2))
    for at_s, bib in [(32.0, 31), (32.01, 22), (32.02, 11)]:
        read(scoring, at_s, bib)
    loops = scoring.results("md")["sprints"][0]
    assert (loops["placings"], loops["photo_required"]) == ([[3], [2], [1]], [1, 2, 3])
    for bib, place in [(22, 1), (11, 2), (31, 3), (21, 4)]:
        scoring.feed(camera("result", 32.0, bib, place))
    scoring.feed(camera("complete", 40.0))
    ride(scoring, range(3, 5))
    scoring.command(Final(event="md"), T0 + 80 * S)
    result = scoring.results("md")
    assert [sprint["placings"] for sprint in result["sprints"]] == [
        [[2], [1], [3]],
        [[1], [2], [3]],
    ]
    assert result["sprints"][0]["photo_required"] == []
    assert lines_of(result) == [(1, 1, 13, [3, 10]), (2, 2, 11, [5, 6]), (3, 3, 6, [2, 4])]
    assert "camera: rider 21 of team 2 placed 4, behind partner 22: not used" in result["problems"]


def test_the_judges_correct_a_madison_sprint_by_team_numbers() -> None:
    """4 laps, a sprint every 2 (5-3-2-1, the final 10-6-4-2), racing partners 11, 21, 31 at
    16p + 0.3(k - 1) s: the loops give sprint 1 to teams 1, 2, 3. The judges' word naming both
    riders of team 1 (11 and 12) is refused: a team placed twice. Their placings by team
    numbers, 3, 2, 1 ("photo"), stand: 3 has 5, 2 has 3, 1 has 2. The final from the loops: 1,
    2, 3 (10, 6, 4). Totals: 1 2 + 10 = 12, 2 3 + 6 = 9, 3 5 + 4 = 9; teams 2 and 3 tie on 9,
    and 2, 2nd in the final sprint (3 was 3rd), ranks 2nd (3.2.119)."""
    scoring = engine()
    scoring.command(Arm(event="md"), T0 - 60 * S)
    ride(scoring, range(3))
    assert scoring.results("md")["sprints"][0]["placings"] == [[1], [2], [3]]
    twice = SprintDecision(event="md", number=1, placings=[[11], [12], [3]], reason="x")
    assert scoring.take_command(twice, T0 + 40 * S) == (
        "md: sprint 1: the judges place team(s) [1] twice (by its number or both riders' bibs)"
    )
    judged = SprintDecision(event="md", number=1, placings=[[3], [2], [1]], reason="photo")
    assert scoring.take_command(judged, T0 + 41 * S) is None
    ride(scoring, range(3, 5))
    result = scoring.results("md")
    sprint_1 = result["sprints"][0]
    assert (sprint_1["placings"], sprint_1["confirmed"]) == ([[3], [2], [1]], True)
    assert result["sprints"][1]["confirmed"] is False  # the final: the loops' proposal
    assert lines_of(result) == [(1, 1, 12, [2, 10]), (2, 2, 9, [3, 6]), (3, 3, 9, [5, 4])]
