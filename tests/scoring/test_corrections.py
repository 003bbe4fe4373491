"""Place corrections: the commissaires' lots and orders, applied to a ranking by times."""

from velotime.scoring.rules.results import apply_places, timed_line
from velotime.wire.results import Flag, ResultLine, Status


def line(rank: int, bib: int, time_us: int, leader_us: int, *flags: Flag) -> ResultLine:
    return timed_line(
        rank=rank, bib=bib, name="", nation="", time_us=time_us, distance_mm=200_000,
        leader_us=leader_us, splits=[], flags=list(flags),
    )  # fmt: skip


def ranks(lines: list[ResultLine]) -> list[tuple[int | None, int, list[Flag], str | None]]:
    return [(x.rank, x.bib, x.flags, x.gap) for x in lines]


DRAW, QUAL, CORR = Flag.DRAW_REQUIRED, Flag.QUALIFIED, Flag.CORRECTED
# A flying 200 m with 3 to qualify: 10.100 leads; 11 and 12 draw for 2nd on 10.200 (the last
# 100 m could not part them); 13 and 14 draw for 4th on 10.300, outside the cut; 15 DNF.
RANKING = [
    line(1, 10, 10_100_000, 10_100_000, QUAL),
    line(2, 11, 10_200_000, 10_100_000, DRAW, QUAL),
    line(2, 12, 10_200_000, 10_100_000, DRAW, QUAL),
    line(4, 13, 10_300_000, 10_100_000, DRAW),
    line(4, 14, 10_300_000, 10_100_000, DRAW),
    ResultLine(rank=None, bib=15, status=Status.DNF),
]


def test_the_lots_of_a_draw_part_the_riders_and_the_others_keep_their_tie() -> None:
    # The lots put 12 before 11: 12 is 2nd, 11 3rd; both still qualify (3 go on). The gap of
    # 11 and 12 to the leader stays +0.100 (times do not change); 13 and 14 still draw.
    out = apply_places(RANKING, {12: 2, 11: 3}, qualify=3)
    assert ranks(out) == [
        (1, 10, [QUAL], None),
        (2, 12, [QUAL, CORR], "+0.100"),
        (3, 11, [QUAL, CORR], "+0.100"),
        (4, 13, [DRAW], "+0.200"),
        (4, 14, [DRAW], "+0.200"),
        (None, 15, [], None),
    ]


def test_a_draw_settled_across_the_cut_qualifies_the_rider_placed_inside_it() -> None:
    # With 2 to qualify, nobody of the 11/12 draw qualified (the draw straddled the cut).
    ranking = [
        RANKING[0],
        *(line(2, bib, 10_200_000, 10_100_000, DRAW) for bib in (11, 12)),
        *RANKING[3:],
    ]
    out = apply_places(ranking, {12: 2}, qualify=2)
    # 12 is placed 2nd and qualifies; 11, no longer tied with anyone, is 3rd and does not.
    assert ranks(out)[:3] == [
        (1, 10, [QUAL], None),
        (2, 12, [QUAL, CORR], "+0.100"),
        (3, 11, [], "+0.100"),
    ]


def test_a_place_above_the_leader_makes_the_leader_s_gap_show() -> None:
    out = apply_places(RANKING[:3], {11: 1})
    # Time trials (no qualify): flags other than draws are left alone.
    assert ranks(out) == [
        (1, 11, [QUAL, CORR], None),
        (2, 10, [QUAL], "-0.100"),
        (3, 12, [QUAL], "+0.000"),
    ]


def test_places_of_unranked_riders_change_nothing() -> None:
    assert apply_places(RANKING, {15: 1}, qualify=3) == RANKING
