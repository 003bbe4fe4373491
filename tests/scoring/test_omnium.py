"""The omnium's standings (uci-rules.md §2.10, 3.2.247-3.2.252) and its meet-file settings.

Expected values are worked out by hand from the rules in each docstring: in the current UCI
omnium a place k in the scratch, tempo and elimination races is worth 42 - 2k points (k <= 20),
1 from 21st (3.2.250); the points race adds its own points and 20 a lap gained, less 20 a lap
lost (3.2.251); ties go to the better place in its final sprint (3.2.252).
"""

from collections.abc import Mapping, Sequence
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from velotime.scoring.meet import MeetError, parse_meet
from velotime.scoring.omnium_competition import OmniumCompetition
from velotime.scoring.rules import points_race
from velotime.scoring.rules.bunch import LapChange, Sprint
from velotime.scoring.rules.omnium import (
    UCI,
    UCI_2010,
    UCI_2014,
    OmniumLine,
    Outcome,
    PlacedResult,
    PointsRaceLine,
    PointsResult,
    Pulled,
    RaceResult,
    RaceScore,
    from_points_race,
    standings,
)
from velotime.wire.results import Status

BIBS = list(range(1, 13))

# The 12-rider omnium below: bib -> place in each of the first three races.
SCRATCH = {bib: bib for bib in BIBS}  # bib b is b-th: 42 - 2b points
TEMPO = {bib: 13 - bib for bib in BIBS} | {1: 11, 2: 12}  # reversed, but 1 and 2 swapped
ELIMINATION = {1: 3, 2: 1, 3: 2, 4: 6, 5: 4, 6: 5, 7: 9, 8: 7, 9: 8, 10: 12, 11: 10, 12: 11}
# The points race as ridden to the end: sprint points (final sprint doubled: 1st bib 1 10,
# 2nd bib 10 6, 3rd bib 7 4, 4th bib 2 2; intermediate: bib 1 2, bib 7 4, bib 2 1, bib 5 2),
# bib 10 a lap up, bib 3 a lap down.
POINTS_RACE = {bib: PointsRaceLine() for bib in BIBS} | {
    1: PointsRaceLine(sprint_points=12, final_place=1),
    10: PointsRaceLine(sprint_points=6, laps_gained=1, final_place=2),
    7: PointsRaceLine(sprint_points=8, final_place=3),
    2: PointsRaceLine(sprint_points=3, final_place=4),
    5: PointsRaceLine(sprint_points=2),
    3: PointsRaceLine(laps_lost=1),
}


def placed(*parts: Mapping[int, Outcome]) -> PlacedResult:
    """A race by place, its outcomes given in parts (places, then statuses)."""
    return PlacedResult(outcomes={bib: o for part in parts for bib, o in part.items()})


def ranks(lines: Sequence[OmniumLine]) -> list[tuple[int, int | None, int]]:
    """(bib, rank, total), in the standings' order."""
    return [(line.bib, line.rank, line.total) for line in lines]


