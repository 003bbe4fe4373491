"""The rounds of the pursuits and the team sprint (uci-rules.md §2.11, §2.12); expected values
worked out by hand from the rules, in each test's docstring."""

import pytest

from velotime.scoring.rules.timed_heat import TimedHeatResult, TimedLine
from velotime.scoring.rules.timed_rounds import (
    FIRST_ROUND,
    INDIVIDUAL_PURSUIT,
    QUALIFYING,
    TEAM_PURSUIT,
    TEAM_PURSUIT_OLYMPIC,
    TEAM_SPRINT,
    TEAM_SPRINT_OLYMPIC,
    Format,
    RoundSpec,
    Seat,
    UnsupportedEntrantsError,
    check_format,
    classify,
    draw,
    qualifying_heats,
    rank_by_time,
    winner,
)
from velotime.times import parse_duration
from velotime.wire.results import Flag, Status


def line(
    entrant: int,
    time: str | None,
    last_lap: str | None = "17.000",
    *,
    status: Status = Status.RANKED,
    won: bool = False,
    caught: bool = False,
) -> TimedLine:
    return TimedLine(
        entrant=entrant,
        side=0,
        time_us=parse_duration(time) if time is not None else None,
        last_lap_us=parse_duration(last_lap) if last_lap is not None else None,
        status=status,
        won=won,
        caught=caught,
    )


def heat(*lines: TimedLine) -> TimedHeatResult:
    return TimedHeatResult(lines=lines)


def places(classification: list) -> list[tuple[int | None, int]]:  # type: ignore[type-arg]
    return [(r.rank, r.bib) for r in classification]


def test_qualifying_in_pairs_of_the_riding_order_an_odd_one_alone() -> None:
    """Five entrants ride 1-2, 3-4, and the fifth alone; the meet may pair its own way."""
    assert qualifying_heats([11, 12, 13, 14, 15]) == [[11, 12], [13, 14], [15]]
    assert qualifying_heats([11, 12, 13], [[13], [12, 11]]) == [[13], [12, 11]]
    with pytest.raises(ValueError, match="hold"):
        qualifying_heats([11, 12, 13], [[11, 12]])
    with pytest.raises(ValueError, match="one or two"):
        qualifying_heats([11, 12, 13], [[11, 12, 13]])


def test_ranking_by_time_then_last_lap_equal_both_equal_rank() -> None:
    """4:19.000 with a 17.100 last lap beats 4:19.000 with 17.200 (3.2.061); two at 4:20.000
    and 17.000 share 3rd, said by `tied`; a relegated one comes after; a DNF is not ranked."""
    ranked = rank_by_time(
        [
            line(1, "4:20.000"),
            line(2, "4:19.000", "17.200"),
            line(3, "4:19.000", "17.100"),
            line(4, None, None, status=Status.DNF),
            line(5, "4:20.000"),
            line(6, "4:10.000", status=Status.REL),
        ]
    )
    assert [(r.rank, r.line.entrant, r.tied) for r in ranked] == [
        (1, 3, False),
        (2, 2, False),
        (3, 1, True),
        (3, 5, True),
        (5, 6, False),
        (None, 4, False),
    ]


def test_winner_of_a_match() -> None:
    """The heat's word; else the one ranked against one who did not start."""
    assert winner(heat(line(1, "4:20.000"), line(2, None, None, won=True))) == 2
    assert winner(heat(line(1, "4:20.000"), line(2, None, None, status=Status.DNS))) == 1
    assert winner(heat(line(1, "4:20.000"), line(2, "4:21.000"))) is None


IP_QUALIFYING = [
    heat(line(1, "4:20.100"), line(2, "4:18.500")),
    heat(line(3, "4:19.000", "17.200"), line(4, None, None, status=Status.DNF)),
    heat(line(5, "4:21.000"), line(6, "4:19.000", "17.000")),
]


