"""Keirin rounds, repechages and finals (uci-rules.md §2.5); expected values worked out by hand."""

from collections.abc import Sequence

import pytest

from velotime.scoring.rules.keirin import Decisions, HeatResult, PhotoPlace, Rider, heat_result
from velotime.scoring.rules.keirin_progression import (
    FINAL_1_6,
    FINAL_7_12,
    OLYMPIC_30,
    REPECHAGE,
    ROUND_1,
    ROUND_2,
    SEMI_FINALS,
    Format,
    RoundSpec,
    Route,
    UnsupportedEntrantsError,
    advance,
    classify,
    plan,
    seed_round_1,
    snake,
)
from velotime.wire.results import Status

T0 = 40_000_000_000


def heat(
    start: Sequence[int],
    finish_order: Sequence[int],
    *,
    relegated: Sequence[int] = (),
    dnf: Sequence[int] = (),
    dsq: Sequence[int] = (),
) -> HeatResult:
    """A heat ridden by transponders, riders crossing the line 0.1 s apart in `finish_order`."""
    return heat_result(
        [Rider(bib=bib, name=f"R{bib}") for bib in start],
        finish_us={bib: T0 + i * 100_000 for i, bib in enumerate(finish_order)},
        decisions=Decisions(relegated=frozenset(relegated), dnf=frozenset(dnf), dsq=frozenset(dsq)),
    )


def sizes(entrants: int, fmt: Sequence[Format] | None = None) -> dict[str, tuple[int, ...]]:
    competition = plan(entrants) if fmt is None else plan(entrants, fmt)
    return {r.name: r.heat_sizes for r in competition.rounds}


def test_snake_seeding() -> None:
    # 7 seeds in 3 heats: 1 2 3 | 6 5 4 | 7 -> heats [1, 6, 7], [2, 5], [3, 4].
    assert snake([1, 2, 3, 4, 5, 6, 7], 3) == [[1, 6, 7], [2, 5], [3, 4]]


@pytest.mark.parametrize(
    ("entrants", "expected"),
    [
        # 2 heats; 1st-3rd (6) to final 1-6, 4th-6th to final 7-12 (10 riders: two 4th, two
        # 5th = 4 riders, places 7-10; 3.2.135's minimum competition).
        (10, {ROUND_1: (5, 5), FINAL_1_6: (6,), FINAL_7_12: (4,)}),
        # 12 in serpentine over 2 heats: 6 and 6.
        (12, {ROUND_1: (6, 6), FINAL_1_6: (6,), FINAL_7_12: (6,)}),
        # 14: two heats of 7; the 7th places go out.
        (14, {ROUND_1: (7, 7), FINAL_1_6: (6,), FINAL_7_12: (6,)}),
        # 15: 3 x 5, top 2 (6) to the semis, 9 to 2 repechage heats (5, 4), top 3 (6).
        (
            15,
            {
                ROUND_1: (5, 5, 5),
                REPECHAGE: (5, 4),
                SEMI_FINALS: (6, 6),
                FINAL_1_6: (6,),
                FINAL_7_12: (6,),
            },
        ),
        # 20: 7, 7, 6; 14 to the repechage (7, 7).
        (
            20,
            {
                ROUND_1: (7, 7, 6),
                REPECHAGE: (7, 7),
                SEMI_FINALS: (6, 6),
                FINAL_1_6: (6,),
                FINAL_7_12: (6,),
            },
        ),
        # 21: 3 x 7, top 2 (6); 15 in 3 repechage heats of 5, top 2 (6).
        (
            21,
            {
                ROUND_1: (7, 7, 7),
                REPECHAGE: (5, 5, 5),
                SEMI_FINALS: (6, 6),
                FINAL_1_6: (6,),
                FINAL_7_12: (6,),
            },
        ),
        # 22 in 4 heats, serpentine: rows 1-4, 8-5, 9-12, 16-13, 17-20, then 21 -> heat 4,
        # 22 -> heat 3: 5, 5, 6, 6. Top 2 (8); 14 to the repechage: 3 full rows then 13 -> 4,
        # 14 -> 3: 3, 3, 4, 4; winners (4). Semis 8 + 4 = 12.
        (
            22,
            {
                ROUND_1: (5, 5, 6, 6),
                REPECHAGE: (3, 3, 4, 4),
                SEMI_FINALS: (6, 6),
                FINAL_1_6: (6,),
                FINAL_7_12: (6,),
            },
        ),
        (
            28,
            {
                ROUND_1: (7, 7, 7, 7),
                REPECHAGE: (5, 5, 5, 5),
                SEMI_FINALS: (6, 6),
                FINAL_1_6: (6,),
                FINAL_7_12: (6,),
            },
        ),
        # 29 in 6 heats: 4 full rows (24) and 25-29 to heats 1-5: 5, 5, 5, 5, 5, 4. Winners
        # (6); 23 to the repechage: 3 full rows (18) then, backwards, 19-23 to heats 6-2.
        (
            29,
            {
                ROUND_1: (5, 5, 5, 5, 5, 4),
                REPECHAGE: (3, 4, 4, 4, 4, 4),
                SEMI_FINALS: (6, 6),
                FINAL_1_6: (6,),
                FINAL_7_12: (6,),
            },
        ),
        (
            42,
            {
                ROUND_1: (7,) * 6,
                REPECHAGE: (6,) * 6,
                SEMI_FINALS: (6, 6),
                FINAL_1_6: (6,),
                FINAL_7_12: (6,),
            },
        ),
    ],
)
def test_plan_follows_the_competition_tables(
    entrants: int, expected: dict[str, tuple[int, ...]]
) -> None:
    assert sizes(entrants) == expected