def test_a_twelve_rider_omnium_through_its_four_races() -> None:
    """By hand. Scratch: bib b 42 - 2b. Tempo: bib b (3..12) 13 - b-th, 16 + 2b; bib 1 11th 20,
    bib 2 12th 18. After two races bibs 3-12 have 58, bib 1 40 + 20 = 60, bib 2 38 + 18 = 56.
    Elimination 42 - 2 x place: 1: 36, 2: 40, 3: 38, 4: 30, 5: 34, 6: 32, 7: 24, 8: 28, 9: 26,
    10: 18, 11: 22, 12: 20; after three races 1: 96, 2: 96, 3: 96, 4: 88, 5: 92, 6: 90, 7: 82,
    8: 86, 9: 84, 10: 76, 11: 80, 12: 78. The points race: 1 +12 = 108, 10 +6 +20 = 102,
    2 +3 = 99, 5 +2 = 94, 7 +8 = 90, 6 = 90, 4 = 88, 8 = 86, 9 = 84, 11 = 80, 12 = 78,
    3 -20 = 76. Bibs 7 and 6 tie on 90: 7 was 3rd in the final sprint, 6 not placed in it."""
    lines = standings(
        UCI,
        BIBS,
        [placed(SCRATCH), placed(TEMPO), placed(ELIMINATION), PointsResult(POINTS_RACE)],
    )
    assert ranks(lines) == [
        (1, 1, 108), (10, 2, 102), (2, 3, 99), (5, 4, 94), (7, 5, 90), (6, 6, 90),
        (4, 7, 88), (8, 8, 86), (9, 9, 84), (11, 10, 80), (12, 11, 78), (3, 12, 76),
    ]  # fmt: skip
    winner = lines[0]
    assert winner.races == (
        RaceScore(1, 40),
        RaceScore(11, 20),
        RaceScore(3, 36),
        RaceScore(None, 12, laps=0),
    )
    assert lines[1].races[3] == RaceScore(None, 26, laps=1)  # bib 10: 6 + 20
    assert lines[-1].races[3] == RaceScore(None, -20, laps=-1)  # bib 3: a lap lost
    assert all(line.status == "" for line in lines)


def test_before_the_final_sprint_equal_totals_share_a_place() -> None:
    """After two races (the data above): bib 1 60 first; bibs 3-12 58, all second; bib 2 56,
    12th. After three: bibs 1, 2, 3 share first on 96; then 5 (92) 4th, 6 (90) 5th, 4 (88) 6th,
    8 (86) 7th, 9 (84) 8th, 7 (82) 9th, 11 (80) 10th, 12 (78) 11th, 10 (76) 12th. Tied riders
    are listed by bib."""
    after_two = standings(UCI, BIBS, [placed(SCRATCH), placed(TEMPO)])
    assert ranks(after_two) == [(1, 1, 60), *[(bib, 2, 58) for bib in range(3, 13)], (2, 12, 56)]
    assert after_two[0].races[2:] == (None, None)  # not ridden yet
    after_three = standings(UCI, BIBS, [placed(SCRATCH), placed(TEMPO), placed(ELIMINATION)])
    assert ranks(after_three) == [
        (1, 1, 96), (2, 1, 96), (3, 1, 96), (5, 4, 92), (6, 5, 90), (4, 6, 88),
        (8, 7, 86), (9, 8, 84), (7, 9, 82), (11, 10, 80), (12, 11, 78), (10, 12, 76),
    ]  # fmt: skip


def test_the_standings_are_live_during_the_points_race() -> None:
    """Mid points race, before the final sprint: bib 1 has 2 sprint points (96 + 2 = 98),
    bib 2 1 (97), bib 10 a lap up (76 + 20 = 96), bib 5 2 (94), bib 7 4 (82 + 4 = 86, level with
    bib 8's 86: no final sprint yet, so they share 7th), bib 3 a lap down (96 - 20 = 76)."""
    live = {bib: PointsRaceLine() for bib in BIBS} | {
        1: PointsRaceLine(sprint_points=2),
        2: PointsRaceLine(sprint_points=1),
        10: PointsRaceLine(laps_gained=1),
        5: PointsRaceLine(sprint_points=2),
        7: PointsRaceLine(sprint_points=4),
        3: PointsRaceLine(laps_lost=1),
    }
    lines = standings(
        UCI, BIBS, [placed(SCRATCH), placed(TEMPO), placed(ELIMINATION), PointsResult(live)]
    )
    assert ranks(lines) == [
        (1, 1, 98), (2, 2, 97), (10, 3, 96), (5, 4, 94), (6, 5, 90), (4, 6, 88),
        (7, 7, 86), (8, 7, 86), (9, 9, 84), (11, 10, 80), (12, 11, 78), (3, 12, 76),
    ]  # fmt: skip


