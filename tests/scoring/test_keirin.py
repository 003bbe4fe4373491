"""A keirin heat's result (uci-rules.md §2.5 and §4.3); expected values worked out by hand."""

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from velotime.scoring.rules.keirin import Decisions, PhotoPlace, Rider, heat_result
from velotime.wire.results import Flag, Status

SIX = [Rider(bib=bib, name=f"Rider {bib}", nation="NED") for bib in (1, 2, 3, 4, 5, 6)]
T0 = 50_000_000_000  # some time of day on the venue clock (13:53:20)


def test_photo_finish_overrides_transponders_with_a_relegation_and_a_dnf() -> None:
    # Transponders: 1 ahead of 2 by 0.010 s, then 3, 4, 5; 6 never finishes.
    finish = {1: T0, 2: T0 + 10_000, 3: T0 + 200_000, 4: T0 + 500_000, 5: T0 + 1_000_000}
    # The camera sees 2 ahead of 1 and calls 6 DNF.
    photo = [
        PhotoPlace(bib=2, place=1),
        PhotoPlace(bib=1, place=2),
        PhotoPlace(bib=3, place=3),
        PhotoPlace(bib=4, place=4),
        PhotoPlace(bib=5, place=5),
        PhotoPlace(bib=6, status="DNF"),
    ]
    result = heat_result(
        SIX, photo=photo, finish_us=finish, decisions=Decisions(relegated=frozenset({3}))
    )
    # By hand: 2, 1 by the photo; 3 is relegated after the classified 4 and 5; 6 DNF unranked.
    assert [(line.rank, line.bib, line.status) for line in result.lines] == [
        (1, 2, Status.RANKED),
        (2, 1, Status.RANKED),
        (3, 4, Status.RANKED),
        (4, 5, Status.RANKED),
        (5, 3, Status.REL),
        (None, 6, Status.DNF),
    ]
    assert result.order == [2, 1, 4, 5, 3]
    # The camera decided 1 and 2: no photo-required flag although transponders had 0.010 s.
    assert all(line.flags == [] for line in result.lines)
    assert result.lines[0].name == "Rider 2"
    assert result.lines[0].nation == "NED"


def test_winner_last_200_m_paris_2024() -> None:
    # Lavreysen, Paris 2024 final: 9.397 s, 720 / 9.397 = 76.6202... -> 76.620 (truncated).
    # 200 m line at T0, finish 9.3974 s later: truncated to 9.397, never rounded.
    riders = SIX[:2]
    result = heat_result(
        riders,
        finish_us={1: T0 + 9_397_400, 2: T0 + 9_500_000},
        line_200_us={1: T0, 2: T0 + 100},
    )
    assert result.winner_last_200_us == 9_397_000
    assert result.winner_last_200 == "9.397"
    assert result.winner_last_200_kmh == "76.620"


def test_last_200_m_uses_the_camera_finish_and_the_winner_after_relegation() -> None:
    # 1 crosses first but is relegated, so 2 is the winner. The camera's finish for 2 is
    # T0 + 10.431 s (Athens 2004, Bayley), the transponder's one 0.005 s later: the camera wins.
    # 720 / 10.431 = 69.0250... -> 69.025.
    result = heat_result(
        SIX[:3],
        photo=[
            PhotoPlace(bib=1, place=1, t_us=T0 + 10_400_000),
            PhotoPlace(bib=2, place=2, t_us=T0 + 10_431_000),
            PhotoPlace(bib=3, place=3),
        ],
        finish_us={2: T0 + 10_436_000},
        line_200_us={1: T0 + 500, 2: T0},
        decisions=Decisions(relegated=frozenset({1})),
    )
    assert result.order == [2, 3, 1]
    assert result.winner_last_200 == "10.431"
    assert result.winner_last_200_kmh == "69.025"


def test_no_last_200_m_without_both_crossings() -> None:
    result = heat_result(SIX[:2], finish_us={1: T0, 2: T0 + 100_000})
    assert result.winner_last_200 is None
    assert result.winner_last_200_kmh is None


@pytest.mark.parametrize(
    ("gap_us", "flagged"),
    [
        (29_999, True),  # less than 0.03 s: transponders cannot split them
        (30_000, False),  # exactly 0.03 s is not "less than 0.03 s"
        (0, True),  # a dead heat on the transponders
    ],
)
def test_photo_required_below_30_ms(gap_us: int, flagged: bool) -> None:
    result = heat_result(SIX[:3], finish_us={1: T0, 2: T0 + gap_us, 3: T0 + 1_000_000})
    expected = [Flag.PHOTO_REQUIRED] if flagged else []
    # Both riders of the close pair flagged, order as the times say (equal times: start order);
    # 3 is a second behind, unflagged.
    assert [(line.rank, line.bib, line.flags) for line in result.lines] == [
        (1, 1, expected),
        (2, 2, expected),
        (3, 3, []),
    ]