def test_plan_olympic_30() -> None:
    # 5 x 6, top 2 (10) to round 2; 20 in 4 x 5 repechage heats, top 2 (8); round 2: 18 in
    # 3 x 6, top 4 (12) to the semis.
    assert sizes(30, [OLYMPIC_30]) == {
        ROUND_1: (6, 6, 6, 6, 6),
        REPECHAGE: (5, 5, 5, 5),
        ROUND_2: (6, 6, 6),
        SEMI_FINALS: (6, 6),
        FINAL_1_6: (6,),
        FINAL_7_12: (6,),
    }
    competition = plan(30, [OLYMPIC_30])
    assert competition.format == "Olympic 30"
    assert competition.round(ROUND_2).feeders == (ROUND_1, REPECHAGE)


@pytest.mark.parametrize("entrants", [9, 43, 60])
def test_plan_refuses_counts_the_tables_do_not_cover(entrants: int) -> None:
    with pytest.raises(UnsupportedEntrantsError, match=f"no competition table for {entrants}"):
        plan(entrants)


def test_plan_refuses_a_format_with_heats_too_big() -> None:
    # 16 riders in 2 heats is 8 a heat: over the 7 a keirin allows.
    too_big = Format(
        name="bad",
        entrants=(16, 16),
        rounds=(
            RoundSpec(name=ROUND_1, heats=2, routes=(Route(to=FINAL_1_6, places=(1, 3)),)),
            RoundSpec(name=FINAL_1_6, heats=1, first_place=1),
        ),
    )
    with pytest.raises(ValueError, match="8 riders in a heat"):
        plan(16, [too_big])


def test_twelve_entrants_go_straight_to_the_finals() -> None:
    competition = plan(12)
    # Seeds 1-12 (bib = seed) over 2 heats: 1 2 | 4 3 | 5 6 | 8 7 | 9 10 | 12 11.
    round_1 = seed_round_1(competition, list(range(1, 13)))
    assert round_1 == [[1, 4, 5, 8, 9, 12], [2, 3, 6, 7, 10, 11]]

    results = {
        ROUND_1: [heat(round_1[0], [4, 1, 9, 5, 12, 8]), heat(round_1[1], [2, 6, 3, 11, 7, 10])]
    }
    # Final 1-6: 1st of heats 1, 2 (4, 2), 2nd (1, 6), 3rd (9, 3); final 7-12: 4th (5, 11),
    # 5th (12, 7), 6th (8, 10).
    assert advance(competition, results) == {
        FINAL_1_6: [[4, 2, 1, 6, 9, 3]],
        FINAL_7_12: [[5, 11, 12, 7, 8, 10]],
    }
    results[FINAL_1_6] = [heat([4, 2, 1, 6, 9, 3], [2, 4, 6, 1, 3, 9])]
    results[FINAL_7_12] = [heat([5, 11, 12, 7, 8, 10], [11, 5, 7, 12, 10, 8])]
    assert advance(competition, results) == {}

    # Final 1-6 gives 1-6, final 7-12 gives 7-12.
    assert [(line.rank, line.bib) for line in classify(competition, results)] == [
        (1, 2),
        (2, 4),
        (3, 6),
        (4, 1),
        (5, 3),
        (6, 9),
        (7, 11),
        (8, 5),
        (9, 7),
        (10, 12),
        (11, 10),
        (12, 8),
    ]