def test_a_tie_is_broken_by_the_points_race_final_sprint() -> None:
    """Three riders, each first, second and third once in the first three races: 40 + 38 + 36 =
    114 each. In the points race bib 10 has 4 intermediate points and wins the final sprint
    (10): 14; bib 20 has 10 intermediate points and is 3rd in the final sprint (4): 14. Both
    128; bib 10's better place in the final sprint puts it first (3.2.252). Bib 30: 114."""
    riders = [10, 20, 30]
    results: list[RaceResult] = [
        placed({10: 1, 20: 2, 30: 3}),
        placed({10: 2, 20: 3, 30: 1}),
        placed({10: 3, 20: 1, 30: 2}),
        PointsResult(
            {
                10: PointsRaceLine(sprint_points=14, final_place=1),
                20: PointsRaceLine(sprint_points=14, final_place=3),
                30: PointsRaceLine(),
            }
        ),
    ]
    assert ranks(standings(UCI, riders, results)) == [(10, 1, 128), (20, 2, 128), (30, 3, 114)]
    # Swap the final sprint and the order swaps: the tie-break, not the bib, decides.
    swapped = PointsResult(
        {
            10: PointsRaceLine(sprint_points=14, final_place=3),
            20: PointsRaceLine(sprint_points=14, final_place=1),
            30: PointsRaceLine(),
        }
    )
    assert ranks(standings(UCI, riders, [*results[:3], swapped]))[:2] == [
        (20, 1, 128),
        (10, 2, 128),
    ]


def test_a_rider_who_does_not_start_the_tempo_is_out_and_listed_last() -> None:
    """3.2.249: bib 12 does not start the tempo race: out of the omnium, listed last as DNF,
    with the 18 points of its 12th place in the scratch shown but not ranked. The 11 others ride
    the tempo: bib b (1..11) 12 - b-th, 42 - 2(12 - b) = 18 + 2b; with the scratch's 42 - 2b
    every one of them has 60 and they share first."""
    tempo = placed({bib: 12 - bib for bib in range(1, 12)}, {12: "DNS"})
    lines = standings(UCI, BIBS, [placed(SCRATCH), tempo])
    assert ranks(lines) == [*[(bib, 1, 60) for bib in range(1, 12)], (12, None, 18)]
    assert lines[-1].status == "DNF"
    assert lines[-1].races == (RaceScore(12, 18), RaceScore(None, 0, "DNS"), None, None)
    # The later races are given without bib 12: it is out.
    elimination = {bib: bib for bib in range(1, 12)}
    later = standings(UCI, BIBS, [placed(SCRATCH), tempo, placed(elimination)])
    assert (later[-1].bib, later[-1].rank) == (12, None)


def test_an_abandon_in_the_elimination_is_out_after_the_last_classified() -> None:
    """3.2.251 bis: bib 4 abandons the elimination race: out, listed DNF after the last
    classified rider but before bib 12, who did not start the tempo race (3.2.249: last). The
    tempo as in the DNS test (everyone else on 60); the elimination of the 10 left: bib b
    (1..3) b-th, bib b (5..11) b - 1-th, 42 - 2 x place: 1: 100, 2: 98, 3: 96, 5 (4th): 94,
    6: 92 ... 11 (10th): 82. Bib 4 keeps its 60 (34 + 26), unranked."""
    tempo = placed({bib: 12 - bib for bib in range(1, 12)}, {12: "DNS"})
    elimination = placed({b: b for b in (1, 2, 3)}, {b: b - 1 for b in range(5, 12)}, {4: "DNF"})
    lines = standings(UCI, BIBS, [placed(SCRATCH), tempo, elimination])
    assert ranks(lines) == [
        (1, 1, 100), (2, 2, 98), (3, 3, 96), (5, 4, 94), (6, 5, 92), (7, 6, 90), (8, 7, 88),
        (9, 8, 86), (10, 9, 84), (11, 10, 82), (4, None, 60), (12, None, 18),
    ]  # fmt: skip
    assert [line.status for line in lines[-2:]] == ["DNF", "DNF"]
    assert lines[-2].races[2] == RaceScore(None, 0, "DNF")