def test_photo_required_pairs_are_consecutive_riders() -> None:
    # 1-2: 0.029999 s apart (flagged); 2-3: 0.030000 s (not); 3-4: 0.1 s (not).
    finish = {1: T0, 2: T0 + 29_999, 3: T0 + 59_999, 4: T0 + 159_999}
    result = heat_result(SIX[:4], finish_us=finish)
    assert [line.flags for line in result.lines] == [
        [Flag.PHOTO_REQUIRED],
        [Flag.PHOTO_REQUIRED],
        [],
        [],
    ]


def test_a_relegated_rider_close_to_a_classified_one_needs_no_photo() -> None:
    # 2 is 0.010 s behind 1 but relegated: their order is the relegation's, not the sprint's.
    # Classified 1 and 3 are 0.1 s apart: no flag.
    result = heat_result(
        SIX[:3],
        finish_us={1: T0, 2: T0 + 10_000, 3: T0 + 100_000},
        decisions=Decisions(relegated=frozenset({2})),
    )
    assert [(line.rank, line.bib, line.status, line.flags) for line in result.lines] == [
        (1, 1, Status.RANKED, []),
        (2, 3, Status.RANKED, []),
        (3, 2, Status.REL, []),
    ]


def test_relegated_riders_keep_their_finishing_order_among_themselves() -> None:
    # Finish 1..6 in bib order; 2 and 4 relegated: classified 1, 3, 5, 6 then REL 2, 4.
    finish = {bib: T0 + bib * 1_000_000 for bib in range(1, 7)}
    result = heat_result(SIX, finish_us=finish, decisions=Decisions(relegated=frozenset({4, 2})))
    assert [(line.rank, line.bib, line.status) for line in result.lines] == [
        (1, 1, Status.RANKED),
        (2, 3, Status.RANKED),
        (3, 5, Status.RANKED),
        (4, 6, Status.RANKED),
        (5, 2, Status.REL),
        (6, 4, Status.REL),
    ]


def test_tokyo_2020_round_1_heat_2_shape() -> None:
    # Two finishers, one relegated rider listed 3rd, three unranked DNF (start-list order).
    finish = {1: T0, 2: T0 + 500_000, 3: T0 + 300_000}
    result = heat_result(
        SIX,
        finish_us=finish,
        decisions=Decisions(relegated=frozenset({3}), dnf=frozenset({4, 5, 6})),
    )
    assert [(line.rank, line.bib, line.status) for line in result.lines] == [
        (1, 1, Status.RANKED),
        (2, 2, Status.RANKED),
        (3, 3, Status.REL),
        (None, 4, Status.DNF),
        (None, 5, Status.DNF),
        (None, 6, Status.DNF),
    ]


def test_unranked_riders_come_dnf_then_dsq_then_dns() -> None:
    # The camera writes "DQ" for 3; commissaires: 2 DNS, 5 DNF. 6 DSQ by decision although the
    # camera placed it (the commissaires' word comes first).
    photo = [
        PhotoPlace(bib=1, place=2),
        PhotoPlace(bib=4, place=1),
        PhotoPlace(bib=3, status="DQ"),
        PhotoPlace(bib=6, place=3),
    ]
    result = heat_result(
        SIX,
        photo=photo,
        decisions=Decisions(dns=frozenset({2}), dnf=frozenset({5}), dsq=frozenset({6})),
    )
    assert [(line.rank, line.bib, line.status) for line in result.lines] == [
        (1, 4, Status.RANKED),
        (2, 1, Status.RANKED),
        (None, 5, Status.DNF),
        (None, 3, Status.DSQ),
        (None, 6, Status.DSQ),
        (None, 2, Status.DNS),
    ]


def test_place_corrections_put_riders_at_their_places() -> None:
    """Paris 2024 style: 3 relegated; the commissaires place it 2nd of 4 instead of last, and
    settle the photo-required pair 1-2 (0.010 s) as 2 first. By hand: 2 and 3 hold places 1
    and 2; the others, 1 then 4 by their crossings, take the places left, 3 and 4. Taking 2 out
    of the evidence leaves 1 no close neighbour: no flags. Gaps at the line are to the first
    uncorrected rider, 1: 4 is 0.900 s behind; corrected riders have none."""
    finish = {1: T0, 2: T0 + 10_000, 3: T0 + 500_000, 4: T0 + 900_000}
    result = heat_result(
        SIX[:4],
        finish_us=finish,
        decisions=Decisions(relegated=frozenset({3}), places={3: 2, 2: 1}),
    )
    assert [(line.rank, line.bib, line.status, line.flags, line.gap) for line in result.lines] == [
        (1, 2, Status.RANKED, [Flag.CORRECTED], None),
        (2, 3, Status.REL, [Flag.CORRECTED], None),
        (3, 1, Status.RANKED, [], None),
        (4, 4, Status.RANKED, [], "+0.900"),
    ]
    assert result.order == [2, 3, 1, 4]


