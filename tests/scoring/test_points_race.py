"""The points race (uci-rules.md §2.6, UCI 3.2.114-3.2.133): its sprint schedule and its
standings. Every expected value is worked out by hand from the rules, in the docstrings and
comments; none is copied from the code's output."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from velotime.scoring.rules.bunch import LapChange, Placing, Sprint
from velotime.scoring.rules.points_race import (
    POINTS_RACE,
    Standings,
    points_race_schedule,
    sprint_every_laps,
    sprint_points,
    standings,
)
from velotime.wire.results import Status

# -- the schedule (3.2.116, 3.2.117, 3.2.247) -----------------------------------------------------


def test_sprint_interval_by_track_length() -> None:
    """3.2.116: every 10 laps on tracks of 250 m or less; about every 2 km elsewhere: 7 laps
    on 285.714 m, 6 on 333.33 m, 5 on 400 m."""
    assert sprint_every_laps(166.0) == 10
    assert sprint_every_laps(200.0) == 10
    assert sprint_every_laps(250.0) == 10
    assert sprint_every_laps(285.714) == 7
    assert sprint_every_laps(333.33) == 6
    assert sprint_every_laps(400.0) == 5


def test_schedules_of_the_rules_tables() -> None:
    """3.2.117: 40 km on 250 m is 160 laps and 16 sprints; the omnium's men's points race is
    100 laps and 10 sprints (3.2.247); Nations Cup men on 333.3 m: 120 laps, 20 sprints; on
    400 m: 100 laps, 20 sprints. The final sprint is on the last lap."""
    elite = points_race_schedule(160, sprint_every_laps(250.0))
    assert elite.count == 16
    assert elite.laps == tuple(range(10, 161, 10))
    assert elite.number_at(160) == 16
    assert elite.is_final(16)
    assert not elite.is_final(15)
    assert elite.number_at(155) is None
    omnium = points_race_schedule(100, 10)
    assert omnium.count == 10
    assert omnium.laps[0] == 10
    assert omnium.laps[-1] == 100
    assert points_race_schedule(120, sprint_every_laps(333.33)).count == 20
    assert points_race_schedule(100, sprint_every_laps(400.0)).count == 20


def test_leftover_laps_are_ridden_before_the_first_sprint() -> None:
    """3.2.116: counted back from the final sprint on lap 25, every 10 laps: 25, 15; the 5
    laps left over lengthen the run to the first sprint (15 laps), no sprint at lap 5."""
    schedule = points_race_schedule(25, 10)
    assert schedule.laps == (15, 25)
    assert schedule.number_at(15) == 1
    assert schedule.number_at(5) is None


def test_schedule_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="interval"):
        points_race_schedule(160, 0)
    with pytest.raises(ValueError, match="track length"):
        sprint_every_laps(0.0)


# -- a 20-rider race on 250 m, 80 laps, 8 sprints --------------------------------------------------

RIDERS = list(range(1, 21))


def s(number: int, *placings: int | tuple[int, ...], final: bool = False) -> Sprint:
    """Sprint `number` at lap 10 * number (every 10 laps), placings from first."""
    places: tuple[Placing, ...] = tuple(p if isinstance(p, tuple) else (p,) for p in placings)
    return Sprint(number=number, lap=10 * number, placings=places, final=final)


SPRINTS = [
    s(1, 1, 2, 3, 4),
    s(2, 20, 1, 6, 2),
    s(3, 7, 3, 1, 8),
    s(4, 2, (3, 5), 9),  # dead heat for 2nd: both 2nd, nobody 3rd, rider 9 is 4th
    s(5, 4, 2, 10, 1),
    s(6, 6, 4, 2, 11),
    s(7, 3, 6, 4, 12),
    s(8, 5, 1, 4, 3, 2, 6, 8, 9, final=True),  # the finish order judged for 8 riders
]
LAP_CHANGES = [
    LapChange(bib=7, change=1, lap=30),  # gains a lap as sprint 3 is due (3.2.125)
    LapChange(bib=15, change=-1, lap=52),
]
ABANDONED = {20: Status.DNF}  # abandoned at lap 45, after winning sprint 2


def table(result: Standings) -> list[tuple[int | None, int, int]]:
    return [(line.place, line.bib, line.points) for line in result.lines]


def test_twenty_riders_eight_sprints() -> None:
    """Points by hand, 5-3-2-1 and 10-6-4-2 in the final (3.2.118-3.2.119), +-20 a lap:

    - 7: sprint 3 won (5) + a lap gained (20) = 25 (both at lap 30: 3.2.125 gives the 20 and
      the judge gave the sprint; the inputs carry both, they add up)
    - 1: 5 + 3 + 2 + 1 (sprint 5) + 6 (2nd in the final) = 17
    - 4: 1 + 5 + 3 + 2 + 4 (3rd in the final) = 15
    - 3: 2 + 3 + 3 (dead heat, 2nd) + 5 + 2 (4th in the final) = 15
    - 2: 3 + 1 + 5 + 3 + 2 = 14 (5th in the final: no points)
    - 5: 3 (dead heat, 2nd) + 10 (won the final) = 13
    - 6: 2 + 5 + 3 = 10; 10: 2; 8, 9, 11, 12: 1 each; 15: -20 (a lap lost); 20: 5 (DNF)

    Ranking by points; 4 and 3 on 15: 4 was 3rd in the final, 3 was 4th, so 4 ahead (3.2.119).
    8, 9, 11 and 12 on 1: 8 was 7th in the final, 9 8th, so 8 is 9th and 9 10th; 11 and 12 were
    not placed in the final: the rules break it no further, so they share 11th and the next
    place is 13th, shared by the six riders on 0 (13, 14, 16, 17, 18, 19). 15 on -20 is 19th.
    20 abandoned: not classified, listed last with the 5 points won.
    """
    result = standings(RIDERS, SPRINTS, LAP_CHANGES, ABANDONED)
    assert result.final
    assert table(result) == [
        (1, 7, 25),
        (2, 1, 17),
        (3, 4, 15),
        (4, 3, 15),
        (5, 2, 14),
        (6, 5, 13),
        (7, 6, 10),
        (8, 10, 2),
        (9, 8, 1),
        (10, 9, 1),
        (11, 11, 1),
        (11, 12, 1),
        (13, 13, 0),
        (13, 14, 0),
        (13, 16, 0),
        (13, 17, 0),
        (13, 18, 0),
        (13, 19, 0),
        (19, 15, -20),
        (None, 20, 5),
    ]
    assert result.line(20).status is Status.DNF


def test_sheet_columns_sprint_by_sprint() -> None:
    """A result sheet's columns: each sprint's points, laps gained and lost, the final place.
    Rider 3: 2, 0, 3, 3, 0, 0, 5, 2 (the dead heat gives 3 points of 2nd place; the final's
    4th place is 2 points, doubled). Rider 7: 5 in sprint 3 and one lap (20)."""
    result = standings(RIDERS, SPRINTS, LAP_CHANGES, ABANDONED)
    assert [sprint.number for sprint in result.sprints] == list(range(1, 9))
    three = result.line(3)
    assert three.sprint_points == (2, 0, 3, 3, 0, 0, 5, 2)
    assert (three.laps_gained, three.laps_lost, three.lap_points) == (0, 0, 0)
    assert three.final_place == 4
    seven = result.line(7)
    assert seven.sprint_points == (0, 0, 5, 0, 0, 0, 0, 0)
    assert (seven.laps_gained, seven.laps_lost, seven.lap_points, seven.laps) == (1, 0, 20, 1)
    assert seven.final_place is None
    fifteen = result.line(15)
    assert (fifteen.laps_lost, fifteen.lap_points, fifteen.laps) == (1, -20, -1)
    # The dead heat for 2nd: both 2nd, so the next rider is 4th (final: 9 is 8th of 8).
    assert result.line(5).sprint_points[3] == 3
    assert result.line(9).sprint_points[3] == 1


def test_live_table_after_four_sprints() -> None:
    """Live, after sprint 4 (lap 40) with the lap gain of lap 30 confirmed and no one out yet:
    7: 5 + 20 = 25; 1: 5 + 3 + 2 = 10; 2: 3 + 1 + 5 = 9; 3: 2 + 3 + 3 = 8; 20: 5; 5: 3; 6: 2;
    4, 8, 9: 1 each, with no final sprint to separate them, so they share 8th; the ten riders
    on 0 share 11th. The table is not final; the first four sprints are its columns."""
    result = standings(RIDERS, SPRINTS[:4], LAP_CHANGES[:1])
    assert not result.final
    assert table(result)[:10] == [
        (1, 7, 25),
        (2, 1, 10),
        (3, 2, 9),
        (4, 3, 8),
        (5, 20, 5),
        (6, 5, 3),
        (7, 6, 2),
        (8, 4, 1),
        (8, 8, 1),
        (8, 9, 1),
    ]
    assert {line.place for line in result.lines[10:]} == {11}
    assert len(result.lines) == 20
    assert result.line(1).sprint_points == (5, 3, 2, 0)


def test_dsq_and_dns_are_listed_after_dnf() -> None:
    """Unclassified riders after the classified ones: DNF, then DSQ, then DNS. A DSQ rider is
    listed with the points held (5, sprint 1), a DNS rider with none."""
    result = standings(
        [1, 2, 3, 4, 5],
        [s(1, 3, 1, 2, final=True)],
        statuses={3: Status.DSQ, 4: Status.DNS, 5: Status.DNF},
    )
    # 1 is 2nd in the final (6), 2 is 3rd (4): 1 first, 2 second.
    assert [(line.place, line.bib, line.status, line.points) for line in result.lines] == [
        (1, 1, Status.RANKED, 6),
        (2, 2, Status.RANKED, 4),
        (None, 5, Status.DNF, 0),
        (None, 3, Status.DSQ, 10),
        (None, 4, Status.DNS, 0),
    ]


@pytest.mark.parametrize(
    ("sprints", "changes", "statuses", "message"),
    [
        ([s(1, 99)], [], {}, "bib 99 is not a rider"),
        ([s(1, 1, 1)], [], {}, "placed twice"),
        ([s(1, 1), s(1, 2)], [], {}, "given twice"),
        ([s(1, 1, final=True), s(2, 2)], [], {}, "follows the final"),
        ([], [LapChange(bib=42, change=1, lap=3)], {}, "bib 42 is not a rider"),
        ([s(1, 2)], [], {2: Status.DNS}, "DNS"),
        ([], [], {2: Status.REL}, "no status REL"),
        ([], [], {9: Status.DNF}, "not a rider"),
    ],
)
def test_bad_input_is_a_clear_error(
    sprints: list[Sprint],
    changes: list[LapChange],
    statuses: dict[int, Status],
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        standings([1, 2, 3], sprints, changes, statuses)


# -- properties --------------------------------------------------------------------------------


@given(st.permutations(list(range(1, 9))), st.integers(4, 8))
def test_an_intermediate_sprint_awards_11_and_a_final_22(order: list[int], placed: int) -> None:
    """4 or more riders placed one by one: 5 + 3 + 2 + 1 = 11; the final doubled, 22."""
    placings = tuple((bib,) for bib in order[:placed])
    assert sum(sprint_points(Sprint(1, 10, placings), POINTS_RACE).values()) == 11
    assert sum(sprint_points(Sprint(1, 10, placings, final=True), POINTS_RACE).values()) == 22


@st.composite
def sprints_with_ties(draw: st.DrawFn) -> tuple[Placing, ...]:
    bibs = draw(st.permutations(list(range(1, 11))))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=6))
    placings: list[Placing] = []
    at = 0
    for size in sizes:
        if at + size > len(bibs):
            break
        placings.append(tuple(bibs[at : at + size]))
        at += size
    return tuple(placings)


@given(sprints_with_ties(), st.booleans())
def test_tied_riders_share_a_place_and_the_next_places_are_skipped(
    placings: tuple[Placing, ...], final: bool
) -> None:
    """§2.6: riders tied get the same place and its points in full; the next place is
    skipped. So each placing's place is 1 + the riders placed ahead of it."""
    points = sprint_points(Sprint(1, 10, placings, final=final), POINTS_RACE)
    table = POINTS_RACE.final if final else POINTS_RACE.intermediate
    ahead = 0
    for placing in placings:
        expected = table[ahead] if ahead < len(table) else 0
        assert {points[bib] for bib in placing} == {expected}
        ahead += len(placing)


