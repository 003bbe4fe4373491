"""Sprint tournament tables, matches and classification (uci-rules.md §2.3); every expected value
is worked out by hand from the tables there."""

import msgspec
import pytest

from velotime.scoring.rules.keirin import Decisions, Rider, heat_result
from velotime.scoring.rules.sprint_tournament import (
    OLYMPIC_24,
    WORLDS_28,
    Format,
    Race,
    RoundSpec,
    classify,
    draw,
    knockout,
    match_state,
    plan,
    race_start_list,
    table,
)
from velotime.wire.results import Status


def test_the_worlds_table_for_28_qualifiers() -> None:
    """3.2.050: seeds 1-4 have a bye; 1/16: 5v28, 6v27 ... 16v17 (12 races); 1/8: 1v16 ... 8v9,
    slot k of the 1/8 being seed k or the winner of the 1/16 race holding seed k (race k - 4);
    quarter-finals, semi-finals and finals best of three."""
    t = plan(WORLDS_28)
    assert [(r.name, len(r.heats), r.best_of) for r in t.rounds] == [
        ("1/16", 12, 1),
        ("1/8", 8, 1),
        ("1/4", 4, 3),
        ("1/2", 2, 3),
        ("bronze final", 1, 3),
        ("final", 1, 3),
    ]
    assert WORLDS_28.rounds[0].heats[0] == ("q5", "q28")
    assert WORLDS_28.rounds[0].heats[11] == ("q16", "q17")
    # 1v16: slot 16 is the winner of the race holding seed 16, race 12 (16v17).
    assert WORLDS_28.rounds[1].heats[0] == ("q1", "1/16:12")
    # 5v12: the winners of race 1 (5v28) and race 8 (12v21).
    assert WORLDS_28.rounds[1].heats[4] == ("1/16:1", "1/16:8")
    assert WORLDS_28.rounds[2].heats == (("1/8:1", "1/8:8"), ("1/8:2", "1/8:7"),
                                         ("1/8:3", "1/8:6"), ("1/8:4", "1/8:5"))  # fmt: skip
    assert WORLDS_28.rounds[3].heats == (("1/4:1", "1/4:4"), ("1/4:2", "1/4:3"))
    assert WORLDS_28.rounds[4].heats == (("1/2:1:2", "1/2:2:2"),)  # the semi-finals' losers


def test_the_minimal_competition_of_8_is_quarter_finals_on() -> None:
    """3.2.031: 8 qualifiers; quarter-finals 1v8, 2v7, 3v6, 4v5 (best of three, as the Worlds
    table rides them), semi-finals and both finals best of three."""
    fmt = table(8)
    assert [r.name for r in fmt.rounds] == ["1/4", "1/2", "bronze final", "final"]
    assert fmt.rounds[0].heats == (("q1", "q8"), ("q2", "q7"), ("q3", "q6"), ("q4", "q5"))


def test_the_olympic_table_for_24() -> None:
    """Tokyo 2020, Paris 2024: 1/32 1v24 ... 12v13; the 12 losers in 4 repechages of 3 (by
    serpentine in qualifying order: the loser of 12v13 is the best loser); 1/16 1vR4, 2vR3, 3vR2,
    4vR1, 5v12 ... 8v9; 4 repechages of 2; 1/8 of 12 with 2 repechages of 3; quarter-finals
    1vR2, 2vR1, 3v6, 4v5; the race for places 5-8 of the 4 quarter-final losers."""
    assert table(24) is OLYMPIC_24
    rounds = {r.name: r for r in plan(OLYMPIC_24).rounds}
    assert rounds["1/32"].heats[11] == ("q12", "q13")
    # Losers by qualifying rank: 13 (race 12), 14 (race 11) ... 24 (race 1); serpentine in 4:
    # 13, 20, 21 | 14, 19, 22 | 15, 18, 23 | 16, 17, 24.
    assert rounds["1/32 repechage"].heats[0] == ("1/32:12:2", "1/32:5:2", "1/32:4:2")
    assert rounds["1/32 repechage"].heats[3] == ("1/32:9:2", "1/32:8:2", "1/32:1:2")
    assert rounds["1/16"].heats[0] == ("1/32:1", "1/32 repechage:4")
    assert rounds["1/16"].heats[4] == ("1/32:5", "1/32:12")
    assert rounds["1/4"].heats[0] == ("1/8:1", "1/8 repechage:2")
    assert rounds["race for places 5-8"].first_place == 5