def test_a_rider_lapped_twice_in_the_scratch_is_placed_and_docked_40() -> None:
    """3.2.251 bis: bib 9 loses its second lap with all 12 still racing: taken off, placed 12th
    (the first free place counted from the 12 still racing): 42 - 24 = 18, less 40: -22. Bib 8
    goes the same way with 11 left: 11th, 20 - 40 = -20. The other ten finish 1st to 10th
    (bib b, b <= 7, b-th; bibs 10, 11, 12 8th, 9th, 10th)."""
    scratch = placed(
        {b: b for b in range(1, 8)}, {10: 8, 11: 9, 12: 10}, {9: Pulled(12), 8: Pulled(11)}
    )
    lines = {line.bib: line for line in standings(UCI, BIBS, [scratch])}
    assert lines[9].races[0] == RaceScore(12, -22, "lapped")
    assert lines[8].races[0] == RaceScore(11, -20, "lapped")
    assert (lines[12].total, lines[9].total, lines[8].total) == (22, -22, -20)
    assert (lines[8].rank, lines[9].rank) == (11, 12)  # still in the omnium
    # The penalty is the format's: the 2014-2016 table (no such rule) only places the rider.
    six = {line.bib: line for line in standings(UCI_2014, BIBS, [scratch])}
    assert six[9].races[0] == RaceScore(12, 18, "lapped")


def test_riders_down_in_the_last_km_of_the_scratch_share_the_next_free_place() -> None:
    """3.2.251 ter, as at Tokyo 2020 (women's scratch): 21 riders, 12 finish (1st-12th), 9 come
    down in the closing crash: all 9 get the next free place, 13th, and its 42 - 26 = 16
    points, and share 13th in the standings."""
    riders = list(range(1, 22))
    scratch = placed({b: b for b in range(1, 13)}, dict.fromkeys(range(13, 22), "crashed"))
    lines = standings(UCI, riders, [scratch])
    down = [line for line in lines if line.bib >= 13]
    assert {line.races[0] for line in down} == {RaceScore(13, 16, "crashed")}
    assert {(line.rank, line.total) for line in down} == {(13, 16)}
    with pytest.raises(ValueError, match="a crash in the last km is a scratch's"):
        standings(UCI, riders, [placed(SCRATCH, {b: b for b in range(13, 22)}), scratch])


def test_the_six_event_omnium_lowest_total_wins_ties_on_the_timed_events() -> None:
    """The 2010-2013 omnium (uci-rules.md §2.10, history): place = points, the lowest total
    wins, a tie goes to the lower combined time of the flying lap, pursuit and time trial.
    Places (flying lap, points race, elimination, pursuit, scratch, time trial):
    bib 1 (1, 4, 2, 1, 3, 2) = 13; bib 2 (2, 1, 3, 4, 2, 1) = 13; bib 3 (3, 2, 1, 3, 4, 4) = 17;
    bib 4 (4, 3, 4, 2, 1, 3) = 17. Times: bib 1 13.000 + 4:20.000 + 1:02.000 = 335.000;
    bib 2 13.100 + 4:30.000 + 1:01.500 = 344.600; bib 3 13.200 + 4:25.000 + 1:03.000 =
    341.200; bib 4 13.300 + 4:22.000 + 1:02.500 = 337.800. So 1, 2, then 4, 3."""
    s = 1_000_000
    places = {
        1: (1, 4, 2, 1, 3, 2),
        2: (2, 1, 3, 4, 2, 1),
        3: (3, 2, 1, 3, 4, 4),
        4: (4, 3, 4, 2, 1, 3),
    }
    times = {  # flying lap, pursuit, time trial, in µs
        1: (13_000_000, 260 * s, 62 * s),
        2: (13_100_000, 270 * s, 61_500_000),
        3: (13_200_000, 265 * s, 63 * s),
        4: (13_300_000, 262 * s, 62_500_000),
    }
    timed = {0: 0, 3: 1, 5: 2}  # race index -> index in `times`
    results = [
        PlacedResult(
            outcomes={bib: places[bib][race] for bib in places},
            times={bib: times[bib][timed[race]] for bib in times} if race in timed else {},
        )
        for race in range(6)
    ]
    lines = standings(UCI_2010, [1, 2, 3, 4], results)
    assert ranks(lines) == [(1, 1, 13), (2, 2, 13), (4, 3, 17), (3, 4, 17)]
    # After three events bibs 2 (2 + 1 + 3) and 3 (3 + 2 + 1) are level on 6, lowest, and
    # the timed events are not all ridden: they share first; bib 1 (7) 3rd, bib 4 (11) 4th.
    assert ranks(standings(UCI_2010, [1, 2, 3, 4], results[:3])) == [
        (2, 1, 6), (3, 1, 6), (1, 3, 7), (4, 4, 11)
    ]  # fmt: skip


