"""The scratch race's result (velotime.scoring.rules.scratch; uci-rules.md §2.7, 3.2.178,
3.2.182, §4.3); expected values worked out by hand from the rules in each docstring."""

from hypothesis import given
from hypothesis import strategies as st

from velotime.scoring.rules.bunch import LapChange
from velotime.scoring.rules.keirin import Decisions, Rider
from velotime.scoring.rules.scratch import LinePassage, scratch_result
from velotime.wire.results import Flag, Status

SIX = [Rider(bib=bib, name=f"Rider {bib}", nation="NED") for bib in range(1, 7)]
T0 = 60_000_000_000


def test_laps_gained_first_then_the_order_across_the_line() -> None:
    """3.2.178: 4 gained a lap (+1) and crosses the line 5th: first. 6 lost one (-1) and
    crosses 2nd: last of the classified. The others in their order across the line: 2, 1, 3.
    5 abandoned (DNF): not classified (3.2.182), at the foot."""
    finish = {2: T0, 6: T0 + 100_000, 1: T0 + 200_000, 3: T0 + 300_000, 4: T0 + 400_000}
    lines = scratch_result(
        SIX,
        laps={1: 40, 2: 40, 3: 40, 4: 41, 5: 12, 6: 39},
        changes=[LapChange(bib=4, change=1, lap=22), LapChange(bib=6, change=-1, lap=30)],
        finish={bib: LinePassage(t) for bib, t in finish.items()},
        decisions=Decisions(dnf=frozenset({5})),
    )
    assert [(line.rank, line.bib, line.laps, line.laps_gained, line.status) for line in lines] == [
        (1, 4, 41, 1, Status.RANKED),
        (2, 2, 40, 0, Status.RANKED),
        (3, 1, 40, 0, Status.RANKED),
        (4, 3, 40, 0, Status.RANKED),
        (5, 6, 39, -1, Status.RANKED),
        (None, 5, 12, 0, Status.DNF),
    ]


def test_riders_down_in_the_last_km_are_listed_crashed_before_the_dnf() -> None:
    """3.2.182: 3 and 6 came down in the last kilometre (not across the line) and 5 abandoned:
    none is classified. 1, 2, 4 ranked in their order across the line; then 3 and 6 "crashed"
    (by bib), then 5 DNF."""
    finish = {2: T0, 4: T0 + 300_000, 1: T0 + 500_000}
    lines = scratch_result(
        SIX,
        laps={1: 40, 2: 40, 3: 39, 4: 40, 5: 12, 6: 39},
        finish={bib: LinePassage(t) for bib, t in finish.items()},
        decisions=Decisions(dnf=frozenset({5})),
        crashed=frozenset({6, 3}),
    )
    assert [(line.rank, line.bib, line.status) for line in lines] == [
        (1, 2, Status.RANKED),
        (2, 4, Status.RANKED),
        (3, 1, Status.RANKED),
        (None, 3, Status.CRASHED),
        (None, 6, Status.CRASHED),
        (None, 5, Status.DNF),
    ]


def test_close_or_estimated_passages_need_the_photo() -> None:
    """§4.3: 1 and 2 0.020 s apart: photo required for both; 3 is 0.100 s behind 2, but its
    passage was estimated from the other loops (a missed read): photo required too."""
    lines = scratch_result(
        SIX[:3],
        laps={1: 10, 2: 10, 3: 10},
        finish={
            1: LinePassage(T0),
            2: LinePassage(T0 + 20_000),
            3: LinePassage(T0 + 120_000, True),
        },
    )
    assert [(line.bib, line.flags) for line in lines] == [
        (1, [Flag.PHOTO_REQUIRED]),
        (2, [Flag.PHOTO_REQUIRED]),
        (3, [Flag.PHOTO_REQUIRED]),
    ]


def test_before_the_finish_the_order_on_the_road_and_a_correction_over_the_finish() -> None:
    """Before the finish: laps gained, then race laps, then the latest passage: 3 (+1), then
    1 and 2 on 10 laps, 1 across the line first. At the finish the evidence ranks 3 (+1), 1,
    2; the commissaires put 2 first (a photo): 2, then the others in their order: 3, 1."""
    running = scratch_result(
        SIX[:3],
        laps={1: 10, 2: 10, 3: 11},
        changes=[LapChange(bib=3, change=1, lap=8)],
        latest={1: T0, 2: T0 + 500_000, 3: T0 + 900_000},
    )
    assert [line.bib for line in running] == [3, 1, 2]
    finished = scratch_result(
        SIX[:3],
        laps={1: 20, 2: 20, 3: 21},
        changes=[LapChange(bib=3, change=1, lap=8)],
        finish={1: LinePassage(T0), 2: LinePassage(T0 + 10_000), 3: LinePassage(T0 + 20_000)},
        decisions=Decisions(places={2: 1}),
    )
    assert [(line.rank, line.bib, Flag.CORRECTED in line.flags) for line in finished] == [
        (1, 2, True),
        (2, 3, False),
        (3, 1, False),
    ]


@given(
    st.permutations(list(range(1, 7))),
    st.lists(st.sampled_from([-1, 0, 1]), min_size=6, max_size=6),
    st.sets(st.integers(1, 6), max_size=3),
)
def test_the_ranks_are_a_permutation_and_laps_gained_never_rank_below_fewer(
    order: list[int], gains: list[int], out: set[int]
) -> None:
    """Whatever the line and the lap changes: the riders not out are ranked 1..n, each once;
    the out (DNF) are unranked; and no rider ranks behind one with fewer laps gained."""
    changes = [
        LapChange(bib=bib, change=gain, lap=5)
        for bib, gain in zip(range(1, 7), gains, strict=True)
        if gain
    ]
    lines = scratch_result(
        SIX,
        laps=dict.fromkeys(range(1, 7), 20),
        changes=changes,
        finish={bib: LinePassage(T0 + i * 100_000) for i, bib in enumerate(order)},
        decisions=Decisions(dnf=frozenset(out)),
    )
    ranked = [line for line in lines if line.rank is not None]
    assert [line.rank for line in ranked] == list(range(1, 7 - len(out)))
    assert {line.bib for line in lines if line.rank is None} == out
    gained = [line.laps_gained for line in ranked]
    assert gained == sorted(gained, reverse=True)