def test_fourteen_entrants_rank_the_7th_places_ex_aequo() -> None:
    competition = plan(14)
    round_1 = seed_round_1(competition, list(range(1, 15)))
    # 1 2 | 4 3 | 5 6 | 8 7 | 9 10 | 12 11 | 13 14.
    assert round_1 == [[1, 4, 5, 8, 9, 12, 13], [2, 3, 6, 7, 10, 11, 14]]
    results = {ROUND_1: [heat(r, r) for r in round_1]}  # everyone finishes in start order
    starts = advance(competition, results)
    # 1st-3rd by place then heat: 1 2, 4 3, 5 6. 4th-6th: 8 7, 9 10, 12 11; 13 and 14 (7th)
    # go out.
    assert starts == {FINAL_1_6: [[1, 2, 4, 3, 5, 6]], FINAL_7_12: [[8, 7, 9, 10, 12, 11]]}
    results[FINAL_1_6] = [heat(starts[FINAL_1_6][0], starts[FINAL_1_6][0])]
    results[FINAL_7_12] = [heat(starts[FINAL_7_12][0], starts[FINAL_7_12][0])]
    lines = classify(competition, results)
    # Finals give 1-12 in their start order here (1 2 4 3 5 6, then 8 7 9 10 12 11); 13 and
    # 14 were both 7th in round 1: 13th ex aequo.
    assert [(line.rank, line.bib) for line in lines] == [
        (1, 1),
        (2, 2),
        (3, 4),
        (4, 3),
        (5, 5),
        (6, 6),
        (7, 8),
        (8, 7),
        (9, 9),
        (10, 10),
        (11, 12),
        (12, 11),
        (13, 13),
        (13, 14),
    ]


def test_eighteen_entrants_from_round_1_to_the_finals() -> None:
    competition = plan(18)
    # Seed s rides bib 100 + s. Serpentine over 3 heats:
    # 1 2 3 | 6 5 4 | 7 8 9 | 12 11 10 | 13 14 15 | 18 17 16.
    round_1 = seed_round_1(competition, [100 + s for s in range(1, 19)])
    assert round_1 == [
        [101, 106, 107, 112, 113, 118],
        [102, 105, 108, 111, 114, 117],
        [103, 104, 109, 110, 115, 116],
    ]

    # Round 1. Heat 1: 118 DNF. Heat 2: 117 disqualified (out of the competition). Heat 3: 104
    # crosses 2nd but is relegated: 103 109 110 115 116, then 104 REL 6th.
    results: dict[str, list[HeatResult]] = {
        ROUND_1: [
            heat(round_1[0], [101, 107, 106, 112, 113], dnf=[118]),
            heat(round_1[1], [105, 102, 108, 111, 114], dsq=[117]),
            heat(round_1[2], [103, 104, 109, 110, 115, 116], relegated=[104]),
        ]
    }
    # Top 2 to the semis: 101 107, 105 102, 103 109. The rest to the repechage, seeded by place
    # then heat: 3rd 106 108 110, 4th 112 111 115, 5th 113 114 116, 6th 104 (REL), then the
    # unplaced DNF 118; 117 (DSQ) goes nowhere. 11 riders, serpentine over 2 heats:
    # 106 108 | 110 112 | 111 115 | 113 114 | 116 104 | 118 (rows alternate direction):
    # heat 1: 106 112 111 114 116, heat 2: 108 110 115 113 104 118.
    assert advance(competition, results) == {
        REPECHAGE: [[106, 112, 111, 114, 116], [108, 110, 115, 113, 104, 118]],
    }

    # Repechage. Heat 1: 111 106 114 116 112. Heat 2: 118 (back after its round 1 DNF) 108 110
    # 104 115, and 113, crossing 3rd, relegated to 6th.
    results[REPECHAGE] = [
        heat([106, 112, 111, 114, 116], [111, 106, 114, 116, 112]),
        heat([108, 110, 115, 113, 104, 118], [118, 108, 113, 110, 104, 115], relegated=[113]),
    ]
    # Top 3 to the semis: 111 106 114 and 118 108 110. Semi seeding: round 1 qualifiers first
    # (1st 101 105 103, 2nd 107 102 109), then the repechage's (1st 111 118, 2nd 106 108, 3rd
    # 114 110). Serpentine over 2: S1 gets seeds 1 4 5 8 9 12, S2 seeds 2 3 6 7 10 11.
    assert advance(competition, results) == {
        SEMI_FINALS: [[101, 107, 102, 118, 106, 110], [105, 103, 109, 111, 108, 114]],
    }

    results[SEMI_FINALS] = [
        heat([101, 107, 102, 118, 106, 110], [102, 101, 118, 107, 110, 106]),
        heat([105, 103, 109, 111, 108, 114], [103, 111, 105, 109, 114, 108]),
    ]
    # Final 1-6: 1st 102 103, 2nd 101 111, 3rd 118 105. Final 7-12: 4th 107 109, 5th 110 114,
    # 6th 106 108.
    assert advance(competition, results) == {
        FINAL_1_6: [[102, 103, 101, 111, 118, 105]],
        FINAL_7_12: [[107, 109, 110, 114, 106, 108]],
    }

    # Final 1-6: 101 crosses 2nd but is relegated to last (Paris 2024, Sahrom).
    results[FINAL_1_6] = [
        heat([102, 103, 101, 111, 118, 105], [103, 101, 118, 102, 105, 111], relegated=[101])
    ]
    results[FINAL_7_12] = [heat([107, 109, 110, 114, 106, 108], [109, 107, 106, 114, 110, 108])]
    assert advance(competition, results) == {}

    lines = classify(competition, results)
    assert [(line.rank, line.bib, line.status) for line in lines] == [
        # Final 1-6: 103 118 102 105 111, then 101 REL 6th.
        (1, 103, Status.RANKED),
        (2, 118, Status.RANKED),
        (3, 102, Status.RANKED),
        (4, 105, Status.RANKED),
        (5, 111, Status.RANKED),
        (6, 101, Status.REL),
        # Final 7-12.
        (7, 109, Status.RANKED),
        (8, 107, Status.RANKED),
        (9, 106, Status.RANKED),
        (10, 114, Status.RANKED),
        (11, 110, Status.RANKED),
        (12, 108, Status.RANKED),
        # Out in the repechage: the two 4th places (116 heat 1, 104 heat 2) 13th ex aequo,
        # the two 5th (112, 115) 15th ex aequo, then 113, relegated, 17th.
        (13, 116, Status.RANKED),
        (13, 104, Status.RANKED),
        (15, 112, Status.RANKED),
        (15, 115, Status.RANKED),
        (17, 113, Status.REL),
        # Disqualified in round 1: unranked, last.
        (None, 117, Status.DSQ),
    ]
    assert lines[0].name == "R103"