def test_a_relegated_rider_placed_behind_two_dnf_riders() -> None:
    """Six riders; 5 and 6 crash (DNF); 2, second on the line, is relegated: by default the
    last of the riders who finished, 4th. The commissaires put 2 6th, behind the two who
    crashed: ranks 1, 2, 3 stay 1, 3, 4 with their gaps (0.200 and 0.500 s behind 1), places
    4 and 5 stay empty, and 5 and 6 stay DNF."""
    finish = {1: T0, 2: T0 + 100_000, 3: T0 + 200_000, 4: T0 + 500_000}
    decisions = Decisions(relegated=frozenset({2}), dnf=frozenset({5, 6}))
    relegated = heat_result(SIX, finish_us=finish, decisions=decisions)
    assert [(line.rank, line.bib, line.status, line.gap) for line in relegated.lines] == [
        (1, 1, Status.RANKED, None),
        (2, 3, Status.RANKED, "+0.200"),
        (3, 4, Status.RANKED, "+0.500"),
        (4, 2, Status.REL, None),
        (None, 5, Status.DNF, None),
        (None, 6, Status.DNF, None),
    ]
    corrected = heat_result(
        SIX, finish_us=finish, decisions=Decisions(relegated=frozenset({2}),
        dnf=frozenset({5, 6}), places={2: 6}),
    )  # fmt: skip
    assert corrected.lines[:3] == relegated.lines[:3]
    assert corrected.lines[3:] == [
        msgspec.structs.replace(relegated.lines[3], rank=6, flags=[Flag.CORRECTED]),
        *relegated.lines[4:],
    ]
    assert corrected.order == [1, 3, 4, 2]


def test_a_correction_keeps_the_others_ties_and_shares_a_place_it_gives_twice() -> None:
    """The camera has 2 and 3 dead-heated for 2nd (ranks 1, 2, 2, 4, 5, 6). Putting 1 4th: the
    others take places 1, 2, 3, 5, 6 in their order, the tie staying a tie: 2 and 3 share 1st
    (and hold 2nd), 4 is 3rd, 5 and 6 are 5th and 6th. Putting 6 4th as well: 1 and 6 share 4th,
    both "draw required", and hold 5th; 5 takes 6th."""
    photo = [PhotoPlace(bib=bib, place=place) for bib, place in
             ((1, 1), (2, 2), (3, 2), (4, 4), (5, 5), (6, 6))]  # fmt: skip
    result = heat_result(SIX, photo=photo, decisions=Decisions(places={1: 4}))
    assert [(line.rank, line.bib, line.flags) for line in result.lines] == [
        (1, 2, [Flag.DRAW_REQUIRED]),
        (1, 3, [Flag.DRAW_REQUIRED]),
        (3, 4, []),
        (4, 1, [Flag.CORRECTED]),
        (5, 5, []),
        (6, 6, []),
    ]
    result = heat_result(SIX, photo=photo, decisions=Decisions(places={1: 4, 6: 4}))
    assert [(line.rank, line.bib, line.flags) for line in result.lines] == [
        (1, 2, [Flag.DRAW_REQUIRED]),
        (1, 3, [Flag.DRAW_REQUIRED]),
        (3, 4, []),
        (4, 1, [Flag.CORRECTED, Flag.DRAW_REQUIRED]),
        (4, 6, [Flag.CORRECTED, Flag.DRAW_REQUIRED]),
        (6, 5, []),
    ]


def test_a_place_needs_no_finish_evidence_and_ranks_a_dnf_rider_too() -> None:
    # The transponder of 2 failed; the commissaires place it first. 3 crashed (DNF) and is
    # placed 3rd: ranked there, still DNF.
    result = heat_result(
        SIX[:3], finish_us={1: T0}, decisions=Decisions(dnf=frozenset({3}), places={2: 1, 3: 3})
    )
    assert [(line.rank, line.bib, line.status) for line in result.lines] == [
        (1, 2, Status.RANKED), (2, 1, Status.RANKED), (3, 3, Status.DNF),
    ]  # fmt: skip


def test_a_place_must_be_one_of_the_heat() -> None:
    with pytest.raises(ValueError, match="place 4 for bib 1 in a heat of 3 riders"):
        heat_result(SIX[:3], decisions=Decisions(places={1: 4}))
    with pytest.raises(ValueError, match=r"not in the heat: \[9\]"):
        heat_result(SIX[:3], decisions=Decisions(places={9: 1}))