def test_individual_pursuit_qualifying_to_finals_and_classification() -> None:
    """Qualifying ranks 2 (4:18.500), 6 (4:19.000, last lap 17.000), 3 (4:19.000, 17.200),
    1 (4:20.100), 5 (4:21.000); 4 DNF. 3.2.053: 2 v 6 for gold, 3 v 1 for bronze, the faster
    on the home straight. Bronze: 1 catches 3; gold: 6 wins. Classification: 6, 2, 1, 3, then
    5 on qualifying time, 4 unranked (DNF)."""
    order = [1, 2, 3, 4, 5, 6]
    assert draw(INDIVIDUAL_PURSUIT, order, {}) == {QUALIFYING: [[1, 2], [3, 4], [5, 6]]}
    after_qualifying = draw(INDIVIDUAL_PURSUIT, order, {QUALIFYING: IP_QUALIFYING})
    assert after_qualifying == {"final 3-4": [[3, 1]], "final 1-2": [[2, 6]]}
    results = {
        QUALIFYING: IP_QUALIFYING,
        "final 3-4": [heat(line(3, None, None, caught=True), line(1, None, None, won=True))],
        "final 1-2": [heat(line(2, "4:17.000"), line(6, "4:16.900", won=True))],
    }
    assert draw(INDIVIDUAL_PURSUIT, order, results) == {}
    classification = classify(INDIVIDUAL_PURSUIT, order, results)
    assert places(classification) == [(1, 6), (2, 2), (3, 1), (4, 3), (5, 5), (None, 4)]
    assert classification[0].time == "4:16.900"
    assert classification[4].time == "4:21.000"  # 5th: by qualifying time
    assert classification[5].status is Status.DNF


def test_a_dead_heat_deciding_who_rides_a_final_is_refused() -> None:
    """4th and 5th in qualifying equal in time and last lap: one would ride the bronze final
    and one not; a commissaire must order them."""
    qualifying = [
        heat(line(1, "4:20.000"), line(2, "4:18.000")),
        heat(line(3, "4:19.000"), line(4, "4:21.000")),
        heat(line(5, "4:21.000")),
    ]
    with pytest.raises(ValueError, match="commissaire"):
        draw(INDIVIDUAL_PURSUIT, [1, 2, 3, 4, 5], {QUALIFYING: qualifying})


def test_a_dead_heat_past_the_finals_is_an_equal_place_flagged() -> None:
    """5th and 6th equal in both: both 5th, flagged draw required; 7th after them."""
    qualifying = [
        heat(line(1, "4:20.000"), line(2, "4:18.000")),
        heat(line(3, "4:19.000"), line(4, "4:19.500")),
        heat(line(5, "4:22.000"), line(6, "4:22.000")),
        heat(line(7, "4:23.000")),
    ]
    results = {
        QUALIFYING: qualifying,
        "final 3-4": [heat(line(4, "4:19.000", won=True), line(1, "4:20.000"))],
        "final 1-2": [heat(line(2, "4:18.000", won=True), line(3, "4:19.000"))],
    }
    classification = classify(INDIVIDUAL_PURSUIT, [1, 2, 3, 4, 5, 6, 7], results)
    assert places(classification) == [(1, 2), (2, 3), (3, 4), (4, 1), (5, 5), (5, 6), (7, 7)]
    assert [Flag.DRAW_REQUIRED in r.flags for r in classification[4:]] == [True, True, False]


def test_three_riders_the_bronze_final_is_a_ride_alone() -> None:
    """A seat past the qualifiers is empty: the 3rd rides the bronze final alone, wins it."""
    qualifying = [heat(line(1, "4:20.000"), line(2, "4:18.000")), heat(line(3, "4:25.000"))]
    assert draw(INDIVIDUAL_PURSUIT, [1, 2, 3], {QUALIFYING: qualifying}) == {
        "final 3-4": [[3]],
        "final 1-2": [[2, 1]],
    }
    results = {
        QUALIFYING: qualifying,
        "final 3-4": [heat(line(3, "4:24.000"))],
        "final 1-2": [heat(line(2, "4:18.000", won=True), line(1, "4:19.000"))],
    }
    assert places(classify(INDIVIDUAL_PURSUIT, [1, 2, 3], results)) == [(1, 2), (2, 1), (3, 3)]
    with pytest.raises(UnsupportedEntrantsError):
        draw(INDIVIDUAL_PURSUIT, [1], {})


