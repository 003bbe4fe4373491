"""The elimination race (uci-rules.md §2.8, UCI 3.2.218-3.2.226); expected values worked out by
hand from the rules, in each test's docstring."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from velotime.scoring.rules.bunch import LapChange, Sprint
from velotime.scoring.rules.elimination import (
    Decisions,
    EliminationResult,
    elimination_result,
    laps_to_go,
    sprint_interval_laps,
    sprint_laps,
)
from velotime.scoring.rules.keirin import Rider
from velotime.wire.results import Status

# Twelve starters and rider 13, who does not start.
RIDERS = [Rider(bib=bib, name=f"Rider {bib}", nation="ITA") for bib in range(1, 14)]


def elimination(lap: int, number: int, last: int) -> Sprint:
    """An elimination sprint judged with `last` last over the line (rear wheel)."""
    return Sprint(number=number, lap=lap, placings=((last,),))


# The race on a 250 m track, a sprint every 2 laps after the neutral lap (3.2.222):
# 1 (lap 2): 12 last.
# 2 (lap 4): 11 last, but the commissaires eliminate 5 (blue band) instead.
#   lap 5: 9 is lapped.
# 3 (lap 6): 11 last again, but 9, lapped since sprint 2, goes out instead.
# 4 (lap 8): 11 last, the decision too late: green flag, nobody out.
# 5 (lap 10): 11 last.
#   lap 10 (after sprint 5): 7 lapped; lap 11: 3 abandons.
# 6 (lap 12): 7 and 3 go out together, 8 last does not.
# 7 (lap 14): 10 last. 8 (lap 16): 8 last. 9 (lap 18): 6 last. 10 (lap 20): 1 last.
# 11 (lap 22): the final, 4 ahead of 2 (front wheel).
SPRINTS = [
    elimination(2, 1, 12),
    elimination(4, 2, 11),
    elimination(6, 3, 11),
    elimination(8, 4, 11),
    elimination(10, 5, 11),
    elimination(12, 6, 8),
    elimination(14, 7, 10),
    elimination(16, 8, 8),
    elimination(18, 9, 6),
    elimination(20, 10, 1),
    Sprint(number=11, lap=22, placings=((4,), (2,)), final=True),
]
LAP_CHANGES = [
    LapChange(bib=9, change=-1, lap=5),
    LapChange(bib=7, change=-1, lap=10),
    # Laps gained do not count (3.2.225): 4 gaining a lap changes nothing.
    LapChange(bib=4, change=1, lap=7),
]
DECISIONS = Decisions(
    dns=frozenset({13}),
    abandoned={3: 11},
    eliminated={2: 5},
    green_flags=frozenset({4}),
)


def race(sprints: int, known_at_lap: int = 22) -> EliminationResult:
    """The race after its first `sprints` sprints, with what was known at the leader's lap
    `known_at_lap`: the lap changes and abandons up to it, the decisions on those sprints."""
    decisions = Decisions(
        dns=DECISIONS.dns,
        abandoned={bib: lap for bib, lap in DECISIONS.abandoned.items() if lap <= known_at_lap},
        eliminated={n: bib for n, bib in DECISIONS.eliminated.items() if n <= sprints},
        green_flags=frozenset(n for n in DECISIONS.green_flags if n <= sprints),
    )
    return elimination_result(
        RIDERS,
        SPRINTS[:sprints],
        lap_changes=[change for change in LAP_CHANGES if change.lap <= known_at_lap],
        decisions=decisions,
    )


def test_race_to_the_last_two() -> None:
    """12 starters, 12 places from the bottom up in reverse order of elimination (3.2.223 bis):
    12 (sprint 1) 12th; 5, put out by the commissaires at sprint 2 while 11 was last, 11th; 9,
    lapped at lap 5 and so the one out at sprint 3, 10th; nobody at sprint 4 (green flag); 11
    at sprint 5, 9th; 7 (lapped at lap 10) and 3 (abandoned at lap 11) both at sprint 6, 7
    having left the race first so placed below 3: 8th and 7th; then 10 6th, 8 5th, 6 4th, 1
    3rd, and the final: 4 1st, 2 2nd (3.2.224). Rider 13 DNS, unranked at the foot. 4's lap
    gained counts for nothing (3.2.225)."""
    result = race(11)
    assert [(line.line.rank, line.line.bib, line.sprint, line.out_by) for line in result.lines] == [
        (1, 4, 11, "final"),
        (2, 2, 11, "final"),
        (3, 1, 10, "last"),
        (4, 6, 9, "last"),
        (5, 8, 8, "last"),
        (6, 10, 7, "last"),
        (7, 3, 6, "abandoned"),
        (8, 7, 6, "lapped"),
        (9, 11, 5, "last"),
        (10, 9, 3, "lapped"),
        (11, 5, 2, "commissaires"),
        (12, 12, 1, "last"),
        (None, 13, None, None),
    ]
    assert [line.line.status for line in result.lines][-2:] == [Status.RANKED, Status.DNS]
    assert result.lines[0].line.name == "Rider 4"
    assert result.finished
    assert result.still_in == []
    assert result.sprints_to_go == 0


def test_live_state_after_the_green_flag() -> None:
    """After sprint 4 (green flag) 9 riders are still in: 1, 2, 3, 4, 6, 7, 8, 10, 11, with 7
    eliminations and the final to go, 8 sprints; the green flag made the race one sprint longer
    than the 11 sprints (22 laps) 12 starters make: the last sprint is now due at lap
    8 + 2 x 8 = 24, 15 laps to go for a leader on lap 9. The places of those out are already
    final: 12 12th, 5 11th, 9 10th."""
    result = race(4, known_at_lap=9)
    assert result.still_in == [1, 2, 3, 4, 6, 7, 8, 10, 11]
    assert result.due == []
    assert result.sprints_to_go == 8
    assert not result.finished
    assert laps_to_go(result, leader_laps=9, last_sprint_lap=8, interval=2) == 15
    assert [(line.line.rank, line.line.bib) for line in result.lines] == [
        *[(None, bib) for bib in result.still_in],
        (10, 9),
        (11, 5),
        (12, 12),
        (None, 13),
    ]


def test_live_state_with_two_riders_due() -> None:
    """Before sprint 6, with 7 lapped at lap 10 and 3 abandoned at lap 11: 8 riders still in,
    7 and 3 due at the next sprint. That sprint takes them both, then 6 riders make 4
    eliminations and the final: 6 sprints to go, the last at lap 10 + 2 x 6 = 22, back to the
    planned 22 laps: 11 laps to go for a leader on lap 11."""
    result = race(5, known_at_lap=11)
    assert result.still_in == [1, 2, 3, 4, 6, 7, 8, 10]
    assert result.due == [3, 7]
    assert result.sprints_to_go == 6
    assert laps_to_go(result, leader_laps=11, last_sprint_lap=10, interval=2) == 11


def test_before_the_first_sprint() -> None:
    """12 starters (13 DNS): 11 sprints to go, 22 laps after the neutral lap (3.2.222)."""
    result = race(0, known_at_lap=0)
    assert len(result.still_in) == 12
    assert result.sprints_to_go == 11
    assert laps_to_go(result, leader_laps=0, last_sprint_lap=0, interval=2) == 22


def test_disqualified_rider_leaves_the_ranking() -> None:
    """5, put out at sprint 2, is disqualified afterwards: the race stands as ridden and 5's
    11th place is left out: 12, below 5, closes up to 11th; 9 and every rider above 5 keep
    their places (9 10th). 5 is listed DSQ, unranked, before the DNS rider."""
    dsq = Decisions(
        dns=DECISIONS.dns,
        dsq=frozenset({5}),
        abandoned=DECISIONS.abandoned,
        eliminated=DECISIONS.eliminated,
        green_flags=DECISIONS.green_flags,
    )
    result = elimination_result(RIDERS, SPRINTS, lap_changes=LAP_CHANGES, decisions=dsq)
    ranks = {line.line.bib: line.line.rank for line in result.lines}
    assert ranks[9] == 10
    assert ranks[12] == 11
    assert ranks[5] is None
    assert [(line.line.bib, line.line.status) for line in result.lines][-2:] == [
        (5, Status.DSQ),
        (13, Status.DNS),
    ]


def test_same_lap_leavers_share_a_place() -> None:
    """Three riders, 1 lapped and 2 abandoning both at lap 1, before the first sprint at lap 2:
    both go out there, sharing 2nd place; 3 is left alone: with no one to sprint against, the
    final places 3 1st."""
    riders = RIDERS[:3]
    result = elimination_result(
        riders,
        [
            Sprint(number=1, lap=2, placings=((3,),)),
            Sprint(number=2, lap=4, placings=((3,),), final=True),
        ],
        lap_changes=[LapChange(bib=1, change=-1, lap=1)],
        decisions=Decisions(abandoned={2: 1}),
    )
    assert [(line.line.rank, line.line.bib) for line in result.lines] == [(1, 3), (2, 1), (2, 2)]


def test_commissaires_elimination_beside_a_lapped_rider() -> None:
    """Four riders. 1 is lapped at lap 1; at sprint 1 (lap 2) the commissaires also eliminate
    2: both go out, 1 (gone at lap 1) 4th, 2 (out at the sprint itself) 3rd. Then 3 abandons
    at lap 3, before the final at lap 4: out at the final, below the rider it places, so 4
    1st and 3 2nd (3.2.223)."""
    result = elimination_result(
        RIDERS[:4],
        [elimination(2, 1, 4), Sprint(number=2, lap=4, placings=((4,),), final=True)],
        lap_changes=[LapChange(bib=1, change=-1, lap=1)],
        decisions=Decisions(eliminated={1: 2}, abandoned={3: 3}),
    )
    assert [(line.line.rank, line.line.bib, line.sprint, line.out_by) for line in result.lines] == [
        (1, 4, 2, "final"),
        (2, 3, 2, "abandoned"),
        (3, 2, 1, "commissaires"),
        (4, 1, 1, "lapped"),
    ]


@pytest.mark.parametrize(
    ("sprints", "decisions", "message"),
    [
        ([Sprint(number=1, lap=2, placings=((3, 4),))], Decisions(), "dead heat for last"),
        ([Sprint(number=1, lap=2, placings=())], Decisions(), "names no last rider"),
        ([elimination(2, 1, 99)], Decisions(), "not in the start list"),
        ([elimination(2, 1, 3), elimination(4, 2, 3)], Decisions(), "no longer in the race"),
        ([elimination(2, 2, 3)], Decisions(), "given as sprint 1"),
        ([elimination(2, 1, 3)], Decisions(green_flags=frozenset({2})), "not ridden"),
        (
            [Sprint(number=1, lap=2, placings=((1,), (2,)), final=True)],
            Decisions(),
            "the riders left are",
        ),
    ],
)
def test_refused(sprints: list[Sprint], decisions: Decisions, message: str) -> None:
    """A sprint whose eliminated rider the judgement does not name, or names wrongly, is a
    one-line error saying what is wrong."""
    with pytest.raises(ValueError, match=message):
        elimination_result(RIDERS[:4], sprints, decisions=decisions)


@pytest.mark.parametrize(
    ("track_m", "interval"),
    [(166.67, 3), (200, 2), (250, 2), (285.714, 2), (333.33, 1), (Fraction(1000, 3), 1), (400, 1)],
)
def test_sprint_interval(track_m: float, interval: int) -> None:
    """3.2.222: every 3 laps under 200 m, every 2 from 200 m to under 333.33 m, every lap from
    333.33 m."""
    assert sprint_interval_laps(track_m) == interval


def test_21_riders_on_250_m_make_40_laps() -> None:
    """uci-rules.md §2.8: 19 eliminations and the final, one every 2 laps: laps 2 to 40."""
    laps = sprint_laps(21, 250)
    assert laps == list(range(2, 41, 2))
    assert sprint_laps(4, 333.33) == [1, 2, 3]


# -- properties ---------------------------------------------------------------------------------


@st.composite
def races(
    draw: st.DrawFn,
) -> tuple[list[Rider], list[Sprint], list[LapChange], Decisions, list[int]]:
    """A race ridden to the end on a 250 m track, and how many riders each sprint removes by the
    rules: one, nobody at a green flag, every rider lapped since the last sprint (at distinct
    laps, so no two share a place)."""
    starters = draw(st.integers(2, 14))
    riders = [Rider(bib=bib) for bib in range(1, starters + 1)]
    in_race = [rider.bib for rider in riders]
    sprints: list[Sprint] = []
    changes: list[LapChange] = []
    green: set[int] = set()
    eliminated: dict[int, int] = {}
    removes: list[int] = []
    while len(in_race) > 2:
        number = len(sprints) + 1
        lap = 2 * number
        most = min(2, len(in_race) - 2)
        lapped = draw(st.lists(st.sampled_from(in_race), unique=True, max_size=most))
        changes += [
            LapChange(bib=bib, change=-1, lap=lap - 2 + index) for index, bib in enumerate(lapped)
        ]
        last = draw(st.sampled_from(in_race))
        sprints.append(elimination(lap, number, last))
        if not lapped and draw(st.booleans()) and draw(st.booleans()):
            green.add(number)
            removes.append(0)
            continue
        out = lapped or [last]
        if not lapped and len(in_race) > 1 and draw(st.booleans()):
            chosen = draw(st.sampled_from([bib for bib in in_race if bib != last]))
            eliminated[number] = chosen
            out = [chosen]
        removes.append(len(out))
        in_race = [bib for bib in in_race if bib not in out]
    final = tuple((bib,) for bib in draw(st.permutations(in_race)))
    sprints.append(
        Sprint(number=len(sprints) + 1, lap=2 * len(sprints) + 2, placings=final, final=True)
    )
    decisions = Decisions(eliminated=eliminated, green_flags=frozenset(green))
    return riders, sprints, changes, decisions, removes


@given(races())
def test_places_are_a_permutation(
    race: tuple[list[Rider], list[Sprint], list[LapChange], Decisions, list[int]],
) -> None:
    """N starters, none DNS, no two leaving at the same lap: places 1..N, each once, and a
    rider out at an earlier sprint is placed below one out later (3.2.223 bis)."""
    riders, sprints, changes, decisions, _ = race
    result = elimination_result(riders, sprints, lap_changes=changes, decisions=decisions)
    assert sorted(line.line.rank or 0 for line in result.lines) == list(range(1, len(riders) + 1))
    out_at = [line.sprint or 0 for line in result.lines]
    assert out_at == sorted(out_at, reverse=True)
    assert result.finished


@given(races())
def test_each_sprint_removes_one_rider(
    race: tuple[list[Rider], list[Sprint], list[LapChange], Decisions, list[int]],
) -> None:
    """Each elimination sprint takes out one rider (the last, or the commissaires' choice);
    none at a green flag; every rider lapped since the sprint before when there are some
    (3.2.223)."""
    riders, sprints, changes, decisions, removes = race
    for number, expected in enumerate(removes, start=1):
        known = [change for change in changes if change.lap < 2 * number]
        before = elimination_result(
            riders, sprints[: number - 1], lap_changes=known, decisions=_for(decisions, number - 1)
        )
        after = elimination_result(
            riders, sprints[:number], lap_changes=known, decisions=_for(decisions, number)
        )
        assert len(before.still_in) - len(after.still_in) == expected
        assert expected == (0 if number in decisions.green_flags else max(len(before.due), 1))


def _for(decisions: Decisions, sprints: int) -> Decisions:
    """The decisions on the first `sprints` sprints."""
    return Decisions(
        eliminated={n: bib for n, bib in decisions.eliminated.items() if n <= sprints},
        green_flags=frozenset(n for n in decisions.green_flags if n <= sprints),
    )