def test_knocked_out_riders_rank_by_round_then_place_dnf_unranked_at_the_foot() -> None:
    # 15 entrants, everyone finishing in start order except where said.
    competition = plan(15)
    round_1 = seed_round_1(competition, list(range(1, 16)))
    # 1 2 3 | 6 5 4 | 7 8 9 | 12 11 10 | 13 14 15.
    assert round_1 == [[1, 6, 7, 12, 13], [2, 5, 8, 11, 14], [3, 4, 9, 10, 15]]
    results: dict[str, list[HeatResult]] = {ROUND_1: [heat(r, r) for r in round_1]}
    repechage = advance(competition, results)[REPECHAGE]
    # The rest, by place then heat: 3rd 7 8 9, 4th 12 11 10, 5th 13 14 15. Serpentine over 2:
    # 7->1 8->2 | 9->2 12->1 | 11->1 10->2 | 13->2 14->1 | 15->1.
    assert repechage == [[7, 12, 11, 14, 15], [8, 9, 10, 13]]
    # Repechage heat 2: 13 DNF.
    results[REPECHAGE] = [
        heat(repechage[0], repechage[0]),
        heat(repechage[1], [8, 9, 10], dnf=[13]),
    ]
    semis = advance(competition, results)[SEMI_FINALS]
    results[SEMI_FINALS] = [heat(s, s) for s in semis]
    finals = advance(competition, results)
    results[FINAL_1_6] = [heat(finals[FINAL_1_6][0], finals[FINAL_1_6][0])]
    results[FINAL_7_12] = [heat(finals[FINAL_7_12][0], finals[FINAL_7_12][0])]
    tail = [(line.rank, line.bib, line.status) for line in classify(competition, results)[12:]]
    # Out in the repechage: 14 (4th of heat 1) 13th, 15 (5th of heat 1) 14th; 13 DNF unranked.
    assert tail == [(13, 14, Status.RANKED), (14, 15, Status.RANKED), (None, 13, Status.DNF)]


def test_a_dead_heat_across_a_qualifying_place_needs_the_commissaires() -> None:
    competition = plan(12)
    round_1 = seed_round_1(competition, list(range(1, 13)))
    # Heat 1 is 1 4 5 8 9 12; the camera sees 5 and 8 both 3rd: one would go to final 1-6,
    # the other to final 7-12.
    photo = [
        PhotoPlace(bib=bib, place=place)
        for bib, place in zip(round_1[0], [1, 2, 3, 3, 5, 6], strict=True)
    ]
    tied = heat_result([Rider(bib=b) for b in round_1[0]], photo=photo)
    with pytest.raises(ValueError, match="dead heat for place 3"):
        advance(competition, {ROUND_1: [tied, heat(round_1[1], round_1[1])]})