# Team pursuit: teams 101-108 ridden in that order; qualifying ranks team 10n as q-th below.
TP_RANK = {1: 104, 2: 101, 3: 107, 4: 102, 5: 108, 6: 103, 7: 106, 8: 105}
TP_QUALIFYING = [
    heat(line(101, "3:46.000"), line(102, "3:48.000")),
    heat(line(103, "3:50.000"), line(104, "3:45.000")),
    heat(line(105, "3:53.000"), line(106, "3:51.000")),
    heat(line(107, "3:47.000"), line(108, "3:49.000")),
]
TP_FIRST_ROUND = [
    heat(line(103, "3:50.000", won=True), line(106, "3:52.000")),  # 6 v 7
    heat(line(108, "3:51.000"), line(105, "3:49.500", won=True)),  # 5 v 8
    heat(line(101, "3:45.000", won=True), line(107, "3:47.000")),  # 2 v 3
    # 1 v 4: 104 catches 102 and stops (3.2.086): 102 rides on for a time.
    heat(line(104, None, None, won=True), line(102, "3:48.000", caught=True)),
]


def test_team_pursuit_first_round_is_drawn_from_qualifying() -> None:
    """Qualifying: 104 3:45, 101 3:46, 107 3:47, 102 3:48, 108 3:49, 103 3:50, 106 3:51,
    105 3:53. 3.2.085: 6v7 (103 v 106), 5v8 (108 v 105), 2v3 (101 v 107), 1v4 (104 v 102),
    in that order, the better qualified on the home straight."""
    teams = list(range(101, 109))
    drawn = draw(TEAM_PURSUIT, teams, {QUALIFYING: TP_QUALIFYING})
    assert drawn == {FIRST_ROUND: [[103, 106], [108, 105], [101, 107], [104, 102]]}
    assert [TP_RANK[q] for q in (6, 7, 5, 8, 2, 3, 1, 4)] == [
        entrant for pair in drawn[FIRST_ROUND] for entrant in pair
    ]


def test_team_pursuit_finals_and_classification() -> None:
    """First round: 103, 105, 101 and 104 (by a catch) win. Gold: the winners of 2v3 and 1v4,
    101 (3:45.000) and 104 (no time: it caught and stopped), 101 on the home straight. The
    other six on first-round times: 107 3:47.000, 102 3:48.000, 105 3:49.500, 103 3:50.000,
    108 3:51.000, 106 3:52.000; bronze 107 v 102. Finals: 104 beats 101, 102 beats 107.
    Classification 104, 101, 102, 107, then 105, 103, 108, 106 (5th-8th on first-round
    times), each with the time that placed it."""
    teams = list(range(101, 109))
    ridden = {QUALIFYING: TP_QUALIFYING, FIRST_ROUND: TP_FIRST_ROUND}
    assert draw(TEAM_PURSUIT, teams, ridden) == {
        "final 3-4": [[107, 102]],
        "final 1-2": [[101, 104]],
    }
    results = ridden | {
        "final 3-4": [heat(line(107, "3:48.000"), line(102, "3:47.500", won=True))],
        "final 1-2": [heat(line(101, None, None, caught=True), line(104, None, None, won=True))],
    }
    classification = classify(TEAM_PURSUIT, teams, results)
    assert places(classification) == [
        (1, 104), (2, 101), (3, 102), (4, 107), (5, 105), (6, 103), (7, 108), (8, 106),
    ]  # fmt: skip
    assert classification[4].time == "3:49.500"


def test_team_pursuit_olympic_finals_for_5th_to_8th() -> None:
    """The same first round, Olympic table: 105 v 103 for 5th-6th, 108 v 106 for 7th-8th."""
    teams = list(range(101, 109))
    ridden = {QUALIFYING: TP_QUALIFYING, FIRST_ROUND: TP_FIRST_ROUND}
    assert draw(TEAM_PURSUIT_OLYMPIC, teams, ridden) == {
        "final 7-8": [[108, 106]],
        "final 5-6": [[105, 103]],
        "final 3-4": [[107, 102]],
        "final 1-2": [[101, 104]],
    }