# The meet file's omnium settings.

RIDERS = "".join(f'[[riders]]\nbib = {bib}\nname = "Rider {bib}"\n' for bib in range(1, 13))
MEET = f'[meet]\nid = "om"\n{RIDERS}'


def meet_problems(text: str) -> list[str]:
    with pytest.raises(MeetError) as caught:
        parse_meet(MEET + text, source="m.toml")
    return list(caught.value.problems)


def test_an_omnium_is_scored_by_the_uci_table_unless_it_names_another() -> None:
    meet = parse_meet(MEET + f'[[omniums]]\nid = "omnium-w"\nriders = {BIBS}\n{UCI_LAPS}')
    (omnium,) = meet.omniums
    assert meet.omnium_format(omnium) is UCI
    assert omnium.race_ids(UCI) == [
        "omnium-w-scratch", "omnium-w-tempo", "omnium-w-elimination", "omnium-w-points-race"
    ]  # fmt: skip
    old = parse_meet(
        MEET + f'[[omniums]]\nid = "o"\nriders = {BIBS}\nformat = "uci-2010"\n'
        "laps = { scratch = 40, points-race = 100 }\n"
    )
    assert old.omnium_format(old.omniums[0]) is UCI_2010


UCI_LAPS = "laps = { scratch = 40, tempo = 40, points-race = 100 }\n"
OWN_TABLE = """
[[omnium_formats]]
name = "club"
races = [
  { name = "scratch", kind = "scratch" },
  { name = "elimination", kind = "elimination" },
  { name = "points race", kind = "points_race" },
]
place_points = [10, 8, 6, 5, 4, 3, 2]
points_after = 1
lap_points = 10

[[omniums]]
id = "club-omnium"
riders = [1, 2, 3, 4]
format = "club"
laps = { scratch = 20, points-race = 40 }
"""


def test_a_meet_scores_an_omnium_by_a_table_of_its_own() -> None:
    """The club's table: 10, 8, 6 for the first three places; a lap is worth 10. Bib 1 1st and
    2nd (10 + 8), a lap up in the points race with 3 points: 18 + 13 = 31; bib 2 2nd and 1st
    (18) and 5 points: 23; bib 3 3rd, 3rd (12): 12; bib 4 4th, 4th (5 + 5) and a lap down: 0."""
    meet = parse_meet(MEET + OWN_TABLE)
    table = meet.omnium_format(meet.omniums[0])
    results: list[RaceResult] = [
        placed({1: 1, 2: 2, 3: 3, 4: 4}),
        placed({1: 2, 2: 1, 3: 3, 4: 4}),
        PointsResult(
            {
                1: PointsRaceLine(sprint_points=3, laps_gained=1),
                2: PointsRaceLine(sprint_points=5),
                3: PointsRaceLine(),
                4: PointsRaceLine(laps_lost=1),
            }
        ),
    ]
    assert ranks(standings(table, [1, 2, 3, 4], results)) == [
        (1, 1, 31), (2, 2, 23), (3, 3, 12), (4, 4, 0)
    ]  # fmt: skip