def test_results_must_hold_the_riders_the_previous_round_sent() -> None:
    competition = plan(12)
    round_1 = seed_round_1(competition, list(range(1, 13)))
    results: dict[str, list[HeatResult]] = {ROUND_1: [heat(r, r) for r in round_1]}
    results[FINAL_1_6] = [heat([1, 2, 4, 3, 5, 7], [1, 2, 4, 3, 5, 7])]  # 7 was 4th in heat 2
    with pytest.raises(ValueError, match="the previous rounds sent"):
        advance(competition, results)


def test_classify_needs_every_round() -> None:
    competition = plan(12)
    round_1 = seed_round_1(competition, list(range(1, 13)))
    with pytest.raises(ValueError, match="not over"):
        classify(competition, {ROUND_1: [heat(r, r) for r in round_1]})


def test_seeding_must_match_the_entrants() -> None:
    with pytest.raises(ValueError, match="11 riders"):
        seed_round_1(plan(12), list(range(1, 12)))
    with pytest.raises(ValueError, match="twice"):
        seed_round_1(plan(12), [1, *range(1, 12)])


def test_a_place_a_commissaire_set_past_empty_places_routes_and_classifies_by_place() -> None:
    """12 entrants, two heats of round 1 (1 4 5 8 9 12 | 2 3 6 7 10 11). Heat 1: 1, 9, 5
    finish; 8 and 12 fall (DNF); 4, who brought them down, is relegated and put 6th: places 1-3
    are 1, 9, 5, places 4-5 empty, 6th 4. Heat 2: 2 and 3 finish; 6, 7 and 10 fall; 11 is put
    4th: place 3 empty. A place is the rank, not the count of riders ahead: 11 (4th, with two
    riders ahead) goes to the final 7-12 with 4 (6th), 11 first (place 4 before place 6); the
    final 1-6 gets 1, 2 (1st), 9, 3 (2nd), 5 (3rd).

    Final 1-6: 2, 1, 9 finish, 3 and 5 fall; 9 is relegated and put 5th. Final 7-12: 4, 11.
    Classification: 2, 1, then 9 5th (3rd and 4th empty), 4 7th, 11 8th; unranked at the foot,
    the final's DNF first (3, 5), then round 1's by heat and start list (8, 12; 6, 7, 10)."""
    competition = plan(12)
    round_1 = seed_round_1(competition, list(range(1, 13)))
    assert round_1 == [[1, 4, 5, 8, 9, 12], [2, 3, 6, 7, 10, 11]]

    def placed(start: Sequence[int], finish: Sequence[int], decisions: Decisions) -> HeatResult:
        return heat_result(
            [Rider(bib=bib, name=f"R{bib}") for bib in start],
            finish_us={bib: T0 + i * 100_000 for i, bib in enumerate(finish)},
            decisions=decisions,
        )

    heat_1 = placed(
        round_1[0],
        [1, 4, 9, 5],
        Decisions(relegated=frozenset({4}), dnf=frozenset({8, 12}), places={4: 6}),
    )
    heat_2 = placed(round_1[1], [2, 3, 11],
                    Decisions(dnf=frozenset({6, 7, 10}), places={11: 4}))  # fmt: skip
    assert [(line.rank, line.bib) for line in heat_1.lines if line.rank] == [
        (1, 1), (2, 9), (3, 5), (6, 4),
    ]  # fmt: skip
    results = {ROUND_1: [heat_1, heat_2]}
    assert advance(competition, results) == {FINAL_1_6: [[1, 2, 9, 3, 5]], FINAL_7_12: [[11, 4]]}

    results[FINAL_1_6] = [
        placed([1, 2, 9, 3, 5], [2, 1, 9],
               Decisions(relegated=frozenset({9}), dnf=frozenset({3, 5}), places={9: 5}))
    ]  # fmt: skip
    results[FINAL_7_12] = [heat([11, 4], [4, 11])]
    assert [(line.rank, line.bib, line.status) for line in classify(competition, results)] == [
        (1, 2, Status.RANKED), (2, 1, Status.RANKED), (5, 9, Status.REL),
        (7, 4, Status.RANKED), (8, 11, Status.RANKED),
        (None, 3, Status.DNF), (None, 5, Status.DNF), (None, 8, Status.DNF),
        (None, 12, Status.DNF), (None, 6, Status.DNF), (None, 7, Status.DNF),
        (None, 10, Status.DNF),
    ]  # fmt: skip