# Team sprint: teams 1-9, qualifying ranks them in their number (team 1 fastest).
TS_QUALIFYING = [
    heat(line(9, "44.900"), line(8, "43.800")),
    heat(line(7, "43.700"), line(6, "43.600")),
    heat(line(5, "43.500"), line(4, "43.400")),
    heat(line(3, "43.300"), line(2, "43.200")),
    heat(line(1, "43.100")),
]
TS_FIRST_ROUND = [
    heat(line(4, "43.000", won=True), line(5, "43.500")),
    heat(line(3, "42.800", won=True), line(6, "43.300")),
    # 2 relegated for its changeover (3.2.153): last of the round, whatever its time.
    heat(line(2, "42.900", status=Status.REL), line(7, "43.100", won=True)),
    heat(line(1, "42.500"), line(8, None, None, status=Status.DNS)),  # 1 rides alone
]


def test_team_sprint_rounds_and_classification() -> None:
    """Qualifying 1..9 in that order; 9 goes out (9th). 3.2.145: 4v5, 3v6, 2v7, 1v8. Winners
    4, 3, 7 (2 relegated), 1 (8 did not start); by time 1 42.500, 3 42.800, 4 43.000, 7 43.100:
    gold 1 v 3, bronze 4 v 7. Losers: 6 43.300, 5 43.500, then 2 (REL), then 8 (DNS, placed
    8th, 3.2.148 bis). Finals: 3 beats 1, 7 beats 4."""
    teams = [9, 8, 7, 6, 5, 4, 3, 2, 1]
    assert draw(TEAM_SPRINT, teams, {QUALIFYING: TS_QUALIFYING}) == {
        FIRST_ROUND: [[4, 5], [3, 6], [2, 7], [1, 8]]
    }
    ridden = {QUALIFYING: TS_QUALIFYING, FIRST_ROUND: TS_FIRST_ROUND}
    assert draw(TEAM_SPRINT, teams, ridden) == {"final 3-4": [[4, 7]], "final 1-2": [[1, 3]]}
    results = ridden | {
        "final 3-4": [heat(line(4, "43.100"), line(7, "43.000", won=True))],
        "final 1-2": [heat(line(1, "42.600"), line(3, "42.400", won=True))],
    }
    classification = classify(TEAM_SPRINT, teams, results)
    assert places(classification) == [
        (1, 3), (2, 1), (3, 7), (4, 4), (5, 6), (6, 5), (7, 2), (8, 8), (9, 9),
    ]  # fmt: skip
    assert classification[7].status is Status.DNS
    olympic = draw(TEAM_SPRINT_OLYMPIC, teams, ridden)
    assert olympic["final 5-6"] == [[6, 5]]
    assert olympic["final 7-8"] == [[2]]  # 8 did not start: placed, not seated (3.2.148 bis)


# Eight teams, qualifying ranks them in their number (team 1 fastest); in the first round 8
# does not start and 1 rides alone.
TS8_QUALIFYING = [
    heat(line(8, "43.800"), line(7, "43.700")),
    heat(line(6, "43.600"), line(5, "43.500")),
    heat(line(4, "43.400"), line(3, "43.300")),
    heat(line(2, "43.200"), line(1, "43.100")),
]
TS8_FIRST_ROUND = [
    heat(line(4, "43.000", won=True), line(5, "43.500")),
    heat(line(3, "42.800", won=True), line(6, "43.300")),
    heat(line(2, "42.900", won=True), line(7, "43.100")),
    heat(line(1, "42.500"), line(8, None, None, status=Status.DNS)),
]


def test_team_sprint_round_one_dns_is_8th_in_the_uci_table() -> None:
    """3.2.148 bis, UCI table, 8 teams. Qualifying 1..8 (team 1 fastest); first round 4v5,
    3v6, 2v7, 1v8; 8 does not start and 1 rides alone (42.500). Winners 4 43.000, 3 42.800,
    2 42.900, 1: by time 1, 3, 2, 4: gold 1 v 3, bronze 2 v 4. Losers by first-round time:
    7 43.100, 6 43.300, 5 43.500 are 5th, 6th, 7th, and 8 is 8th (not unranked)."""
    teams = [8, 7, 6, 5, 4, 3, 2, 1]
    ridden = {QUALIFYING: TS8_QUALIFYING, FIRST_ROUND: TS8_FIRST_ROUND}
    assert draw(TEAM_SPRINT, teams, ridden) == {"final 3-4": [[2, 4]], "final 1-2": [[1, 3]]}
    results = ridden | {
        "final 3-4": [heat(line(2, "43.000", won=True), line(4, "43.200"))],
        "final 1-2": [heat(line(1, "42.400", won=True), line(3, "42.600"))],
    }
    classification = classify(TEAM_SPRINT, teams, results)
    assert places(classification) == [
        (1, 1), (2, 3), (3, 2), (4, 4), (5, 7), (6, 6), (7, 5), (8, 8),
    ]  # fmt: skip
    assert classification[7].status is Status.DNS