def test_a_bad_omnium_table_is_named_by_its_keys() -> None:
    broken = OWN_TABLE.replace("place_points", "place_point").replace('scratch" }', 'scrach" }')
    assert meet_problems(broken) == [
        "m.toml: omnium_formats[0].place_point: unknown key (did you mean 'place_points'?)",
        "m.toml: omnium_formats[0].races[0].kind: unknown value 'scrach'; valid: elimination, "
        "flying_lap, individual_pursuit, points_race, scratch, tempo, time_trial "
        "(did you mean 'scratch'?)",
    ]
    assert meet_problems(OWN_TABLE.replace('format = "club"', 'format = "clb"')) == [
        "m.toml: omniums[0].format: unknown value 'clb'; valid: club, uci, uci-2010, uci-2014 "
        "(did you mean 'club'?)"
    ]
    wrong = (
        OWN_TABLE.replace("[10, 8, 6, 5", "[10, 8, 9, 5")
        .replace("points_after = 1", "points_after = 3")
        .replace('"points race", kind = "points_race"', '"Scratch", kind = "tempo"')
        .replace('name = "club"', 'name = "uci"')
        .replace("lap_points = 10", "lap_points = -20")
        .replace("riders = [1, 2, 3, 4]", "riders = [1, 2, 2, 40]")
    )
    assert meet_problems(wrong) == [
        "m.toml: omnium_formats[0].name: 'uci' is a built-in table's; choose another",
        "m.toml: omnium_formats[0].races[2].name: 'Scratch' is also races[0]'s",
        "m.toml: omnium_formats[0].place_points[2]: 9 for place 3 is more than 8 for place 2, "
        "and the highest total wins",
        "m.toml: omnium_formats[0].lap_points: 0 or more, got -20",
        "m.toml: omnium_formats[0].tie_break: final_sprint needs a points race that adds its "
        "own points",
        "m.toml: omniums[0].riders[2]: bib 2 twice",
        "m.toml: omniums[0].riders[3]: no rider with bib 40 in [[riders]]",
        "m.toml: omniums[0].format: unknown value 'club'; valid: uci, uci-2010, uci-2014",
    ]


def test_a_table_where_a_worse_place_could_score_better_is_refused() -> None:
    """With the highest total winning, a place past a 40 ... 2 list left without points_after
    would score its own number (21 for 21st, more than 20th's 2)."""
    table = OWN_TABLE.replace("points_after = 1\n", "")
    assert meet_problems(table) == [
        "m.toml: omnium_formats[0].points_after: left out, a place past place_points scores its "
        "own number, more the worse the place, and the highest total wins: give the points"
    ]
    assert meet_problems(
        table.replace("points_after", "x").replace(
            "lap_points = 10", 'wins = "lowest"\ntie_break = "none"'
        )
    ) == [
        "m.toml: omnium_formats[0].place_points[1]: 8 for place 2 is less than 10 for place 1, "
        "and the lowest total wins"
    ]


def test_an_omniums_sprint_intervals_are_checked_and_given_to_its_races() -> None:
    """`sprint_every` by race: the points race's laps between sprints (1 to its 40 laps), the
    elimination's (1 to 3, 3.2.222); the scratch has none to set."""
    own = OWN_TABLE.replace(
        "laps = { scratch = 20, points-race = 40 }",
        "laps = { scratch = 20, points-race = 40 }\nsprint_every = { points-race = 5 }",
    )
    meet = parse_meet(MEET + own)
    spec = meet.omniums[0]
    events = OmniumCompetition(spec, meet.omnium_format(spec)).events()
    assert [(event.id, event.sprint_every) for event in events] == [
        ("club-omnium-scratch", None),
        ("club-omnium-elimination", None),
        ("club-omnium-points-race", 5),
    ]
    wrong = own.replace(
        "{ points-race = 5 }", "{ points-race = 41, elimination = 4, scratch = 2, tempo = 1 }"
    )
    assert meet_problems(wrong) == [
        "m.toml: omniums[0].sprint_every.points-race: laps between sprints, 1 to 40, got 41",
        "m.toml: omniums[0].sprint_every.elimination: laps between sprints, 1 to 3, got 4",
        "m.toml: omniums[0].sprint_every.scratch: only the points and elimination races have "
        "an interval to set, not a scratch race",
        "m.toml: omniums[0].sprint_every.tempo: no such race: unknown value 'tempo'; valid: "
        "elimination, points-race, scratch",
    ]