def test_a_table_is_picked_by_the_number_of_qualifiers() -> None:
    assert [r.name for r in table(18).rounds][:2] == ["1/16", "1/16 repechage"]  # London 2012
    # 12 qualifiers: a bracket of 8, seeds 1-4 a bye, 5v12, 6v11, 7v10, 8v9 first.
    twelve = table(12)
    assert twelve.rounds[0].heats == (("q5", "q12"), ("q6", "q11"), ("q7", "q10"), ("q8", "q9"))
    assert twelve.rounds[1].heats[0] == ("q1", "1/8:4")  # 1 v slot 8: the winner of 8v9
    with pytest.raises(ValueError, match="4 to 32 qualifiers"):
        knockout(3)


def test_a_meets_own_table_is_checked() -> None:
    def fmt(*rounds: RoundSpec) -> Format:
        return Format(name="own", qualifiers=4, rounds=rounds)

    final = RoundSpec(name="final", heats=(("a:1", "a:1:2"),), best_of=3, first_place=1)
    with pytest.raises(ValueError, match="'final' takes a:1, not an earlier round"):
        plan(fmt(final))
    with pytest.raises(ValueError, match="best of three is a match of two"):
        plan(fmt(RoundSpec(name="a", heats=(("q1", "q2", "q3", "q4"),), best_of=3)))
    with pytest.raises(ValueError, match="the qualifiers 1 to 4 must each have a slot"):
        plan(fmt(RoundSpec(name="a", heats=(("q1", "q2"),)), final))
    with pytest.raises(ValueError, match="'final' takes a:3, no such place"):
        plan(
            fmt(
                RoundSpec(name="a", heats=(("q1", "q2"), ("q3", "q4"))),
                msgspec.structs.replace(final, heats=(("a:1", "a:3"),)),
            )
        )
    # One race of four for places 1-4: a table of its own.
    own = plan(fmt(RoundSpec(name="a", heats=(("q1", "q2", "q3", "q4"),), first_place=1)))
    assert own.rounds[0].first_place == 1


def test_a_best_of_three_match() -> None:
    """Race 1 won by 7: race 2 next. 1-1: the decider, race 3. 2-1: decided, 7 first. 2-0: no
    race 3."""
    a = Race(order=[7, 2])
    b = Race(order=[2, 7])
    assert match_state([2, 7], [a], 3).next_race == 2
    one_all = match_state([2, 7], [a, b], 3)
    assert (one_all.wins, one_all.next_race, one_all.places) == ([1, 1], 3, [])
    decided = match_state([2, 7], [a, b, a], 3)
    assert (decided.wins, decided.next_race, decided.places) == ([1, 2], None, [7, 2])
    two_nil = match_state([2, 7], [b, b], 3)
    assert (two_nil.wins, two_nil.next_race, two_nil.places) == ([2, 0], None, [2, 7])


def test_relegation_gives_the_race_to_the_opponent_and_a_walk_over_too() -> None:
    """3.2.047-3.2.049: 5 crosses the line first but is relegated: 9 wins the race. A DNS rider
    is not ranked: the opponent wins by walk-over, and the non-starter is 2nd of the match."""
    riders = [Rider(bib=5), Rider(bib=9)]
    relegated = heat_result(
        riders,
        finish_us={5: 10_000_000, 9: 10_100_000},
        decisions=Decisions(relegated=frozenset({5})),
    )
    assert relegated.order == [9, 5]
    race = Race(order=relegated.order)
    assert match_state([5, 9], [race], 1).places == [9, 5]
    walk_over = heat_result(
        riders, finish_us={9: 10_100_000}, decisions=Decisions(dns=frozenset({5}))
    )
    assert walk_over.order == [9]
    state = match_state([5, 9], [Race(order=[9], unranked=(5,))], 1)
    assert state.places == [9, 5]
    nobody = match_state([5, 9], [Race(order=[])], 1)
    assert nobody.next_race is None
    assert "race 1: no winner" in nobody.problem