@st.composite
def races(draw: st.DrawFn) -> tuple[list[int], list[Sprint], list[LapChange]]:
    riders = list(range(1, draw(st.integers(2, 12)) + 1))
    count = draw(st.integers(0, 6))
    sprints = []
    for number in range(1, count + 1):
        order = draw(st.permutations(riders))
        placed = draw(st.integers(1, len(riders)))
        sprints.append(
            Sprint(number, 10 * number, tuple((b,) for b in order[:placed]), number == count)
        )
    changes = draw(
        st.lists(
            st.builds(
                LapChange,
                bib=st.sampled_from(riders),
                change=st.sampled_from([1, -1]),
                lap=st.integers(1, 60),
            ),
            max_size=4,
        )
    )
    return riders, sprints, changes


@given(races())
def test_ranking_is_by_points_then_final_sprint(
    race: tuple[list[int], list[Sprint], list[LapChange]],
) -> None:
    """The classified riders are ordered by points, then by final sprint place (placed before
    not placed); a rider's place is 1 + the riders strictly ahead of them, so riders level on
    both share it. The points handed out add up: the sprints' points plus 20 a lap change."""
    riders, sprints, changes = race
    result = standings(riders, sprints, changes)

    def key(bib: int) -> tuple[int, int]:
        line = result.line(bib)
        return (-line.points, line.final_place or len(riders) + 1)

    assert sorted(line.bib for line in result.lines) == sorted(riders)
    for line in result.lines:
        ahead = sum(1 for other in riders if key(other) < key(line.bib))
        assert line.place == ahead + 1
    keys = [key(line.bib) for line in result.lines]
    assert keys == sorted(keys)
    handed_out = sum(sum(sprint_points(sprint, POINTS_RACE).values()) for sprint in sprints)
    handed_out += sum(20 * change.change for change in changes)
    assert sum(line.points for line in result.lines) == handed_out


@given(races(), st.integers(0, 6))
def test_the_live_table_is_the_prefix_of_the_race(
    race: tuple[list[int], list[Sprint], list[LapChange]], done: int
) -> None:
    """After any prefix of the sprints, each rider's sprint-by-sprint points are the first
    columns of the whole race's."""
    riders, sprints, changes = race
    whole = standings(riders, sprints, changes)
    live = standings(riders, sprints[:done], changes)
    for line in live.lines:
        assert line.sprint_points == whole.line(line.bib).sprint_points[:done]