def test_the_omniums_races_are_events_whose_ids_are_taken() -> None:
    clash = (
        '[[events]]\nid = "club-omnium-elimination"\ndiscipline = "flying200"\nstart_order = [1]\n'
    )
    assert meet_problems(clash + OWN_TABLE) == [
        "m.toml: omniums[0]: the id 'club-omnium-elimination' is also events[0]'s"
    ]


# Properties, for any field and any results of the current UCI omnium.


def uci_points(place: int) -> int:
    """3.2.250, from the rule's text: 42 - 2k for k <= 20, then 1."""
    return 42 - 2 * place if place <= 20 else 1


@st.composite
def omniums(draw: st.DrawFn) -> tuple[list[int], list[PlacedResult | PointsResult]]:
    """A field of 2-30 riders through the three races by place (dead heats allowed: a place
    drawn at or above the rank shares it) and the points race, under way or over."""
    riders = draw(st.lists(st.integers(1, 999), min_size=2, max_size=30, unique=True))
    results: list[PlacedResult | PointsResult] = []
    for _ in range(3):
        order = draw(st.permutations(riders))
        ties = draw(st.lists(st.booleans(), min_size=len(riders), max_size=len(riders)))
        places: dict[int, Outcome] = {}
        place = 1
        for i, bib in enumerate(order):
            place = place if i > 0 and ties[i] else i + 1
            places[bib] = place
        results.append(PlacedResult(places))
    finished = draw(st.booleans())
    final = draw(st.permutations(riders)) if finished else []
    lines = {
        bib: PointsRaceLine(
            sprint_points=draw(st.integers(0, 60)),
            laps_gained=draw(st.integers(0, 3)),
            laps_lost=draw(st.integers(0, 3)),
            final_place=final.index(bib) + 1 if bib in final[:4] else None,
        )
        for bib in riders
    }
    results.append(PointsResult(dict(lines)))
    return riders, results


@given(omniums())
def test_a_total_is_the_table_points_of_the_places_and_the_points_race(
    omnium: tuple[list[int], list[PlacedResult | PointsResult]],
) -> None:
    riders, results = omnium
    *placed_races, points_race = results
    assert isinstance(points_race, PointsResult)
    assert len(placed_races) == 3
    for line in standings(UCI, riders, results):
        race_line = points_race.lines[line.bib]
        assert isinstance(race_line, PointsRaceLine)
        places = [r.outcomes[line.bib] for r in placed_races if isinstance(r, PlacedResult)]
        expected = sum(uci_points(place) for place in places if isinstance(place, int))
        expected += race_line.sprint_points + 20 * (race_line.laps_gained - race_line.laps_lost)
        assert line.total == expected


@given(omniums(), st.integers(0, 4))
def test_the_standings_go_by_total_then_the_final_sprint_and_ties_share(
    omnium: tuple[list[int], list[PlacedResult | PointsResult]], ridden: int
) -> None:
    """At any point (after 0-4 races): every rider once; totals never rise down the table;
    between equal totals a rider placed better in the final sprint comes first; a rider's rank
    is 1 + the riders strictly ahead (better total, or equal and a better final sprint)."""
    riders, results = omnium
    lines = standings(UCI, riders, results[:ridden])
    assert sorted(line.bib for line in lines) == sorted(riders)
    final: dict[int, float] = {}
    if ridden == 4:
        points_race = results[3]
        assert isinstance(points_race, PointsResult)
        final = {
            bib: line.final_place
            for bib, line in points_race.lines.items()
            if isinstance(line, PointsRaceLine) and line.final_place is not None
        }

    def ahead(a: OmniumLine, b: OmniumLine) -> bool:
        return a.total > b.total or (
            a.total == b.total and final.get(a.bib, 99) < final.get(b.bib, 99)
        )

    for above, below in pairwise(lines):
        assert not ahead(below, above)
    for line in lines:
        assert line.rank == 1 + sum(ahead(other, line) for other in lines)


