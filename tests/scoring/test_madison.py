"""The Madison (uci-rules.md §2.13, UCI 3.2.156-3.2.172, scored as the points race of §2.6);
expected values worked out by hand from the rules, in each test's docstring."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from velotime.scoring.rules.bunch import LapChange, Sprint
from velotime.scoring.rules.madison import MadisonLine, Team, TeamDecisions, madison_result
from velotime.wire.results import Status

# Team n: riders 10n + 1 and 10n + 2.
TEAMS = [
    Team(number=number, bibs=(10 * number + 1, 10 * number + 2), name=f"Team {number}")
    for number in range(1, 7)
]
# Three sprints, every 10 laps of a 30-lap race, placings by the riders' bibs.
SPRINTS = [
    Sprint(number=1, lap=10, placings=((11,), (21,), (32,), (42,))),
    Sprint(number=2, lap=20, placings=((22,), (52,), (12,), (61,))),
    Sprint(number=3, lap=30, placings=((61,), (31,), (41,), (11,), (21,), (51,)), final=True),
]
# Team 5 (rider 51) gains a lap at lap 14; team 4 loses one at lap 25.
LAP_CHANGES = [LapChange(bib=51, change=1, lap=14), LapChange(bib=4, change=-1, lap=25)]


def summary(
    lines: list[MadisonLine],
) -> list[tuple[int | None, int, tuple[int, ...], int, int, int]]:
    """Each line's place, team, points by sprint, laps gained and lost, and total points."""
    return [
        (
            line.line.rank,
            line.line.bib,
            line.standing.sprint_points,
            line.standing.laps_gained,
            line.standing.laps_lost,
            line.standing.points,
        )
        for line in lines
    ]


def test_six_teams_with_a_lap_gain_and_a_final_sprint_tie_break() -> None:
    """Points by sprint (5/3/2/1; the final 10/6/4/2, 3.2.118), laps at 20 points (3.2.119):
    team 1: 5 + 2 + 2 = 9; team 2: 3 + 5 + 0 = 8 (5th in the final: no points); team 3:
    2 + 0 + 6 = 8; team 4: 1 + 0 + 4 - 20 = -15; team 5: 0 + 3 + 0 + 20 = 23; team 6:
    0 + 1 + 10 = 11. Ranked by points: 5, 6, 1, then 2 and 3 level on 8: the final sprint
    decides, 3 2nd there, 2 5th, so 3 is 4th and 2 5th; 4 last."""
    lines = madison_result(TEAMS, SPRINTS, lap_changes=LAP_CHANGES)
    assert summary(lines) == [
        (1, 5, (0, 3, 0), 1, 0, 23),
        (2, 6, (0, 1, 10), 0, 0, 11),
        (3, 1, (5, 2, 2), 0, 0, 9),
        (4, 3, (2, 0, 6), 0, 0, 8),
        (5, 2, (3, 5, 0), 0, 0, 8),
        (6, 4, (1, 0, 4), 0, 1, -15),
    ]
    assert lines[0].line.name == "Team 5"
    assert all(line.line.status is Status.RANKED for line in lines)


def test_placings_by_team_number_count_the_same() -> None:
    """The judges may call the team's number rather than the rider: sprint 2 judged as teams
    2, 5, 1, 6 scores as the riders 22, 52, 12, 61 did."""
    by_team = [SPRINTS[0], Sprint(number=2, lap=20, placings=((2,), (5,), (1,), (6,))), SPRINTS[2]]
    assert madison_result(TEAMS, by_team, lap_changes=LAP_CHANGES) == madison_result(
        TEAMS, SPRINTS, lap_changes=LAP_CHANGES
    )


def test_abandoned_team_is_not_ranked() -> None:
    """Team 6 abandons (DNF): it is listed after the ranked teams, unranked, with the 11 points
    it held; the others move up one place from 2nd (5 1st, 1 2nd, 3 3rd, 2 4th, 4 5th)."""
    lines = madison_result(
        TEAMS, SPRINTS, lap_changes=LAP_CHANGES, decisions=TeamDecisions(dnf=frozenset({6}))
    )
    assert [(line.line.rank, line.line.bib, line.line.status) for line in lines] == [
        (1, 5, Status.RANKED),
        (2, 1, Status.RANKED),
        (3, 3, Status.RANKED),
        (4, 2, Status.RANKED),
        (5, 4, Status.RANKED),
        (None, 6, Status.DNF),
    ]
    assert lines[-1].standing.points == 11


def test_tie_the_final_sprint_does_not_break_shares_the_place() -> None:
    """Teams 1 and 2 each win an intermediate sprint (5 points), and neither is placed in the
    final sprint: level, both 2nd behind team 3 (10 points), as tied riders in a points race."""
    sprints = [
        Sprint(number=1, lap=10, placings=((11,),)),
        Sprint(number=2, lap=20, placings=((21,),)),
        Sprint(number=3, lap=30, placings=((31,),), final=True),
    ]
    lines = madison_result(TEAMS[:3], sprints)
    assert [(line.line.rank, line.line.bib, line.standing.points) for line in lines] == [
        (1, 3, 10),
        (2, 1, 5),
        (2, 2, 5),
    ]


@pytest.mark.parametrize(
    ("sprint", "message"),
    [
        (Sprint(number=1, lap=10, placings=((11,), (12,))), "places teams twice: \\[1\\]"),
        (Sprint(number=1, lap=10, placings=((99,),)), "names 99, of no team"),
    ],
)
def test_refused(sprint: Sprint, message: str) -> None:
    """Both riders of one team placed in one sprint, or a bib of no team: a one-line error."""
    with pytest.raises(ValueError, match=message):
        madison_result(TEAMS, [sprint])


def test_bib_of_two_teams_refused() -> None:
    """A team number that is another team's rider would count placings for the wrong team."""
    with pytest.raises(ValueError, match="belongs to teams"):
        madison_result([Team(number=1, bibs=(11, 12)), Team(number=11, bibs=(21, 22))], [])


@given(
    st.lists(st.permutations(range(1, 7)), min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(1, 6), st.sampled_from([1, -1])), max_size=6),
    st.data(),
)
def test_points_are_conserved(
    orders: list[list[int]], changes: list[tuple[int, int]], data: st.DataObject
) -> None:
    """Every sprint places all six teams, by either rider: each intermediate sprint hands out
    5 + 3 + 2 + 1 = 11 points, the final 22, each lap change 20 either way, so the teams'
    totals add up to that; the lines are in order of points."""
    sprints = [
        Sprint(
            number=index + 1,
            lap=10 * (index + 1),
            placings=tuple((10 * team + data.draw(st.sampled_from([1, 2])),) for team in order),
            final=index == len(orders) - 1,
        )
        for index, order in enumerate(orders)
    ]
    lap_changes = [LapChange(bib=team, change=change, lap=5) for team, change in changes]
    lines = madison_result(TEAMS, sprints, lap_changes=lap_changes)
    expected = 11 * (len(orders) - 1) + 22 + 20 * sum(change for _, change in changes)
    assert sum(line.standing.points for line in lines) == expected
    points = [line.standing.points for line in lines]
    assert points == sorted(points, reverse=True)
    assert sorted(line.line.bib for line in lines) == [1, 2, 3, 4, 5, 6]
    # The final places every team, so no tie is left to draw: ranks 1..6 once each.
    assert [line.line.rank for line in lines] == [1, 2, 3, 4, 5, 6]