def test_a_dead_heat_for_the_win_waits_for_the_commissaires() -> None:
    """The camera places both riders 1st: no winner until a place correction (or a re-ride)."""
    tied = match_state([3, 6], [Race(order=[3, 6], dead_heat=True)], 3)
    assert (tied.next_race, tied.places) == (None, [])
    assert "race 1: a dead heat for the win" in tied.problem


def test_race_2_swaps_the_positions() -> None:
    assert race_start_list([3, 6], 1) == [3, 6]
    assert race_start_list([3, 6], 2) == [6, 3]
    assert race_start_list([3, 6], 3) == [3, 6]


def test_the_bracket_is_filled_by_slot_and_the_tournament_classified() -> None:
    """8 qualifiers, bibs 101-108 in qualifying order (101 fastest).

    Quarter-finals: 101v108, 102v107, 103v106, 104v105. Upsets: 107 beats 102 and 105 beats 104.
    Semi-finals by slot (not re-seeded): slot 1 (101) v slot 4 (105), slot 2 (107) v slot 3 (103).
    101 and 103 win; gold final 101v103 (103 wins), bronze 105v107 (107 wins).
    Classification: 1 103, 2 101, 3 107, 4 105; the quarter-final losers 5-8 by 200 m time
    (qualifying rank): 102 (2nd), 104 (4th), 106 (6th), 108 (8th)."""
    t = plan(table(8))
    q = list(range(101, 109))
    assert draw(t, q, {}) == {"1/4": [[101, 108], [102, 107], [103, 106], [104, 105]]}
    quarters = [[101, 108], [107, 102], [103, 106], [105, 104]]
    assert draw(t, q, {"1/4": quarters}) == {"1/2": [[101, 105], [107, 103]]}
    decided = {"1/4": quarters, "1/2": [[101, 105], [103, 107]]}
    assert draw(t, q, decided) == {"bronze final": [[105, 107]], "final": [[101, 103]]}
    decided |= {"bronze final": [[107, 105]], "final": [[103, 101]]}
    lines = classify(t, q, decided)
    assert [(line.rank, line.bib) for line in lines] == [
        (1, 103), (2, 101), (3, 107), (4, 105), (5, 102), (6, 104), (7, 106), (8, 108)
    ]  # fmt: skip


def test_repechage_losers_rank_after_the_round_they_went_out_in() -> None:
    """London 2012's 18: 1/16 1v18 ... 9v10; losers (seeds 10-18 when the favourites win) in 3
    repechages of 3 by serpentine: 10, 15, 16 | 11, 14, 17 | 12, 13, 18. Repechage winners 10, 11,
    12 go on. Everyone else wins as seeded from there; the 1/8 (1v12-style: 1vR3, 2vR2, 3vR1,
    4v9, 5v8, 6v7) losers go to 2 repechages of 3; and so on. The riders out in the 1/16
    repechages are the 6 last: places 13-18, by qualifying rank: 13, 14, 15, 16, 17, 18."""
    t = plan(table(18))
    q = list(range(1, 19))
    drawn = draw(t, q, {})
    assert drawn == {"1/16": [[k, 19 - k] for k in range(1, 10)]}
    decided: dict[str, list[list[int]]] = {"1/16": [[k, 19 - k] for k in range(1, 10)]}
    assert draw(t, q, decided)["1/16 repechage"] == [[10, 15, 16], [11, 14, 17], [12, 13, 18]]
    decided["1/16 repechage"] = [[10, 15, 16], [11, 14, 17], [12, 13, 18]]
    # 1/8: 1vR3 (12), 2vR2 (11), 3vR1 (10), 4v9, 5v8, 6v7.
    assert draw(t, q, decided)["1/8"] == [[1, 12], [2, 11], [3, 10], [4, 9], [5, 8], [6, 7]]
    decided["1/8"] = [[1, 12], [2, 11], [3, 10], [4, 9], [5, 8], [6, 7]]
    # Losers 12, 11, 10, 9, 8, 7 of races 1-6: serpentine by race: 12, 9, 8 | 11, 10, 7.
    assert draw(t, q, decided)["1/8 repechage"] == [[12, 9, 8], [11, 10, 7]]
    decided["1/8 repechage"] = [[8, 9, 12], [7, 10, 11]]
    # Quarters 1vR2 (7), 2vR1 (8), 3v6, 4v5.
    assert draw(t, q, decided)["1/4"] == [[1, 7], [2, 8], [3, 6], [4, 5]]
    decided["1/4"] = [[1, 7], [2, 8], [3, 6], [4, 5]]
    assert draw(t, q, decided)["race for places 5-8"] == [[7, 8, 6, 5]]
    decided["race for places 5-8"] = [[5, 6, 7, 8]]
    decided["1/2"] = [[1, 4], [2, 3]]
    decided["bronze final"] = [[3, 4]]
    decided["final"] = [[1, 2]]
    ranks = [(line.rank, line.bib) for line in classify(t, q, decided)]
    # 1-4 finals, 5-8 the race for places, 9-12 out in the 1/8 repechages (9, 10, 11, 12 by
    # qualifying rank), 13-18 out in the 1/16 repechages.
    assert ranks == [(k, k) for k in range(1, 19)]