@given(omniums(), st.integers(0, 4))
def test_in_a_lowest_total_format_the_totals_never_fall_down_the_table(
    omnium: tuple[list[int], list[PlacedResult | PointsResult]], ridden: int
) -> None:
    """The same races scored as the 2010-2013 omnium's first four (place = points, lowest
    wins, the points race by place: given here as the scratch's places again): a total is the
    sum of the places, and the table runs from the lowest total up."""
    riders, results = omnium
    by_place = [*results[:3], results[0]][:ridden]
    lines = standings(UCI_2010, riders, by_place)
    for line in lines:
        places = [r.outcomes[line.bib] for r in by_place if isinstance(r, PlacedResult)]
        assert line.total == sum(p for p in places if isinstance(p, int))
    assert [line.total for line in lines] == sorted(line.total for line in lines)


def test_a_result_for_a_rider_not_entered_is_refused() -> None:
    with pytest.raises(ValueError, match="scratch: not entered: 99"):
        standings(UCI, BIBS, [placed(SCRATCH, {99: 13})])


def test_the_points_race_table_is_read_as_the_omnium_needs_it() -> None:
    """Three riders level on 114 after three races (each 1st, 2nd and 3rd once). The points
    race as judged: sprint 1 bib 20, 10, 30 (5, 3, 2); bib 30 gains a lap (+20); the final
    sprint bib 10, 20 (10, 6). Bib 30: 2 + 20 = 22, 136; bib 10: 3 + 10 = 13, 127; bib 20:
    5 + 6 = 11, 125. Had bib 20 abandoned it, it would be out (DNF) with its 114."""
    riders = [10, 20, 30]
    first_three: list[RaceResult] = [
        placed({10: 1, 20: 2, 30: 3}),
        placed({10: 2, 20: 3, 30: 1}),
        placed({10: 3, 20: 1, 30: 2}),
    ]
    sprints = [
        Sprint(number=1, lap=10, placings=((20,), (10,), (30,))),
        Sprint(number=2, lap=20, placings=((10,), (20,)), final=True),
    ]
    laps = [LapChange(bib=30, change=1, lap=15)]
    table = points_race.standings(riders, sprints, laps)
    lines = standings(UCI, riders, [*first_three, from_points_race(table)])
    assert ranks(lines) == [(30, 1, 136), (10, 2, 127), (20, 3, 125)]
    assert lines[0].races[3] == RaceScore(None, 22, laps=1)
    abandoned = points_race.standings(riders, sprints, laps, {20: Status.DNF})
    lines = standings(UCI, riders, [*first_three, from_points_race(abandoned)])
    assert (lines[-1].bib, lines[-1].rank, lines[-1].total, lines[-1].status) == (
        20, None, 114, "DNF"
    )  # fmt: skip


def test_riders_out_are_listed_abandoned_then_disqualified_then_not_started() -> None:
    """After the scratch: bib 1 1st (40). Bib 2 abandoned, bib 3 was disqualified, bib 4 did not
    start: all out, in that order; the one who did not start is listed DNF (3.2.249)."""
    lines = standings(UCI, [4, 3, 2, 1], [placed({1: 1, 2: "DNF", 3: "DSQ", 4: "DNS"})])
    assert [(line.bib, line.rank, line.total, line.status) for line in lines] == [
        (1, 1, 40, ""), (2, None, 0, "DNF"), (3, None, 0, "DSQ"), (4, None, 0, "DNF")
    ]  # fmt: skip
