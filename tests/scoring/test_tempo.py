"""The tempo race (uci-rules.md §2.9, UCI 3.2.259-3.2.264). Every expected value is worked out
by hand from the rules, in the docstrings; none is copied from the code's output."""

from hypothesis import given
from hypothesis import strategies as st

from velotime.scoring.rules.bunch import LapChange, Sprint
from velotime.scoring.rules.points_race import sprint_points
from velotime.scoring.rules.tempo import TEMPO, tempo_schedule, tempo_standings
from velotime.wire.results import Status


def test_a_sprint_every_lap_after_the_first_four() -> None:
    """3.2.261: the bell rings as lap 4 is completed, the first sprint is at the end of lap 5,
    then one each lap to the last. A 40-lap race has 36 sprints (UCI-PR 2016), a 30-lap race
    26; a race of 4 laps none."""
    forty = tempo_schedule(40)
    assert forty.count == 36
    assert forty.laps[0] == 5
    assert forty.number_at(5) == 1
    assert forty.number_at(4) is None
    assert forty.number_at(40) == 36
    assert forty.is_final(36)
    assert tempo_schedule(30).count == 26
    assert tempo_schedule(4).count == 0


def test_ten_lap_tempo_race_with_a_lap_gain_and_a_loss() -> None:
    """10 laps, 6 riders: sprints at laps 5 to 10, 1 point to each winner, the last sprint not
    doubled (3.2.262); rider 4 gains a lap at lap 8 (+20), rider 6 loses one at lap 9 (-20).

    Winners: 1, 2, 3, 1, 4, then the final won by 2 ahead of 1, 3, 5, 4.
    Points: 4: 1 + 20 = 21; 1: 2; 2: 2 (1 of it the final's, not 2); 3: 1; 5: 0; 6: -20.
    1 and 2 level on 2: 2 won the final sprint, 1 was 2nd, so 2 ahead (ties to the final
    sprint, as in the points race).
    """
    riders = [1, 2, 3, 4, 5, 6]
    winners = [1, 2, 3, 1, 4]
    sprints = [Sprint(n, n + 4, ((bib,),)) for n, bib in enumerate(winners, start=1)]
    sprints.append(Sprint(6, 10, ((2,), (1,), (3,), (5,), (4,)), final=True))
    changes = [LapChange(bib=4, change=1, lap=8), LapChange(bib=6, change=-1, lap=9)]
    result = tempo_standings(riders, sprints, changes)
    assert [(line.place, line.bib, line.points) for line in result.lines] == [
        (1, 4, 21),
        (2, 2, 2),
        (3, 1, 2),
        (4, 3, 1),
        (5, 5, 0),
        (6, 6, -20),
    ]
    assert result.final
    assert result.line(2).sprint_points == (0, 1, 0, 0, 0, 1)
    assert (result.line(4).laps_gained, result.line(4).lap_points) == (1, 20)
    assert (result.line(6).laps_lost, result.line(6).lap_points) == (1, -20)


def test_a_dead_heat_for_first_gives_both_a_point_and_an_abandon_is_listed() -> None:
    """Riders tied for 1st share the place and its point (§2.6, applied by 3.2.260). Rider 3,
    who won sprint 1 and abandoned, is not classified and is listed with that point."""
    sprints = [Sprint(1, 5, ((3,),)), Sprint(2, 6, ((1, 2),), final=True)]
    result = tempo_standings([1, 2, 3], sprints, statuses={3: Status.DNF})
    assert [(line.place, line.bib, line.points) for line in result.lines] == [
        (1, 1, 1),
        (1, 2, 1),
        (None, 3, 1),
    ]


@given(st.permutations(list(range(1, 7))), st.integers(1, 6), st.booleans())
def test_each_sprint_is_one_point(order: list[int], placed: int, final: bool) -> None:
    """3.2.262: one point for the first rider, none for the others, the final included."""
    placings = tuple((bib,) for bib in order[:placed])
    points = sprint_points(Sprint(1, 5, placings, final=final), TEMPO)
    assert sum(points.values()) == 1
    assert points[order[0]] == 1