def test_team_sprint_round_one_dns_is_8th_in_the_olympic_table() -> None:
    """3.2.148 bis, Olympic table (3.2.146), the first round above. 8 did not start: it is
    placed 8th and rides no final. Losers 7 43.100, 6 43.300, 5 43.500: 7 v 6 for 5th-6th, and
    5, whose 7th-8th opponent would have been 8, rides that final alone for 7th (a walk-over,
    as a heat with an empty seat is). 6 beats 7; 5 rides 43.400. Classification: 1, 3, 2, 4
    from the medal finals, 6 5th, 7 6th, 5 7th, 8 8th."""
    teams = [8, 7, 6, 5, 4, 3, 2, 1]
    ridden = {QUALIFYING: TS8_QUALIFYING, FIRST_ROUND: TS8_FIRST_ROUND}
    assert draw(TEAM_SPRINT_OLYMPIC, teams, ridden) == {
        "final 7-8": [[5]],
        "final 5-6": [[7, 6]],
        "final 3-4": [[2, 4]],
        "final 1-2": [[1, 3]],
    }
    results = ridden | {
        "final 7-8": [heat(line(5, "43.400"))],
        "final 5-6": [heat(line(7, "43.200"), line(6, "43.100", won=True))],
        "final 3-4": [heat(line(2, "43.000", won=True), line(4, "43.200"))],
        "final 1-2": [heat(line(1, "42.400", won=True), line(3, "42.600"))],
    }
    classification = classify(TEAM_SPRINT_OLYMPIC, teams, results)
    assert places(classification) == [
        (1, 1), (2, 3), (3, 2), (4, 4), (5, 6), (6, 7), (7, 5), (8, 8),
    ]  # fmt: skip
    assert classification[7].status is Status.DNS


def test_results_that_do_not_follow_the_draw_are_refused() -> None:
    """A first-round heat holding teams the draw did not put there."""
    wrong = [*TS_FIRST_ROUND[:3], heat(line(1, "42.500", won=True), line(9, "44.000"))]
    with pytest.raises(ValueError, match="the draw"):
        draw(TEAM_SPRINT, list(range(9, 0, -1)), {QUALIFYING: TS_QUALIFYING, FIRST_ROUND: wrong})


def test_a_match_without_a_winner_holds_the_next_round() -> None:
    """Two ranked teams and no winner said: the finals cannot be drawn."""
    undecided = [*TS_FIRST_ROUND[:3], heat(line(1, "42.500"), line(8, "43.000"))]
    with pytest.raises(ValueError, match="no winner"):
        draw(
            TEAM_SPRINT, list(range(9, 0, -1)), {QUALIFYING: TS_QUALIFYING, FIRST_ROUND: undecided}
        )


def test_a_final_without_a_winner_gives_no_classification() -> None:
    """Both finalists ranked and no winner said: the places of the final are not known."""
    results = {
        QUALIFYING: IP_QUALIFYING,
        "final 3-4": [heat(line(3, "4:19.000", won=True), line(1, "4:20.000"))],
        "final 1-2": [heat(line(2, "4:17.000"), line(6, "4:16.900"))],
    }
    with pytest.raises(ValueError, match="'final 1-2': no winner"):
        classify(INDIVIDUAL_PURSUIT, [1, 2, 3, 4, 5, 6], results)


def test_built_in_formats_check_and_a_bad_one_does_not() -> None:
    for fmt in (INDIVIDUAL_PURSUIT, TEAM_PURSUIT, TEAM_PURSUIT_OLYMPIC, TEAM_SPRINT):
        check_format(fmt)
    bad = Format(
        name="bad",
        rounds=(
            RoundSpec(name=QUALIFYING),
            RoundSpec(name="final", pairs=((Seat("nowhere", 1), Seat("nowhere", 2)),)),
        ),
    )
    with pytest.raises(ValueError, match="nowhere"):
        check_format(bad)