def test_a_rider_without_evidence_needs_a_decision() -> None:
    with pytest.raises(ValueError, match=r"no finish crossing for bib\(s\) \[3\]"):
        heat_result(SIX[:3], finish_us={1: T0, 2: T0 + 100_000})
    with pytest.raises(ValueError, match=r"photo-finish gives no place for bib\(s\) \[2\]"):
        heat_result(SIX[:2], photo=[PhotoPlace(bib=1, place=1)], finish_us={1: T0, 2: T0 + 1})


def test_photo_dead_heat_shares_the_rank_and_asks_for_a_draw() -> None:
    # The camera gives 2 and 3 both 2nd: ranks 1, 2, 2, 4; the pair is flagged.
    photo = [
        PhotoPlace(bib=1, place=1),
        PhotoPlace(bib=3, place=2),
        PhotoPlace(bib=2, place=2),
        PhotoPlace(bib=4, place=4),
    ]
    result = heat_result(SIX[:4], photo=photo)
    assert [(line.rank, line.bib, line.flags) for line in result.lines] == [
        (1, 1, []),
        (2, 2, [Flag.DRAW_REQUIRED]),
        (2, 3, [Flag.DRAW_REQUIRED]),
        (4, 4, []),
    ]


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="twice in the start list"):
        heat_result([SIX[0], SIX[0]], finish_us={1: T0})
    with pytest.raises(ValueError, match="not in the heat"):
        heat_result(SIX[:2], finish_us={1: T0, 2: T0}, decisions=Decisions(dnf=frozenset({9})))
    with pytest.raises(ValueError, match="two decisions"):
        heat_result(
            SIX[:2],
            finish_us={1: T0, 2: T0},
            decisions=Decisions(dnf=frozenset({1}), dsq=frozenset({1})),
        )
    with pytest.raises(ValueError, match="unknown photo-finish status"):
        heat_result(SIX[:1], photo=[PhotoPlace(bib=1, status="XYZ")])
    with pytest.raises(ValueError, match="200 m line"):
        heat_result(SIX[:1], finish_us={1: T0}, line_200_us={1: T0 + 1})


@st.composite
def corrected_heats(draw: st.DrawFn) -> tuple[dict[int, int], Decisions, int, int]:
    """Seven riders crossing the line at distinct times (or not at all: DNF), some relegated,
    and one place correction of any rider to any place of the heat."""
    bibs = list(range(1, 8))
    dnf = draw(st.frozensets(st.sampled_from(bibs), max_size=3))
    finishers = [bib for bib in bibs if bib not in dnf]
    times = draw(st.lists(st.integers(0, 2_000_000), min_size=len(finishers),
                          max_size=len(finishers), unique=True))  # fmt: skip
    relegated = draw(st.frozensets(st.sampled_from(finishers), max_size=2))
    bib, place = draw(st.sampled_from(bibs)), draw(st.integers(1, len(bibs)))
    finish = {b: T0 + t for b, t in zip(finishers, times, strict=True)}
    return finish, Decisions(relegated=relegated, dnf=dnf), bib, place


@given(corrected_heats())
def test_a_correction_moves_the_others_by_one_place_at_most(
    heat: tuple[dict[int, int], Decisions, int, int],
) -> None:
    """By rule (module docstring of rules.keirin): the corrected rider is at their place; every
    other rider keeps their status, the ranked ones their order, and moves by one
    place at most (the place the corrected rider left or took); their gaps stay unless the
    corrected rider was the winner they were measured to."""
    finish, decisions, bib, place = heat
    riders = [Rider(bib=b) for b in range(1, 8)]
    before = heat_result(riders, finish_us=finish, decisions=decisions)
    after = heat_result(
        riders, finish_us=finish, decisions=msgspec.structs.replace(decisions, places={bib: place})
    )
    ranks = {line.bib: line.rank for line in after.lines}
    assert ranks[bib] == place
    assert all(1 <= rank <= 7 for rank in ranks.values() if rank is not None)
    ranked = [line.rank for line in after.lines if line.rank is not None]
    assert ranked == sorted(ranked)  # the lines in place order
    old = {line.bib: line for line in before.lines}
    others = [line for line in after.lines if line.bib != bib]
    assert [line.bib for line in others if line.rank] == [b for b in before.order if b != bib]
    for line in others:
        assert line.status == old[line.bib].status
        if line.rank is not None:
            assert abs(line.rank - (old[line.bib].rank or 0)) <= 1
            if before.order[0] != bib:
                assert line.gap == old[line.bib].gap