def test_a_disqualified_rider_leaves_the_tournament_unranked() -> None:
    """104 is disqualified in quarter-final 4: 105 goes on; 104 is unranked at the foot (DSQ),
    and the quarter-final losers 106, 107, 108 take 5-7 by qualifying rank."""
    t = plan(table(8))
    q = list(range(101, 109))
    alone = match_state([105], [], 3)  # a heat drawn with one rider: no race to ride
    assert (alone.places, alone.decided) == ([105], True)
    # Disqualified in race 1: the match is 105's without a race 2.
    dsq = match_state([104, 105], [Race(order=[105], disqualified=frozenset({104}))], 3)
    assert (dsq.places, dsq.out, dsq.next_race, dsq.decided) == ([105], [104], None, True)
    decided = {
        "1/4": [[101, 108], [102, 107], [103, 106], dsq.places],
        "1/2": [[101, 105], [102, 103]],
        "bronze final": [[105, 103]],
        "final": [[101, 102]],
    }
    lines = classify(t, q, decided, dsq.out)
    assert [(line.rank, line.bib, line.status) for line in lines][-4:] == [
        (5, 106, Status.RANKED), (6, 107, Status.RANKED), (7, 108, Status.RANKED),
        (None, 104, Status.DSQ),
    ]  # fmt: skip


@pytest.mark.parametrize("qualifiers", [24, 28, 18, 12, 8, 5])
def test_when_the_favourite_wins_every_heat_the_classification_is_the_qualifying(
    qualifiers: int,
) -> None:
    """Every heat won in qualifying order (each heat's places: its riders by seed). Olympic 24
    by hand: 1/32 1-12 win, the repechages of 3 go to 13, 14, 15, 16 (17-24 out); 1/16 1-8 win,
    the repechages of 2 to 9-12 (13-16 out); 1/8 1-6 win, repechages 7, 8 (9-12 out); quarter-
    finals 1-4 win, the race for places 5-8 puts 5, 6, 7, 8; semi-finals 1 and 2; gold 1, bronze
    3. Worlds 28: 17-28 out in the 1/16, 9-16 in the 1/8, 5-8 in the quarter-finals. Whatever
    the table, the ranking is then the qualifying's: 1, 2, ..., N."""
    t = plan(table(qualifiers))
    q = list(range(1, qualifiers + 1))
    decided: dict[str, list[list[int]]] = {}
    while drawn := draw(t, q, decided):
        decided |= {name: [sorted(heat) for heat in heats] for name, heats in drawn.items()}
    if qualifiers == 24:
        assert decided["1/32 repechage"] == [[13, 20, 21], [14, 19, 22], [15, 18, 23], [16, 17, 24]]
        assert decided["1/16"][:4] == [[1, 16], [2, 15], [3, 14], [4, 13]]
        assert decided["race for places 5-8"] == [[5, 6, 7, 8]]
    assert [(line.rank, line.bib) for line in classify(t, q, decided)] == [(k, k) for k in q]
